import Fastify from 'fastify';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import { createRng } from '../generate.ts';
import type { BenchDatabase } from './databases.ts';
import { type LoadRun, runLoad } from './load.ts';
import type { Seeded } from './seed.ts';
import { type LoadResult, round } from './stats.ts';

export interface HttpOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** How many distinct user ids the GETs cycle through. */
  distinctIds: number;
  seed: number;
}

export interface HttpResult {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  distinctIds: number;
  ceiling: LoadResult & { serverEventLoopUtilisation: number };
  app: LoadResult & { serverEventLoopUtilisation: number };
  /** app rps / ceiling rps. */
  ratio: number;
  /** SQL statements the app sends per GET /api/v1/users/:id, counted through Kysely. */
  statementsPerRequest: number;
}

const HOST = '127.0.0.1';

/** Counts statements compiled through Kysely (BEGIN/COMMIT of transactions are not included). */
class CountingPlugin implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/**
 * The ceiling: a bare Fastify answering a constant, measured with the same client, concurrency and
 * duration, right before the app. The ratio says how much of what this machine's HTTP stack can
 * do the application keeps once it authenticates, queries and serialises.
 */
async function measureCeiling(opts: HttpOptions): Promise<LoadRun> {
  const bare = Fastify();
  bare.get('/c', async () => ({ ok: true }));
  await bare.listen({ port: 0, host: HOST });
  try {
    const port = portOf(bare.server.address());
    return await runLoad({
      host: HOST,
      port,
      paths: ['/c'],
      headers: {},
      concurrency: opts.concurrency,
      warmupMs: opts.warmupMs,
      durationMs: opts.durationMs,
    });
  } finally {
    await bare.close();
  }
}

function portOf(address: ReturnType<import('node:net').Server['address']>): number {
  if (!address || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return address.port;
}

export async function benchHttp(
  bench: BenchDatabase,
  seeded: Seeded,
  opts: HttpOptions,
): Promise<HttpResult> {
  const ceiling = await measureCeiling(opts);

  const counter = new CountingPlugin();
  const database: Database = { ...bench.database, db: bench.database.db.withPlugin(counter) };
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'off', ...bench.env });
  const app = await buildApp({ config, database });
  await app.listen({ port: 0, host: HOST });
  try {
    const port = portOf(app.server.address());
    const base = `http://${HOST}:${port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: seeded.supervisor.phone, password: seeded.supervisor.password }),
    });
    if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };

    // A fixed list of ids, the same for every run with this seed, requested round-robin.
    const rng = createRng(opts.seed).fork('http-ids');
    const ids = Array.from({ length: Math.min(opts.distinctIds, seeded.users.length) }, () =>
      rng.pick(seeded.users),
    ).map((u) => u.id);
    const paths = ids.map((id) => `/api/v1/users/${id}`);

    // Check the answers are real, and count the statements each one costs.
    const probes = Math.min(50, paths.length);
    const before = counter.count;
    for (let i = 0; i < probes; i++) {
      const res = await fetch(`${base}${paths[i]}`, { headers });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 200 || body.id !== ids[i]) {
        throw new Error(`GET ${paths[i]} answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      }
    }
    const statementsPerRequest = (counter.count - before) / probes;

    const run = await runLoad({
      host: HOST,
      port,
      paths,
      headers,
      concurrency: opts.concurrency,
      warmupMs: opts.warmupMs,
      durationMs: opts.durationMs,
    });
    return {
      concurrency: opts.concurrency,
      warmupSeconds: opts.warmupMs / 1000,
      seconds: opts.durationMs / 1000,
      distinctIds: ids.length,
      ceiling: { ...ceiling.result, serverEventLoopUtilisation: ceiling.serverEventLoopUtilisation },
      app: { ...run.result, serverEventLoopUtilisation: run.serverEventLoopUtilisation },
      ratio: round(run.result.rps / ceiling.result.rps, 4),
      statementsPerRequest,
    };
  } finally {
    await app.close();
  }
}
