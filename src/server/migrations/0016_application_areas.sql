-- Application areas (issue 5): the area an applicant (or an officer on their behalf) draws or
-- uploads, and the last overlap check of it against the cadastre. The decision re-runs the check and
-- records it in its audit event, so the record shows the cadastre as it was when the decision fell.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

ALTER TABLE licence_applications
  ADD COLUMN area_geometry   jsonb CHECK (area_geometry IS NULL OR area_geometry ->> 'type' IN ('Polygon', 'MultiPolygon')),
  ADD COLUMN area_check      jsonb,
  ADD COLUMN area_checked_at timestamptz,
  ADD CONSTRAINT licence_applications_area_check_with_geometry
    CHECK ((area_geometry IS NULL) = (area_check IS NULL) AND (area_check IS NULL) = (area_checked_at IS NULL));

COMMENT ON COLUMN licence_applications.area_geometry IS 'The applied area (GeoJSON Polygon or MultiPolygon, WGS 84), after safe repairs; requested_area_hectares is computed from it.';
COMMENT ON COLUMN licence_applications.area_check IS 'The last overlap check of the area against the cadastre (overlaps with m² and %, totals, free part without its geometry, tier rules).';
COMMENT ON COLUMN licence_applications.area_checked_at IS 'When area_check was computed: when the area was set, or at the decision.';
