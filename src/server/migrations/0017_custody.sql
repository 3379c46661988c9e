-- Lots and chain of custody (issue 6, core): who holds minerals, the lots they hold, and every
-- operation on lots (production, transfer, split, merge, processing, export) as a graph of events.
-- Mass is integer milligrams and is conserved by construction: the database checks, at commit, that
-- each event's lots add up to the masses it records, and that what an event records balances
-- (inputs = outputs + loss). A lot is consumed by at most one event (partial unique index) and its
-- mass never changes (the application role may update only the holder and the status).
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE custody_actors (
  id                  uuid PRIMARY KEY,
  kind                text NOT NULL CHECK (kind IN ('miner', 'enterprise', 'trader', 'processing_plant', 'buying_station', 'exporter')),
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  country             text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  area_id             uuid NOT NULL REFERENCES admin_areas (id),
  person_id           uuid REFERENCES people (id),
  enterprise_id       uuid REFERENCES enterprises (id),
  production_unit_id  uuid REFERENCES production_units (id),
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_by          uuid,
  created_at          timestamptz NOT NULL DEFAULT now(),
  version             integer NOT NULL DEFAULT 1
);
CREATE INDEX custody_actors_area_name ON custody_actors (area_id, name, id);

COMMENT ON TABLE custody_actors IS 'Whoever holds minerals in the chain of custody: miners, enterprises, traders, processing plants, buying stations, exporters.';
COMMENT ON COLUMN custody_actors.area_id IS 'The jurisdiction of the actor, and of every lot it holds.';
COMMENT ON COLUMN custody_actors.person_id IS 'The registered person this actor is, if any.';
COMMENT ON COLUMN custody_actors.enterprise_id IS 'The registered enterprise this actor is, if any.';
COMMENT ON COLUMN custody_actors.production_unit_id IS 'The production unit (pit, plant…) this actor operates, if any.';
COMMENT ON COLUMN custody_actors.status IS 'A suspended actor can neither receive nor hand over nor transform lots.';

CREATE TABLE custody_events (
  id                   uuid PRIMARY KEY,
  kind                 text NOT NULL CHECK (kind IN ('production', 'transfer', 'split', 'merge', 'processing', 'export')),
  country              text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  actor_id             uuid NOT NULL REFERENCES custody_actors (id),
  counterpart_id       uuid REFERENCES custody_actors (id),
  area_id              uuid NOT NULL REFERENCES admin_areas (id),
  place                text CHECK (length(place) BETWEEN 1 AND 200),
  occurred_at          timestamptz NOT NULL,
  input_mg             bigint NOT NULL CHECK (input_mg >= 0),
  output_mg            bigint NOT NULL CHECK (output_mg >= 0),
  loss_mg              bigint NOT NULL DEFAULT 0 CHECK (loss_mg >= 0),
  price_minor          bigint CHECK (price_minor >= 0),
  currency             text CHECK (currency ~ '^[A-Z]{3}$'),
  export_permit        text CHECK (length(export_permit) BETWEEN 1 AND 100),
  destination_country  text CHECK (destination_country ~ '^[A-Z]{2}$'),
  documents            jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(documents) = 'array'),
  recorded_side        text CHECK (recorded_side IN ('seller', 'buyer')),
  request_fingerprint  text NOT NULL,
  recorded_by          uuid,
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  confirmed_by         uuid,
  confirmed_at         timestamptz,
  CHECK ((price_minor IS NULL) = (currency IS NULL)),
  CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL)),
  -- What each kind of event does to mass: production brings it in, export takes it out of the
  -- country, processing may lose some, nothing else may change it.
  CHECK (CASE kind
           WHEN 'production' THEN input_mg = 0 AND output_mg > 0 AND loss_mg = 0
           WHEN 'export' THEN input_mg > 0 AND output_mg = 0 AND loss_mg = 0
           WHEN 'processing' THEN output_mg > 0 AND input_mg = output_mg + loss_mg
           ELSE input_mg > 0 AND input_mg = output_mg AND loss_mg = 0
         END),
  CHECK ((kind = 'transfer') = (counterpart_id IS NOT NULL AND recorded_side IS NOT NULL)),
  CHECK (kind = 'transfer' OR (price_minor IS NULL AND confirmed_at IS NULL)),
  CHECK ((kind = 'export') = (export_permit IS NOT NULL AND destination_country IS NOT NULL))
);
CREATE INDEX custody_events_actor ON custody_events (actor_id, occurred_at, id);
CREATE INDEX custody_events_counterpart ON custody_events (counterpart_id, occurred_at, id) WHERE counterpart_id IS NOT NULL;

COMMENT ON TABLE custody_events IS 'One operation on lots: production, transfer, split, merge, processing or export. Never edited, except that the other side of a transfer confirms it.';
COMMENT ON COLUMN custody_events.actor_id IS 'Who acted: the producer, the seller of a transfer, the holder who split, merged, processed or exported.';
COMMENT ON COLUMN custody_events.counterpart_id IS 'The buyer of a transfer.';
COMMENT ON COLUMN custody_events.area_id IS 'The area of the acting actor when the event was recorded: its jurisdiction.';
COMMENT ON COLUMN custody_events.input_mg IS 'Mass of the lots the event consumed or moved, in milligrams (checked against the lots at commit).';
COMMENT ON COLUMN custody_events.output_mg IS 'Mass of the lots the event created or moved, in milligrams (checked against the lots at commit).';
COMMENT ON COLUMN custody_events.loss_mg IS 'Processing loss: input_mg - output_mg; zero for every other kind.';
COMMENT ON COLUMN custody_events.price_minor IS 'Price of a transfer in minor units of currency.';
COMMENT ON COLUMN custody_events.documents IS 'List of {kind, reference, note?}: receipts, assay certificates, permits.';
COMMENT ON COLUMN custody_events.recorded_side IS 'For a transfer: which side recorded it; the other side confirms.';
COMMENT ON COLUMN custody_events.request_fingerprint IS 'Hash of what the client sent: the same client id sent again with the same content answers the same event.';

CREATE SEQUENCE lot_tag_seq;

CREATE TABLE lots (
  id                 uuid PRIMARY KEY,
  tag                text NOT NULL UNIQUE,
  country            text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  mineral            text NOT NULL CHECK (mineral ~ '^[a-z][a-z0-9_]{1,39}$'),
  form               text NOT NULL CHECK (form IN ('ore', 'concentrate', 'dore', 'bullion', 'other')),
  mass_mg            bigint NOT NULL CHECK (mass_mg > 0),
  fineness_ptt       integer CHECK (fineness_ptt BETWEEN 0 AND 10000),
  holder_actor_id    uuid NOT NULL REFERENCES custody_actors (id),
  origin_site_id     uuid REFERENCES production_units (id),
  origin_licence_id  uuid REFERENCES licences (id),
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'consumed', 'exported')),
  created_by_event   uuid NOT NULL REFERENCES custody_events (id),
  consumed_by_event  uuid REFERENCES custody_events (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  version            integer NOT NULL DEFAULT 1,
  CHECK ((status = 'open') = (consumed_by_event IS NULL))
);
CREATE INDEX lots_holder ON lots (holder_actor_id, status, id);
CREATE INDEX lots_list ON lots (status, mineral, id);
-- The trace walks these: upstream from a lot to the inputs of the event that made it, downstream to
-- the outputs of the event that consumed it.
CREATE INDEX lots_created_by_event ON lots (created_by_event);
CREATE INDEX lots_consumed_by_event ON lots (consumed_by_event) WHERE consumed_by_event IS NOT NULL;
CREATE INDEX lots_origin_site ON lots (origin_site_id) WHERE origin_site_id IS NOT NULL;

COMMENT ON TABLE lots IS 'A quantity of one mineral that moves as one unit. Its mass never changes; transformations consume lots and create new ones.';
COMMENT ON COLUMN lots.tag IS 'Human-readable tag with a check character (GH-LOT-00001A-K), printed on the label.';
COMMENT ON COLUMN lots.mass_mg IS 'Gross mass in integer milligrams.';
COMMENT ON COLUMN lots.fineness_ptt IS 'Fineness in parts per ten thousand (9167 = 916.7 per mille), when known.';
COMMENT ON COLUMN lots.holder_actor_id IS 'Who holds the lot now; its area is the lot''s jurisdiction.';
COMMENT ON COLUMN lots.origin_site_id IS 'For a lot created by production: the production unit (site) it came from.';
COMMENT ON COLUMN lots.status IS 'open (can move or be transformed), consumed (input of a split, merge or processing), exported.';

CREATE TABLE custody_event_lots (
  event_id  uuid NOT NULL REFERENCES custody_events (id),
  lot_id    uuid NOT NULL REFERENCES lots (id),
  role      text NOT NULL CHECK (role IN ('input', 'output', 'moved')),
  PRIMARY KEY (event_id, lot_id)
);
-- A lot is consumed once and created once, whatever two requests do at the same moment.
CREATE UNIQUE INDEX custody_event_lots_consumed_once ON custody_event_lots (lot_id) WHERE role = 'input';
CREATE UNIQUE INDEX custody_event_lots_created_once ON custody_event_lots (lot_id) WHERE role = 'output';
CREATE INDEX custody_event_lots_by_lot ON custody_event_lots (lot_id, event_id);

COMMENT ON TABLE custody_event_lots IS 'The custody graph: the lots each event consumed (input), created (output) or handed over (moved).';

-- At commit, every new event must agree with its lots: the masses it records are the sums of its
-- lots, its lots point back to it, and its shape fits its kind (a split has one input, a merge one
-- output…). Deferred, so that a request can insert the event, its lots and its links in any order.
CREATE FUNCTION custody_event_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ins bigint; outs bigint; n_in integer; n_out integer; n_moved integer; stray integer;
BEGIN
  SELECT coalesce(sum(l.mass_mg) FILTER (WHERE el.role IN ('input', 'moved')), 0),
         coalesce(sum(l.mass_mg) FILTER (WHERE el.role IN ('output', 'moved')), 0),
         count(*) FILTER (WHERE el.role = 'input'),
         count(*) FILTER (WHERE el.role = 'output'),
         count(*) FILTER (WHERE el.role = 'moved'),
         count(*) FILTER (WHERE (el.role = 'input' AND l.consumed_by_event IS DISTINCT FROM NEW.id)
                             OR (el.role = 'output' AND l.created_by_event <> NEW.id))
    INTO ins, outs, n_in, n_out, n_moved, stray
    FROM custody_event_lots el JOIN lots l ON l.id = el.lot_id
   WHERE el.event_id = NEW.id;
  IF ins <> NEW.input_mg OR outs <> NEW.output_mg OR stray > 0 OR NOT (CASE NEW.kind
       WHEN 'production' THEN n_in = 0 AND n_out = 1 AND n_moved = 0
       WHEN 'transfer' THEN n_in = 0 AND n_out = 0 AND n_moved >= 1
       WHEN 'split' THEN n_in = 1 AND n_out >= 2 AND n_moved = 0
       WHEN 'merge' THEN n_in >= 2 AND n_out = 1 AND n_moved = 0
       WHEN 'processing' THEN n_in >= 1 AND n_out = 1 AND n_moved = 0
       WHEN 'export' THEN n_in >= 1 AND n_out = 0 AND n_moved = 0
     END) THEN
    RAISE EXCEPTION 'custody event % (%) does not balance with its lots', NEW.id, NEW.kind
      USING ERRCODE = '23514', CONSTRAINT = 'custody_event_balanced';
  END IF;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER custody_event_balanced AFTER INSERT ON custody_events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION custody_event_balanced();

UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['custody.read', 'custody.record']) AS p WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin', 'buying_station_agent')
   AND NOT (permissions @> ARRAY['custody.read', 'custody.record']);
UPDATE roles SET permissions = permissions || ARRAY['custody.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('national_supervisor', 'regional_officer', 'auditor')
   AND NOT ('custody.read' = ANY (permissions));

GRANT SELECT, INSERT ON custody_events, custody_event_lots TO {{app_role}};
GRANT SELECT, INSERT, UPDATE ON custody_actors TO {{app_role}};
-- Only the holder, the status and the event that closed a lot may change; never its mass.
GRANT SELECT, INSERT ON lots TO {{app_role}};
GRANT UPDATE (holder_actor_id, status, consumed_by_event, version) ON lots TO {{app_role}};
-- Confirming a transfer is the one change to an event.
GRANT UPDATE (confirmed_by, confirmed_at) ON custody_events TO {{app_role}};
GRANT USAGE ON SEQUENCE lot_tag_seq TO {{app_role}};
