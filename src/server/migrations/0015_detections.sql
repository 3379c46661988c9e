-- Unlicensed-activity hotspots (issue 5, third slice): a layer kind for mining activity detected by
-- satellite (e.g. Earth Genome's mining-detector). Detections are not rights: the overlap check lists
-- them for information, and the hotspot list shows the part of each outside every licence area and
-- ASM zone, for district offices to plan outreach and formalisation.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

ALTER TABLE cadastre_layers DROP CONSTRAINT cadastre_layers_kind_check;
ALTER TABLE cadastre_layers ADD CONSTRAINT cadastre_layers_kind_check
  CHECK (kind IN ('licence_area', 'asm_zone', 'lsm_title', 'protected_area', 'customary_land', 'activity_detection'));

COMMENT ON COLUMN cadastre_layers.kind IS 'licence_area | asm_zone | lsm_title | protected_area | customary_land | activity_detection: what the overlap check and the hotspot list make of it. activity_detection: mining seen from above (a detection, not a right).';
