/**
 * `npm run bench:custody`: the chain of custody at national scale (issue 6). Synthetic gold chains of
 * realistic shape are written straight into PostgreSQL: many small lots from pits, each passing
 * through four intermediaries to a trader (five transfers), merged ten at a time; trader lots pass
 * through five hands to a buying station and are merged five at a time; station lots pass through
 * five hands to an exporter, who merges twenty into one export lot of 1,000 origins and exports it.
 * With the default 1,786 exports: 2,002,106 lots and 10,001,600 transfers over twelve months.
 * Then, through the HTTP API of the real app:
 *   - the upstream trace of export lots (1,000 origins each), with the recursive query alone beside it;
 *   - the mass balance of every actor for one month, as the CSV an officer downloads;
 *   - transfers recorded in batches of 500 by concurrent clients, against COPY of the same rows.
 * See bench/README.md, "Chain of custody".
 *
 *   --exports=N      export lots, each with 1,000 origin lots (default 1,786)
 *   --traces=N       traces measured (default 300)
 *   --batch-lots=N   transfers recorded through the API, and again with COPY (default 20,000)
 *   --clients=N      concurrent API clients sending batches (default 4)
 *   --keep           leave the database behind at the end (its name is in the report)
 *   --reuse=NAME     measure the trace and the mass balance on a database a --keep run left, without
 *                    generating it again (the batches need fresh open lots, so they are not measured)
 *
 * BENCH_DATABASE_URL points at the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 * the bench creates a database openasm_bench_<pid> there and drops it at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { upstreamGraph } from '../src/server/modules/custody/repo.ts';
import { loadProfileByName } from '../src/server/modules/profiles/loader.ts';
import { ensureDefaultRoles } from '../src/server/modules/roles/repo.ts';
import { createAuditLog } from '../src/server/platform/audit/audit.ts';
import { hashPassword } from '../src/server/platform/auth/passwords.ts';
import { systemClock } from '../src/server/platform/clock.ts';
import { systemContext } from '../src/server/platform/context.ts';
import type { PoolClientLike } from '../src/server/platform/db/pglite-pool.ts';
import { uuidv7 } from '../src/shared/ids.ts';
import { openBenchPostgres } from './lib/databases.ts';
import { machine } from './lib/report.ts';
import { type LatencySummary, latencySummary, round } from './lib/stats.ts';

const log = (msg: string) =>
  process.stderr.write(`[bench:custody] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const PASSWORD = 'bench password, not a secret';
const ADMIN_PHONE = '+233209990002';

/** Lots per export tree: 1,000 from pits, 100 at traders, 20 at stations, 1 at the exporter. */
const TREE = 1121;
const TRANSFERS_PER_TREE = (1000 + 100 + 20) * 5;
/** How many of each kind of actor the chains run through. */
const ACTORS = { miner: 100_000, collector: 20_000, trader: 5_000, station: 500, exporter: 30 } as const;
const BASE = {
  miner: 0,
  collector: ACTORS.miner,
  trader: ACTORS.miner + ACTORS.collector,
  station: ACTORS.miner + ACTORS.collector + ACTORS.trader,
  exporter: ACTORS.miner + ACTORS.collector + ACTORS.trader + ACTORS.station,
};
const ACTOR_COUNT = BASE.exporter + ACTORS.exporter;
const SITES = 20_000;
/** Pits to exporters over twelve months, before the bench's "today". */
const FIRST_DAY = '2025-11-01';

interface Flags {
  exports: number;
  traces: number;
  batchLots: number;
  clients: number;
  keep: boolean;
  reuse: string | null;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    exports: 1786,
    traces: 300,
    batchLots: 20_000,
    clients: 4,
    keep: false,
    reuse: null,
  };
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string | undefined];
    const n = Number(value);
    if (name === '--exports' && Number.isInteger(n) && n > 0) flags.exports = n;
    else if (name === '--traces' && Number.isInteger(n) && n >= 10) flags.traces = n;
    else if (name === '--batch-lots' && Number.isInteger(n) && n >= 500) flags.batchLots = n;
    else if (name === '--clients' && Number.isInteger(n) && n >= 1) flags.clients = n;
    else if (arg === '--keep') flags.keep = true;
    else if (name === '--reuse' && /^openasm_bench_\d+$/.test(value)) flags.reuse = value;
    else {
      console.error(
        `unknown flag ${arg}\nusage: npm run bench:custody -- [--exports=N] [--traces=N] [--batch-lots=N] [--clients=N] [--keep] [--reuse=NAME]`,
      );
      process.exit(2);
    }
  }
  return flags;
}

type Query = <R = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<R[]>;

/**
 * Helpers of the generator, in the session's temporary schema: readable ids from numbers, a lot's
 * mass from its number, the actors of each step of a chain, and an actor's district.
 */
async function helpers(q: Query, areas: string[]): Promise<void> {
  const A = ACTORS;
  const B = BASE;
  await q(`CREATE FUNCTION pg_temp.bu(p int, n bigint) RETURNS uuid IMMUTABLE LANGUAGE sql AS $$
    SELECT (lpad(to_hex(p), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid $$`);
  // 1 g to 50 g: a miner's sale of sponge gold.
  await q(`CREATE FUNCTION pg_temp.mass(n bigint) RETURNS bigint IMMUTABLE LANGUAGE sql AS $$
    SELECT 1000 + abs(hashint8(n)::bigint) % 49000 $$`);
  // Who made a lot of a level (0 pit, 1 trader, 2 station, 3 exporter) of tree k, number idx in it.
  await q(`CREATE FUNCTION pg_temp.maker(lvl int, k bigint, idx bigint) RETURNS bigint IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE lvl WHEN 0 THEN ${B.miner} + (k * 1000 + idx) % ${A.miner}
                    WHEN 1 THEN ${B.trader} + (k * 100 + idx) % ${A.trader}
                    WHEN 2 THEN ${B.station} + (k * 20 + idx) % ${A.station}
                    ELSE ${B.exporter} + k % ${A.exporter} END $$`);
  // Who ends up holding it: the one who merges it into the next level.
  await q(`CREATE FUNCTION pg_temp.holder(lvl int, k bigint, idx bigint) RETURNS bigint IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE lvl WHEN 0 THEN pg_temp.maker(1, k, idx / 10)
                    WHEN 1 THEN pg_temp.maker(2, k, idx / 5)
                    ELSE pg_temp.maker(3, k, 0) END $$`);
  // The h-th hand (0..3) a lot passes through between its maker and its holder.
  await q(`CREATE FUNCTION pg_temp.hand(lvl int, n bigint, h int) RETURNS bigint IMMUTABLE LANGUAGE sql AS $$
    SELECT CASE lvl WHEN 0 THEN ${B.collector} + abs(hashint8(n * 8 + h)::bigint) % ${A.collector}
                    WHEN 1 THEN ${B.trader} + abs(hashint8(n * 8 + h)::bigint) % ${A.trader}
                    ELSE ${B.station} + abs(hashint8(n * 8 + h)::bigint) % ${A.station} END $$`);
  await q(`CREATE FUNCTION pg_temp.area(a bigint) RETURNS uuid IMMUTABLE LANGUAGE sql AS $$
    SELECT ('{${areas.join(',')}}'::uuid[])[1 + a % ${areas.length}] $$`);
}

const EVENT_COLUMNS = `id, kind, country, actor_id, counterpart_id, area_id, place, occurred_at, input_mg, output_mg,
  loss_mg, price_minor, currency, export_permit, destination_country, recorded_side, request_fingerprint,
  recorded_by, recorded_at, confirmed_by, confirmed_at`;

/** Trees k0..k1-1: their lots, every event and every link of the graph. */
async function generateTrees(q: Query, k0: number, k1: number, exports: number, adminId: string) {
  await q('DROP TABLE IF EXISTS cl');
  await q(
    `CREATE TEMP TABLE cl AS
       SELECT k, 0 AS lvl, j::bigint AS idx, k * ${TREE} + j AS n, pg_temp.mass(k * ${TREE} + j) AS mass
         FROM generate_series($1::bigint, $2::bigint - 1) k, generate_series(0, 999) j`,
    [k0, k1],
  );
  await q(
    `INSERT INTO cl SELECT k, 1, idx / 10, k * ${TREE} + 1000 + idx / 10, sum(mass) FROM cl WHERE lvl = 0 GROUP BY k, idx / 10`,
  );
  await q(
    `INSERT INTO cl SELECT k, 2, idx / 5, k * ${TREE} + 1100 + idx / 5, sum(mass) FROM cl WHERE lvl = 1 GROUP BY k, idx / 5`,
  );
  await q(`INSERT INTO cl SELECT k, 3, 0, k * ${TREE} + 1120, sum(mass) FROM cl WHERE lvl = 2 GROUP BY k`);
  // Each tree starts on its day of the year; a level every six days, a hand-over a day.
  await q(`ALTER TABLE cl ADD COLUMN t0 timestamptz, ADD COLUMN parent bigint`);
  await q(
    `UPDATE cl SET t0 = '${FIRST_DAY}'::timestamptz + (k::float8 / $1) * interval '365 days' + lvl * interval '6 days',
                   parent = CASE lvl WHEN 0 THEN k * ${TREE} + 1000 + idx / 10
                                     WHEN 1 THEN k * ${TREE} + 1100 + idx / 5
                                     WHEN 2 THEN k * ${TREE} + 1120 END`,
    [exports],
  );
  const ev = `INSERT INTO custody_events (${EVENT_COLUMNS})`;
  // Production at the pit: the pit's miner.
  await q(`${ev}
    SELECT pg_temp.bu(2, n), 'production', 'GH', pg_temp.bu(6, pg_temp.maker(0, k, idx)), NULL,
           pg_temp.area(pg_temp.maker(0, k, idx)), NULL, t0 + (idx % 24) * interval '1 hour', 0, mass, 0, NULL, NULL,
           NULL, NULL, NULL, 'bench', NULL, t0, NULL, NULL
      FROM cl WHERE lvl = 0`);
  // Merges at traders, stations and exporters.
  await q(`${ev}
    SELECT pg_temp.bu(3, n), 'merge', 'GH', pg_temp.bu(6, pg_temp.maker(lvl, k, idx)), NULL,
           pg_temp.area(pg_temp.maker(lvl, k, idx)), NULL, t0, mass, mass, 0, NULL, NULL, NULL, NULL, NULL,
           'bench', NULL, t0, NULL, NULL
      FROM cl WHERE lvl > 0`);
  await q(`${ev}
    SELECT pg_temp.bu(4, n), 'export', 'GH', pg_temp.bu(6, pg_temp.maker(3, k, 0)), NULL,
           pg_temp.area(pg_temp.maker(3, k, 0)), 'Kotoka International Airport', t0 + interval '2 days', mass, 0, 0,
           NULL, NULL, 'BENCH-EXP-' || n, 'AE', NULL, 'bench', NULL, t0, NULL, NULL
      FROM cl WHERE lvl = 3`);
  // Five hand-overs of every lot below the exporter, most of them confirmed by the buyer.
  await q(
    `${ev}
    SELECT pg_temp.bu(5, n * 5 + h), 'transfer', 'GH', pg_temp.bu(6, s), pg_temp.bu(6, b), pg_temp.area(s), NULL,
           t0 + (1 + h) * interval '1 day' + (idx % 3600) * interval '1 second', mass, mass, 0,
           mass * 1150, 'GHS', NULL, NULL, 'seller', 'bench', NULL, t0,
           CASE WHEN (n + h) % 5 = 0 THEN NULL ELSE $1::uuid END,
           CASE WHEN (n + h) % 5 = 0 THEN NULL ELSE t0 + (1 + h) * interval '1 day' END
      FROM (SELECT cl.*, h,
                   CASE WHEN h = 0 THEN pg_temp.maker(lvl, k, idx) ELSE pg_temp.hand(lvl, n, h - 1) END AS s,
                   CASE WHEN h = 4 THEN pg_temp.holder(lvl, k, idx) ELSE pg_temp.hand(lvl, n, h) END AS b
              FROM cl, generate_series(0, 4) h WHERE lvl < 3) x`,
    [adminId],
  );
  await q(`INSERT INTO lots (id, tag, country, mineral, form, mass_mg, fineness_ptt, holder_actor_id, origin_site_id,
             origin_licence_id, status, created_by_event, consumed_by_event, created_at)
    SELECT pg_temp.bu(1, n), 'GH-B' || n, 'GH', 'gold', 'dore', mass, CASE WHEN lvl = 0 THEN 8000 + n % 1500 END,
           pg_temp.bu(6, CASE WHEN lvl = 3 THEN pg_temp.maker(3, k, 0) ELSE pg_temp.holder(lvl, k, idx) END),
           CASE WHEN lvl = 0 THEN pg_temp.bu(7, pg_temp.maker(0, k, idx) % ${SITES}) END, NULL,
           CASE WHEN lvl = 3 THEN 'exported' ELSE 'consumed' END,
           pg_temp.bu(CASE WHEN lvl = 0 THEN 2 ELSE 3 END, n),
           CASE WHEN lvl = 3 THEN pg_temp.bu(4, n) ELSE pg_temp.bu(3, parent) END, t0
      FROM cl`);
  const link = 'INSERT INTO custody_event_lots (event_id, lot_id, role)';
  await q(
    `${link} SELECT pg_temp.bu(CASE WHEN lvl = 0 THEN 2 ELSE 3 END, n), pg_temp.bu(1, n), 'output' FROM cl`,
  );
  await q(
    `${link} SELECT CASE WHEN lvl = 3 THEN pg_temp.bu(4, n) ELSE pg_temp.bu(3, parent) END, pg_temp.bu(1, n), 'input' FROM cl`,
  );
  await q(
    `${link} SELECT pg_temp.bu(5, n * 5 + h), pg_temp.bu(1, n), 'moved' FROM cl, generate_series(0, 4) h WHERE lvl < 3`,
  );
}

/** Open lots at pits for the write tests, numbered after the trees. */
async function generateOpenLots(q: Query, first: number, count: number) {
  await q(
    `INSERT INTO custody_events (${EVENT_COLUMNS})
     SELECT pg_temp.bu(2, n), 'production', 'GH', pg_temp.bu(6, n % ${ACTORS.miner}), NULL, pg_temp.area(n % ${ACTORS.miner}),
            NULL, now() - interval '1 day', 0, pg_temp.mass(n), 0, NULL, NULL, NULL, NULL, NULL, 'bench', NULL, now(), NULL, NULL
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) n`,
    [first, count],
  );
  await q(
    `INSERT INTO lots (id, tag, country, mineral, form, mass_mg, holder_actor_id, origin_site_id, status, created_by_event, created_at)
     SELECT pg_temp.bu(1, n), 'GH-B' || n, 'GH', 'gold', 'dore', pg_temp.mass(n), pg_temp.bu(6, n % ${ACTORS.miner}),
            pg_temp.bu(7, n % ${SITES}), 'open', pg_temp.bu(2, n), now()
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) n`,
    [first, count],
  );
  await q(
    `INSERT INTO custody_event_lots (event_id, lot_id, role)
     SELECT pg_temp.bu(2, n), pg_temp.bu(1, n), 'output' FROM generate_series($1::bigint, $1::bigint + $2 - 1) n`,
    [first, count],
  );
}

const idOf = (p: number, n: number) =>
  `${p.toString(16).padStart(8, '0')}-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/** Exact sum of the shares of a trace, as n/d. */
function sharesSum(origins: { share: { numerator: string; denominator: string } }[]): [bigint, bigint] {
  let n = 0n;
  let d = 1n;
  for (const o of origins) {
    const [a, b] = [BigInt(o.share.numerator), BigInt(o.share.denominator)];
    [n, d] = [n * b + a * d, d * b];
  }
  return [n, d];
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const opened = await openBenchPostgres({
    keep: flags.keep,
    ...(flags.reuse ? { reuse: flags.reuse } : {}),
  });
  if ('unavailable' in opened) {
    console.error(`PostgreSQL is not reachable (${opened.unavailable}); this bench needs it.`);
    process.exit(1);
  }
  const { database } = opened;
  log(
    `database ${opened.describe.database}${flags.reuse ? ' (reused)' : flags.keep ? ' (kept at the end)' : ''}`,
  );
  const summary = (v: number[]): LatencySummary => {
    const s = latencySummary(Float64Array.from(v));
    return {
      p50: round(s.p50),
      p95: round(s.p95),
      p99: round(s.p99),
      max: round(s.max),
      mean: round(s.mean),
    };
  };
  const report: Record<string, unknown> & { generation: Record<string, number> } = {
    bench: 'custody',
    date: new Date().toISOString(),
    machine: machine(),
    flags,
    describe: opened.describe,
    generation: {},
    loadAverage: [os.loadavg().map((n) => round(n))],
  };
  try {
    const audit = createAuditLog({ clock: systemClock });
    await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
    await loadProfileByName(database, audit, systemContext('bench:custody'), 'ghana', log);
    const country = await database.db
      .selectFrom('admin_areas')
      .select(['id'])
      .where('level', '=', 0)
      .where('country', '=', 'GH')
      .executeTakeFirstOrThrow();
    const districts = (
      await database.db
        .selectFrom('admin_areas')
        .select(['id'])
        .where('country', '=', 'GH')
        .where('level', '=', 2)
        .orderBy('path')
        .execute()
    ).map((a) => a.id);
    const kept = flags.reuse
      ? await database.db.selectFrom('users').select('id').where('phone', '=', ADMIN_PHONE).executeTakeFirst()
      : undefined;
    const adminId = kept?.id ?? uuidv7();
    if (!kept)
      await database.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('users')
          .values({
            id: adminId,
            name: 'Bench System Administrator',
            phone: ADMIN_PHONE,
            email: null,
            password_hash: await hashPassword(PASSWORD),
            area_id: country.id,
          })
          .execute();
        await tx
          .insertInto('user_assignments')
          .values({ id: uuidv7(), user_id: adminId, role_code: 'system_admin', area_id: country.id })
          .execute();
      });

    // ── The chains, written as the database owner (triggers and foreign keys off while loading) ──
    const trees = flags.exports;
    const openFirst = trees * TREE;
    if (flags.reuse) report.generation.reused = 1;
    else
      await database.asOwner(async (client: PoolClientLike) => {
        const q: Query = async (text, values = []) =>
          ((await client.query(text, values)) as unknown as { rows: never[] }).rows;
        await q(`SET session_replication_role = replica`);
        await helpers(q, districts);
        let t0 = performance.now();
        await q(
          `INSERT INTO custody_actors (id, kind, name, country, area_id, created_at)
         SELECT pg_temp.bu(6, a),
                CASE WHEN a < ${BASE.collector} THEN 'miner' WHEN a < ${BASE.station} THEN 'trader'
                     WHEN a < ${BASE.exporter} THEN 'buying_station' ELSE 'exporter' END,
                CASE WHEN a < ${BASE.collector} THEN 'Miner ' WHEN a < ${BASE.trader} THEN 'Collector '
                     WHEN a < ${BASE.station} THEN 'Trader ' WHEN a < ${BASE.exporter} THEN 'Buying station '
                     ELSE 'Exporter ' END || a,
                'GH', pg_temp.area(a), now()
           FROM generate_series(0, ${ACTOR_COUNT - 1}) a`,
        );
        await q(
          `INSERT INTO production_units (id, reference, kind, name, area_id)
         SELECT pg_temp.bu(7, s), 'BENCH-PU-' || s, 'pit', 'Pit ' || s, pg_temp.area(s)
           FROM generate_series(0, ${SITES - 1}) s`,
        );
        report.generation.actors = ACTOR_COUNT;
        report.generation.sites = SITES;
        const CHUNK = 100;
        for (let k = 0; k < trees; k += CHUNK) {
          await generateTrees(q, k, Math.min(trees, k + CHUNK), trees, adminId);
          log(
            `trees ${Math.min(trees, k + CHUNK)}/${trees} (${round((performance.now() - t0) / 1000, 0)} s)`,
          );
        }
        await generateOpenLots(q, openFirst, 2 * flags.batchLots);
        report.generation.loadSeconds = round((performance.now() - t0) / 1000, 1);
        await q(`SET session_replication_role = DEFAULT`);
        // The monthly totals the mass balance reads: their trigger was off while loading.
        t0 = performance.now();
        const [months] = await q<{ rows: number }>(`SELECT custody_actor_months_rebuild() AS rows`);
        report.generation.actorMonths = Number(months!.rows);
        report.generation.actorMonthsSeconds = round((performance.now() - t0) / 1000, 1);
        t0 = performance.now();
        // What autovacuum would do on a production server (it is off on this machine's server): the
        // planner needs the counts of what was just loaded, the 65 admin areas and the monthly
        // totals included (without them it planned a scan of every actor per area).
        for (const table of [
          'custody_actors',
          'custody_events',
          'lots',
          'custody_event_lots',
          'production_units',
          'custody_actor_months',
          'admin_areas',
        ])
          await q(`VACUUM ANALYZE ${table}`);
        report.generation.analyzeSeconds = round((performance.now() - t0) / 1000, 1);
        const [counts] = await q<{ lots: number; transfers: number; events: number; links: number }>(
          `SELECT (SELECT count(*) FROM lots)::int AS lots,
                (SELECT count(*) FROM custody_events WHERE kind = 'transfer')::int AS transfers,
                (SELECT count(*) FROM custody_events)::int AS events,
                (SELECT count(*) FROM custody_event_lots)::int AS links`,
        );
        Object.assign(report.generation, counts);
        const [size] = await q<{ mb: number }>(
          `SELECT (pg_total_relation_size('custody_events') + pg_total_relation_size('lots')
                 + pg_total_relation_size('custody_event_lots'))::float8 / 1048576 AS mb`,
        );
        report.generation.tablesMb = round(size!.mb, 0);
        log(`loaded ${JSON.stringify(report.generation)}`);
      });
    const expectedTransfers = trees * TRANSFERS_PER_TREE;
    if (!flags.reuse && report.generation.transfers !== expectedTransfers)
      throw new Error(`expected ${expectedTransfers} transfers, found ${report.generation.transfers}`);

    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      JOBS: 'off',
      ...opened.env,
    });
    const app = await buildApp({ config, database });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new Error('server not listening on TCP');
      const base = `http://127.0.0.1:${address.port}`;
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: ADMIN_PHONE, password: PASSWORD }),
      });
      if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
      const { token } = (await login.json()) as { token: string };
      const auth = { authorization: `Bearer ${token}` };

      // ── Upstream trace of export lots ──
      const exportLots = Array.from({ length: flags.traces }, (_, i) =>
        idOf(1, (Math.floor((i * 7919) % trees) * TREE + 1120) as number),
      );
      // With the graph (what the web client draws) and without it (the origins and their shares,
      // what a buyer's or the export authority's system checks); uncompressed (the server's own
      // cost: on loopback compression only adds work) and compressed with brotli, as a browser
      // over HTTPS asks for it (what crosses a real network).
      // The client runs on the server's thread: on two cores a worker thread only adds a third busy
      // thread (tried: every figure got worse, the query's too). Its parsing is in the figure.
      const bytes: Record<string, number> = {};
      type Traced = {
        origins: { lotId: string; share: { numerator: string; denominator: string }; massMg: number }[];
        nodes: unknown[];
      };
      type Way = { graph: boolean; encoding: 'identity' | 'br' };
      const wayName = (w: Way) => `${w.graph ? 'graph' : 'origins'}${w.encoding === 'br' ? 'Br' : ''}`;
      /** From sending the request to the parsed answer. */
      const timedTrace = async (id: string, way: Way) => {
        const t = performance.now();
        const res = await fetch(`${base}/api/v1/lots/${id}/trace?direction=upstream&graph=${way.graph}`, {
          headers: { ...auth, 'accept-encoding': way.encoding },
        });
        const text = await res.text();
        const body = JSON.parse(text) as Traced;
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`trace ${id}: ${res.status} ${text.slice(0, 500)}`);
        if ((res.headers.get('content-encoding') ?? 'identity') !== way.encoding)
          throw new Error(
            `trace ${id}: asked for ${way.encoding}, got ${res.headers.get('content-encoding')}`,
          );
        return { ms, body, text };
      };
      /** Bytes on the wire of one answer, read without decoding. */
      const wireBytes = (path: string, encoding: string) =>
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            `${base}${path}`,
            { headers: { ...auth, 'accept-encoding': encoding } },
            (res) => {
              let n = 0;
              res.on('data', (chunk: Buffer) => {
                n += chunk.length;
              });
              res.on('end', () => resolve(n));
            },
          );
          req.on('error', reject);
          req.end();
        });
      const ways: Way[] = [
        { graph: true, encoding: 'identity' },
        { graph: false, encoding: 'identity' },
        { graph: true, encoding: 'br' },
        { graph: false, encoding: 'br' },
      ];
      const trace = async (id: string, way: Way) => (await timedTrace(id, way)).body as Traced;
      const first = await trace(exportLots[0]!, ways[0]!);
      const [sn, sd] = sharesSum(first.origins);
      if (first.origins.length !== 1000 || sn !== sd)
        throw new Error(`trace: ${first.origins.length} origins, shares sum to ${sn}/${sd}`);
      const key = (o: { lotId: string; share: { numerator: string; denominator: string } }) =>
        `${o.lotId} ${o.share.numerator}/${o.share.denominator}`;
      for (const way of ways) {
        const other = await trace(exportLots[0]!, way);
        if (other.origins.map(key).sort().join() !== first.origins.map(key).sort().join())
          throw new Error(`trace: the origins ${wayName(way)} differ from those with the graph`);
        bytes[wayName(way)] = await wireBytes(
          `/api/v1/lots/${exportLots[0]!}/trace?direction=upstream&graph=${way.graph}`,
          way.encoding,
        );
      }
      report.traceShape = {
        origins: first.origins.length,
        nodes: first.nodes.length,
        sharesSumToOne: sn === sd,
        bytesOnTheWire: bytes,
      };
      for (const id of exportLots.slice(0, 20)) for (const way of ways) await trace(id, way);
      const ms: Record<string, number[]> = Object.fromEntries(ways.map((w) => [wayName(w), []]));
      const sqlMs: number[] = [];
      for (const [i, id] of exportLots.entries()) {
        const steps = [
          ...ways.map((way) => async () => {
            ms[wayName(way)]!.push((await timedTrace(id, way)).ms);
          }),
          async () => {
            const t = performance.now();
            await upstreamGraph(database.db, id);
            sqlMs.push(performance.now() - t);
          },
        ];
        // Each goes first in turn: the first to read a tree finds it colder.
        for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
      }
      report.trace = {
        api: summary(ms.graph!),
        apiOriginsOnly: summary(ms.origins!),
        apiBrotli: summary(ms.graphBr!),
        apiOriginsOnlyBrotli: summary(ms.originsBr!),
        recursiveQuery: summary(sqlMs),
        goalP95Ms: 20,
      };
      log(`trace ${JSON.stringify(report.trace)}`);

      // ── Mass balance of every actor for a month, as CSV ──
      // Compressed as a browser over HTTPS asks for it (brotli): what an officer downloads.
      const balances: Record<string, unknown>[] = [];
      for (const [from, to] of [
        ['2026-10-01', '2026-10-31'],
        ['2026-05-01', '2026-05-31'],
      ] as const) {
        const runs: number[] = [];
        let lines = 0;
        for (let r = 0; r < 3; r++) {
          const t = performance.now();
          const res = await fetch(`${base}/api/v1/custody/mass-balance?from=${from}&to=${to}&format=csv`, {
            headers: { ...auth, 'accept-encoding': 'br' },
          });
          const text = await res.text();
          runs.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`mass balance: ${res.status} ${text.slice(0, 500)}`);
          lines = text.split('\n').filter(Boolean).length - 1;
        }
        const path = `/api/v1/custody/mass-balance?from=${from}&to=${to}&format=csv`;
        const wire = { identity: await wireBytes(path, 'identity'), br: await wireBytes(path, 'br') };
        balances.push({
          from,
          to,
          actors: lines,
          seconds: runs.map((ms) => round(ms / 1000, 2)),
          bytesOnTheWire: wire,
        });
        log(
          `mass balance ${from}..${to}: ${lines} actors, ${runs.map((ms) => round(ms / 1000, 2)).join(' / ')} s`,
        );
      }
      report.massBalance = { months: balances, goalSeconds: 2 };

      // ── Transfers in batches through the API, then the same rows with COPY ──
      // (not on a reused database: its open lots were sold by the run that kept it)
      if (!flags.reuse) {
        const batchSize = 500;
        const apiLots = Array.from({ length: flags.batchLots }, (_, i) => openFirst + i);
        const buyer = (n: number) => BASE.collector + (n % ACTORS.collector);
        const batches: number[][] = [];
        for (let i = 0; i < apiLots.length; i += batchSize) batches.push(apiLots.slice(i, i + batchSize));
        const itemOf = (n: number) => ({
          id: randomUUID(),
          lotIds: [idOf(1, n)],
          sellerActorId: idOf(6, n % ACTORS.miner),
          buyerActorId: idOf(6, buyer(n)),
          recordedSide: 'buyer',
          priceMinor: 1_500_000,
          currency: 'GHS',
          place: 'Buying point',
        });
        const requestMs: number[] = [];
        let next = 0;
        let recorded = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: flags.clients }, async () => {
            for (;;) {
              const batch = batches[next++];
              if (!batch) return;
              const body = JSON.stringify({ items: batch.map(itemOf) });
              const t = performance.now();
              const res = await fetch(`${base}/api/v1/custody/transfers/batch`, {
                method: 'POST',
                headers: { ...auth, 'content-type': 'application/json' },
                body,
              });
              const answer = (await res.json()) as { recorded: number; refused: number; items: unknown[] };
              requestMs.push(performance.now() - t);
              if (res.status !== 200 || answer.refused > 0)
                throw new Error(`batch: ${res.status} ${JSON.stringify(answer).slice(0, 800)}`);
              recorded += answer.recorded;
            }
          }),
        );
        const apiSeconds = (performance.now() - t0) / 1000;

        // The same rows (the transfer events and their links) for the other open lots, with COPY in
        // one transaction, the database's checks on (the deferred balance trigger, foreign keys).
        const copyLots = Array.from({ length: flags.batchLots }, (_, i) => openFirst + flags.batchLots + i);
        const masses = new Map<number, number>();
        await database.asOwner(async (client) => {
          const r = (await client.query(
            `SELECT n, mass_mg AS pg_temp_mass FROM generate_series($1::bigint, $1::bigint + $2 - 1) n
             JOIN lots ON tag = 'GH-B' || n`,
            [copyLots[0], copyLots.length],
          )) as unknown as { rows: { n: number; pg_temp_mass: number }[] };
          for (const row of r.rows) masses.set(Number(row.n), Number(row.pg_temp_mass));
        });
        const copySeconds = await database.asOwner(async (client) => {
          const c = client as unknown as import('pg').PoolClient;
          const now = new Date().toISOString();
          const ids = copyLots.map(() => randomUUID());
          const events = copyLots.map((n, i) => {
            const m = masses.get(n)!;
            return `${ids[i]}\ttransfer\tGH\t${idOf(6, n % ACTORS.miner)}\t${idOf(6, buyer(n))}\t${districts[(n % ACTORS.miner) % districts.length]}\tBuying point\t${now}\t${m}\t${m}\t0\t1500000\tGHS\t\\N\t\\N\tbuyer\tbench\t${adminId}\t${now}\t\\N\t\\N\n`;
          });
          const links = copyLots.map((n, i) => `${ids[i]}\t${idOf(1, n)}\tmoved\n`);
          const t = performance.now();
          await c.query('BEGIN');
          await pipeline(
            Readable.from(events),
            c.query(copyFrom(`COPY custody_events (${EVENT_COLUMNS.replace(/\s+/g, ' ')}) FROM STDIN`)),
          );
          await pipeline(
            Readable.from(links),
            c.query(copyFrom('COPY custody_event_lots (event_id, lot_id, role) FROM STDIN')),
          );
          await c.query('COMMIT');
          return (performance.now() - t) / 1000;
        });
        const apiRate = recorded / apiSeconds;
        const copyRate = copyLots.length / copySeconds;
        report.batches = {
          transfers: recorded,
          batchSize,
          clients: flags.clients,
          apiSeconds: round(apiSeconds, 2),
          apiTransfersPerSecond: round(apiRate, 0),
          requestMs: summary(requestMs),
          copySeconds: round(copySeconds, 2),
          copyTransfersPerSecond: round(copyRate, 0),
          copyOverApi: round(copyRate / apiRate, 1),
        };
        log(`batches ${JSON.stringify(report.batches)}`);
      }
    } finally {
      await app.close();
    }
    report.loadAverage = [...(report.loadAverage as number[][]), os.loadavg().map((n) => round(n))];
  } finally {
    await opened.dispose();
  }
  report.totalSeconds = round((performance.now() - started) / 1000, 1);
  console.log(JSON.stringify(report, null, 2));
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`custody-${String(report.date).replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`written ${file.pathname}`);
}

await main();
