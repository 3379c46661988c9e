import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database, DatabaseInternals } from './database.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Any constant: the key of the advisory lock that keeps two starting servers from migrating at once. */
const LOCK_KEY = 4_206_211;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = FILE.exec(file)!;
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(version),
        name: name!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export class MigrationError extends Error {}

/**
 * Applies the numbered SQL files not yet applied, each in its own transaction, as the schema
 * owner; then hands the application its least-privileged role. Returns the versions applied.
 */
export async function migrate(database: Database, migrations = listMigrations()): Promise<number[]> {
  const applied = await database.asOwner(async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    try {
      const done = new Map(
        (await client.query('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
          Number(r.version),
          String(r.checksum),
        ]),
      );
      const versions: number[] = [];
      for (const m of migrations) {
        const known = done.get(m.version);
        if (known !== undefined) {
          if (known !== m.checksum) {
            throw new MigrationError(
              `migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        const sql = m.sql.replaceAll('{{app_role}}', database.appRole);
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new MigrationError(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
        }
        versions.push(m.version);
      }
      await client.query(`GRANT SELECT ON schema_migrations TO ${database.appRole}`);
      return versions;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    }
  });
  await (database as DatabaseInternals).dropPrivileges();
  return applied;
}
