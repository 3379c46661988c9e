import { sql } from 'kysely';
import { type CustodySettings, custodySettingsSchema } from '../../../shared/profile-schema.ts';
import type { MassBalanceDto, MassBalanceQuery } from '../../../shared/schemas/custody-oversight.ts';
import { requirePermission, scopePaths, subtreePatterns } from '../../platform/access/access.ts';
import type { RequestContext } from '../../platform/context.ts';
import { reportQuery } from '../../platform/db/report-query.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { csvLine } from '../audit/export.ts';
import { oversightProblems } from './oversight-problems.ts';
import * as repo from './repo.ts';

/**
 * Mass balance per actor and period. An actor's stock moves only by its events: production and
 * purchases (transfers in) bring mass in; sales, exports and processing losses take it out; splits
 * and merges change nothing. What it holds now is the sum of every event so far, so the stock at any
 * instant is what it holds now less what its events since then brought (net). That reads only the
 * events since `from` (an index range per actor), however long the history before it. For whole
 * months, the monthly totals the database keeps (migrations 0022, 0023) hold each month's flows and
 * the stock at its end: a balance reads the months of its period and nothing else.
 */
interface BalanceRow {
  id: string;
  name: string;
  kind: string;
  area_id: string;
  country: string;
  opening: number;
  closing: number;
  produced: number;
  purchased: number;
  sold: number;
  exported: number;
  processing_input: number;
  processing_loss: number;
}

/** Settings of a country's profile, or the defaults when it has none or they do not parse. */
export function custodySettings(document: unknown): CustodySettings {
  const parsed = custodySettingsSchema.safeParse(document ?? {});
  return parsed.success ? parsed.data : custodySettingsSchema.parse({});
}

/** Flows read from the events since `from`: any period, in the actor's days. */
const eventSums = sql`
    flows AS (
      SELECT p.id AS actor_id, e.occurred_at >= p.t1 AS after_to,
             CASE WHEN e.kind = 'production' THEN e.output_mg ELSE 0 END AS produced,
             0::bigint AS purchased,
             CASE WHEN e.kind = 'transfer' THEN e.input_mg ELSE 0 END AS sold,
             CASE WHEN e.kind = 'export' THEN e.input_mg ELSE 0 END AS exported,
             CASE WHEN e.kind = 'processing' THEN e.input_mg ELSE 0 END AS processing_input,
             e.loss_mg AS processing_loss
        FROM page p JOIN custody_events e ON e.actor_id = p.id AND e.occurred_at >= p.t0
      UNION ALL
      SELECT p.id, e.occurred_at >= p.t1, 0, e.output_mg, 0, 0, 0, 0
        FROM page p JOIN custody_events e ON e.counterpart_id = p.id AND e.occurred_at >= p.t0
    ),
    sums AS (
      SELECT actor_id,
             sum(produced + purchased - sold - exported - processing_loss)::bigint AS net_since_from,
             coalesce(sum(produced + purchased - sold - exported - processing_loss) FILTER (WHERE after_to), 0)::bigint AS net_after_to,
             coalesce(sum(produced) FILTER (WHERE NOT after_to), 0)::bigint AS produced,
             coalesce(sum(purchased) FILTER (WHERE NOT after_to), 0)::bigint AS purchased,
             coalesce(sum(sold) FILTER (WHERE NOT after_to), 0)::bigint AS sold,
             coalesce(sum(exported) FILTER (WHERE NOT after_to), 0)::bigint AS exported,
             coalesce(sum(processing_input) FILTER (WHERE NOT after_to), 0)::bigint AS processing_input,
             coalesce(sum(processing_loss) FILTER (WHERE NOT after_to), 0)::bigint AS processing_loss
        FROM flows GROUP BY actor_id
    ),`;

/**
 * The same from the monthly totals when the period is whole months: the period's months give the
 * flows, and the last of them its closing stock (the stock at the end of that month, migration 0023).
 * An actor with no month in the period holds what it held at the end of its last month before it.
 */
const monthlySums = (from: string, to: string) => sql`
    months AS (
      SELECT m.actor_id,
             sum(m.produced_mg)::bigint AS produced,
             sum(m.purchased_mg)::bigint AS purchased,
             sum(m.sold_mg)::bigint AS sold,
             sum(m.exported_mg)::bigint AS exported,
             sum(m.processing_input_mg)::bigint AS processing_input,
             sum(m.processing_loss_mg)::bigint AS processing_loss,
             (array_agg(m.closing_mg ORDER BY m.month DESC))[1] AS closing
        FROM page p
        JOIN custody_actor_months m ON m.actor_id = p.id AND m.month BETWEEN ${from}::date AND ${to}::date
       GROUP BY m.actor_id
    ),
    sums AS (
      SELECT p.id AS actor_id,
             coalesce(s.produced, 0) AS produced, coalesce(s.purchased, 0) AS purchased,
             coalesce(s.sold, 0) AS sold, coalesce(s.exported, 0) AS exported,
             coalesce(s.processing_input, 0) AS processing_input,
             coalesce(s.processing_loss, 0) AS processing_loss,
             -- coalesce stops at the first value: the earlier month is looked up only when needed.
             coalesce(s.closing,
                      (SELECT b.closing_mg FROM custody_actor_months b
                        WHERE b.actor_id = p.id AND b.month < ${from}::date
                        ORDER BY b.month DESC LIMIT 1),
                      0) AS closing
        FROM page p LEFT JOIN months s ON s.actor_id = p.id
    ),
    stock AS (
      SELECT actor_id, closing - (produced + purchased - sold - exported - processing_loss) AS opening, closing
        FROM sums
    ),`;

/** The stock from the open lots held now, less the net flow of the events since (or after) the period. */
const eventStock = sql`
    held AS (
      SELECT l.holder_actor_id AS actor_id, sum(l.mass_mg)::bigint AS mg
        FROM lots l JOIN page p ON p.id = l.holder_actor_id
       WHERE l.status = 'open'
       GROUP BY l.holder_actor_id
    ),
    stock AS (
      SELECT p.id AS actor_id,
             coalesce(h.mg, 0) - coalesce(s.net_since_from, 0) AS opening,
             coalesce(h.mg, 0) - coalesce(s.net_after_to, 0) AS closing
        FROM page p LEFT JOIN held h ON h.actor_id = p.id LEFT JOIN sums s ON s.actor_id = p.id
    ),`;

/** A period of whole calendar months: from the first of a month to the last day of a month. */
export function wholeMonths(from: string, to: string): boolean {
  const next = new Date(`${to}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return from.endsWith('-01') && next.getUTCDate() === 1;
}

interface BalanceFilter {
  scopePaths: string[];
  areaPath: string | null;
  actorId: string | undefined;
  from: string;
  to: string;
  after: [string, string] | null;
  limit: number;
  /** Sum the monthly totals (whole months only) instead of the events. */
  monthly: boolean;
  /**
   * Every actor in the filter at once (the CSV): the actors are then a view the planner sees
   * through, so it joins them to the totals knowing they are a hundred thousand, instead of a page
   * it cannot count (it then probed an index per actor, twice as slow). The order and the limit
   * apply to the balances at the end.
   */
  whole?: boolean;
}

/** After the cursor, by name, a page's worth and one more (to know whether another page follows). */
function keysetPage(f: BalanceFilter, alias = 'a') {
  const t = sql.ref(alias);
  return sql`${f.after ? sql`AND (${t}.name, ${t}.id) > (${f.after[0]}, ${f.after[1]}::uuid)` : sql``}
       ORDER BY ${t}.name, ${t}.id
       LIMIT ${f.limit + 1}`;
}

/** The query's common part: a page of actors by name, with `balance` holding one row each. */
function balanceCtes(f: BalanceFilter) {
  // Each actor's days start at midnight in its country's time zone (profile), UTC without one.
  return sql`
    WITH zones AS MATERIALIZED (
      -- Once per country: a profile is a large document, not to be read again for every actor.
      SELECT country, coalesce(document ->> 'timeZone', 'UTC') AS tz FROM country_profiles
    ),
    page AS ${f.whole ? sql`NOT MATERIALIZED` : sql``} (
      SELECT a.id, a.name, a.kind, a.area_id, a.country,
             (${f.from}::date)::timestamp AT TIME ZONE coalesce(z.tz, 'UTC') AS t0,
             (${f.to}::date + 1)::timestamp AT TIME ZONE coalesce(z.tz, 'UTC') AS t1
        FROM custody_actors a
        JOIN admin_areas ar ON ar.id = a.area_id
        LEFT JOIN zones z ON z.country = a.country
       WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
         ${f.areaPath ? sql`AND ar.path LIKE ${subtreePatterns([f.areaPath])[0]!}` : sql``}
         ${f.actorId ? sql`AND a.id = ${f.actorId}::uuid` : sql``}
         ${f.whole ? sql`` : keysetPage(f)}
    ),
    ${f.monthly ? monthlySums(f.from, f.to) : sql`${eventSums} ${eventStock}`}
    balance AS (
      SELECT p.id, p.name, p.kind, p.area_id, p.country,
             st.opening::bigint AS opening,
             st.closing::bigint AS closing,
             coalesce(s.produced, 0)::bigint AS produced,
             coalesce(s.purchased, 0)::bigint AS purchased,
             coalesce(s.sold, 0)::bigint AS sold,
             coalesce(s.exported, 0)::bigint AS exported,
             coalesce(s.processing_input, 0)::bigint AS processing_input,
             coalesce(s.processing_loss, 0)::bigint AS processing_loss
        FROM page p LEFT JOIN sums s ON s.actor_id = p.id JOIN stock st ON st.actor_id = p.id
    )`;
}

async function balanceRows(db: Queryable, f: BalanceFilter): Promise<BalanceRow[]> {
  const r = await sql<BalanceRow>`${balanceCtes(f)} SELECT * FROM balance ORDER BY name, id`.execute(db);
  return r.rows;
}

/** A mass as a CSV cell, written by the database: a negative one starts with a quote, as csvCell guards every cell. */
const mgCell = (column: string) =>
  sql.raw(`CASE WHEN ${column} < 0 THEN '''' || ${column} ELSE ${column}::text END`);

/** The two tolerances the flags need, per country. */
interface Tolerances {
  country: string;
  tolerance: number;
  recovery: number;
}

/**
 * The same page of actors as CSV lines the database writes: a whole country is 125,000 lines, and
 * fourteen columns parsed per line cost the server more than the query did (bench/README.md, "Chain
 * of custody"). The cells and flags are those `toBalance` and `csvCell` give; the flags'
 * arithmetic is in float8, in JavaScript's order, so a balance on the edge of a tolerance reads the
 * same as in the JSON pages (a test compares the two, cell for cell).
 */
async function balanceLines(
  db: Queryable,
  f: BalanceFilter,
  tolerances: Tolerances[],
  fallback: CustodySettings,
): Promise<{ id: string; name: string; line: string }[]> {
  const query = sql<{ id: string; name: string; line: string }>`
    ${balanceCtes(f)},
    tolerances AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(tolerances)}::jsonb)
          AS t(country text, tolerance float8, recovery float8)
    ),
    cells AS (
      SELECT b.*,
             coalesce(t.tolerance, ${fallback.massTolerancePercent}::float8) AS tolerance,
             coalesce(t.recovery, ${fallback.expectedRecoveryPercent}::float8) AS recovery,
             -- csvCell: a formula's first character gets a quote before it; then a comma, a quote
             -- or a line break puts the cell between double quotes.
             CASE WHEN left(b.name, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || b.name
                  ELSE b.name END AS safe_name
        FROM balance b LEFT JOIN tolerances t ON t.country = b.country
    )
    SELECT c.id::text AS id, c.name,
           concat_ws(',', c.id::text,
             CASE WHEN strpos(c.safe_name, '"') > 0 OR strpos(c.safe_name, ',') > 0
                    OR strpos(c.safe_name, chr(13)) > 0 OR strpos(c.safe_name, chr(10)) > 0
                  THEN '"' || replace(c.safe_name, '"', '""') || '"' ELSE c.safe_name END,
             c.kind, c.area_id::text, ${f.from}::text, ${f.to}::text,
             ${mgCell('c.opening')}, ${mgCell('c.produced')}, ${mgCell('c.purchased')},
             ${mgCell('c.sold')}, ${mgCell('c.exported')}, ${mgCell('c.processing_input')},
             ${mgCell('c.processing_loss')}, ${mgCell('c.closing')},
             concat_ws(' ',
               CASE WHEN c.sold + c.exported > 0
                     AND (c.sold + c.exported)::float8 * 100
                       > (c.opening + c.produced + c.purchased)::float8 * (100 + c.tolerance)
                    THEN 'outputs_exceed_inputs' END,
               CASE WHEN c.recovery > 0 AND c.processing_input > 0
                     AND (c.processing_input - c.processing_loss)::float8 * 100
                       < c.processing_input::float8 * (c.recovery - c.tolerance)
                    THEN 'loss_beyond_tolerance' END)) AS line
      FROM cells c
     WHERE true ${f.whole ? keysetPage(f, 'c') : sql`ORDER BY c.name, c.id`}`;
  return (await reportQuery(db, (tx) => query.execute(tx))).rows;
}

/** The balance of one actor, with the flags its country's tolerances (profile) raise. */
export function toBalance(
  r: BalanceRow,
  from: string,
  to: string,
  settings: CustodySettings,
): MassBalanceDto {
  const inputs = r.opening + r.produced + r.purchased;
  const flags: MassBalanceDto['flags'] = [];
  // More sold and exported than there was to sell, beyond what weighing and moisture explain.
  if (r.sold + r.exported > 0 && (r.sold + r.exported) * 100 > inputs * (100 + settings.massTolerancePercent))
    flags.push('outputs_exceed_inputs');
  if (
    settings.expectedRecoveryPercent > 0 &&
    r.processing_input > 0 &&
    (r.processing_input - r.processing_loss) * 100 <
      r.processing_input * (settings.expectedRecoveryPercent - settings.massTolerancePercent)
  )
    flags.push('loss_beyond_tolerance');
  return {
    actorId: r.id,
    actorName: r.name,
    actorKind: r.kind,
    areaId: r.area_id,
    from,
    to,
    openingMg: r.opening,
    producedMg: r.produced,
    purchasedMg: r.purchased,
    soldMg: r.sold,
    exportedMg: r.exported,
    processingInputMg: r.processing_input,
    processingLossMg: r.processing_loss,
    closingMg: r.closing,
    flags,
  };
}

const CSV_PAGE = 200_000;

const CSV_COLUMNS = [
  'actor_id',
  'actor_name',
  'actor_kind',
  'area_id',
  'from',
  'to',
  'opening_mg',
  'produced_mg',
  'purchased_mg',
  'sold_mg',
  'exported_mg',
  'processing_input_mg',
  'processing_loss_mg',
  'closing_mg',
  'flags',
];

/**
 * Every country's custody settings, read and parsed once per answer: a profile is a large document,
 * not to be carried on each of a hundred thousand rows.
 */
async function settingsByCountry(db: Queryable) {
  const r = await sql<{ country: string; custody: unknown }>`
    SELECT country, document -> 'custody' AS custody FROM country_profiles`.execute(db);
  const byCountry = new Map(r.rows.map((x) => [x.country, custodySettings(x.custody)]));
  const fallback = custodySettings(null);
  return {
    of: (country: string) => byCountry.get(country) ?? fallback,
    fallback,
    tolerances: [...byCountry].map(
      ([country, s]): Tolerances => ({
        country,
        tolerance: s.massTolerancePercent,
        recovery: s.expectedRecoveryPercent,
      }),
    ),
  };
}

/**
 * `monthlyTotals: false` always reads the events (the tests compare both ways on the same data).
 */
export function createMassBalanceService({ monthlyTotals = true }: { monthlyTotals?: boolean } = {}) {
  async function filterOf(db: Queryable, ctx: RequestContext, q: MassBalanceQuery) {
    const actor = requirePermission(ctx, 'custody.read');
    let areaPath: string | null = null;
    if (q.areaId) {
      const area = await repo.areaOf(db, q.areaId);
      if (!area) throw oversightProblems.unknownReference('query.areaId', 'Area');
      areaPath = area.path;
    }
    return {
      scopePaths: scopePaths(actor, 'custody.read'),
      areaPath,
      actorId: q.actorId,
      from: q.from,
      to: q.to,
      monthly: monthlyTotals && wholeMonths(q.from, q.to),
    };
  }

  return {
    async page(db: Queryable, ctx: RequestContext, q: MassBalanceQuery): Promise<Page<MassBalanceDto>> {
      const filter = await filterOf(db, ctx, q);
      const after = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await balanceRows(db, { ...filter, after, limit: q.limit });
      const settings = await settingsByCountry(db);
      return toPage(
        rows,
        q.limit,
        (r) => toBalance(r, q.from, q.to, settings.of(r.country)),
        (r) => [r.name, r.id],
      );
    },

    /** Every actor in the filter as CSV, a page of actors at a time (by name, on an index). */
    async *csv(db: Queryable, ctx: RequestContext, q: MassBalanceQuery): AsyncGenerator<string> {
      const filter = await filterOf(db, ctx, q);
      yield csvLine(CSV_COLUMNS);
      let after: [string, string] | null = null;
      const settings = await settingsByCountry(db);
      for (;;) {
        const rows = await balanceLines(
          db,
          { ...filter, after, limit: CSV_PAGE, whole: true },
          settings.tolerances,
          settings.fallback,
        );
        // A thousand lines a chunk: a chunk per line would cost more than the lines themselves.
        const page = Math.min(rows.length, CSV_PAGE);
        for (let i = 0; i < page; i += 1000) {
          let chunk = '';
          for (let k = i; k < page && k < i + 1000; k++) chunk += `${rows[k]!.line}\r\n`;
          yield chunk;
        }
        if (rows.length <= CSV_PAGE) return;
        const last = rows[CSV_PAGE - 1]!;
        after = [last.name, last.id];
      }
    },
  };
}
