-- Licensing (issue 4): licence applications, their decisions, the licences issued and the history of
-- every transition. The permissions licensing.* are added to the system roles an installation has.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE SEQUENCE licence_application_reference_seq;
CREATE SEQUENCE licence_number_seq;

CREATE TABLE licence_applications (
  id                       uuid PRIMARY KEY,
  reference                text NOT NULL UNIQUE,
  tier_code                text NOT NULL,
  holder_kind              text NOT NULL CHECK (holder_kind IN ('person', 'enterprise', 'production_unit')),
  holder_id                uuid NOT NULL,
  area_id                  uuid NOT NULL REFERENCES admin_areas (id),
  status                   text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted',
                             'under_review', 'approved', 'rejected', 'issued')),
  requested_area_hectares  numeric(12, 4) NOT NULL CHECK (requested_area_hectares > 0),
  checklist                jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(checklist) = 'object'),
  fee_assessed_minor       bigint CHECK (fee_assessed_minor >= 0),
  currency                 text CHECK (currency ~ '^[A-Z]{3}$'),
  submitted_at             timestamptz,
  decided_at               timestamptz,
  decided_by               uuid,
  decision_reason          text,
  created_by               uuid,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  version                  integer NOT NULL DEFAULT 1,
  CHECK (status <> 'rejected' OR length(decision_reason) > 0)
);
CREATE INDEX licence_applications_area ON licence_applications (area_id, created_at, id);
CREATE INDEX licence_applications_holder ON licence_applications (holder_kind, holder_id);

COMMENT ON TABLE licence_applications IS 'Applications for a licence of a tier of the country profile: draft → submitted → under_review → approved | rejected → issued.';
COMMENT ON COLUMN licence_applications.reference IS 'Human reference with a check character (LA-000001-K).';
COMMENT ON COLUMN licence_applications.holder_kind IS 'person (people), enterprise (enterprises) or production_unit (production_units); holder_id points there.';
COMMENT ON COLUMN licence_applications.area_id IS 'The jurisdiction: the area of the holder when the application was made.';
COMMENT ON COLUMN licence_applications.checklist IS 'Requirement code of the tier → {met: boolean, note: text|null}, filled during review.';
COMMENT ON COLUMN licence_applications.fee_assessed_minor IS 'The fee of the tier at submission, in minor units of currency.';

CREATE TABLE licences (
  id              uuid PRIMARY KEY,
  number          text NOT NULL UNIQUE,
  application_id  uuid NOT NULL UNIQUE REFERENCES licence_applications (id),
  tier_code       text NOT NULL,
  holder_kind     text NOT NULL CHECK (holder_kind IN ('person', 'enterprise', 'production_unit')),
  holder_id       uuid NOT NULL,
  area_id         uuid NOT NULL REFERENCES admin_areas (id),
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
  valid_from      date NOT NULL,
  valid_to        date NOT NULL CHECK (valid_to > valid_from),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1
);
CREATE INDEX licences_area ON licences (area_id, created_at, id);
-- A holder may not hold two active licences of the same tier.
CREATE UNIQUE INDEX licences_one_active_per_tier ON licences (holder_kind, holder_id, tier_code)
  WHERE status = 'active';

COMMENT ON TABLE licences IS 'Licences issued from approved applications (at most one per application): active, suspended, revoked or expired.';
COMMENT ON COLUMN licences.number IS 'Licence number: <country>-AS-<TIER>-<year>-<sequence>-<check character>.';
COMMENT ON COLUMN licences.valid_to IS 'Last day of validity: valid_from plus the validity months of the tier.';

CREATE TABLE licence_events (
  id              uuid PRIMARY KEY,
  application_id  uuid NOT NULL REFERENCES licence_applications (id),
  licence_id      uuid REFERENCES licences (id),
  from_status     text,
  to_status       text NOT NULL,
  reason          text,
  actor_id        text,
  at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licence_events_application ON licence_events (application_id, at, id);

COMMENT ON TABLE licence_events IS 'Every transition of an application or a licence (from, to, reason, by whom, when); never edited.';

UPDATE roles SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['licensing.read', 'licensing.apply', 'licensing.decide']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin')
   AND NOT (permissions @> ARRAY['licensing.read', 'licensing.apply', 'licensing.decide']);

UPDATE roles SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['licensing.read', 'licensing.decide']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('regional_officer', 'national_supervisor')
   AND NOT (permissions @> ARRAY['licensing.read', 'licensing.decide']);

UPDATE roles SET permissions = permissions || ARRAY['licensing.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('auditor', 'buying_station_agent')
   AND NOT ('licensing.read' = ANY (permissions));

GRANT SELECT, INSERT, UPDATE ON licence_applications, licences TO {{app_role}};
GRANT SELECT, INSERT ON licence_events TO {{app_role}};
GRANT USAGE ON SEQUENCE licence_application_reference_seq, licence_number_seq TO {{app_role}};
