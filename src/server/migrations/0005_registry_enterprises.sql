-- Registry (issue 4): enterprises, their members and form history, and production units.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE SEQUENCE enterprise_reference_seq;
CREATE SEQUENCE production_unit_reference_seq;

CREATE TABLE enterprises (
  id                     uuid PRIMARY KEY,
  reference              text NOT NULL UNIQUE,
  name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  form                   text NOT NULL CHECK (form IN ('individual', 'partnership', 'association',
                           'cooperative', 'company', 'community_group')),
  registration           jsonb CHECK (registration IS NULL OR jsonb_typeof(registration) = 'object'),
  area_id                uuid NOT NULL REFERENCES admin_areas (id),
  benefit_sharing_rules  text,
  payment_account        jsonb CHECK (payment_account IS NULL
                           OR payment_account ->> 'kind' IN ('bank', 'mobile_money')),
  status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'dissolved')),
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  version                integer NOT NULL DEFAULT 1
);
CREATE INDEX enterprises_area_name ON enterprises (area_id, name, id);
CREATE INDEX enterprises_name ON enterprises (name, id);
CREATE INDEX enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops);

COMMENT ON TABLE enterprises IS 'Enterprises of miners (cooperatives, associations, partnerships, companies, community groups, individuals): the counterpart for licences, finance, markets and regulation.';
COMMENT ON COLUMN enterprises.reference IS 'Human reference number from enterprise_reference_seq with a check character (ENT-000001-K).';
COMMENT ON COLUMN enterprises.form IS 'Legal form, chosen by the miners; a change is recorded in enterprise_form_changes.';
COMMENT ON COLUMN enterprises.registration IS 'Registration details, when registered: {authority, number, date?}.';
COMMENT ON COLUMN enterprises.area_id IS 'The admin area the enterprise is registered in: its jurisdiction.';
COMMENT ON COLUMN enterprises.benefit_sharing_rules IS 'How the enterprise shares its income among members, as written by them.';
COMMENT ON COLUMN enterprises.payment_account IS 'Where payments go: {kind: bank | mobile_money, provider, account}.';
COMMENT ON COLUMN enterprises.status IS 'active, inactive or dissolved.';

CREATE TABLE enterprise_form_changes (
  id             uuid PRIMARY KEY,
  enterprise_id  uuid NOT NULL REFERENCES enterprises (id),
  from_form      text NOT NULL,
  to_form        text NOT NULL CHECK (to_form <> from_form),
  changed_on     date NOT NULL,
  reason         text,
  changed_by     uuid REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_form_changes_enterprise ON enterprise_form_changes (enterprise_id, created_at, id);

COMMENT ON TABLE enterprise_form_changes IS 'History of the legal form of each enterprise (association → cooperative …): one row per change, never edited.';
COMMENT ON COLUMN enterprise_form_changes.changed_on IS 'The date the new form took effect.';
COMMENT ON COLUMN enterprise_form_changes.changed_by IS 'The account that recorded the change (null for the system).';

CREATE TABLE enterprise_members (
  id             uuid PRIMARY KEY,
  enterprise_id  uuid NOT NULL REFERENCES enterprises (id),
  person_id      uuid,
  member_name    text NOT NULL CHECK (length(member_name) BETWEEN 1 AND 200),
  sex            text NOT NULL CHECK (sex IN ('female', 'male')),
  role           text NOT NULL CHECK (role IN ('chair', 'treasurer', 'secretary', 'member', 'worker')),
  leadership     boolean NOT NULL,
  start_date     date NOT NULL,
  end_date       date CHECK (end_date IS NULL OR end_date >= start_date),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  CHECK (leadership = (role IN ('chair', 'treasurer', 'secretary')))
);
CREATE INDEX enterprise_members_enterprise ON enterprise_members (enterprise_id, start_date, id);
-- One open term per leadership seat.
CREATE UNIQUE INDEX enterprise_members_open_seat ON enterprise_members (enterprise_id, role)
  WHERE leadership AND end_date IS NULL;

COMMENT ON TABLE enterprise_members IS 'Members, workers and leaders of an enterprise with their dates; a leadership term ends with end_date.';
COMMENT ON COLUMN enterprise_members.person_id IS 'The person in the people registry, once linked (no foreign key yet: the people registry lands separately).';
COMMENT ON COLUMN enterprise_members.member_name IS 'The name as recorded, so the member list reads without the people registry.';
COMMENT ON COLUMN enterprise_members.sex IS 'female or male: for the share of women in membership and leadership.';
COMMENT ON COLUMN enterprise_members.leadership IS 'True for chair, treasurer and secretary: seats held one at a time, for a term.';
COMMENT ON COLUMN enterprise_members.end_date IS 'The last day of membership or of the term; null while open.';

CREATE TABLE production_units (
  id                      uuid PRIMARY KEY,
  reference               text NOT NULL UNIQUE,
  kind                    text NOT NULL CHECK (kind IN ('pit', 'shaft', 'dredge', 'washing_plant', 'processing_plant')),
  name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  area_id                 uuid NOT NULL REFERENCES admin_areas (id),
  location                jsonb CHECK (location IS NULL OR location ->> 'type' = 'Point'),
  equipment               jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(equipment) = 'array'),
  capacity                jsonb,
  operator_enterprise_id  uuid REFERENCES enterprises (id),
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  version                 integer NOT NULL DEFAULT 1
);
CREATE INDEX production_units_area_name ON production_units (area_id, name, id);
CREATE INDEX production_units_operator ON production_units (operator_enterprise_id) WHERE operator_enterprise_id IS NOT NULL;

COMMENT ON TABLE production_units IS 'Pits, shafts, dredges, washing and processing plants: a unit can hold a licence instead of each person.';
COMMENT ON COLUMN production_units.reference IS 'Human reference number from production_unit_reference_seq with a check character (PU-000001-K).';
COMMENT ON COLUMN production_units.area_id IS 'The admin area the unit lies in: its jurisdiction.';
COMMENT ON COLUMN production_units.location IS 'GeoJSON Point [longitude, latitude] in WGS 84.';
COMMENT ON COLUMN production_units.equipment IS 'List of {item, count}.';
COMMENT ON COLUMN production_units.capacity IS '{value, unit}, such as tonnes of ore per day (t_ore_per_day).';
COMMENT ON COLUMN production_units.operator_enterprise_id IS 'The enterprise operating the unit, if any.';

GRANT SELECT, INSERT, UPDATE ON enterprises, enterprise_form_changes, enterprise_members, production_units TO {{app_role}};
GRANT USAGE ON SEQUENCE enterprise_reference_seq, production_unit_reference_seq TO {{app_role}};
