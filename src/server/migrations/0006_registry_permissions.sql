-- The registry permissions (issue 4) for the roles an installation already has. A new installation
-- gets them from the default roles at start; an existing one gets them here, once. Roles an
-- administrator created are left alone, and a permission is added only where it is missing.

UPDATE roles SET permissions = permissions || ARRAY['registry.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('national_supervisor', 'regional_officer', 'auditor', 'buying_station_agent')
   AND NOT ('registry.read' = ANY (permissions));

UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['registry.read', 'registry.write', 'registry.sensitive.read']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin')
   AND NOT (permissions @> ARRAY['registry.read', 'registry.write', 'registry.sensitive.read']);
