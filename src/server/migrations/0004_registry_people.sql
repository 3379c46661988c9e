-- The people registry (issue 4): miners and workers. Vulnerable-group attributes live in a table of
-- their own (person_sensitive), so they are physically apart from the record every officer reads.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE person_reference_counters (
  country     text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  last_value  bigint NOT NULL CHECK (last_value > 0),
  PRIMARY KEY (country, year)
);
COMMENT ON TABLE person_reference_counters IS 'The last serial number given to a person per country and year, for reference numbers (GH-P-2026-000123-X). Incremented in the registering transaction, so a rolled-back registration leaves no gap.';

CREATE TABLE people (
  id           uuid PRIMARY KEY,
  reference    text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z]{2}-P-[0-9]{4}-[0-9]{6,}-[0-9A-Z*]$'),
  given_name   text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
  family_name  text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  other_names  text CHECK (length(other_names) BETWEEN 1 AND 200),
  sex          text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'not_stated')),
  birth_date   date,
  birth_year   integer CHECK (birth_year BETWEEN 1900 AND 2100),
  age_band     text CHECK (age_band IN ('<18', '18-24', '25-34', '35-49', '50-64', '65+')),
  phone        text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  id_document  jsonb CHECK (id_document IS NULL OR (jsonb_typeof(id_document) = 'object'
                 AND id_document ? 'type' AND id_document ? 'number')),
  area_id      uuid NOT NULL REFERENCES admin_areas (id),
  photo_file   text,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  -- A year and a full date may both be given, but they must agree.
  CHECK (birth_date IS NULL OR birth_year IS NULL OR birth_year = extract(year FROM birth_date)::integer)
);
-- Typo-tolerant name search (similarity / word_similarity on the full name).
CREATE INDEX people_name_trgm ON people USING gin (lower(given_name || ' ' || family_name) gin_trgm_ops);
CREATE INDEX people_phone ON people (phone) WHERE phone IS NOT NULL;
CREATE INDEX people_area ON people (area_id);

COMMENT ON TABLE people IS 'Miners and workers known to the registry. area_id (residence) is the jurisdiction: officers see and change the people of their areas only. Never holds vulnerable-group attributes (see person_sensitive).';
COMMENT ON COLUMN people.reference IS 'Human reference number COUNTRY-P-YEAR-SERIAL-CHECK; the last character is ISO/IEC 7064 MOD 37-2 over the rest, so a mistyped reference is caught.';
COMMENT ON COLUMN people.given_name IS 'Given (first) name as the person gives it.';
COMMENT ON COLUMN people.family_name IS 'Family name (surname).';
COMMENT ON COLUMN people.other_names IS 'Middle names, aliases or names known locally.';
COMMENT ON COLUMN people.sex IS 'female, male, other or not_stated.';
COMMENT ON COLUMN people.birth_date IS 'Date of birth when known (many miners know only the year, or neither).';
COMMENT ON COLUMN people.birth_year IS 'Year of birth when the full date is not known; agrees with birth_date when both are given.';
COMMENT ON COLUMN people.age_band IS 'Age band when neither date nor year is known: <18, 18-24, 25-34, 35-49, 50-64, 65+.';
COMMENT ON COLUMN people.phone IS 'E.164 mobile number, optional; not unique (a phone is often shared), but a repeat is flagged as a likely duplicate.';
COMMENT ON COLUMN people.id_document IS 'Identity document {type, number}, optional: many miners have none.';
COMMENT ON COLUMN people.area_id IS 'Area of residence: the jurisdiction of the record.';
COMMENT ON COLUMN people.photo_file IS 'Path of the photo relative to DATA_DIR. Internal: not exposed by the API yet.';
COMMENT ON COLUMN people.created_by IS 'The account or API token that registered the person.';
COMMENT ON COLUMN people.version IS 'Incremented on every change; the ETag of the record.';

CREATE TABLE person_sensitive (
  person_id        uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
  disability       boolean,
  migrant          boolean,
  ethnic_minority  boolean,
  legal_basis      text NOT NULL CHECK (legal_basis IN ('consent', 'legal_obligation', 'public_task', 'vital_interest')),
  recorded_by      uuid,
  recorded_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE person_sensitive IS 'Vulnerable-group attributes of a person, kept apart from people. Recorded only with a legal basis; shown only to holders of registry.sensitive.read, and every read is audited (person.sensitive_read). The audit trail records that they changed, never their values.';
COMMENT ON COLUMN person_sensitive.disability IS 'Lives with a disability; null when not stated.';
COMMENT ON COLUMN person_sensitive.migrant IS 'Migrant (from another district or country); null when not stated.';
COMMENT ON COLUMN person_sensitive.ethnic_minority IS 'Belongs to an ethnic minority; null when not stated.';
COMMENT ON COLUMN person_sensitive.legal_basis IS 'Why these data may be processed: consent, legal_obligation, public_task or vital_interest.';
COMMENT ON COLUMN person_sensitive.recorded_by IS 'The account or API token that last recorded them.';
COMMENT ON COLUMN person_sensitive.recorded_at IS 'When they were last recorded.';

GRANT SELECT, INSERT, UPDATE ON person_reference_counters TO {{app_role}};
GRANT SELECT, INSERT, UPDATE, DELETE ON people, person_sensitive TO {{app_role}};
