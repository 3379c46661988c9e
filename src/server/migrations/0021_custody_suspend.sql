-- Suspending and reinstating custody actors (issue 6) is a regulator's decision: a permission of its
-- own, custody.suspend, held by the officers (district, regional, national) and the office
-- administrators (who must hold what the district officers they appoint hold), never by a
-- buying-station agent, who could otherwise suspend a competitor. Installations made before this
-- migration get it on their unedited system roles, as new installations do from DEFAULT_ROLES.
-- Never edit after it has landed.

UPDATE roles
   SET permissions = permissions || ARRAY['custody.suspend'], version = version + 1, updated_at = now()
 WHERE is_system
   AND code IN ('system_admin', 'national_supervisor', 'regional_officer', 'district_officer', 'office_admin')
   AND NOT ('custody.suspend' = ANY (permissions));

COMMENT ON COLUMN custody_actors.status IS 'A suspended actor can neither receive nor hand over nor transform lots. Changed by POST /custody/actors/:id/suspend and /reinstate (permission custody.suspend); the reason is in the audit trail.';
