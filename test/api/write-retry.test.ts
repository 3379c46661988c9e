/**
 * A write that the database stops as one side of a deadlock (or as a serialisation failure) runs
 * again when its route asks for it (the transfer batches do), and fails without the option. On both
 * databases, the database itself raises the error on the first attempt; on PostgreSQL, two writes
 * also take the same two locks in opposite orders and both succeed, one on its second attempt.
 * PGlite runs one transaction at a time: no real deadlock can happen there.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { systemContext } from '../../src/server/platform/context.ts';
import { createWriteRunner } from '../../src/server/platform/http/write.ts';
import { createTestDatabase } from '../support/db.ts';
import { testDatabaseKind } from '../support/settings.ts';

/** Two writes, each holding its first lock before either asks for its second. */
async function crossedWrites(retryDeadlocks: boolean) {
  const database = await createTestDatabase();
  const app = Fastify();
  try {
    const runWrite = createWriteRunner(database);
    const attempts = { ab: 0, ba: 0 };
    let holding = 0;
    let bothHold!: () => void;
    const ready = new Promise<void>((resolve) => {
      bothHold = resolve;
    });
    app.post<{ Params: { order: 'ab' | 'ba' } }>('/cross/:order', (request, reply) =>
      runWrite(
        request,
        reply,
        systemContext(request.id),
        async (tx) => {
          const { order } = request.params;
          const attempt = ++attempts[order];
          const [first, second] = order === 'ab' ? [740_601, 740_602] : [740_602, 740_601];
          await sql`SELECT pg_advisory_xact_lock(${first}::bigint)`.execute(tx);
          if (attempt === 1) {
            if (++holding === 2) bothHold();
            await ready;
          }
          await sql`SELECT pg_advisory_xact_lock(${second}::bigint)`.execute(tx);
          return { status: 200, body: { order, attempt } };
        },
        { retryDeadlocks },
      ),
    );
    const answers = await Promise.all(
      (['ab', 'ba'] as const).map((order) => app.inject({ method: 'POST', url: `/cross/${order}` })),
    );
    return { statuses: answers.map((a) => a.statusCode).sort(), attempts };
  } finally {
    await app.close();
    await database.close();
  }
}

/** A write whose transaction the database rolls back with `sqlstate` on its first attempts. */
async function stoppedWrite(sqlstate: string, failures: number, retryDeadlocks: boolean) {
  const database = await createTestDatabase();
  const app = Fastify();
  try {
    const runWrite = createWriteRunner(database);
    let attempts = 0;
    app.post('/stopped', (request, reply) =>
      runWrite(
        request,
        reply,
        systemContext(request.id),
        async (tx) => {
          attempts++;
          await sql`CREATE TEMP TABLE IF NOT EXISTS written (n int) ON COMMIT DROP`.execute(tx);
          await sql`INSERT INTO written VALUES (${attempts})`.execute(tx);
          if (attempts <= failures)
            await sql
              .raw(`DO $$ BEGIN RAISE EXCEPTION 'stopped' USING ERRCODE = '${sqlstate}'; END $$`)
              .execute(tx);
          const rows = await sql<{ n: number }>`SELECT n FROM written`.execute(tx);
          return { status: 200, body: { attempts, seen: rows.rows.map((r) => r.n) } };
        },
        { retryDeadlocks },
      ),
    );
    const res = await app.inject({ method: 'POST', url: '/stopped' });
    return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : null, attempts };
  } finally {
    await app.close();
    await database.close();
  }
}

describe('a write the database stops as a deadlock', () => {
  it('runs again from the start when its route asks for it, with nothing of the stopped attempt', async () => {
    // The second attempt sees only its own row: the first one's was rolled back with it.
    expect(await stoppedWrite('40P01', 1, true)).toEqual({
      status: 200,
      body: { attempts: 2, seen: [2] },
      attempts: 2,
    });
    expect(await stoppedWrite('40001', 2, true)).toEqual({
      status: 200,
      body: { attempts: 3, seen: [3] },
      attempts: 3,
    });
  });

  it('gives up after three attempts, fails at once without the option, and never retries other errors', async () => {
    expect(await stoppedWrite('40P01', 3, true)).toMatchObject({ status: 500, attempts: 3 });
    expect(await stoppedWrite('40P01', 1, false)).toMatchObject({ status: 500, attempts: 1 });
    expect(await stoppedWrite('23505', 1, true)).toMatchObject({ status: 500, attempts: 1 });
  });
});

describe.skipIf(testDatabaseKind() === 'pglite')('two writes crossing their locks (PostgreSQL)', () => {
  it('runs again when its route asks for it, and both writes succeed', async () => {
    const { statuses, attempts } = await crossedWrites(true);
    expect(statuses).toEqual([200, 200]);
    expect(attempts.ab + attempts.ba).toBe(3);
  });

  it('fails one of the two writes when the route does not ask for it', async () => {
    const { statuses, attempts } = await crossedWrites(false);
    expect(statuses).toEqual([200, 500]);
    expect(attempts.ab + attempts.ba).toBe(2);
  });
});
