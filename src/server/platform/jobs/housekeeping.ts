import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { Queryable } from '../db/schema.ts';
import type { Jobs } from './jobs.ts';
import type { JobsLogger, PgBossJobs } from './pgboss.ts';

export const PRUNE_QUEUE = 'housekeeping.prune';
/** Hourly, UTC. */
export const PRUNE_CRON = '0 * * * *';

const HOUR_MS = 60 * 60 * 1000;
/** Throttling only looks back minutes; a day keeps enough for investigating an attack. */
const LOGIN_ATTEMPTS_KEPT_MS = 24 * HOUR_MS;
/** A client may retry a POST with its Idempotency-Key for this long. */
const IDEMPOTENCY_KEYS_KEPT_MS = 24 * HOUR_MS;
/** Ended sessions stay a week for "where am I signed in" and investigations. */
const ENDED_SESSIONS_KEPT_MS = 7 * 24 * HOUR_MS;
/**
 * Rows per DELETE. Each statement is short, so on PGlite (one session) requests interleave with a
 * large backlog being pruned, e.g. after the server was down for days or under a password spray.
 */
const CHUNK = 5000;

export interface PruneCounts {
  loginAttempts: number;
  idempotencyKeys: number;
  sessions: number;
}

/** Deletes what has outlived its use; `now` comes from the caller's clock. */
export async function pruneExpired(db: Queryable, now: Date): Promise<PruneCounts> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  const attemptsCutoff = before(LOGIN_ATTEMPTS_KEPT_MS);
  const keysCutoff = before(IDEMPOTENCY_KEYS_KEPT_MS);
  const sessionsCutoff = before(ENDED_SESSIONS_KEPT_MS);

  const loginAttempts = await inChunks(async () => {
    const r = await db
      .deleteFrom('login_attempts')
      .where('id', 'in', (eb) =>
        eb.selectFrom('login_attempts').select('id').where('at', '<', attemptsCutoff).limit(CHUNK),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const idempotencyKeys = await inChunks(async () => {
    const r = await db
      .deleteFrom('idempotency_keys')
      .where((eb) =>
        eb(
          eb.refTuple('actor', 'key'),
          'in',
          eb
            .selectFrom('idempotency_keys')
            .select(['actor', 'key'])
            .where('created_at', '<', keysCutoff)
            .limit(CHUNK)
            .$asTuple('actor', 'key'),
        ),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  const sessions = await inChunks(async () => {
    const r = await db
      .deleteFrom('sessions')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('sessions')
          .select('id')
          .where((w) => w.or([w('revoked_at', '<', sessionsCutoff), w('expires_at', '<', sessionsCutoff)]))
          .limit(CHUNK),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });

  return { loginAttempts, idempotencyKeys, sessions };
}

async function inChunks(deleteChunk: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteChunk();
    total += n;
    if (n < CHUNK) return total;
  }
}

/** Export results are kept a week; a partial file left by a crash, a day. */
export const EXPORT_KEEP_MS = 7 * 24 * 3_600_000;
const PARTIAL_KEEP_MS = 24 * 3_600_000;

/** Deletes old export files in DATA_DIR/exports; a later download answers 410 task.result_gone. */
export function pruneExportFiles(dataDir: string, now: Date): number {
  const dir = join(dataDir, 'exports');
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const age = now.getTime() - statSync(path).mtimeMs;
    if (age > (name.endsWith('.part') ? PARTIAL_KEEP_MS : EXPORT_KEEP_MS)) {
      rmSync(path, { force: true });
      removed++;
    }
  }
  return removed;
}

/** Works the prune queue and schedules it hourly. Safe to call at every start, on every server. */
export async function registerHousekeeping(
  jobs: Jobs & Pick<PgBossJobs, 'schedule'>,
  database: Database,
  clock: Clock,
  logger?: JobsLogger,
  dataDir?: string,
): Promise<void> {
  await jobs.work(PRUNE_QUEUE, async () => {
    const counts = await pruneExpired(database.db, clock.now());
    const files = dataDir ? pruneExportFiles(dataDir, clock.now()) : 0;
    logger?.info(
      `housekeeping: pruned ${counts.loginAttempts} login attempts, ${counts.idempotencyKeys} idempotency keys, ${counts.sessions} sessions, ${files} export files`,
    );
  });
  await jobs.schedule(PRUNE_QUEUE, PRUNE_CRON);
}
