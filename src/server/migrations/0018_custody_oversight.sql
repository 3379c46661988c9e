-- Oversight of the chain of custody (issue 6): reference prices, risk flags raised on custody events,
-- the incident register in the shape of the OECD Due Diligence Guidance (Annex II), an index for
-- mass balances over a period, and a cadastre layer kind for areas where armed groups are present.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE reference_prices (
  country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  mineral      text NOT NULL CHECK (mineral ~ '^[a-z][a-z0-9_]{1,39}$'),
  day          date NOT NULL,
  price_minor  bigint NOT NULL CHECK (price_minor > 0),
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  source       text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  recorded_by  uuid,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (country, mineral, day)
);

COMMENT ON TABLE reference_prices IS 'The reference price of a mineral in a country on a day, against which transfer prices are flagged.';
COMMENT ON COLUMN reference_prices.price_minor IS 'Price of one gram of the fine mineral, in minor units of currency.';
COMMENT ON COLUMN reference_prices.source IS 'Where the price comes from (central bank fixing, LBMA, World Bank Pink Sheet…).';

CREATE TABLE custody_incidents (
  id             uuid PRIMARY KEY,
  country        text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  area_id        uuid NOT NULL REFERENCES admin_areas (id),
  category       text NOT NULL CHECK (category IN ('serious_abuse', 'armed_group_support', 'public_security',
                                                   'bribery', 'money_laundering', 'tax_evasion', 'other')),
  annex_class    text NOT NULL CHECK (annex_class IN ('class_1', 'class_2')),
  site_id        uuid REFERENCES production_units (id),
  actor_id       uuid REFERENCES custody_actors (id),
  lot_id         uuid REFERENCES lots (id),
  description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  observed_at    timestamptz NOT NULL,
  reported_by    uuid,
  reported_at    timestamptz NOT NULL DEFAULT now(),
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigating', 'resolved', 'disengaged')),
  plan           jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(plan) = 'array'),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  -- Annex II: serious abuses and support to non-state armed groups call for disengagement (class 1);
  -- every other risk is mitigated while trade goes on (class 2).
  CHECK ((annex_class = 'class_1') = (category IN ('serious_abuse', 'armed_group_support')))
);
CREATE INDEX custody_incidents_list ON custody_incidents (reported_at DESC, id DESC);
-- The disengagement guard looks these up on every custody event.
CREATE INDEX custody_incidents_class_1_actor ON custody_incidents (actor_id)
  WHERE annex_class = 'class_1' AND status <> 'resolved' AND actor_id IS NOT NULL;
CREATE INDEX custody_incidents_class_1_site ON custody_incidents (site_id)
  WHERE annex_class = 'class_1' AND status <> 'resolved' AND site_id IS NOT NULL;

COMMENT ON TABLE custody_incidents IS 'Incidents and red-flag observations at sites and in the supply chain (OECD Annex II), with their mitigation plan.';
COMMENT ON COLUMN custody_incidents.area_id IS 'The jurisdiction: that of the site, actor or lot named, else the area the reporter chose.';
COMMENT ON COLUMN custody_incidents.annex_class IS 'class_1: disengage at once (serious abuses, support to non-state armed groups); class_2: mitigate.';
COMMENT ON COLUMN custody_incidents.status IS 'open, mitigating (a plan is being carried out), resolved, disengaged (trade with the actor stopped).';
COMMENT ON COLUMN custody_incidents.plan IS 'Mitigation actions: list of {action, owner, deadline (YYYY-MM-DD), done}.';

CREATE TABLE custody_flags (
  id           uuid PRIMARY KEY,
  code         text NOT NULL CHECK (code IN ('origin_unlicensed', 'origin_licence_suspended', 'origin_in_armed_group_area',
                                             'counterpart_suspended', 'price_below_reference', 'price_above_reference',
                                             'volume_beyond_capacity', 'mercury_use', 'class_1_incident')),
  country      text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  area_id      uuid NOT NULL REFERENCES admin_areas (id),
  event_id     uuid REFERENCES custody_events (id),
  lot_id       uuid REFERENCES lots (id),
  actor_id     uuid REFERENCES custody_actors (id),
  site_id      uuid REFERENCES production_units (id),
  incident_id  uuid REFERENCES custody_incidents (id),
  params       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(params) = 'object'),
  evidence     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(evidence) = 'object'),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  raised_at    timestamptz NOT NULL DEFAULT now(),
  resolved_by  uuid,
  resolved_at  timestamptz,
  resolution   text CHECK (length(resolution) BETWEEN 1 AND 2000),
  version      integer NOT NULL DEFAULT 1,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND resolution IS NOT NULL))
);
-- One flag of a kind per event (and one per incident), so that a recompute cannot raise it twice.
CREATE UNIQUE INDEX custody_flags_once_per_event ON custody_flags (event_id, code) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX custody_flags_once_per_incident ON custody_flags (incident_id) WHERE incident_id IS NOT NULL;
-- Mercury reported in a logbook: one flag per report, however often the report is corrected.
CREATE UNIQUE INDEX custody_flags_once_per_report ON custody_flags ((evidence ->> 'reportId')) WHERE code = 'mercury_use';
CREATE INDEX custody_flags_list ON custody_flags (raised_at DESC, id DESC);
CREATE INDEX custody_flags_open ON custody_flags (code, raised_at DESC) WHERE status = 'open';

COMMENT ON TABLE custody_flags IS 'Risk flags raised on custody events and incidents, for due diligence: open until someone resolves them with a reason.';
COMMENT ON COLUMN custody_flags.params IS 'Values for the translated reason text (ratio, distance, licence number…).';
COMMENT ON COLUMN custody_flags.evidence IS 'What the flag was raised on: the licences, prices, capacity or layer features read at the time.';

-- Mass balances sum the events of a period: this index answers "every event since a date" for all
-- actors at once, and carries the masses so that the table itself is not read.
CREATE INDEX custody_events_occurred ON custody_events (occurred_at)
  INCLUDE (kind, actor_id, counterpart_id, input_mg, output_mg, loss_mg);

ALTER TABLE cadastre_layers DROP CONSTRAINT cadastre_layers_kind_check;
ALTER TABLE cadastre_layers ADD CONSTRAINT cadastre_layers_kind_check
  CHECK (kind IN ('licence_area', 'asm_zone', 'lsm_title', 'protected_area', 'customary_land', 'activity_detection',
                  'armed_group_presence'));
COMMENT ON COLUMN cadastre_layers.kind IS 'licence_area | asm_zone | lsm_title | protected_area | customary_land | activity_detection | armed_group_presence: what the overlap check, the hotspot list and the custody risk flags make of it. armed_group_presence: context, where armed groups are reported (production in or near is flagged).';

-- Installations from before this migration: the new permissions for the system roles.
UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['incidents.read', 'incidents.record', 'incidents.manage']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer')
   AND NOT (permissions @> ARRAY['incidents.read', 'incidents.record', 'incidents.manage']);
UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['incidents.read', 'incidents.manage']) AS p WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('national_supervisor', 'regional_officer')
   AND NOT (permissions @> ARRAY['incidents.read', 'incidents.manage']);
UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['incidents.read', 'incidents.record']) AS p WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('office_admin', 'community_monitor')
   AND NOT (permissions @> ARRAY['incidents.read', 'incidents.record']);
UPDATE roles SET permissions = permissions || ARRAY['incidents.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code = 'auditor' AND NOT ('incidents.read' = ANY (permissions));

GRANT SELECT, INSERT ON reference_prices TO {{app_role}};
GRANT UPDATE (price_minor, currency, source, recorded_by, recorded_at) ON reference_prices TO {{app_role}};
GRANT SELECT, INSERT ON custody_incidents TO {{app_role}};
GRANT UPDATE (status, plan, updated_at, version) ON custody_incidents TO {{app_role}};
GRANT SELECT, INSERT ON custody_flags TO {{app_role}};
-- A flag is never deleted nor rewritten: only resolved.
GRANT UPDATE (status, resolved_by, resolved_at, resolution, version) ON custody_flags TO {{app_role}};
