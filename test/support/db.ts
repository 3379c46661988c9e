import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import {
  type Database,
  type DatabaseInternals,
  openPglite,
  openPostgres,
} from '../../src/server/platform/db/database.ts';
import { migrate } from '../../src/server/platform/db/migrate.ts';
import { APP_ROLE, databaseUrl, TEMPLATE_DUMP, testDatabaseKind, testServerUrl } from './settings.ts';

/**
 * A fresh, migrated database for one test file: PGlite in memory loaded from the migrated dump, or
 * a new database on the server copied from the migrated template. Close it in afterAll.
 */
export async function createTestDatabase(): Promise<Database> {
  if (testDatabaseKind() === 'pglite') {
    const dump = new Blob([readFileSync(TEMPLATE_DUMP)]);
    const database = await openPglite(null, APP_ROLE, dump);
    // The dump holds the schema and the role; running migrate() again applies nothing and drops privileges.
    await migrate(database);
    return database;
  }
  const template = inject('pgTemplate');
  if (!template) throw new Error('global setup did not create a template database');
  const name = `openasm_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const database = await openPostgres(databaseUrl(name), null, 5, APP_ROLE);
  await (database as DatabaseInternals).dropPrivileges();
  const close = database.close.bind(database);
  database.close = async () => {
    await close();
    const c = new pg.Client({ connectionString: testServerUrl() });
    await c.connect();
    // Let the closed pools' backends exit before dropping, so none is killed mid-goodbye.
    for (let i = 0; i < 50; i++) {
      const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await c.end();
  };
  return database;
}

export { migrate };
