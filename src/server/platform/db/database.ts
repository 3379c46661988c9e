import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../../config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { PgliteSessionPool, type PoolClientLike, type PoolLike } from './pglite-pool.ts';
import type { DB } from './schema.ts';

/**
 * One database interface over the embedded PGlite and a PostgreSQL server. Application queries run
 * as the least-privileged role (`APP_DB_ROLE`); migrations and the few owner-only tasks run through
 * `asOwner`. Values come back the same from both: int8 as a JS number (refusing unsafe ones),
 * numeric as a string, date as 'YYYY-MM-DD', timestamptz as Date.
 */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Kysely<DB>;
  pool: PoolLike;
  appRole: string;
  /** Runs fn on one connection with the schema owner's rights (migrations, grants, test tampering). */
  asOwner<T>(fn: (client: PoolClientLike) => Promise<T>): Promise<T>;
  /** Calls fn on each NOTIFY on the channel (delivered after the notifying transaction commits). */
  listen(channel: string, fn: () => void): Promise<() => Promise<void>>;
  /** PGlite only: the whole data directory as a gzipped tarball (test templates, backups). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export function parseInt8(value: string | number | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is outside the safe integer range`);
  return n;
}

const OID = { int8: 20, date: 1082 } as const;

export async function openDatabase(config: Pick<Config, 'database' | 'appDbRole'>): Promise<Database> {
  return config.database.kind === 'pglite'
    ? openPglite(config.database.dataDir, config.appDbRole)
    : openPostgres(config.database.url, config.database.appUrl, config.database.poolSize, config.appDbRole);
}

export async function openPglite(
  dataDir: string | null,
  appRole: string,
  loadDataDir?: Blob | File,
): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const unlock = dataDir ? lockDataDir(dataDir, process.argv.slice(1, 3).join(' ')) : () => {};
  const options = {
    extensions: { pg_trgm },
    parsers: { [OID.int8]: (v: string) => parseInt8(v), [OID.date]: (v: string) => v },
    ...(loadDataDir ? { loadDataDir } : {}),
  };
  let pglite: PGlite;
  try {
    pglite = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
  } catch (err) {
    unlock();
    throw err;
  }
  const pool = new PgliteSessionPool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });
  let roleSet = false;
  const database: Database = {
    kind: 'pglite',
    db,
    pool,
    appRole,
    async asOwner(fn) {
      const client = await pool.connect();
      try {
        await client.query('RESET ROLE');
        return await fn(client);
      } finally {
        if (roleSet) await client.query(`SET ROLE ${appRole}`);
        client.release();
      }
    },
    async listen(channel, fn) {
      return pglite.listen(channel, fn);
    },
    async dump() {
      const client = await pool.connect();
      try {
        return await pglite.dumpDataDir('gzip');
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
      await pglite.close();
      unlock();
    },
  };
  // After migrations create the role, every later query runs with its rights only.
  (database as DatabaseInternals).dropPrivileges = async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET ROLE ${appRole}`);
      roleSet = true;
    } finally {
      client.release();
    }
  };
  return database;
}

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === OID.int8) return (v: string) => parseInt8(v);
      if (oid === OID.date) return (v: string) => v;
      return pg.types.getTypeParser(oid, format as 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export async function openPostgres(
  url: string,
  appUrl: string | null,
  poolSize: number,
  appRole: string,
): Promise<Database> {
  const types = pgTypes();
  const ownerPool = new pg.Pool({ connectionString: url, max: 2, types });
  // With a separate login for the application, the server enforces least privilege by itself; with
  // one URL, every application connection starts already switched to the application role (the
  // role GUC set at connection start). Pools connect lazily: the first query comes after migrate().
  const appPool = new pg.Pool({
    connectionString: appUrl ?? url,
    max: poolSize,
    types,
    ...(appUrl ? {} : { options: `-c role=${appRole}` }),
  });
  // An idle connection can be cut by the server (restart, failover, an administrator). pg then
  // drops it from the pool and emits 'error' on the pool; unheard, that event would end the process.
  // The next query opens a new connection, so noting it is enough.
  for (const pool of [appPool, ownerPool]) {
    pool.on('error', (err) => {
      if (!pool.ended) console.error(`[openasm] database connection lost: ${err.message}`);
    });
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: appPool }) });
  const database: Database = {
    kind: 'postgres',
    db,
    pool: appPool as unknown as PoolLike,
    appRole,
    async asOwner(fn) {
      const client = await ownerPool.connect();
      try {
        return await fn(client as unknown as PoolClientLike);
      } finally {
        client.release();
      }
    },
    async listen(channel, fn) {
      return listenOnServer(appUrl ?? url, appUrl ? null : appRole, channel, fn);
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ever used it; pg-boss may have used it alone.
      if (!appPool.ended) await appPool.end();
      await ownerPool.end();
    },
  };
  (database as DatabaseInternals).dropPrivileges = async () => {};
  return database;
}

/**
 * A dedicated connection that LISTENs, reconnecting after a failure. While it is down, fn is
 * called once on each failure (callers treat a missed notification as "anything may have changed").
 */
async function listenOnServer(
  connectionString: string,
  role: string | null,
  channel: string,
  fn: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString, ...(role ? { options: `-c role=${role}` } : {}) });
    c.on('notification', (msg) => {
      if (msg.channel === channel) fn();
    });
    c.on('error', () => {
      fn();
      client = null;
      if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}

export interface DatabaseInternals extends Database {
  dropPrivileges(): Promise<void>;
}
