import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/server/cli/main.ts';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase } from '../../src/server/platform/db/database.ts';
import { databaseUrl, testDatabaseKind, testServerUrl } from '../support/settings.ts';

/**
 * The operator command against a real database of the suite's kind: an embedded one in a temporary
 * folder, or a fresh database on the server.
 */
let env: Record<string, string>;
let dir: string;
let dbName: string | null = null;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openasm-cli-'));
  env = { NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent' };
  if (testDatabaseKind() === 'postgres') {
    dbName = `openasm_cli_${process.pid}`;
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    env.DATABASE_URL = databaseUrl(dbName);
  }
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
  if (dbName) {
    const admin = new pg.Client({ connectionString: testServerUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
});

const output = () => lines.splice(0).join('');

describe('openasm CLI', () => {
  it('migrates, then finds nothing more to do', async () => {
    expect(await run(['migrate'], env)).toBe(0);
    expect(output()).toMatch(/applied migrations: 1/);
    expect(await run(['migrate'], env)).toBe(0);
    expect(output()).toMatch(/up to date/);
  });

  it('loads a profile once', async () => {
    expect(await run(['load-profile', 'ghana'], env)).toBe(0);
    expect(output()).toMatch(/loaded ghana .*: \d+ areas changed/);
    expect(await run(['load-profile', 'ghana'], env)).toBe(0);
    expect(output()).toMatch(/already loaded: nothing changed/);
  });

  it('creates and disables an account', async () => {
    expect(
      await run(
        [
          'user',
          'create',
          '--name',
          'Ama Boakye',
          '--phone',
          '+233244000001',
          '--area',
          'GH-AH',
          '--role',
          'regional_officer',
        ],
        { ...env, OPENASM_PASSWORD: 'a good long password' },
      ),
    ).toBe(0);
    expect(output()).toMatch(/created Ama Boakye/);
    await expect(
      run(['user', 'create', '--name', 'X', '--phone', '+233244000002', '--area', 'NOWHERE'], env),
    ).rejects.toThrow(/--area/);
    expect(await run(['user', 'disable', '--phone', '+233244000001'], env)).toBe(0);
    expect(output()).toMatch(/disabled/);
  });

  it('checkpoints and verifies the audit chain, and exits 1 naming the first broken link', async () => {
    expect(await run(['audit', 'checkpoint'], env)).toBe(0);
    expect(output()).toMatch(/checkpoint of event #\d+/);
    expect(await run(['audit', 'verify'], env)).toBe(0);
    expect(output()).toMatch(/audit chain intact/);

    const database = await openDatabase(loadConfig(env));
    await database.asOwner(async (c) => {
      await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await c.query("UPDATE audit_events SET action = 'forged' WHERE seq = 2");
      await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    await database.close();
    expect(await run(['audit', 'verify'], env)).toBe(1);
    expect(output()).toMatch(/BROKEN at event #2: hash_mismatch/);
  });

  it('prints help and refuses unknown commands', async () => {
    expect(await run(['help'], env)).toBe(0);
    expect(output()).toMatch(/openasm migrate/);
    await expect(run(['frobnicate'], env)).rejects.toThrow(/unknown command/);
  });
});
