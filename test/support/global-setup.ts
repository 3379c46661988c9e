import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/server/platform/db/database.ts';
import { migrate } from '../../src/server/platform/db/migrate.ts';
import { APP_ROLE, databaseUrl, TEMPLATE_DUMP, testDatabaseKind, testServerUrl } from './settings.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
  }
}

/**
 * Migrates once, then every test file starts from a copy: a dump of the data directory for PGlite,
 * a template database on the PostgreSQL server. The real migrations run either way.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (testDatabaseKind() === 'pglite') {
    const database = await openPglite(null, APP_ROLE);
    await migrate(database);
    const blob = await database.dump!();
    mkdirSync(dirname(TEMPLATE_DUMP), { recursive: true });
    writeFileSync(TEMPLATE_DUMP, Buffer.from(await blob.arrayBuffer()));
    await database.close();
    project.provide('pgTemplate', null);
    return async () => {};
  }
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  const template = `openasm_tpl_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const database = await openPostgres(databaseUrl(template), null, 2, APP_ROLE);
  await migrate(database);
  await database.close();
  // A closed client's backend can linger for a moment; CREATE DATABASE … TEMPLATE needs it gone.
  for (let i = 0; i < 50; i++) {
    const r = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
      template,
    ]);
    if (r.rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  project.provide('pgTemplate', template);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  };
}
