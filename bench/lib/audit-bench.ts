import { sql } from 'kysely';
import { type AuditLog, createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemClock } from '../../src/server/platform/clock.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import type { GeneratedUser } from '../generate.ts';
import { round } from './stats.ts';

export interface AuditOptions {
  /** Transactions per mode. */
  count: number;
  concurrency: number;
}

export interface Throughput {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Milliseconds per transaction (each one UPDATE plus one audit append). */
  txP50Ms: number;
  txP99Ms: number;
}

export interface AuditResult {
  transactionsPerMode: number;
  sequential: Throughput;
  concurrent: Throughput & { concurrency: number };
  verify: { available: boolean; ok?: boolean; events?: number; seconds?: number; eventsPerSecond?: number };
}

/**
 * One write transaction as the services do them: change a row, append its audit event, commit.
 * The update is deliberately small so the figure is about the audit append and the commit.
 */
async function oneWrite(database: Database, audit: AuditLog, user: GeneratedUser, i: number): Promise<void> {
  const ctx = systemContext(`bench-${i}`);
  await database.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('users')
      .set({ updated_at: new Date(), version: sql`version + 1` })
      .where('id', '=', user.id)
      .returning(['version'])
      .executeTakeFirstOrThrow();
    await audit.record(tx, ctx, {
      action: 'user.touched',
      entityType: 'user',
      entityId: user.id,
      areaId: user.areaId,
      before: { version: row.version - 1 },
      after: { version: row.version },
      meta: { bench: true },
    });
  });
}

async function measure(
  database: Database,
  audit: AuditLog,
  users: readonly GeneratedUser[],
  count: number,
  concurrency: number,
  offset: number,
): Promise<Throughput> {
  const times = new Float64Array(count);
  let next = 0;
  const t0 = performance.now();
  async function lane() {
    for (let i = next++; i < count; i = next++) {
      const s = performance.now();
      await oneWrite(database, audit, users[(offset + i) % users.length]!, offset + i);
      times[i] = performance.now() - s;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => lane()));
  const seconds = (performance.now() - t0) / 1000;
  times.sort();
  const at = (p: number) => times[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)]!;
  return {
    events: count,
    seconds: round(seconds, 3),
    eventsPerSecond: round(count / seconds, 1),
    txP50Ms: round(at(50), 3),
    txP99Ms: round(at(99), 3),
  };
}

/** The chain verifier, when this tree has one. */
async function loadVerifier(): Promise<
  ((db: Database['db']) => Promise<{ ok: boolean; eventsChecked: number }>) | null
> {
  try {
    const mod = (await import('../../src/server/platform/audit/verify.ts')) as Record<string, unknown>;
    return typeof mod.verifyChain === 'function'
      ? (mod.verifyChain as (db: Database['db']) => Promise<{ ok: boolean; eventsChecked: number }>)
      : null;
  } catch {
    return null;
  }
}

export async function benchAudit(
  database: Database,
  users: readonly GeneratedUser[],
  opts: AuditOptions,
): Promise<AuditResult> {
  const audit = createAuditLog({ clock: systemClock });
  // A short warm-up (JIT, plan caches, pool connections) that is not measured.
  await measure(database, audit, users, Math.min(200, opts.count), opts.concurrency, 0);
  const sequential = await measure(database, audit, users, opts.count, 1, 1_000);
  const concurrent = await measure(database, audit, users, opts.count, opts.concurrency, 1_000 + opts.count);

  const verifyChain = await loadVerifier();
  let verify: AuditResult['verify'] = { available: false };
  if (verifyChain) {
    const t0 = performance.now();
    const r = await verifyChain(database.db);
    const seconds = (performance.now() - t0) / 1000;
    verify = {
      available: true,
      ok: r.ok,
      events: r.eventsChecked,
      seconds: round(seconds, 3),
      eventsPerSecond: round(r.eventsChecked / seconds, 0),
    };
  }
  return {
    transactionsPerMode: opts.count,
    sequential,
    concurrent: { ...concurrent, concurrency: opts.concurrency },
    verify,
  };
}
