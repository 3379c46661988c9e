-- Mass balance at national scale (issue 6): each actor's flows summed per calendar month, kept by the
-- database as events are written, so that the balance of every actor for a month reads a few rows
-- per actor instead of every event since that month. Months are those of the country's time zone
-- (profile), as the balance's days are. Events are never edited or deleted (migration 0017), so
-- adding each new event's flows once keeps the sums exact; custody_actor_months_rebuild() recomputes
-- them from the events (after a bulk load with triggers off, or a change of a profile's time zone).
-- Also an index for listing actors by name across areas (the mass-balance pages and CSV).
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE custody_actor_months (
  month                date NOT NULL CHECK (extract(day FROM month) = 1),
  actor_id             uuid NOT NULL REFERENCES custody_actors (id),
  produced_mg          bigint NOT NULL DEFAULT 0,
  purchased_mg         bigint NOT NULL DEFAULT 0,
  sold_mg              bigint NOT NULL DEFAULT 0,
  exported_mg          bigint NOT NULL DEFAULT 0,
  processing_input_mg  bigint NOT NULL DEFAULT 0,
  processing_loss_mg   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (month, actor_id)
);
CREATE INDEX custody_actor_months_actor ON custody_actor_months (actor_id, month);
CREATE INDEX custody_actors_name ON custody_actors (name, id);

COMMENT ON TABLE custody_actor_months IS 'Per actor and month (country time zone): mass produced, bought, sold, exported, put into processing and lost in it. Kept by a trigger on custody_events; read by the mass balance.';

-- Each new event's flows, per actor and month: the acting side and, for a transfer, the buyer.
CREATE FUNCTION custody_actor_months_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  -- The time zone once per country: a profile is a large document, not to be read for every event.
  WITH zones AS MATERIALIZED (SELECT country, document ->> 'timeZone' AS tz FROM country_profiles)
  INSERT INTO custody_actor_months AS m (month, actor_id, produced_mg, purchased_mg, sold_mg, exported_mg,
                                         processing_input_mg, processing_loss_mg)
  SELECT f.month, f.actor_id, sum(f.produced), sum(f.purchased), sum(f.sold), sum(f.exported), sum(f.pin), sum(f.ploss)
    FROM (
      SELECT date_trunc('month', e.occurred_at AT TIME ZONE coalesce(cp.tz, 'UTC'))::date AS month,
             e.actor_id,
             CASE WHEN e.kind = 'production' THEN e.output_mg ELSE 0 END AS produced,
             0::bigint AS purchased,
             CASE WHEN e.kind = 'transfer' THEN e.input_mg ELSE 0 END AS sold,
             CASE WHEN e.kind = 'export' THEN e.input_mg ELSE 0 END AS exported,
             CASE WHEN e.kind = 'processing' THEN e.input_mg ELSE 0 END AS pin,
             e.loss_mg AS ploss
        FROM new_events e LEFT JOIN zones cp ON cp.country = e.country
       WHERE e.kind IN ('production', 'transfer', 'export', 'processing')
      UNION ALL
      SELECT date_trunc('month', e.occurred_at AT TIME ZONE coalesce(cp.tz, 'UTC'))::date,
             e.counterpart_id, 0, e.output_mg, 0, 0, 0, 0
        FROM new_events e LEFT JOIN zones cp ON cp.country = e.country
       WHERE e.kind = 'transfer'
    ) f
   GROUP BY f.month, f.actor_id
  ON CONFLICT (month, actor_id) DO UPDATE
     SET produced_mg = m.produced_mg + excluded.produced_mg,
         purchased_mg = m.purchased_mg + excluded.purchased_mg,
         sold_mg = m.sold_mg + excluded.sold_mg,
         exported_mg = m.exported_mg + excluded.exported_mg,
         processing_input_mg = m.processing_input_mg + excluded.processing_input_mg,
         processing_loss_mg = m.processing_loss_mg + excluded.processing_loss_mg;
  RETURN NULL;
END
$$;
-- Once per statement, with every row the statement wrote: a COPY of a day's purchases is one upsert.
CREATE TRIGGER custody_actor_months_add AFTER INSERT ON custody_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION custody_actor_months_add();

-- Recomputes every month from the events: for the owner after a bulk load with triggers off.
CREATE FUNCTION custody_actor_months_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  DELETE FROM custody_actor_months;
  -- The time zone once per country: a profile is a large document, not to be read for every event.
  WITH zones AS MATERIALIZED (SELECT country, document ->> 'timeZone' AS tz FROM country_profiles)
  INSERT INTO custody_actor_months (month, actor_id, produced_mg, purchased_mg, sold_mg, exported_mg,
                                    processing_input_mg, processing_loss_mg)
  SELECT f.month, f.actor_id, sum(f.produced), sum(f.purchased), sum(f.sold), sum(f.exported), sum(f.pin), sum(f.ploss)
    FROM (
      SELECT date_trunc('month', e.occurred_at AT TIME ZONE coalesce(cp.tz, 'UTC'))::date AS month,
             e.actor_id,
             CASE WHEN e.kind = 'production' THEN e.output_mg ELSE 0 END AS produced,
             0::bigint AS purchased,
             CASE WHEN e.kind = 'transfer' THEN e.input_mg ELSE 0 END AS sold,
             CASE WHEN e.kind = 'export' THEN e.input_mg ELSE 0 END AS exported,
             CASE WHEN e.kind = 'processing' THEN e.input_mg ELSE 0 END AS pin,
             e.loss_mg AS ploss
        FROM custody_events e LEFT JOIN zones cp ON cp.country = e.country
       WHERE e.kind IN ('production', 'transfer', 'export', 'processing')
      UNION ALL
      SELECT date_trunc('month', e.occurred_at AT TIME ZONE coalesce(cp.tz, 'UTC'))::date,
             e.counterpart_id, 0, e.output_mg, 0, 0, 0, 0
        FROM custody_events e LEFT JOIN zones cp ON cp.country = e.country
       WHERE e.kind = 'transfer'
    ) f
   GROUP BY f.month, f.actor_id;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION custody_actor_months_rebuild() FROM PUBLIC;

SELECT custody_actor_months_rebuild();

-- The application reads the sums; only the trigger (running as the owner) writes them.
GRANT SELECT ON custody_actor_months TO {{app_role}};
