-- Cadastre (issue 5, second slice): layers of areas (licence areas, ASM zones, large-scale titles,
-- protected areas, customary lands) imported from GeoJSON, with a box prefilter under a GiST index
-- and the exact overlap computed in code (docs/adr/0012). The permissions cadastre.* are added to the
-- system roles an installation has.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE cadastre_layers (
  id          uuid PRIMARY KEY,
  country     text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  kind        text NOT NULL CHECK (kind IN ('licence_area', 'asm_zone', 'lsm_title', 'protected_area', 'customary_land')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  source      text,
  licence     text,
  notes       text,
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  UNIQUE (country, name)
);
CREATE INDEX cadastre_layers_country_kind ON cadastre_layers (country, kind);

COMMENT ON TABLE cadastre_layers IS 'A named set of areas of one kind in one country (a cadastre import, a zone designation, a protected-area list).';
COMMENT ON COLUMN cadastre_layers.kind IS 'licence_area | asm_zone | lsm_title | protected_area | customary_land: what the overlap check makes of it.';
COMMENT ON COLUMN cadastre_layers.source IS 'Where the data comes from (agency, dataset, date).';
COMMENT ON COLUMN cadastre_layers.licence IS 'The licence of the data itself (e.g. CC BY 4.0), shown with the layer.';

CREATE TABLE cadastre_features (
  id                uuid PRIMARY KEY,
  layer_id          uuid NOT NULL REFERENCES cadastre_layers (id),
  external_ref      text,
  name              text,
  status            text NOT NULL DEFAULT 'active' CHECK (length(status) BETWEEN 1 AND 100),
  attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,
  geometry          jsonb NOT NULL CHECK (geometry ->> 'type' IN ('Polygon', 'MultiPolygon')),
  bbox              box NOT NULL,
  area_m2           double precision NOT NULL CHECK (area_m2 >= 0),
  area_id           uuid REFERENCES admin_areas (id),
  licence_id        uuid,
  designation_date  date,
  allowed_tiers     text[],
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cadastre_features_bbox ON cadastre_features USING gist (bbox);
CREATE INDEX cadastre_features_layer ON cadastre_features (layer_id, id);
CREATE INDEX cadastre_features_area ON cadastre_features (area_id);

COMMENT ON TABLE cadastre_features IS 'One area of a layer: a title, a zone, a protected area. The geometry is GeoJSON (RFC 7946 winding after safe repair); the exact overlap is computed in code, the box only narrows.';
COMMENT ON COLUMN cadastre_features.bbox IS 'Bounding box of the geometry (core box type, GiST): the SQL prefilter of the overlap check (bbox && box).';
COMMENT ON COLUMN cadastre_features.area_m2 IS 'Area on the mean-radius sphere (as @turf/area), m².';
COMMENT ON COLUMN cadastre_features.area_id IS 'The deepest admin area holding the centre of the bbox, for jurisdiction; null when outside every area with a geometry.';
COMMENT ON COLUMN cadastre_features.status IS 'As the source says (active, expired, en convention…); the check counts a feature as a right unless its status reads as ended.';
COMMENT ON COLUMN cadastre_features.licence_id IS 'Licence areas: the licence the area belongs to.';
COMMENT ON COLUMN cadastre_features.designation_date IS 'ASM zones: the date of designation.';
COMMENT ON COLUMN cadastre_features.allowed_tiers IS 'ASM zones: the licence tiers that may be granted inside the zone.';

UPDATE roles SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['cadastre.read', 'cadastre.manage']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'national_supervisor')
   AND NOT (permissions @> ARRAY['cadastre.read', 'cadastre.manage']);

UPDATE roles SET permissions = permissions || ARRAY['cadastre.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('regional_officer', 'district_officer', 'office_admin', 'auditor')
   AND NOT ('cadastre.read' = ANY (permissions));

GRANT SELECT, INSERT, UPDATE ON cadastre_layers TO {{app_role}};
GRANT SELECT, INSERT ON cadastre_features TO {{app_role}};
