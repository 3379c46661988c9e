/**
 * `npm run bench:registry`: a synthetic national registry (issue 4) and what it costs to search it
 * and to issue licences through the API. See bench/README.md, "National registry".
 *
 *   --db=postgres|pglite|both   default both: PostgreSQL at full scale, then PGlite at a tenth
 *   --scale=F                   multiply every count (a smoke run: --scale=0.01)
 *   --issue=N                   licences issued through the API on PostgreSQL (default 10,000; 0 skips)
 *   --queries=N                 measured queries per search (default 400)
 *
 * BENCH_DATABASE_URL points at the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 * the bench creates a database openasm_bench_<pid> there and drops it at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { listLicences } from '../src/server/modules/licensing/repo.ts';
import { listPeople } from '../src/server/modules/people/repo.ts';
import { loadProfileByName } from '../src/server/modules/profiles/loader.ts';
import { ensureDefaultRoles } from '../src/server/modules/roles/repo.ts';
import { createAuditLog } from '../src/server/platform/audit/audit.ts';
import { hashPassword } from '../src/server/platform/auth/passwords.ts';
import { systemClock } from '../src/server/platform/clock.ts';
import { systemContext } from '../src/server/platform/context.ts';
import type { DB } from '../src/server/platform/db/schema.ts';
import { isValidReference, uuidv7 } from '../src/shared/ids.ts';
import { createRng, type Rng } from './generate.ts';
import { type BenchDatabase, openBenchPglite, openBenchPostgres, serverUrl } from './lib/databases.ts';
import { generateRegistry, type RegistryScale, type TierInfo } from './lib/registry-data.ts';
import { machine } from './lib/report.ts';
import { type LatencySummary, latencySummary, round } from './lib/stats.ts';

const log = (msg: string) => process.stderr.write(`[bench:registry] ${msg}\n`);
const PASSWORD = 'bench password, not a secret';
const ADMIN_PHONE = '+233209990001';
const SEED = 20_261_128;
const PAGE = 20;

interface Flags {
  dbs: ('postgres' | 'pglite')[];
  scale: number;
  issue: number;
  queries: number;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { dbs: ['postgres', 'pglite'], scale: 1, issue: 10_000, queries: 400 };
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string | undefined];
    if (name === '--db' && ['postgres', 'pglite', 'both'].includes(value))
      flags.dbs = value === 'both' ? ['postgres', 'pglite'] : [value as 'postgres' | 'pglite'];
    else if (name === '--scale' && Number(value) > 0) flags.scale = Number(value);
    else if (name === '--issue' && Number.isInteger(Number(value))) flags.issue = Number(value);
    else if (name === '--queries' && Number(value) >= 10) flags.queries = Number(value);
    else {
      console.error(
        `unknown flag ${arg}\nusage: npm run bench:registry -- [--db=postgres|pglite|both] [--scale=F] [--issue=N] [--queries=N]`,
      );
      process.exit(2);
    }
  }
  return flags;
}

function scaleFor(kind: 'postgres' | 'pglite', f: number): RegistryScale {
  // PGlite is measured at a tenth of the national size: it is the single-office database.
  const k = (kind === 'postgres' ? 1 : 0.1) * f;
  return {
    people: Math.round(1_000_000 * k),
    enterprises: Math.round(40_000 * k),
    licences: Math.round(200_000 * k),
    reservedPeople: Math.max(100, Math.round(12_000 * k)),
  };
}

// ── Search terms ─────────────────────────────────────────────────────────────────────────────────

/** One typing mistake: a swapped pair, a dropped, doubled or replaced letter. */
function typo(rng: Rng, word: string): string {
  if (word.length < 4) return word;
  const i = 1 + rng.int(word.length - 2);
  switch (rng.int(4)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default: {
      const vowels = 'aeiou';
      const c = word[i]!.toLowerCase();
      const r = vowels.includes(c) ? vowels[(vowels.indexOf(c) + 1 + rng.int(4)) % 5]! : 'e';
      return word.slice(0, i) + r + word.slice(i + 1);
    }
  }
}

interface NameTerm {
  q: string;
  /** The name the term was made from (lower case), to check that the search finds it. */
  target: string;
}

/** Full names with a typo in one part (70 %), a mistyped family name alone (15 %), exact (15 %). */
function nameTerms(rng: Rng, names: string[], n: number): NameTerm[] {
  return Array.from({ length: n }, () => {
    const name = rng.pick(names);
    const [given, ...rest] = name.split(' ');
    const family = rest.join(' ');
    const x = rng.next();
    if (x < 0.35) return { q: `${typo(rng, given!)} ${family}`, target: name.toLowerCase() };
    if (x < 0.7) return { q: `${given} ${typo(rng, family)}`, target: name.toLowerCase() };
    if (x < 0.85) return { q: typo(rng, family), target: name.toLowerCase() };
    return { q: name, target: name.toLowerCase() };
  });
}

/** Full licence numbers (half, in lower case as often typed) and prefixes down to the year and two digits. */
function numberTerms(rng: Rng, numbers: string[], n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const number = rng.pick(numbers);
    if (i % 2 === 0) return rng.chance(0.5) ? number.toLowerCase() : number;
    // GH-AS-SSL-2025-0123 ← GH-AS-SSL-2025-012345-7: keep the year and 2 to 5 serial digits.
    const serialStart = number.lastIndexOf('-', number.length - 3) + 1;
    return number.slice(0, serialStart + 2 + rng.int(4));
  });
}

// ── Measuring ────────────────────────────────────────────────────────────────────────────────────

interface Timed {
  latency: LatencySummary;
  /** Mean rows or items per answer. */
  meanRows: number;
}

/**
 * Times each term through the API and directly in SQL, one right after the other (which goes first
 * alternates), so both see the same machine state: other processes on a 2-core machine move every
 * figure, and measuring the two series minutes apart would turn that into a false ratio.
 */
async function timePaired<T>(
  terms: T[],
  warmup: number,
  api: (t: T) => Promise<number>,
  direct: (t: T) => Promise<number>,
): Promise<{ api: Timed; direct: Timed }> {
  for (const t of terms.slice(0, warmup)) {
    await api(t);
    await direct(t);
  }
  const times = { api: new Float64Array(terms.length), direct: new Float64Array(terms.length) };
  const rows = { api: 0, direct: 0 };
  const timeOne = async (kind: 'api' | 'direct', i: number, t: T) => {
    const t0 = performance.now();
    rows[kind] += await (kind === 'api' ? api : direct)(t);
    times[kind][i] = performance.now() - t0;
  };
  for (const [i, t] of terms.entries()) {
    const [first, second] = i % 2 === 0 ? (['api', 'direct'] as const) : (['direct', 'api'] as const);
    await timeOne(first, i, t);
    await timeOne(second, i, t);
  }
  const timed = (kind: 'api' | 'direct'): Timed => ({
    latency: roundSummary(latencySummary(times[kind])),
    meanRows: round(rows[kind] / terms.length, 1),
  });
  return { api: timed('api'), direct: timed('direct') };
}

const roundSummary = (s: LatencySummary): LatencySummary => ({
  p50: round(s.p50),
  p95: round(s.p95),
  p99: round(s.p99),
  max: round(s.max),
  mean: round(s.mean),
});

/**
 * The statements the repository functions compile for a filter, without a database: a Kysely on a
 * dummy driver logs the SQL and parameters it would send. The direct runs send exactly these.
 */
function statementOf(build: (db: Kysely<DB>) => Promise<unknown>): Promise<CompiledQuery> {
  let captured: CompiledQuery | null = null;
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      captured = e.query;
    },
  });
  return build(db).then(() => {
    if (!captured) throw new Error('no statement captured');
    return captured;
  });
}

/** What the services pass for a caller whose grant is the whole country. */
const COUNTRY_SCOPE = ['/GH/'];
const peopleStatement = (q: string) =>
  statementOf((db) =>
    listPeople(db, { scopePaths: COUNTRY_SCOPE, q: { text: q, reference: null, phone: null }, limit: PAGE }),
  );
const licenceStatement = (prefix: string) =>
  statementOf((db) => listLicences(db, { scopePaths: COUNTRY_SCOPE, numberPrefix: prefix, limit: PAGE }));

/** The name search as it was before migration 0012: every matching person scored, then sorted. */
function previousPeopleStatement(q: string): CompiledQuery {
  const full = "lower(people.given_name || ' ' || people.family_name)";
  return CompiledQuery.raw(
    `SELECT people.id FROM people JOIN admin_areas ON admin_areas.id = people.area_id
      WHERE admin_areas.path LIKE ANY($1) AND (${full} % $2 OR $2 <% ${full})
      ORDER BY greatest(similarity(${full}, $2), word_similarity($2, ${full})) DESC, people.id DESC
      LIMIT $3`,
    [COUNTRY_SCOPE.map((p) => `${p}%`), q.toLowerCase(), PAGE + 1],
  );
}

interface SearchResult {
  api: Timed;
  direct: Timed;
  ratioP50: number;
  ratioP95: number;
  /** Name search: share of terms whose source name is among the answers. */
  recall?: number;
  recallFullName?: number;
  recallFamilyOnly?: number;
  /** The statement before migration 0012 on a subset of terms: identical answers, and its cost. */
  previous?: { terms: number; sameAnswers: number; latency: LatencySummary };
  explain: string;
}

// ── The run on one database ──────────────────────────────────────────────────────────────────────

interface DatabaseReport {
  kind: 'postgres' | 'pglite';
  describe: Record<string, string | number | boolean>;
  scale: RegistryScale;
  counts: Record<string, number>;
  generation: { step: string; rows: number; seconds: number }[];
  generationSeconds: number;
  people?: SearchResult;
  licences?: SearchResult;
  issue?: IssueResult;
  loadAverage: number[][];
}

interface IssueResult {
  licences: number;
  concurrency: number;
  sequence: string[];
  requests: number;
  seconds: number;
  licencesPerSecond: number;
  requestsPerSecond: number;
  requestLatency: LatencySummary;
  /** Median latency of each kind of request (ms). */
  stepLatencyP50: Record<string, number>;
  errors: Record<string, number>;
}

type Fetcher = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

async function runOn(kind: 'postgres' | 'pglite', flags: Flags): Promise<DatabaseReport | null> {
  log(`${kind}: creating and migrating a fresh database`);
  const opened: BenchDatabase | { unavailable: string } =
    kind === 'postgres' ? await openBenchPostgres() : await openBenchPglite();
  if ('unavailable' in opened) {
    log(`${kind}: skipped, ${new URL(serverUrl()).host} not reachable (${opened.unavailable})`);
    return null;
  }
  const { database } = opened;
  const scale = scaleFor(kind, flags.scale);
  const report: DatabaseReport = {
    kind,
    describe: opened.describe,
    scale,
    counts: {},
    generation: [],
    generationSeconds: 0,
    loadAverage: [os.loadavg().map((n) => round(n))],
  };
  try {
    // What bootstrap does (without the demo accounts): roles and the Ghana profile with its areas.
    const audit = createAuditLog({ clock: systemClock });
    await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
    await loadProfileByName(database, audit, systemContext('bench:registry'), 'ghana', log);
    const country = await database.db
      .selectFrom('admin_areas')
      .select('id')
      .where('code', '=', 'GH')
      .executeTakeFirstOrThrow();
    const adminId = uuidv7();
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
    const profileRow = await database.db
      .selectFrom('country_profiles')
      .select('document')
      .where('country', '=', 'GH')
      .executeTakeFirstOrThrow();
    const tiers = (profileRow.document as unknown as { licenceTiers: TierInfo[] }).licenceTiers;

    log(
      `${kind}: generating ${scale.people.toLocaleString('en')} people, ${scale.enterprises.toLocaleString('en')} enterprises, ${scale.licences.toLocaleString('en')} licences`,
    );
    const t0 = performance.now();
    const generated = await database.asOwner((c) => generateRegistry(c, scale, tiers, log));
    report.generationSeconds = round((performance.now() - t0) / 1000, 1);
    report.generation = generated.steps.map((s) => ({ ...s, seconds: round(s.seconds, 1) }));
    report.counts = await database.asOwner(async (c) => {
      const r = await c.query(
        `SELECT (SELECT count(*) FROM people)::int AS people, (SELECT count(*) FROM enterprises)::int AS enterprises,
                (SELECT count(*) FROM enterprise_members)::int AS members,
                (SELECT count(*) FROM licence_applications)::int AS applications,
                (SELECT count(*) FROM licences)::int AS licences,
                (SELECT count(*) FROM admin_areas WHERE level = 2)::int AS districts`,
      );
      return (r as unknown as { rows: Record<string, number>[] }).rows[0]!;
    });
    log(`${kind}: generated in ${report.generationSeconds} s: ${JSON.stringify(report.counts)}`);
    // The check characters computed in SQL must be the service's own.
    const invalid = [...generated.sampleNumbers, ...generated.sampleReferences].filter(
      (r) => !isValidReference(r),
    );
    if (invalid.length) throw new Error(`invalid check characters: ${invalid.slice(0, 5).join(', ')}`);

    // A real server on a loopback port (not app.inject): the figures include HTTP parsing, the socket
    // and JSON over it, as a browser or a mobile client sees them. Requests go one at a time, so the
    // client in this thread never competes with the server for the event loop.
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'off', ...opened.env });
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
      const call: Fetcher = async (method, path, body) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, json: await res.json() };
      };

      const direct = await directRunner(opened);
      try {
        const rng = createRng(SEED);
        const names = nameTerms(rng.fork('names'), generated.sampleNames, flags.queries);
        const numbers = numberTerms(rng.fork('numbers'), generated.sampleNumbers, flags.queries);
        const warmup = Math.min(40, Math.floor(flags.queries / 5));

        log(
          `${kind}: name search, ${names.length} queries, each through the API and as the same SQL directly`,
        );
        let found = 0;
        // The statement is compiled before the clock starts: the direct figure is the database's.
        const peopleStatements = new Map<string, CompiledQuery>();
        for (const t of names) peopleStatements.set(t.q, await peopleStatement(t.q));
        const people = await timePaired(
          names,
          warmup,
          async (t) => {
            const r = await call('GET', `/api/v1/people?limit=${PAGE}&q=${encodeURIComponent(t.q)}`);
            if (r.status !== 200)
              throw new Error(`GET /people answered ${r.status}: ${JSON.stringify(r.json)}`);
            return (r.json as { items: unknown[] }).items.length;
          },
          (t) => direct.run(peopleStatements.get(t.q)!),
        );
        // Recall is counted on a separate pass so it never weighs on the timings: full names and
        // a family name alone apart (word_similarity_threshold 0.6 lets few mistyped single words through).
        const recall = { full: [0, 0], family: [0, 0] };
        for (const t of names) {
          const r = await call('GET', `/api/v1/people?limit=${PAGE}&q=${encodeURIComponent(t.q)}`);
          const items = (r.json as { items: { givenName: string; familyName: string }[] }).items;
          const full = t.q.includes(' ');
          const hit = full
            ? items.some((p) => `${p.givenName} ${p.familyName}`.toLowerCase() === t.target)
            : items.some((p) => t.target.endsWith(` ${p.familyName.toLowerCase()}`));
          const bucket = recall[full ? 'full' : 'family'];
          bucket[1]!++;
          if (hit) {
            found++;
            bucket[0]!++;
          }
        }
        // The statement the search used before migration 0012 (trigram index on people), as an
        // oracle on a subset: the same ids in the same order, and what it cost.
        const oracleTerms = names.slice(0, Math.min(100, names.length));
        let same = 0;
        const before = new Float64Array(oracleTerms.length);
        for (const [i, t] of oracleTerms.entries()) {
          const t0 = performance.now();
          const old = await direct.ids(previousPeopleStatement(t.q));
          before[i] = performance.now() - t0;
          const now = await direct.ids(peopleStatements.get(t.q)!);
          if (old.join() === now.join()) same++;
        }
        report.people = {
          ...people,
          ratioP50: round(people.api.latency.p50 / people.direct.latency.p50),
          ratioP95: round(people.api.latency.p95 / people.direct.latency.p95),
          recall: round(found / names.length, 3),
          recallFullName: round(recall.full[0]! / Math.max(1, recall.full[1]!), 3),
          recallFamilyOnly: round(recall.family[0]! / Math.max(1, recall.family[1]!), 3),
          previous: {
            terms: oracleTerms.length,
            sameAnswers: same,
            latency: roundSummary(latencySummary(before)),
          },
          explain: await direct.explain(await peopleStatement(names.find((n) => n.q.includes(' '))!.q)),
        };
        log(`${kind}: people p95 API ${people.api.latency.p95} ms, SQL ${people.direct.latency.p95} ms`);

        log(`${kind}: licence number search, ${numbers.length} queries, each through the API and directly`);
        const licenceStatements = new Map<string, CompiledQuery>();
        for (const q of numbers) licenceStatements.set(q, await licenceStatement(q));
        const lic = await timePaired(
          numbers,
          warmup,
          async (q) => {
            const r = await call('GET', `/api/v1/licences?limit=${PAGE}&number=${encodeURIComponent(q)}`);
            if (r.status !== 200)
              throw new Error(`GET /licences answered ${r.status}: ${JSON.stringify(r.json)}`);
            return (r.json as { items: unknown[] }).items.length;
          },
          (q) => direct.run(licenceStatements.get(q)!),
        );
        report.licences = {
          ...lic,
          ratioP50: round(lic.api.latency.p50 / lic.direct.latency.p50),
          ratioP95: round(lic.api.latency.p95 / lic.direct.latency.p95),
          explain: await direct.explain(await licenceStatement(numbers[1]!)),
        };
        log(`${kind}: licences p95 API ${lic.api.latency.p95} ms, SQL ${lic.direct.latency.p95} ms`);
      } finally {
        await direct.close();
      }

      if (kind === 'postgres' && flags.issue > 0) {
        const count = Math.min(flags.issue, generated.reservedPeople.length - 10);
        report.issue = await issueLicences(call, generated.reservedPeople, count, tiers, 8);
      }
    } finally {
      await app.close();
    }
  } finally {
    report.loadAverage.push(os.loadavg().map((n) => round(n)));
    await opened.dispose();
  }
  return report;
}

/** Runs captured statements straight on the database, as the application role, and EXPLAINs them. */
async function directRunner(opened: BenchDatabase) {
  if (opened.kind === 'postgres') {
    const client = new pg.Client({
      connectionString: opened.env.DATABASE_URL,
      options: `-c role=${opened.database.appRole}`,
    });
    await client.connect();
    return {
      async run(q: CompiledQuery) {
        return (await client.query(q.sql, q.parameters as unknown[])).rowCount ?? 0;
      },
      async ids(q: CompiledQuery) {
        const r = await client.query<{ id: string }>(q.sql, q.parameters as unknown[]);
        return r.rows.map((x) => x.id);
      },
      async explain(q: CompiledQuery) {
        const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.parameters as unknown[]);
        return `${q.sql}\n-- parameters: ${JSON.stringify(q.parameters)}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`;
      },
      close: () => client.end(),
    };
  }
  const db = opened.database.db;
  return {
    async run(q: CompiledQuery) {
      return (await db.executeQuery(CompiledQuery.raw(q.sql, [...q.parameters]))).rows.length;
    },
    async ids(q: CompiledQuery) {
      const r = await db.executeQuery<{ id: string }>(CompiledQuery.raw(q.sql, [...q.parameters]));
      return r.rows.map((x) => x.id);
    },
    async explain(q: CompiledQuery) {
      const r = await db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters]),
      );
      return `${q.sql}\n-- parameters: ${JSON.stringify(q.parameters)}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`;
    },
    close: async () => {},
  };
}

// ── Issuing licences through the API ─────────────────────────────────────────────────────────────

/**
 * Each licence takes the workflow's own steps: create → submit → review → decide → issue. A first
 * licence is walked alone to learn what else the workflow asks (checklist ticks before the
 * decision, a fee payment before issue) and the sequence found is used for all.
 */
async function issueLicences(
  call: Fetcher,
  holders: string[],
  count: number,
  tiers: TierInfo[],
  concurrency: number,
): Promise<IssueResult> {
  const tier = tiers.find((t) => t.code === 'artisanal_community_permit') ?? tiers[0]!;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const ORDER = ['create', 'submit', 'review', 'checklist', 'decide', 'payment', 'issue'];
  const sequence = new Set<string>(['create', 'submit', 'review', 'decide', 'issue']);
  const perStep: Record<string, number[]> = {};
  let requests = 0;

  const step = async (name: string, method: string, path: string, body?: unknown) => {
    const t0 = performance.now();
    const r = await call(method, path, body);
    const ms = performance.now() - t0;
    latencies.push(ms);
    const list = perStep[name] ?? [];
    list.push(ms);
    perStep[name] = list;
    requests++;
    return r;
  };
  const codeOf = (r: { json: unknown }) => (r.json as { code?: string }).code ?? '';

  async function one(holderId: string, learn: boolean): Promise<void> {
    const created = await step('create', 'POST', '/api/v1/licence-applications', {
      tierCode: tier.code,
      holderKind: 'person',
      holderId,
      requestedAreaHectares: 1.5,
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
    const id = (created.json as { id: string }).id;
    const base = `/api/v1/licence-applications/${id}`;
    for (const s of ['submit', 'review'] as const) {
      const r = await step(s, 'POST', `${base}/${s}`);
      if (r.status !== 200) throw new Error(`${s}: ${r.status} ${JSON.stringify(r.json)}`);
    }
    if (sequence.has('checklist')) {
      for (const req of tier.requirements) {
        const r = await step('checklist', 'POST', `${base}/checklist`, { code: req.code, met: true });
        if (r.status !== 200) throw new Error(`checklist: ${r.status} ${JSON.stringify(r.json)}`);
      }
    }
    let decided = await step('decide', 'POST', `${base}/decision`, { outcome: 'approve' });
    if (decided.status !== 200 && learn && !sequence.has('checklist')) {
      log(`  approve answered ${decided.status} ${codeOf(decided)}: ticking the checklist first`);
      sequence.add('checklist');
      for (const req of tier.requirements)
        await step('checklist', 'POST', `${base}/checklist`, { code: req.code, met: true });
      decided = await step('decide', 'POST', `${base}/decision`, { outcome: 'approve' });
    }
    if (decided.status !== 200) throw new Error(`decide: ${decided.status} ${JSON.stringify(decided.json)}`);
    if (sequence.has('payment')) await pay(id, decided.json);
    let issued = await step('issue', 'POST', `${base}/issue`);
    if (issued.status === 409 && codeOf(issued) === 'licensing.fee_unpaid' && learn) {
      log('  issue answered 409 licensing.fee_unpaid: paying the fee first');
      sequence.add('payment');
      await pay(id, decided.json);
      issued = await step('issue', 'POST', `${base}/issue`);
    }
    if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${JSON.stringify(issued.json)}`);
  }

  async function pay(id: string, application: unknown) {
    const a = application as { feeAssessedMinor?: number | null; currency?: string | null };
    const r = await step('payment', 'POST', `/api/v1/licence-applications/${id}/payments`, {
      amountMinor: a.feeAssessedMinor ?? tier.fee.amountMinor,
      currency: a.currency ?? tier.fee.currency,
      method: 'mobile_money',
      reference: `BENCH-${id.slice(-12)}`,
    });
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`payment: ${r.status} ${JSON.stringify(r.json)}`);
  }

  log(`issuing: learning the sequence on one licence`);
  await one(holders[0]!, true);
  latencies.length = 0;
  for (const k of Object.keys(perStep)) delete perStep[k];
  requests = 0;
  log(
    `issuing ${count.toLocaleString('en')} licences, ${concurrency} at a time: ${ORDER.filter((s) => sequence.has(s)).join(' → ')}`,
  );
  let next = 1;
  let done = 0;
  const t0 = performance.now();
  const workers = Array.from({ length: concurrency }, async () => {
    while (next <= count) {
      const holder = holders[next++]!;
      try {
        await one(holder, false);
        done++;
        if (done % 1000 === 0) log(`  ${done} issued, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      } catch (err) {
        const key = (err as Error).message.slice(0, 300);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  });
  await Promise.all(workers);
  const seconds = (performance.now() - t0) / 1000;
  return {
    licences: done,
    concurrency,
    sequence: ORDER.filter((s) => sequence.has(s)),
    requests,
    seconds: round(seconds, 1),
    licencesPerSecond: round(done / seconds, 1),
    requestsPerSecond: round(requests / seconds, 1),
    requestLatency: roundSummary(latencySummary(Float64Array.from(latencies))),
    stepLatencyP50: Object.fromEntries(
      Object.entries(perStep).map(([k, v]) => [k, round(latencySummary(Float64Array.from(v)).p50)]),
    ),
    errors,
  };
}

// ── Report ───────────────────────────────────────────────────────────────────────────────────────

function summaryTable(reports: DatabaseReport[]): string {
  const rows: [string, ...string[]][] = [['Figure', ...reports.map((r) => r.kind)]];
  const add = (label: string, f: (r: DatabaseReport) => string) => rows.push([label, ...reports.map(f)]);
  const lat = (t?: Timed) => (t ? `${t.latency.p50} / ${t.latency.p95} / ${t.latency.p99}` : '–');
  const n = (x: number) => x.toLocaleString('en');
  add(
    'People / enterprises / members',
    (r) => `${n(r.counts.people!)} / ${n(r.counts.enterprises!)} / ${n(r.counts.members!)}`,
  );
  add('Applications / licences', (r) => `${n(r.counts.applications!)} / ${n(r.counts.licences!)}`);
  add('Generation, s (incl. index builds, VACUUM ANALYZE)', (r) => String(r.generationSeconds));
  add('Name search, API p50 / p95 / p99 (ms)', (r) => lat(r.people?.api));
  add('Name search, direct SQL p50 / p95 / p99 (ms)', (r) => lat(r.people?.direct));
  add('Name search, API / SQL at p50 · p95', (r) =>
    r.people ? `${r.people.ratioP50} · ${r.people.ratioP95}` : '–',
  );
  add('Name search, mean answers · typed name found: full name · family only', (r) =>
    r.people
      ? `${r.people.api.meanRows} · ${(r.people.recallFullName! * 100).toFixed(1)} % · ${(r.people.recallFamilyOnly! * 100).toFixed(1)} %`
      : '–',
  );
  add('Name search before 0012, SQL p50 / p95 / p99 (ms)', (r) =>
    r.people?.previous
      ? `${r.people.previous.latency.p50} / ${r.people.previous.latency.p95} / ${r.people.previous.latency.p99}`
      : '–',
  );
  add('Same answers as before 0012 (terms)', (r) =>
    r.people?.previous ? `${r.people.previous.sameAnswers} / ${r.people.previous.terms}` : '–',
  );
  add('Licence number, API p50 / p95 / p99 (ms)', (r) => lat(r.licences?.api));
  add('Licence number, direct SQL p50 / p95 / p99 (ms)', (r) => lat(r.licences?.direct));
  add('Licence number, API / SQL at p50 · p95', (r) =>
    r.licences ? `${r.licences.ratioP50} · ${r.licences.ratioP95}` : '–',
  );
  add('Licences issued via API (concurrency)', (r) =>
    r.issue ? `${n(r.issue.licences)} (${r.issue.concurrency})` : '–',
  );
  add('Issuance licences/s · requests/s', (r) =>
    r.issue ? `${r.issue.licencesPerSecond} · ${r.issue.requestsPerSecond}` : '–',
  );
  add('Issuance request p50 / p95 / p99 (ms)', (r) =>
    r.issue
      ? `${r.issue.requestLatency.p50} / ${r.issue.requestLatency.p95} / ${r.issue.requestLatency.p99}`
      : '–',
  );
  add(
    'Load average (1 min) before → after',
    (r) => `${r.loadAverage[0]![0]} → ${r.loadAverage[1]?.[0] ?? '?'}`,
  );
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(rows[0]!),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const m = machine();
  log(`${m.cpus} CPUs, ${m.memoryGiB} GiB, Node ${m.node}; scale ${flags.scale}`);
  const reports: DatabaseReport[] = [];
  for (const kind of flags.dbs) {
    const r = await runOn(kind, flags);
    if (!r) continue;
    reports.push(r);
    console.log(`\n── ${kind}: generation ──`);
    for (const s of r.generation)
      console.log(
        `  ${s.step.padEnd(48)} ${String(s.rows).padStart(9)} rows ${s.seconds.toFixed(1).padStart(7)} s`,
      );
    if (r.people) console.log(`\n── ${kind}: EXPLAIN ANALYZE, name search ──\n${r.people.explain}`);
    if (r.licences) console.log(`\n── ${kind}: EXPLAIN ANALYZE, licence number ──\n${r.licences.explain}`);
    if (r.issue)
      console.log(
        `\n── ${kind}: issuance, ${r.issue.sequence.join(' → ')}; median ms per request: ${JSON.stringify(r.issue.stepLatencyP50)}`,
      );
    if (r.issue && Object.keys(r.issue.errors).length)
      console.log(`\nissuance errors: ${JSON.stringify(r.issue.errors)}`);
  }
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  console.log(`\nnpm run bench:registry, ${new Date().toISOString()}, ${totalSeconds} s in all\n`);
  console.log(summaryTable(reports));
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`registry-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine: m, flags, totalSeconds, reports }, null, 2)}\n`,
  );
  log(`results written to ${file.pathname}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
