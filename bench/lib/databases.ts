import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openPglite, openPostgres } from '../../src/server/platform/db/database.ts';
import { migrate } from '../../src/server/platform/db/migrate.ts';

export type DbKind = 'pglite' | 'postgres';

export const APP_ROLE = 'openasm_app';
/** Connections in the application's pool on PostgreSQL: the server default (DATABASE_POOL_SIZE). */
export const POOL_SIZE = 10;

export interface BenchDatabase {
  kind: DbKind;
  database: Database;
  /** What the figures were measured on, for the report. */
  describe: Record<string, string | number | boolean>;
  /** Environment for loadConfig, so the app's config names the database it really uses. */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function serverUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** PGlite in a fresh data directory on disk, as a deployment with DATA_DIR runs it; removed afterwards. */
export async function openBenchPglite(): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'openasm-bench-'));
  const database = await openPglite(join(dir, 'pglite'), APP_ROLE);
  await migrate(database);
  return {
    kind: 'pglite',
    database,
    describe: { engine: 'PGlite (WASM, in process)', storage: 'data directory on local disk' },
    env: { DATA_DIR: dir },
    async dispose() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database `openasm_bench_<pid>` on the server, migrated; dropped afterwards. Returns null
 * (with the reason) when the server cannot be reached. `reuse` opens a database a run kept instead
 * (migrated again, nothing dropped or created); `keep` leaves the database behind at the end, for
 * runs that take long to fill it.
 */
export async function openBenchPostgres(
  options: { reuse?: string; keep?: boolean } = {},
): Promise<BenchDatabase | { unavailable: string }> {
  const admin = new pg.Client({ connectionString: serverUrl(), connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { unavailable: (err as Error).message || String(err) };
  }
  if (options.reuse && !/^openasm_bench_\d+$/.test(options.reuse)) {
    await admin.end();
    return { unavailable: `not a bench database: ${options.reuse}` };
  }
  const name = options.reuse ?? `openasm_bench_${process.pid}`;
  const keep = Boolean(options.reuse || options.keep);
  let settings: Record<string, string> = {};
  try {
    const version = (await admin.query('SHOW server_version')).rows[0]?.server_version as string;
    for (const s of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_connections']) {
      settings[s] = String((await admin.query(`SHOW ${s}`)).rows[0]?.[s]);
    }
    settings = { version, ...settings };
    if (!options.reuse) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl(), name);
  const database = await openPostgres(url, null, POOL_SIZE, APP_ROLE);
  await migrate(database);
  return {
    kind: 'postgres',
    database,
    describe: {
      engine: `PostgreSQL ${settings.version ?? '?'}`,
      database: name,
      server: new URL(serverUrl()).host,
      poolSize: POOL_SIZE,
      synchronousCommit: settings.synchronous_commit ?? '?',
      fsync: settings.fsync ?? '?',
      sharedBuffers: settings.shared_buffers ?? '?',
    },
    env: { DATABASE_URL: url, DATABASE_POOL_SIZE: String(POOL_SIZE) },
    async dispose() {
      await database.close();
      if (keep) return;
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
