-- Mass balance at national scale (issue 6), second step: each actor-month also keeps the actor's
-- stock at the end of that month (closing_mg, the sum of every month's net flow up to it). A balance
-- of whole months then reads the months of the period and nothing after it: the closing stock is the
-- last month's closing_mg at or before the period's end, the opening stock that less the period's net
-- flow. Before, the stock came from the open lots held now less every month since the period began,
-- so a balance of May read seven months of every actor in November (840,000 rows for Ghana's bench
-- of 125,530 actors: bench/README.md, "Chain of custody").
-- A new event changes the closing stock of its month and of every later month of its actors: the
-- trigger recomputes them from the first month a statement touched (for events of this month, one
-- row per actor). custody_actor_months_rebuild() recomputes everything, closing stocks included.
-- Never edit after it has landed.

ALTER TABLE custody_actor_months ADD COLUMN closing_mg bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN custody_actor_months.closing_mg IS 'The actor''s stock at the end of the month: the net flows (produced + purchased - sold - exported - processing loss) of this month and every earlier one.';

-- The closing stocks of some actors from a month on: the stock before that month, plus a running sum.
-- Takes (actor, first month) pairs; for the owner's functions below, not for the application.
CREATE FUNCTION custody_actor_months_close(p_actors uuid[], p_since date[]) RETURNS void LANGUAGE sql
SET search_path = public, pg_temp AS $$
  WITH start AS (
    SELECT a.actor_id, a.since,
           coalesce((SELECT p.closing_mg FROM custody_actor_months p
                      WHERE p.actor_id = a.actor_id AND p.month < a.since
                      ORDER BY p.month DESC LIMIT 1), 0) AS before
      FROM unnest(p_actors, p_since) AS a (actor_id, since)
  ),
  running AS (
    SELECT m.month, m.actor_id,
           s.before + sum(m.produced_mg + m.purchased_mg - m.sold_mg - m.exported_mg - m.processing_loss_mg)
                        OVER (PARTITION BY m.actor_id ORDER BY m.month) AS closing
      FROM start s JOIN custody_actor_months m ON m.actor_id = s.actor_id AND m.month >= s.since
  )
  UPDATE custody_actor_months m SET closing_mg = r.closing
    FROM running r
   WHERE m.actor_id = r.actor_id AND m.month = r.month AND m.closing_mg <> r.closing;
$$;
REVOKE ALL ON FUNCTION custody_actor_months_close(uuid[], date[]) FROM PUBLIC;

-- As in 0022, then the closing stocks of the actors the statement touched, from the first month it
-- touched for each.
CREATE OR REPLACE FUNCTION custody_actor_months_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  touched_actors uuid[];
  touched_since date[];
BEGIN
  -- The time zone once per country: a profile is a large document, not to be read for every event.
  WITH zones AS MATERIALIZED (SELECT country, document ->> 'timeZone' AS tz FROM country_profiles),
  flows AS (
    SELECT f.month, f.actor_id, sum(f.produced) AS produced, sum(f.purchased) AS purchased,
           sum(f.sold) AS sold, sum(f.exported) AS exported, sum(f.pin) AS pin, sum(f.ploss) AS ploss
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
  ),
  upserted AS (
    INSERT INTO custody_actor_months AS m (month, actor_id, produced_mg, purchased_mg, sold_mg, exported_mg,
                                           processing_input_mg, processing_loss_mg)
    SELECT month, actor_id, produced, purchased, sold, exported, pin, ploss FROM flows
    ON CONFLICT (month, actor_id) DO UPDATE
       SET produced_mg = m.produced_mg + excluded.produced_mg,
           purchased_mg = m.purchased_mg + excluded.purchased_mg,
           sold_mg = m.sold_mg + excluded.sold_mg,
           exported_mg = m.exported_mg + excluded.exported_mg,
           processing_input_mg = m.processing_input_mg + excluded.processing_input_mg,
           processing_loss_mg = m.processing_loss_mg + excluded.processing_loss_mg
    RETURNING m.month, m.actor_id
  )
  SELECT array_agg(actor_id), array_agg(since) INTO touched_actors, touched_since
    FROM (SELECT actor_id, min(month) AS since FROM upserted GROUP BY actor_id) t;
  IF touched_actors IS NOT NULL THEN
    PERFORM custody_actor_months_close(touched_actors, touched_since);
  END IF;
  RETURN NULL;
END
$$;

-- Recomputes every month from the events, closing stocks included: for the owner after a bulk load
-- with triggers off.
CREATE OR REPLACE FUNCTION custody_actor_months_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  DELETE FROM custody_actor_months;
  WITH zones AS MATERIALIZED (SELECT country, document ->> 'timeZone' AS tz FROM country_profiles),
  sums AS (
    SELECT f.month, f.actor_id, sum(f.produced) AS produced, sum(f.purchased) AS purchased,
           sum(f.sold) AS sold, sum(f.exported) AS exported, sum(f.pin) AS pin, sum(f.ploss) AS ploss
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
     GROUP BY f.month, f.actor_id
  )
  INSERT INTO custody_actor_months (month, actor_id, produced_mg, purchased_mg, sold_mg, exported_mg,
                                    processing_input_mg, processing_loss_mg, closing_mg)
  SELECT month, actor_id, produced, purchased, sold, exported, pin, ploss,
         sum(produced + purchased - sold - exported - ploss) OVER (PARTITION BY actor_id ORDER BY month)
    FROM sums;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION custody_actor_months_rebuild() FROM PUBLIC;

-- The closing stocks of the months already kept.
UPDATE custody_actor_months m SET closing_mg = r.closing
  FROM (SELECT month, actor_id,
               sum(produced_mg + purchased_mg - sold_mg - exported_mg - processing_loss_mg)
                 OVER (PARTITION BY actor_id ORDER BY month) AS closing
          FROM custody_actor_months) r
 WHERE m.month = r.month AND m.actor_id = r.actor_id AND m.closing_mg <> r.closing;
