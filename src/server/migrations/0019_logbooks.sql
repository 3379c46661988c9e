-- Production logbooks (issue 6): simplified periodic production reports per licence or production
-- unit, typed on a phone or by an officer from a paper logbook. One report per subject and period: a
-- second send for the same period updates it (with If-Match), it never adds a second row, so totals
-- never count a period twice. Quantities are integers (kg of ore, mg of mineral and mercury, minor
-- units of money). {{app_role}} is replaced by APP_DB_ROLE when the migration runs.

CREATE TABLE logbook_reports (
  id                    uuid PRIMARY KEY,
  country               text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  licence_id            uuid REFERENCES licences (id),
  production_unit_id    uuid REFERENCES production_units (id),
  area_id               uuid NOT NULL REFERENCES admin_areas (id),
  period_kind           text NOT NULL CHECK (period_kind IN ('weekly', 'monthly', 'quarterly')),
  period_start          date NOT NULL,
  period_end            date NOT NULL,
  due_on                date NOT NULL,
  ore_mined_kg          bigint CHECK (ore_mined_kg >= 0),
  ore_unit              text CHECK (ore_unit IN ('kg', 't')),
  mineral               text NOT NULL CHECK (mineral ~ '^[a-z][a-z0-9_]{1,39}$'),
  mineral_mass_mg       bigint NOT NULL CHECK (mineral_mass_mg >= 0),
  fineness_ptt          integer CHECK (fineness_ptt BETWEEN 0 AND 10000),
  workers_women         integer NOT NULL CHECK (workers_women >= 0),
  workers_men           integer NOT NULL CHECK (workers_men >= 0),
  workers_other         integer NOT NULL CHECK (workers_other >= 0),
  workers_youth         integer CHECK (workers_youth >= 0),
  equipment_bought      jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(equipment_bought) = 'array'),
  operating_cost_minor  bigint CHECK (operating_cost_minor >= 0),
  currency              text CHECK (currency ~ '^[A-Z]{3}$'),
  mercury_used_mg       bigint CHECK (mercury_used_mg >= 0),
  source                text NOT NULL CHECK (source IN ('phone', 'officer_from_paper')),
  submitted_by          uuid,
  submitted_at          timestamptz NOT NULL,
  submitted_late        boolean NOT NULL,
  updated_by            uuid,
  updated_at            timestamptz NOT NULL,
  version               integer NOT NULL DEFAULT 1,
  CHECK ((licence_id IS NULL) <> (production_unit_id IS NULL)),
  CHECK (period_end >= period_start AND due_on >= period_end),
  CHECK ((ore_mined_kg IS NULL) = (ore_unit IS NULL)),
  CHECK ((operating_cost_minor IS NULL) = (currency IS NULL))
);
-- One report per subject and period, whatever the race between two phones sending it.
CREATE UNIQUE INDEX logbook_reports_licence_period ON logbook_reports (licence_id, period_start)
  WHERE licence_id IS NOT NULL;
CREATE UNIQUE INDEX logbook_reports_unit_period ON logbook_reports (production_unit_id, period_start)
  WHERE production_unit_id IS NOT NULL;
CREATE INDEX logbook_reports_area_period ON logbook_reports (area_id, period_start, id);

COMMENT ON TABLE logbook_reports IS 'Periodic production reports (logbooks) of a licence or a production unit: one per period, updated in place.';
COMMENT ON COLUMN logbook_reports.area_id IS 'The area of the licence or unit when first reported: the jurisdiction of the report.';
COMMENT ON COLUMN logbook_reports.period_kind IS 'weekly (Monday to Sunday), monthly or quarterly: the reporting duty of the licence tier, or the profile''s logbook period.';
COMMENT ON COLUMN logbook_reports.due_on IS 'Last day to report on time: period_end plus the profile''s logbook.dueDays at first submission.';
COMMENT ON COLUMN logbook_reports.ore_mined_kg IS 'Ore mined in whole kilograms; NULL when not reported.';
COMMENT ON COLUMN logbook_reports.ore_unit IS 'The unit the figure was given in (kg or t), to show it back the same way.';
COMMENT ON COLUMN logbook_reports.mineral_mass_mg IS 'Mineral produced (gross mass) in integer milligrams.';
COMMENT ON COLUMN logbook_reports.fineness_ptt IS 'Estimated fineness in parts per ten thousand, when known.';
COMMENT ON COLUMN logbook_reports.workers_other IS 'Workers whose sex is other or not known.';
COMMENT ON COLUMN logbook_reports.workers_youth IS 'Of all workers, how many are youth; NULL when not reported.';
COMMENT ON COLUMN logbook_reports.equipment_bought IS 'List of short texts: the equipment bought in the period.';
COMMENT ON COLUMN logbook_reports.operating_cost_minor IS 'Operating costs in minor units of currency.';
COMMENT ON COLUMN logbook_reports.mercury_used_mg IS 'Mercury used in milligrams: 0 is a report of none, NULL means not reported.';
COMMENT ON COLUMN logbook_reports.source IS 'phone: typed by the holder or on site; officer_from_paper: typed by an officer from the paper logbook.';
COMMENT ON COLUMN logbook_reports.submitted_at IS 'First submission; lateness is judged on it and later corrections do not change it.';
COMMENT ON COLUMN logbook_reports.submitted_late IS 'Whether the first submission came after due_on (in the country''s time zone).';

GRANT SELECT, INSERT ON logbook_reports TO {{app_role}};
-- A correction changes the figures, never the subject, the period or when it was first submitted.
GRANT UPDATE (ore_mined_kg, ore_unit, mineral, mineral_mass_mg, fineness_ptt, workers_women, workers_men,
              workers_other, workers_youth, equipment_bought, operating_cost_minor, currency,
              mercury_used_mg, source, updated_by, updated_at, version)
  ON logbook_reports TO {{app_role}};

-- The logbook permissions for the roles an installation already has (new ones get them at start).
UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['logbooks.read', 'logbooks.record']) AS p WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin')
   AND NOT (permissions @> ARRAY['logbooks.read', 'logbooks.record']);
UPDATE roles SET permissions = permissions || ARRAY['logbooks.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('national_supervisor', 'regional_officer', 'auditor')
   AND NOT ('logbooks.read' = ANY (permissions));
