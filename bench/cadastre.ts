/**
 * `npm run bench:cadastre`: the overlap check of an application area against 200,000 synthetic
 * licence areas in one country (issue 5), its ratio to a brute-force scan, the same overlaps in
 * PostGIS as a reference where the server has it, and the import of the 2,973 DRC titles of 2016.
 * See bench/README.md, "Cadastre".
 *
 *   --licences=N      synthetic licence areas (default 200,000)
 *   --checks=N        application areas checked through the API (default 400)
 *   --brute=N         applications also checked by brute force against every area (default 5)
 *   --rivers=N        river valleys the licences cluster along (default 150; fewer is more crowded)
 *
 * BENCH_DATABASE_URL points at the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 * the bench creates a database openasm_bench_<pid> there and drops it at the end. PostGIS, when the
 * server has it, is created in that database only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { candidatesFor, insertLayer } from '../src/server/modules/cadastre/repo.ts';
import { loadProfileByName } from '../src/server/modules/profiles/loader.ts';
import { ensureDefaultRoles } from '../src/server/modules/roles/repo.ts';
import { createAuditLog } from '../src/server/platform/audit/audit.ts';
import { hashPassword } from '../src/server/platform/auth/passwords.ts';
import { systemClock } from '../src/server/platform/clock.ts';
import { systemContext } from '../src/server/platform/context.ts';
import type { PoolClientLike } from '../src/server/platform/db/pglite-pool.ts';
import { overlap } from '../src/shared/geo/clip.ts';
import { area, bbox as bboxOf } from '../src/shared/geo/measure.ts';
import { boxLiteral } from '../src/shared/geo/prefilter.ts';
import type { BBox, PolygonGeometry } from '../src/shared/geo/types.ts';
import { uuidv7 } from '../src/shared/ids.ts';
import { sharedDataFile } from '../test/support/shared-data.ts';
import { createRng, type Rng } from './generate.ts';
import { openBenchPostgres } from './lib/databases.ts';
import { machine } from './lib/report.ts';
import { type LatencySummary, latencySummary, round } from './lib/stats.ts';

const log = (msg: string) => process.stderr.write(`[bench:cadastre] ${msg}\n`);
const PASSWORD = 'bench password, not a secret';
const ADMIN_PHONE = '+233209990001';
const SEED = 20_261_128;
const METRES_PER_DEGREE = 111_320;
/** Ghana, roughly: the synthetic licences fall inside it. */
const GHANA: BBox = [-3.2, 4.8, 1.1, 11.1];

interface Flags {
  licences: number;
  checks: number;
  brute: number;
  rivers: number;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { licences: 200_000, checks: 400, brute: 5, rivers: 150 };
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string | undefined];
    const n = Number(value);
    if (name === '--licences' && Number.isInteger(n) && n > 0) flags.licences = n;
    else if (name === '--checks' && Number.isInteger(n) && n >= 20) flags.checks = n;
    else if (name === '--brute' && Number.isInteger(n) && n >= 0) flags.brute = n;
    else if (name === '--rivers' && Number.isInteger(n) && n > 0) flags.rivers = n;
    else {
      console.error(
        `unknown flag ${arg}\nusage: npm run bench:cadastre -- [--licences=N] [--checks=N] [--brute=N] [--rivers=N]`,
      );
      process.exit(2);
    }
  }
  return flags;
}

// ── Synthetic shapes ─────────────────────────────────────────────────────────────────────────────

/** Standard normal deviate (Box–Muller). */
const gauss = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/**
 * An irregular quadrilateral or pentagon of about `hectares` around (lon, lat): vertices at sorted
 * angles (counter-clockwise, as RFC 7946 wants the exterior) with radii varying by ±30 %.
 */
function irregularPolygon(rng: Rng, lon: number, lat: number, hectares: number): PolygonGeometry {
  const sides = rng.chance(0.5) ? 4 : 5;
  const angles = Array.from(
    { length: sides },
    (_, i) => ((i + 0.25 + rng.next() * 0.5) * 2 * Math.PI) / sides,
  );
  const radii = angles.map(() => 0.7 + rng.next() * 0.6);
  // Area of the polygon for unit mean radius, to scale it to the wanted hectares.
  let unit = 0;
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    unit += 0.5 * radii[i]! * radii[j]! * Math.sin((angles[j]! - angles[i]! + 2 * Math.PI) % (2 * Math.PI));
  }
  const r = Math.sqrt((hectares * 10_000) / unit);
  const kx = 1 / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
  const ky = 1 / METRES_PER_DEGREE;
  const ring = angles.map((a, i): [number, number] => [
    round(lon + r * radii[i]! * Math.cos(a) * kx, 7),
    round(lat + r * radii[i]! * Math.sin(a) * ky, 7),
  ]);
  ring.push([ring[0]![0], ring[0]![1]]);
  return { type: 'Polygon', coordinates: [ring] };
}

interface River {
  points: [number, number][];
}

/** Rivers as random walks across the country: licences cluster along them, as alluvial workings do. */
function rivers(rng: Rng, count: number): River[] {
  return Array.from({ length: count }, () => {
    let lon = GHANA[0] + rng.next() * (GHANA[2] - GHANA[0]);
    let lat = GHANA[1] + rng.next() * (GHANA[3] - GHANA[1]);
    let heading = rng.next() * 2 * Math.PI;
    const points: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      points.push([lon, lat]);
      heading += gauss(rng) * 0.3;
      lon = Math.min(GHANA[2], Math.max(GHANA[0], lon + Math.cos(heading) * 0.005));
      lat = Math.min(GHANA[3], Math.max(GHANA[1], lat + Math.sin(heading) * 0.005));
    }
    return { points };
  });
}

interface Synthetic {
  id: string;
  geometry: PolygonGeometry;
  bbox: BBox;
  areaM2: number;
}

/** 90 % of the licences within ~2 km of a river (they overlap where valleys are crowded), 10 % scattered. */
function generateLicences(rng: Rng, n: number, valleys: River[]): Synthetic[] {
  const out: Synthetic[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let lon: number;
    let lat: number;
    if (rng.next() < 0.9) {
      const river = rng.pick(valleys);
      const [x, y] = river.points[rng.int(river.points.length)]!;
      lon = x + (gauss(rng) * 2_000) / METRES_PER_DEGREE;
      lat = y + (gauss(rng) * 2_000) / METRES_PER_DEGREE;
    } else {
      lon = GHANA[0] + rng.next() * (GHANA[2] - GHANA[0]);
      lat = GHANA[1] + rng.next() * (GHANA[3] - GHANA[1]);
    }
    const geometry = irregularPolygon(rng, lon, lat, 1 + rng.next() * 19);
    out[i] = { id: uuidv7(), geometry, bbox: bboxOf(geometry), areaM2: area(geometry) };
  }
  return out;
}

/** Application areas of 1–10 ha: 60 % next to an existing licence (a conflict is likely), 40 % anywhere. */
function generateApplications(rng: Rng, n: number, licences: Synthetic[]): PolygonGeometry[] {
  return Array.from({ length: n }, () => {
    let lon: number;
    let lat: number;
    if (rng.next() < 0.6) {
      const near = rng.pick(licences).bbox;
      lon = (near[0] + near[2]) / 2 + (gauss(rng) * 300) / METRES_PER_DEGREE;
      lat = (near[1] + near[3]) / 2 + (gauss(rng) * 300) / METRES_PER_DEGREE;
    } else {
      lon = GHANA[0] + rng.next() * (GHANA[2] - GHANA[0]);
      lat = GHANA[1] + rng.next() * (GHANA[3] - GHANA[1]);
    }
    return irregularPolygon(rng, lon, lat, 1 + rng.next() * 9);
  });
}

// ── Measuring ────────────────────────────────────────────────────────────────────────────────────

const summary = (values: number[]): LatencySummary => {
  const s = latencySummary(Float64Array.from(values));
  return { p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), max: round(s.max), mean: round(s.mean) };
};

interface Report {
  date: string;
  machine: ReturnType<typeof machine>;
  flags: Flags;
  describe: Record<string, string | number | boolean>;
  generation: Record<string, number>;
  failedChecks?: { status: number; code: string; geometry: PolygonGeometry; candidates: unknown[] }[];
  api?: {
    latency: LatencySummary;
    serverMs: LatencySummary;
    meanCandidates: number;
    meanOverlaps: number;
    withOverlap: number;
    failures: number;
  };
  direct?: { latency: LatencySummary };
  ratioApiToSql?: { p50: number; p95: number };
  brute?: { applications: number; meanMs: number; sameOverlaps: number; ratioToApiP50: number };
  postgis?:
    | { version: string; setupSeconds: number; latency: LatencySummary; method: string; sameOverlaps: number }
    | { skipped: string };
  drcImport?:
    | { features: number; seconds: number; requests: { layer: string; features: number; seconds: number }[] }
    | { skipped: string };
  explain?: string;
  loadAverage: number[][];
  totalSeconds?: number;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const m = machine();
  log(
    `${m.cpus} CPUs, ${m.memoryGiB} GiB, Node ${m.node}; ${flags.licences.toLocaleString('en')} licence areas`,
  );
  const opened = await openBenchPostgres();
  if ('unavailable' in opened) {
    log(`skipped: PostgreSQL not reachable (${opened.unavailable})`);
    return;
  }
  const { database } = opened;
  const report: Report = {
    date: new Date().toISOString(),
    machine: m,
    flags,
    describe: opened.describe,
    generation: {},
    loadAverage: [os.loadavg().map((n) => round(n))],
  };
  const owner = <T>(fn: (c: PoolClientLike) => Promise<T>) => database.asOwner(fn);
  const query = async <R = Record<string, unknown>>(
    c: PoolClientLike,
    text: string,
    values: unknown[] = [],
  ) => (await c.query(text, values)) as unknown as { rows: R[] };
  try {
    // What bootstrap does (without the demo accounts): roles and the profiles with their areas.
    const audit = createAuditLog({ clock: systemClock });
    await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
    await loadProfileByName(database, audit, systemContext('bench:cadastre'), 'ghana', log);
    await loadProfileByName(database, audit, systemContext('bench:cadastre'), 'drc', log);
    const countries = await database.db
      .selectFrom('admin_areas')
      .select(['id', 'country'])
      .where('level', '=', 0)
      .where('country', 'in', ['GH', 'CD'])
      .execute();
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
          area_id: countries.find((c) => c.country === 'GH')!.id,
        })
        .execute();
      for (const c of countries)
        await tx
          .insertInto('user_assignments')
          .values({ id: uuidv7(), user_id: adminId, role_code: 'system_admin', area_id: c.id })
          .execute();
    });

    // ── 200,000 licence areas, inserted in batches of 20,000 through unnest ──
    const rng = createRng(SEED);
    let t0 = performance.now();
    const licences = generateLicences(
      rng.fork('licences'),
      flags.licences,
      rivers(rng.fork('rivers'), flags.rivers),
    );
    report.generation.shapesSeconds = round((performance.now() - t0) / 1000, 1);
    const layerId = uuidv7();
    await insertLayer(database.db, {
      id: layerId,
      country: 'GH',
      kind: 'licence_area',
      name: 'Licence areas (synthetic, bench)',
      source: 'bench/cadastre.ts',
      licence: null,
      notes: null,
      created_by: adminId,
      created_at: new Date(),
    });
    t0 = performance.now();
    await owner(async (c) => {
      const BATCH = 20_000;
      for (let i = 0; i < licences.length; i += BATCH) {
        const part = licences.slice(i, i + BATCH);
        await query(
          c,
          `INSERT INTO cadastre_features (id, layer_id, external_ref, status, geometry, bbox, area_m2)
           SELECT id, $1, ref, 'active', geometry, box(point(e, n), point(w, s)), area_m2
             FROM unnest($2::uuid[], $3::text[], $4::jsonb[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[])
                  AS t(id, ref, geometry, w, s, e, n, area_m2)`,
          [
            layerId,
            part.map((l) => l.id),
            part.map((_, k) => `SYN-${i + k + 1}`),
            part.map((l) => JSON.stringify(l.geometry)),
            ...[0, 1, 2, 3].map((j) => part.map((l) => l.bbox[j]!)),
            part.map((l) => l.areaM2),
          ],
        );
      }
    });
    report.generation.insertSeconds = round((performance.now() - t0) / 1000, 1);
    t0 = performance.now();
    await owner((c) => query(c, 'VACUUM ANALYZE cadastre_features'));
    await owner((c) => query(c, 'VACUUM ANALYZE cadastre_layers'));
    report.generation.vacuumSeconds = round((performance.now() - t0) / 1000, 1);
    const overlapping = await owner((c) =>
      query<{ n: number }>(
        c,
        `SELECT count(*)::int AS n FROM cadastre_features a
          WHERE EXISTS (SELECT 1 FROM cadastre_features b WHERE b.bbox && a.bbox AND b.id <> a.id)`,
      ),
    );
    report.generation.licencesWithOverlappingBox = overlapping.rows[0]!.n;
    log(`generated in ${JSON.stringify(report.generation)}`);

    const applications = generateApplications(rng.fork('applications'), flags.checks, licences);

    // ── The check over HTTP, paired with its candidate query directly ──
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      JOBS: 'off',
      ...opened.env,
    });
    const app = await buildApp({ config, database });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const overlapsByApp: Map<number, Set<string>> = new Map();
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
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      type CheckAnswer = { candidates: number; ms: number; overlaps: { featureId: string }[] };
      const failures: { status: number; code: string; geometry: PolygonGeometry; candidates: unknown[] }[] =
        [];
      const check = async (g: PolygonGeometry): Promise<CheckAnswer> => {
        const r = await post('/api/v1/cadastre/checks', { country: 'GH', geometry: g });
        if (r.status === 200) return r.json as unknown as CheckAnswer;
        // A failed check is counted and kept for the report (the geometry reproduces it), not fatal.
        const near = await candidatesFor(database.db, 'GH', bboxOf(g));
        failures.push({
          status: r.status,
          code: String(r.json.code),
          geometry: g,
          candidates: near.map((c) => c.geometry),
        });
        return { candidates: 0, ms: 0, overlaps: [] };
      };
      const direct = (g: PolygonGeometry) => candidatesFor(database.db, 'GH', bboxOf(g));

      log(`${applications.length} checks through the API, each paired with its candidate query`);
      for (const g of applications.slice(0, 30)) {
        await check(g);
        await direct(g);
      }
      const apiMs: number[] = [];
      const serverMs: number[] = [];
      const directMs: number[] = [];
      const candidatesByApp: number[] = [];
      let candidates = 0;
      let overlaps = 0;
      let withOverlap = 0;
      for (const [i, g] of applications.entries()) {
        const runApi = async () => {
          const t = performance.now();
          const a = await check(g);
          apiMs.push(performance.now() - t);
          serverMs.push(a.ms);
          candidates += a.candidates;
          candidatesByApp[i] = a.candidates;
          overlaps += a.overlaps.length;
          if (a.overlaps.length) withOverlap++;
          overlapsByApp.set(i, new Set(a.overlaps.map((o) => o.featureId)));
        };
        const runDirect = async () => {
          const t = performance.now();
          await direct(g);
          directMs.push(performance.now() - t);
        };
        if (i % 2 === 0) {
          await runApi();
          await runDirect();
        } else {
          await runDirect();
          await runApi();
        }
      }
      report.api = {
        latency: summary(apiMs),
        serverMs: summary(serverMs),
        meanCandidates: round(candidates / applications.length, 1),
        meanOverlaps: round(overlaps / applications.length, 2),
        withOverlap,
        failures: failures.length,
      };
      report.failedChecks = failures.slice(0, 5);
      report.direct = { latency: summary(directMs) };
      report.ratioApiToSql = {
        p50: round(report.api.latency.p50 / report.direct.latency.p50),
        p95: round(report.api.latency.p95 / report.direct.latency.p95),
      };
      log(`API ${JSON.stringify(report.api)}; SQL ${JSON.stringify(report.direct)}`);

      // The plan of the candidate query for the application with the most candidates.
      const most = candidatesByApp.indexOf(Math.max(...candidatesByApp));
      const busiest = applications[Math.max(0, most)]!;
      const b = bboxOf(busiest);
      report.explain = (
        await owner((c) =>
          query<{ 'QUERY PLAN': string }>(
            c,
            `EXPLAIN (ANALYZE, BUFFERS) SELECT f.id, f.layer_id, f.external_ref, f.name, f.status, f.geometry, f.allowed_tiers,
                    l.kind, l.name FROM cadastre_features f JOIN cadastre_layers l ON l.id = f.layer_id
              WHERE l.country = 'GH' AND f.bbox && $1::box ORDER BY f.id`,
            [boxLiteral(b)],
          ),
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');

      // ── Brute force: the application against every licence area in memory, no prefilter ──
      if (flags.brute > 0) {
        log(`brute force: ${flags.brute} applications × ${licences.length.toLocaleString('en')} areas`);
        const times: number[] = [];
        let same = 0;
        // Applications that overlap something (the brute force must find the same), then empty land.
        const indices = [...applications.keys()].sort(
          (a, b) =>
            Number((overlapsByApp.get(b)?.size ?? 0) > 0) - Number((overlapsByApp.get(a)?.size ?? 0) > 0),
        );
        const picked = [...indices.slice(0, flags.brute - 1), indices.at(-1)!];
        for (const i of picked) {
          const g = applications[i]!;
          const t = performance.now();
          const found = new Set<string>();
          for (const l of licences) {
            const o = overlap(g, l.geometry);
            if (o.geometry && o.areaM2 > 0) found.add(l.id);
          }
          times.push(performance.now() - t);
          const viaApi = overlapsByApp.get(i) ?? new Set();
          if (found.size === viaApi.size && [...found].every((id) => viaApi.has(id))) same++;
          log(`  application ${i}: ${(times.at(-1)! / 1000).toFixed(1)} s, ${found.size} overlaps`);
        }
        const meanMs = times.reduce((s, x) => s + x, 0) / times.length;
        report.brute = {
          applications: flags.brute,
          meanMs: round(meanMs, 0),
          sameOverlaps: same,
          ratioToApiP50: round(meanMs / report.api.latency.p50, 0),
        };
      }

      // ── The DRC titles of 2016 through the import endpoint ──
      const titlesFile = sharedDataFile('cadastre/drc_cami_titres_2016.geojson');
      if (!titlesFile) {
        log('DRC import skipped: ../shared/data/cadastre/drc_cami_titres_2016.geojson not found');
        report.drcImport = { skipped: 'drc_cami_titres_2016.geojson not found' };
      } else {
        const titles = JSON.parse(readFileSync(titlesFile, 'utf8')).features as {
          properties: Record<string, string>;
          geometry: unknown;
        }[];
        const toImport = (f: (typeof titles)[number], i: number) => {
          const p = f.properties;
          const zone = p.type === 'ZEA';
          const date = (p.date_de1 ?? '').slice(0, 10);
          return {
            type: 'Feature',
            properties: {
              ...p,
              externalRef: `T${i}`,
              name: p.name,
              status: p.statut || 'active',
              ...(zone ? { allowedTiers: ['carte_exploitant_artisanal'] } : {}),
              ...(zone && /^\d{4}-\d\d-\d\d$/.test(date) ? { designationDate: date } : {}),
            },
            geometry: f.geometry,
          };
        };
        const requests: { layer: string; features: number; seconds: number }[] = [];
        for (const [kind, name, zone] of [
          ['lsm_title', 'CAMI titres 2016', false],
          ['asm_zone', 'CAMI ZEA 2016', true],
        ] as const) {
          const layer = await post('/api/v1/cadastre/layers', {
            country: 'CD',
            kind,
            name,
            source: 'CAMI via IPIS, 2016',
          });
          if (layer.status !== 201) throw new Error(`layer: ${layer.status} ${JSON.stringify(layer.json)}`);
          const features = titles.flatMap((f, i) =>
            (f.properties.type === 'ZEA') === zone ? [toImport(f, i)] : [],
          );
          // The body is serialised before the clock starts: a client sends a file it already has.
          const body = JSON.stringify({ type: 'FeatureCollection', features });
          const t = performance.now();
          const r = await post(`/api/v1/cadastre/layers/${layer.json.id as string}/import`, body);
          const seconds = (performance.now() - t) / 1000;
          if (r.status !== 200)
            throw new Error(`import: ${r.status} ${JSON.stringify(r.json).slice(0, 1000)}`);
          requests.push({ layer: name, features: features.length, seconds: round(seconds, 2) });
        }
        report.drcImport = {
          features: requests.reduce((s, r) => s + r.features, 0),
          seconds: round(
            requests.reduce((s, r) => s + r.seconds, 0),
            2,
          ),
          requests,
        };
        log(`DRC import ${JSON.stringify(report.drcImport)}`);
      }
    } finally {
      await app.close();
    }

    // ── PostGIS reference, in this bench database only ──
    report.postgis = await postgisReference(owner, query, applications, overlapsByApp, licences);
    report.loadAverage.push(os.loadavg().map((n) => round(n)));
  } finally {
    await opened.dispose();
  }
  report.totalSeconds = round((performance.now() - started) / 1000, 1);
  console.log(`\n── EXPLAIN ANALYZE, candidate query ──\n${report.explain ?? ''}`);
  console.log(`\n${JSON.stringify(report, (k, v) => (k === 'explain' ? undefined : v), 2)}`);
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`cadastre-${report.date.replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`results written to ${file.pathname}`);
}

type Owner = <T>(fn: (c: PoolClientLike) => Promise<T>) => Promise<T>;
type Query = <R = Record<string, unknown>>(
  c: PoolClientLike,
  text: string,
  values?: unknown[],
) => Promise<{ rows: R[] }>;

/**
 * The same overlaps in PostGIS: a geometry copy of the licence areas with a GiST index, and per
 * application ST_Intersection with each area whose geometry intersects it, measured as geography
 * (on the WGS 84 spheroid). Skipped, with the reason, when the server has no PostGIS.
 */
async function postgisReference(
  owner: Owner,
  query: Query,
  applications: PolygonGeometry[],
  overlapsByApp: Map<number, Set<string>>,
  licences: Synthetic[],
): Promise<NonNullable<Report['postgis']>> {
  try {
    const t0 = performance.now();
    const version = await owner(async (c) => {
      await query(c, 'CREATE EXTENSION IF NOT EXISTS postgis');
      await query(
        c,
        `CREATE TABLE bench_postgis_areas AS
           SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(geometry::text), 4326) AS geom
             FROM cadastre_features WHERE layer_id = (SELECT id FROM cadastre_layers WHERE country = 'GH' AND kind = 'licence_area')`,
      );
      await query(c, 'CREATE INDEX ON bench_postgis_areas USING gist (geom)');
      await query(c, 'VACUUM ANALYZE bench_postgis_areas');
      return (await query<{ v: string }>(c, 'SELECT postgis_lib_version() AS v')).rows[0]!.v;
    });
    const setupSeconds = round((performance.now() - t0) / 1000, 1);
    log(
      `PostGIS ${version}: ${licences.length.toLocaleString('en')} geometries indexed in ${setupSeconds} s`,
    );
    const statement = `WITH app AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
      SELECT a.id, ST_Area(ST_Intersection(a.geom, app.g)::geography) AS m2
        FROM bench_postgis_areas a, app
       WHERE a.geom && app.g AND ST_Intersects(a.geom, app.g)`;
    const times: number[] = [];
    let same = 0;
    await owner(async (c) => {
      for (const g of applications.slice(0, 30)) await query(c, statement, [JSON.stringify(g)]);
      for (const [i, g] of applications.entries()) {
        const t = performance.now();
        const r = await query<{ id: string; m2: number }>(c, statement, [JSON.stringify(g)]);
        times.push(performance.now() - t);
        const found = new Set(r.rows.filter((x) => x.m2 > 0).map((x) => x.id));
        const viaApi = overlapsByApp.get(i) ?? new Set();
        if (found.size === viaApi.size && [...found].every((id) => viaApi.has(id))) same++;
      }
    });
    return {
      version,
      setupSeconds,
      latency: summary(times),
      method:
        'ST_Intersects on a GiST-indexed geometry(4326) copy, ST_Area(ST_Intersection(..)::geography), one connection, direct SQL',
      sameOverlaps: same,
    };
  } catch (err) {
    const reason = (err as Error).message;
    log(`PostGIS reference skipped: ${reason}`);
    return { skipped: reason };
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
