import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { PoolClientLike, PoolQueryResult } from '../db/pglite-pool.ts';
import type { Jobs } from './jobs.ts';

/**
 * The Jobs port on pg-boss 10, over the same Database the application uses (PGlite or PostgreSQL).
 *
 * Privileges: pg-boss's tables live in their own schema, created and migrated by the schema owner
 * (through `database.asOwner`). Everything else (send, fetch, complete, fail, cron, maintenance) runs
 * on `database.pool`, i.e. as the application role, which gets DML on pg-boss's tables and nothing
 * more. Creating a queue is DDL in v10 (each queue is a partition of pgboss.job, attached by
 * `pgboss.create_queue`), so queues are created through the owner too, the first time the
 * application sends to, works on or schedules a queue.
 *
 * PGlite has one session: every statement pg-boss sends takes it for that statement only (no
 * transaction spans an await of application code), so workers polling never starve requests.
 */

/** Plain messages (console, the CLI's printer); `err` carries the cause when there is one. */
export interface JobsLogger {
  info(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export interface JobsOptions {
  logger?: JobsLogger;
  /** The PostgreSQL schema of pg-boss's tables. */
  schema?: string;
  /** How often an idle worker looks for jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Jobs taken per poll; each job still completes or fails on its own. */
  batchSize?: number;
  /**
   * Retries after the first failure before a job is marked failed. Like the two options below, a
   * property of the queue in v10, fixed when the queue is first created.
   */
  retryLimit?: number;
  /** Base delay before a retry; with backoff it doubles at each attempt (with jitter). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /**
   * How long stop() lets running handlers finish before failing them (they are then retried).
   * Default 10 s: short enough for a process manager's stop timeout.
   */
  stopTimeoutMs?: number;
  /** pg-boss housekeeping of its own tables: expiring stuck jobs, archiving finished ones. */
  maintenanceIntervalSeconds?: number;
  /** How often the cron worker turns due schedules into jobs (pg-boss: 1 to 45). */
  cronWorkerIntervalSeconds?: number;
}

export interface SendOptions {
  /**
   * Idempotent send: a second send with the same key on the same queue returns null, as long as
   * the first job is still in pg-boss's job table (waiting, running, retrying, or finished less
   * than `archiveCompletedAfterSeconds`, 12 h, ago).
   */
  singletonKey?: string;
  startAfter?: Date;
}

/** The port plus what only the pg-boss adapter offers. */
export interface PgBossJobs extends Jobs {
  send(queue: string, data: object, options?: SendOptions): Promise<string | null>;
  /** Repeats a job on a cron expression (UTC); idempotent, safe to call at every start. */
  schedule(queue: string, cron: string, data?: object): Promise<void>;
  /** The underlying instance (runs as the application role), for inspection and tests. */
  readonly boss: PgBoss;
}

/** pg-boss's internal queue that turns due schedules into jobs (Timekeeper.QUEUES.SEND_IT). */
const CRON_QUEUE = '__pgboss__send-it';

type Executor = (text: string, values?: unknown[]) => Promise<PoolQueryResult>;

export async function startJobs(database: Database, opts: JobsOptions = {}): Promise<PgBossJobs> {
  const schema = opts.schema ?? 'pgboss';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid pg-boss schema name: ${schema}`);
  const log = opts.logger;
  const queueDefaults = {
    retryLimit: opts.retryLimit ?? 3,
    // With backoff pg-boss raises a zero delay to 1 s anyway; without it, keep at least 1 s so a
    // failing job does not spin.
    retryDelay: Math.max(1, Math.round(opts.retryDelaySeconds ?? 10)),
    retryBackoff: opts.retryBackoff ?? true,
  };
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 2;
  const batchSize = opts.batchSize ?? 5;

  // Every statement pg-boss issues, tracked so stop() can wait for the stragglers: pg-boss fires
  // complete/fail without awaiting them, and they must not reach a database that has been closed.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    const forget = () => inFlight.delete(p);
    p.then(forget, forget);
    return p;
  };

  const ownerSql: Executor = (text, values) =>
    track(database.asOwner((client) => runOn(client, text, values)));
  const appSql: Executor = (text, values) =>
    track(
      (async () => {
        const client = await database.pool.connect();
        let failure: unknown;
        try {
          return await runOn(client, text, values);
        } catch (err) {
          failure = err;
          // pg-boss swallows some failures (a failed fetch reads as "no jobs"): say it here.
          log?.error(`jobs: query failed: ${message(err)} [${oneLine(text)}]`, err);
          throw err;
        } finally {
          // On PostgreSQL an error discards the connection; PGlite's single session is kept.
          client.release(failure);
        }
      })(),
    );

  const common = {
    schema,
    // Retries are a queue property in v10; these also serve jobs sent with explicit options.
    retryLimit: queueDefaults.retryLimit,
    retryDelay: queueDefaults.retryDelay,
    retryBackoff: queueDefaults.retryBackoff,
  };

  // 1. Installation and migrations of pg-boss's schema, as the owner. Nothing periodic runs here.
  const owner = new PgBoss({
    ...common,
    db: { executeSql: ownerSql },
    migrate: true,
    supervise: false,
    schedule: false,
  });
  owner.on('error', (err) => log?.error(`jobs: pg-boss (owner): ${message(err)}`, err));
  await owner.start();

  const queues = new Map<string, Promise<void>>();
  const ensureQueue = (name: string): Promise<void> => {
    let ready = queues.get(name);
    if (!ready) {
      // create_queue is idempotent (ON CONFLICT DO NOTHING), so several servers may race here.
      ready = owner.createQueue(name, { name, policy: 'standard', ...queueDefaults });
      ready.catch(() => queues.delete(name));
      queues.set(name, ready);
    }
    return ready;
  };
  // The cron queue must exist before the application-role instance starts its Timekeeper, which
  // would otherwise try (and, without DDL rights, fail) to create it.
  await ensureQueue(CRON_QUEUE);
  await database.asOwner(async (client) => {
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${database.appRole}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${database.appRole}`,
    );
    // None today; granted anyway so a pg-boss upgrade that adds one keeps working.
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${database.appRole}`);
  });
  // It never polled; stopping only flips its state, and createQueue keeps working through it.
  await owner.stop({ graceful: false, close: false });

  // 2. The working instance, as the application role. `migrate: false` makes it only check that
  // the schema is at the version this pg-boss expects.
  const boss = new PgBoss({
    ...common,
    db: { executeSql: appSql },
    migrate: false,
    supervise: true,
    schedule: true,
    pollingIntervalSeconds,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 120,
    cronWorkerIntervalSeconds: opts.cronWorkerIntervalSeconds ?? 5,
  });
  boss.on('error', (err) => log?.error(`jobs: pg-boss: ${message(err)}`, err));
  await boss.start();

  // Handlers still running, so stop() can wait for them and for the queries they lead to.
  const running = new Set<Promise<unknown>>();
  let stopping: Promise<void> | null = null;

  const jobs: PgBossJobs = {
    boss,

    async send(queue, data, options = {}) {
      if (stopping) throw new Error('jobs are stopped');
      await ensureQueue(queue);
      return boss.send(queue, data, {
        ...(options.singletonKey !== undefined
          ? { id: keyedId(queue, options.singletonKey), singletonKey: options.singletonKey }
          : {}),
        ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      });
    },

    async work(queue, handler) {
      if (stopping) throw new Error('jobs are stopped');
      await ensureQueue(queue);
      await boss.work<object>(queue, { batchSize, pollingIntervalSeconds }, (batch) => {
        const done = runBatch(queue, batch, handler);
        running.add(done);
        const forget = () => running.delete(done);
        done.then(forget, forget);
        return done;
      });
    },

    async schedule(queue, cron, data) {
      if (stopping) throw new Error('jobs are stopped');
      await ensureQueue(queue);
      await boss.schedule(queue, cron, data ?? {}, { tz: 'UTC' });
    },

    stop() {
      stopping ??= (async () => {
        await boss.stop({ graceful: true, timeout: stopTimeoutMs, close: false });
        // boss.stop() returns once no worker holds a job, but a fetch already in flight can still
        // hand jobs to a handler, and completions are not awaited by pg-boss: drain both.
        const deadline = Date.now() + stopTimeoutMs;
        while ((inFlight.size > 0 || running.size > 0) && Date.now() < deadline) {
          await settledOrTimeout([...inFlight, ...running], deadline - Date.now());
          // Let the microtasks that follow a query (pg-boss calling our handler) run first.
          await new Promise((r) => setImmediate(r));
        }
        log?.info('jobs: stopped');
      })();
      return stopping;
    },
  };

  /**
   * Runs each job of a batch on its own and completes the successful ones here. If any failed,
   * throwing makes pg-boss fail the batch; its fail statement only touches jobs not yet completed,
   * so exactly the failed ones are retried. (Failing them here instead and returning would race
   * pg-boss's own un-awaited complete of the whole batch against a retry being fetched again.)
   */
  async function runBatch(
    queue: string,
    batch: PgBoss.Job<object>[],
    handler: (data: unknown) => Promise<void>,
  ): Promise<void> {
    const failures: { id: string; err: unknown }[] = [];
    await Promise.all(
      batch.map(async (job) => {
        try {
          await handler(job.data);
          await boss.complete(queue, job.id);
        } catch (err) {
          log?.error(`jobs: ${queue} job ${job.id} failed: ${message(err)}`, err);
          failures.push({ id: job.id, err });
        }
      }),
    );
    if (failures.length === 1) throw failures[0]!.err;
    if (failures.length > 1) {
      throw new Error(failures.map((f) => `${f.id}: ${message(f.err)}`).join('; '));
    }
  }

  log?.info(`jobs: started (pg-boss schema ${schema})`);
  return jobs;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 100)}…` : flat;
}

async function settledOrTimeout(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.allSettled(promises),
      new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one pg-boss statement. Texts without values can hold several statements, some wrapped in
 * BEGIN … COMMIT: if one fails, the session would stay in an aborted transaction (on PGlite, the
 * only session there is), so roll back before handing the connection back.
 */
async function runOn(client: PoolClientLike, text: string, values?: unknown[]): Promise<PoolQueryResult> {
  if (values && values.length > 0) return client.query(text, values.map(toParam));
  try {
    return await client.query(text);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Parameters as node-postgres would send them, so both databases see the same values. Defensive:
 * pg-boss 10 casts every object it sends (::jsonb, json arguments), which PGlite serialises right,
 * but PGlite turns an object bound to an untyped parameter into '[object Object]' where pg sends JSON.
 */
function toParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !ArrayBuffer.isView(value)
  ) {
    return JSON.stringify(value);
  }
  return value;
}

/**
 * The job id for a singleton key: the same key on the same queue always maps to the same id, and
 * pg-boss inserts with ON CONFLICT DO NOTHING on (name, id). v10 ignores singletonKey alone on a
 * 'standard' queue (it only dedupes under the short/singleton/stately policies, which also lump
 * every keyless job together, or with singletonSeconds, which buckets by clock slot).
 */
export function keyedId(queue: string, key: string): string {
  const h = createHash('sha256').update(`${queue}\u0000${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8: custom
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
