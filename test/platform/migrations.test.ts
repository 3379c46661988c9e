import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemClock } from '../../src/server/platform/clock.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import { listMigrations, MigrationError, migrate } from '../../src/server/platform/db/migrate.ts';
import { createTestDatabase } from '../support/db.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('migrations', () => {
  it('are numbered, applied once and recorded', async () => {
    const files = listMigrations();
    expect(files.map((m) => m.version)).toEqual([...files.keys()].map((i) => i + 1));
    expect(await migrate(database)).toEqual([]);
    const applied = await database.db
      .selectFrom('schema_migrations')
      .select(['version', 'checksum'])
      .orderBy('version')
      .execute();
    expect(applied.map((a) => a.checksum)).toEqual(files.map((f) => f.checksum));
  });

  it('refuse to run when an applied migration was edited', async () => {
    const edited = listMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(migrate(database, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(database, edited)).rejects.toThrow(/changed after it was applied/);
  });

  it('a failing migration leaves nothing behind', async () => {
    const broken = [
      ...listMigrations(),
      { version: 999, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT 1/0;', checksum: 'x' },
    ];
    await expect(migrate(database, broken)).rejects.toThrow(/999_broken failed/);
    const t = await database.asOwner((c) => c.query("SELECT to_regclass('public.half_done') AS t"));
    expect(t.rows[0]?.t).toBeNull();
    const v = await database.db
      .selectFrom('schema_migrations')
      .select('version')
      .where('version', '=', 999)
      .execute();
    expect(v).toEqual([]);
  });
});

describe('the application role', () => {
  it('is what the application runs as', async () => {
    const r = await sql<{ u: string }>`SELECT current_user AS u`.execute(database.db);
    expect(r.rows[0]?.u).toBe(database.appRole);
  });

  it('cannot change or delete audit events, nor create tables', async () => {
    await expect(sql`UPDATE audit_events SET action = 'x'`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`DELETE FROM audit_events`.execute(database.db)).rejects.toThrow(/permission denied/);
    await expect(sql`TRUNCATE audit_events`.execute(database.db)).rejects.toThrow(/permission denied/);
    await expect(sql`CREATE TABLE sneaky (x int)`.execute(database.db)).rejects.toThrow(/permission denied/);
    await expect(sql`DROP TABLE users`.execute(database.db)).rejects.toThrow(
      /must be owner|permission denied/,
    );
  });

  it('even the owner cannot update an audit event while the guard trigger is on', async () => {
    await expect(
      database.asOwner((c) => c.query("UPDATE audit_events SET action = 'x'")),
    ).resolves.toBeDefined(); // no rows yet
    await database.db.transaction().execute((tx) =>
      createAuditLog({ clock: systemClock }).record(tx, systemContext(), {
        action: 'test.event',
        entityType: 'test',
      }),
    );
    await expect(database.asOwner((c) => c.query("UPDATE audit_events SET action = 'x'"))).rejects.toThrow(
      /append-only/,
    );
  });

  it('no one, not even the owner, can truncate the audit trail', async () => {
    await expect(database.asOwner((c) => c.query('TRUNCATE audit_events'))).rejects.toThrow(/append-only/);
    await expect(database.asOwner((c) => c.query('TRUNCATE audit_checkpoints'))).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('permission migrations for existing installations', () => {
  it('0006 gives the registry rights to the system roles an older installation already has, once', async () => {
    const { ensureDefaultRoles } = await import('../../src/server/modules/roles/repo.ts');
    await database.db.transaction().execute((tx) => ensureDefaultRoles(tx));
    // An installation from before the registry: its roles lack the new permissions.
    await database.asOwner((c) =>
      c.query(
        "UPDATE roles SET permissions = array_remove(array_remove(array_remove(permissions, 'registry.read'), 'registry.write'), 'registry.sensitive.read')",
      ),
    );
    const sql0006 = listMigrations().find((m) => m.version === 6)!.sql;
    await database.asOwner((c) => c.query(sql0006));
    await database.asOwner((c) => c.query(sql0006));
    const roles = await database.db.selectFrom('roles').select(['code', 'permissions']).execute();
    const perms = Object.fromEntries(roles.map((r) => [r.code, r.permissions]));
    expect(perms.district_officer).toEqual(
      expect.arrayContaining(['registry.read', 'registry.write', 'registry.sensitive.read']),
    );
    expect(perms.auditor).toContain('registry.read');
    expect(perms.auditor).not.toContain('registry.write');
    expect(perms.community_monitor).not.toContain('registry.read');
    expect(perms.district_officer!.filter((p) => p === 'registry.read').length).toBe(1);
  });
});
