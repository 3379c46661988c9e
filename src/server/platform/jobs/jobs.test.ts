import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../../../../test/support/db.ts';
import { APP_ROLE } from '../../../../test/support/settings.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { PRUNE_CRON, PRUNE_QUEUE, pruneExpired, registerHousekeeping } from './housekeeping.ts';
import { type JobsOptions, keyedId, type PgBossJobs, startJobs } from './pgboss.ts';

// Short intervals keep the file fast; the behaviour is the same as with production settings.
const FAST: JobsOptions = {
  pollingIntervalSeconds: 0.5,
  retryDelaySeconds: 1,
  retryBackoff: true,
  batchSize: 5,
  stopTimeoutMs: 5000,
};

let database: Database;
let jobs: PgBossJobs;
const logged: { level: 'info' | 'error'; msg: string }[] = [];
const logger = {
  info: (msg: string) => logged.push({ level: 'info', msg }),
  error: (msg: string) => logged.push({ level: 'error', msg }),
};

beforeAll(async () => {
  database = await createTestDatabase();
  jobs = await startJobs(database, { ...FAST, logger });
});
afterAll(async () => {
  await jobs?.stop();
  await database?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function jobRows(queue: string) {
  const r = await sql<{ id: string; state: string; retry_count: number }>`
    SELECT id, state::text AS state, retry_count FROM pgboss.job WHERE name = ${queue}`.execute(database.db);
  return r.rows;
}

describe('pg-boss jobs on the application database', () => {
  it('runs every job sent exactly once', async () => {
    const seen: number[] = [];
    await jobs.work('test.each', async (data) => {
      seen.push((data as { n: number }).n);
    });
    const sent: string[] = [];
    for (let n = 0; n < 20; n++) {
      const id = await jobs.send('test.each', { n });
      expect(id).toBeTypeOf('string');
      sent.push(id!);
    }
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(20), {
      timeout: 15_000,
      interval: 100,
    });
    // A few more polls, so that a job handed out twice would show up.
    await sleep(1500);
    expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const rows = await jobRows('test.each');
    expect(rows.map((r) => r.id).sort()).toEqual(sent.slice().sort());
    expect(rows.every((r) => r.state === 'completed' && r.retry_count === 0)).toBe(true);
  });

  it('retries a failing job until it succeeds, without failing its batch mates', async () => {
    const attempts = new Map<string, number>();
    await jobs.work('test.flaky', async (data) => {
      const { key, failures } = data as { key: string; failures: number };
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (n <= failures) throw new Error(`attempt ${n} of ${key} fails`);
    });
    const flaky = await jobs.send('test.flaky', { key: 'flaky', failures: 1 });
    const steady = await jobs.send('test.flaky', { key: 'steady', failures: 0 });
    await vi.waitFor(
      async () => {
        const rows = await jobRows('test.flaky');
        expect(rows.find((r) => r.id === flaky)?.state).toBe('completed');
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('steady')).toBe(1);
    const rows = await jobRows('test.flaky');
    expect(rows.find((r) => r.id === flaky)?.retry_count).toBe(1);
    expect(rows.find((r) => r.id === steady)).toMatchObject({ state: 'completed', retry_count: 0 });
  });

  it('marks a job failed once its retries are spent', async () => {
    const quick = await startJobs(database, {
      ...FAST,
      retryLimit: 1,
      retryDelaySeconds: 1,
      retryBackoff: false,
    });
    let calls = 0;
    try {
      await quick.work('test.doomed', async () => {
        calls++;
        throw new Error('always');
      });
      const id = await quick.send('test.doomed', {});
      await vi.waitFor(
        async () => expect((await jobRows('test.doomed')).find((r) => r.id === id)?.state).toBe('failed'),
        { timeout: 15_000, interval: 200 },
      );
      expect(calls).toBe(2);
    } finally {
      await quick.stop();
    }
  });

  it('dedupes sends that carry the same singleton key', async () => {
    // No worker on this queue: the jobs stay queued.
    const first = await jobs.send('test.singleton', { v: 1 }, { singletonKey: 'permit-42' });
    const again = await jobs.send('test.singleton', { v: 2 }, { singletonKey: 'permit-42' });
    const other = await jobs.send('test.singleton', { v: 3 }, { singletonKey: 'permit-43' });
    const keyless1 = await jobs.send('test.singleton', { v: 4 });
    const keyless2 = await jobs.send('test.singleton', { v: 5 });
    expect(first).toBe(keyedId('test.singleton', 'permit-42'));
    expect(again).toBeNull();
    expect(other).toBe(keyedId('test.singleton', 'permit-43'));
    expect(keyless1).not.toBeNull();
    expect(keyless2).not.toBeNull();
    expect(keyless1).not.toBe(keyless2);
    // The same key on another queue is another job.
    expect(await jobs.send('test.singleton.other', {}, { singletonKey: 'permit-42' })).not.toBeNull();
    expect(await jobRows('test.singleton')).toHaveLength(4);
  });

  it('holds a job sent with startAfter until then', async () => {
    const seen: string[] = [];
    await jobs.work('test.later', async (data) => {
      seen.push((data as { tag: string }).tag);
    });
    await jobs.send('test.later', { tag: 'later' }, { startAfter: new Date(Date.now() + 60_000) });
    await jobs.send('test.later', { tag: 'now' });
    await vi.waitFor(() => expect(seen).toContain('now'), { timeout: 10_000, interval: 100 });
    await sleep(1000);
    expect(seen).toEqual(['now']);
  });

  it('runs handlers as the application role, which cannot change the pg-boss schema', async () => {
    const users: string[] = [];
    await jobs.work('test.whoami', async () => {
      const r = await sql<{ u: string }>`SELECT current_user AS u`.execute(database.db);
      users.push(r.rows[0]!.u);
    });
    await jobs.send('test.whoami', {});
    await vi.waitFor(() => expect(users).toHaveLength(1), { timeout: 10_000, interval: 100 });
    expect(users[0]).toBe(APP_ROLE);
    // pg-boss's own statements go through the same role.
    const own = await jobs.boss.getDb().executeSql('SELECT current_user AS u', []);
    expect(own.rows[0].u).toBe(APP_ROLE);

    await expect(sql`DROP TABLE pgboss.job`.execute(database.db)).rejects.toThrow(/must be owner/);
    await expect(sql`DROP TABLE pgboss.queue CASCADE`.execute(database.db)).rejects.toThrow(/must be owner/);
    await expect(sql`CREATE TABLE pgboss.intruder (x int)`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
    // Creating a queue is DDL (a new partition): only the owner, through startJobs, may.
    await expect(
      sql`SELECT pgboss.create_queue('test.rogue', '{}'::json)`.execute(database.db),
    ).rejects.toThrow(/permission denied/);
    expect((await jobs.boss.getQueues()).map((q) => q.name)).not.toContain('test.rogue');
  });

  it('rolls back a failed multi-statement text, so the connection (PGlite: the session) stays usable', async () => {
    // pg-boss wraps installation, migration and maintenance in BEGIN … COMMIT and expects some of
    // them to fail on a race ('already exists', 'division by zero').
    await expect(
      jobs.boss.getDb().executeSql("BEGIN; SET LOCAL lock_timeout = '1s'; SELECT 1/0; COMMIT;", []),
    ).rejects.toThrow(/division by zero/);
    const r = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(database.db);
    expect(r.rows).toEqual([{ ok: 1 }]);
  });

  it('stops gracefully: a running handler finishes, its job completes, no new work is taken', async () => {
    const other = await startJobs(database, FAST);
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    await other.work('test.slow', async () => {
      started();
      await sleep(1500);
      finished = true;
    });
    const id = await other.send('test.slow', {});
    await running;
    await other.stop();
    expect(finished).toBe(true);
    expect((await jobRows('test.slow')).find((r) => r.id === id)?.state).toBe('completed');
    await expect(other.send('test.slow', {})).rejects.toThrow(/stopped/);
    // Stopping twice is harmless.
    await other.stop();
  });

  it('logged no pg-boss failure besides the jobs made to fail', () => {
    // A failed fetch, for one, would only show as jobs never being taken: the adapter logs it.
    const errors = logged.filter((l) => l.level === 'error');
    const deliberate = (l: (typeof errors)[number]) =>
      /^jobs: test\.flaky job \S+ failed: attempt 1 of flaky fails$/.test(l.msg) ||
      l.msg.includes('SELECT 1/0');
    expect(errors.filter(deliberate)).toHaveLength(2);
    expect(errors.filter((l) => !deliberate(l))).toEqual([]);
    expect(logged.filter((l) => l.level === 'info').map((l) => l.msg)).toContain(
      'jobs: started (pg-boss schema pgboss)',
    );
  });
});

describe('housekeeping', () => {
  const now = new Date('2026-01-15T09:00:00Z');
  const ago = (hours: number) => new Date(now.getTime() - hours * 3600_000);
  const DAY = 24;

  async function seedUser(): Promise<string> {
    const area = await database.db
      .selectFrom('admin_areas')
      .select('id')
      .where('code', '=', 'GH')
      .executeTakeFirst();
    const areaId = area?.id ?? uuidv7();
    if (!area) {
      await database.db
        .insertInto('admin_areas')
        .values({
          id: areaId,
          country: 'GH',
          code: 'GH',
          level: 0,
          level_name: 'country',
          parent_id: null,
          path: '/GH/',
          name: 'Ghana',
        })
        .execute();
    }
    const id = uuidv7();
    await database.db
      .insertInto('users')
      .values({
        id,
        name: 'Housekeeping test',
        phone: `+2332${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
        email: null,
        password_hash: null,
        area_id: areaId,
      })
      .execute();
    return id;
  }

  async function session(userId: string, label: string, expiresAt: Date, revokedAt: Date | null) {
    await database.db
      .insertInto('sessions')
      .values({
        id: uuidv7(),
        user_id: userId,
        token_hash: Buffer.from(uuidv7()),
        created_at: ago(30 * DAY),
        expires_at: expiresAt,
        revoked_at: revokedAt,
        revoked_reason: revokedAt ? label : null,
        user_agent: label,
      })
      .execute();
  }

  it('prunes only rows past their retention', async () => {
    const db = database.db;
    // More old attempts than one DELETE takes, to go through the chunking.
    await sql`INSERT INTO login_attempts (kind, key, at, succeeded)
      SELECT 'address', 'old-bulk', ${ago(48)}, false FROM generate_series(1, 5003)`.execute(db);
    await db
      .insertInto('login_attempts')
      .values([
        { kind: 'account', key: 'old', at: ago(25), succeeded: false },
        { kind: 'account', key: 'keep-23h', at: ago(23), succeeded: false },
        { kind: 'account', key: 'keep-now', at: now, succeeded: true },
      ])
      .execute();
    const answer = { request_hash: 'h', response_status: 201, response_body: null, response_headers: '{}' };
    await db
      .insertInto('idempotency_keys')
      .values([
        { actor: 'user:a', key: 'old', created_at: ago(25), ...answer },
        { actor: 'user:a', key: 'keep', created_at: ago(23), ...answer },
        { actor: 'user:b', key: 'old', created_at: ago(3 * DAY), ...answer },
      ])
      .execute();
    const userId = await seedUser();
    await session(userId, 'old-revoked', ago(-DAY), ago(8 * DAY));
    await session(userId, 'old-expired', ago(8 * DAY), null);
    await session(userId, 'keep-revoked-6d', ago(-DAY), ago(6 * DAY));
    await session(userId, 'keep-expired-1d', ago(DAY), null);
    await session(userId, 'keep-active', ago(-DAY), null);

    const counts = await pruneExpired(db, now);
    expect(counts).toEqual({ loginAttempts: 5004, idempotencyKeys: 2, sessions: 2 });

    const attempts = await db.selectFrom('login_attempts').select('key').orderBy('key').execute();
    expect(attempts.map((r) => r.key)).toEqual(['keep-23h', 'keep-now']);
    const keys = await db.selectFrom('idempotency_keys').select(['actor', 'key']).execute();
    expect(keys).toEqual([{ actor: 'user:a', key: 'keep' }]);
    const sessions = await db.selectFrom('sessions').select('user_agent').orderBy('user_agent').execute();
    expect(sessions.map((r) => r.user_agent)).toEqual(['keep-active', 'keep-expired-1d', 'keep-revoked-6d']);

    expect(await pruneExpired(db, now)).toEqual({ loginAttempts: 0, idempotencyKeys: 0, sessions: 0 });
  });

  it('schedules the prune hourly and runs it as a job', async () => {
    const clock = new ManualClock(now);
    await registerHousekeeping(jobs, database, clock);
    // Registering again (a restart, a second server) changes nothing.
    await registerHousekeeping(jobs, database, clock);
    const schedules = await jobs.boss.getSchedules();
    expect(schedules.filter((s) => s.name === PRUNE_QUEUE)).toEqual([
      expect.objectContaining({ name: PRUNE_QUEUE, cron: PRUNE_CRON }),
    ]);

    await database.db
      .insertInto('login_attempts')
      .values({ kind: 'account', key: 'job-old', at: ago(30), succeeded: false })
      .execute();
    // What the hourly cron would enqueue, without waiting for the top of the hour.
    await jobs.send(PRUNE_QUEUE, {});
    await vi.waitFor(
      async () => {
        const left = await database.db
          .selectFrom('login_attempts')
          .select('key')
          .where('key', '=', 'job-old')
          .execute();
        expect(left).toEqual([]);
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe('export file pruning', () => {
  it('removes results older than a week and partial files older than a day, nothing newer', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, utimesSync, readdirSync, rmSync } = await import(
      'node:fs'
    );
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pruneExportFiles } = await import('./housekeeping.ts');
    const dir = mkdtempSync(join(tmpdir(), 'openasm-prune-'));
    mkdirSync(join(dir, 'exports'));
    const now = new Date('2026-03-10T00:00:00Z');
    const at = (name: string, hoursAgo: number) => {
      const p = join(dir, 'exports', name);
      writeFileSync(p, 'x');
      const t = new Date(now.getTime() - hoursAgo * 3_600_000);
      utimesSync(p, t, t);
    };
    at('old.csv', 24 * 8);
    at('recent.csv', 24 * 6);
    at('crashed.csv.part', 30);
    at('running.csv.part', 2);
    expect(pruneExportFiles(dir, now)).toBe(2);
    expect(readdirSync(join(dir, 'exports')).sort()).toEqual(['recent.csv', 'running.csv.part']);
    rmSync(dir, { recursive: true, force: true });
  });
});
