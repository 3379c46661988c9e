import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { UUID_PATTERN } from '../../../shared/ids.ts';
import { userExportParams } from '../../../shared/schemas/accounts.ts';
import type { TaskDto, TaskKind } from '../../../shared/schemas/tasks.ts';
import { hasPermission } from '../../platform/access/access.ts';
import { type AuditLog, createAuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import {
  auditCsvChunks,
  auditEventFilter,
  type CsvChunk,
  type CsvExtent,
  countAuditExport,
} from '../audit/export.ts';
import { countUserExport, userCsvChunks } from '../users/service.ts';
import * as repo from './repo.ts';
import { TASK_PERMISSIONS, taskDto, taskErrors, taskTarget } from './service.ts';

/** The pg-boss queue whose jobs each name one task to run. */
export const TASK_QUEUE = 'tasks.run';

/** Where results go, relative to DATA_DIR; the directory only the server reads. */
const EXPORTS_DIR = 'exports';

export interface TaskRunnerDeps {
  database: Database;
  clock: Clock;
  /** DATA_DIR: results are written to DATA_DIR/exports/. */
  dataDir: string;
  audit?: AuditLog;
  /** Rows per batch (and so per progress update); the exports' own default when absent. */
  batchSize?: number;
  /** Called after each batch's progress is recorded: for tests, and a hook for live updates. */
  onProgress?: (p: { taskId: string; done: number; total: number | null }) => void | Promise<void>;
  logger?: { error(msg: string, err?: unknown): void };
}

/** What running one kind of task means: how many rows, the rows themselves, and the file to make. */
interface Producer {
  extent(): Promise<CsvExtent>;
  chunks(): AsyncIterable<CsvChunk>;
  fileName: string;
  contentType: string;
  /** An extra audit event for the bulk read itself, as the synchronous export records it. */
  readEvent?: { action: string; entityType: string; meta: Record<string, unknown> };
}

function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw taskErrors.invalidParams();
  return parsed.data;
}

function producerFor(
  kind: TaskKind,
  params: unknown,
  db: Queryable,
  actor: Actor,
  stamp: string,
  batchSize: number | undefined,
): Producer {
  switch (kind) {
    case 'export.users': {
      const filter = parseParams(userExportParams, params);
      return {
        extent: () => countUserExport(db, actor, filter),
        chunks: () => userCsvChunks(db, actor, filter, batchSize ? { batchSize } : {}),
        fileName: `users-${stamp}.csv`,
        contentType: 'text/csv; charset=utf-8',
        readEvent: { action: 'user.exported', entityType: 'user', meta: { format: 'csv', filter } },
      };
    }
    case 'export.audit': {
      const filter = parseParams(auditEventFilter.strict(), params);
      return {
        extent: () => countAuditExport(db, actor, filter, null),
        chunks: () => auditCsvChunks(db, actor, filter, null, batchSize),
        fileName: `audit-events-${stamp}.csv`,
        contentType: 'text/csv; charset=utf-8',
      };
    }
  }
}

/**
 * Runs one task to its end, in this process: claims it, re-reads its owner's grants, streams the
 * rows to a temporary file batch by batch (recording progress and noticing a cancellation after each
 * batch, each in its own short statement), then moves the file into place and marks the task
 * succeeded in one transaction with its audit events. A failure marks it failed with a code.
 *
 * The worker calls this for each job; with jobs off (tests, a single process without a queue) call
 * it directly. Returns the task as it ended, or null when there was nothing to run (unknown,
 * finished or cancelled before it started). Throws only when even the failure could not be
 * recorded, so that pg-boss retries the job.
 */
export async function runTaskNow(deps: TaskRunnerDeps, taskId: string): Promise<TaskDto | null> {
  const { database, clock } = deps;
  const db = database.db;
  const audit = deps.audit ?? createAuditLog({ clock });
  const task = await repo.claimTask(db, taskId, clock.now());
  if (!task) return null;

  // A task acts for its owner, with the owner's grants as they are now; its audit events name the
  // owner as actor and the task as the request.
  const ctxFor = (actor: Actor): RequestContext => ({
    requestId: `task:${task.id}`,
    actor,
    ip: null,
    userAgent: null,
  });
  const ownerStub: Actor = { kind: 'user', id: task.created_by, homeAreaId: task.area_id, grants: [] };
  let ctx = ctxFor(ownerStub);

  const dir = join(deps.dataDir, EXPORTS_DIR);
  const temp = join(dir, `.${task.id}.${randomUUID()}.part`);
  const resultFile = `${EXPORTS_DIR}/${task.id}.csv`;
  const final = join(deps.dataDir, resultFile);
  let tempWritten = false;
  let moved = false;

  try {
    const owner = await repo.currentUserActor(db, task.created_by);
    if (owner?.status !== 'active') throw taskErrors.ownerDisabled();
    if (!hasPermission(owner.actor, TASK_PERMISSIONS[task.kind])) throw taskErrors.ownerForbidden();
    ctx = ctxFor(owner.actor);

    const stamp = clock.now().toISOString().slice(0, 10);
    const producer = producerFor(task.kind, task.params, db, owner.actor, stamp, deps.batchSize);
    const extent = await producer.extent();
    const note = extent.truncated ? `Only the first ${extent.rows} rows were exported (the cap).` : null;
    if (!(await repo.recordProgress(db, task.id, { done: 0, total: extent.rows, message: note }))) {
      return finalState(db, task.id);
    }

    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Exclusive create, private to the server's user: exports hold personal data.
    const file = await open(temp, 'wx', 0o600);
    tempWritten = true;
    let bytes = 0;
    let done = 0;
    try {
      for await (const chunk of producer.chunks()) {
        await file.writeFile(chunk.text);
        bytes += Buffer.byteLength(chunk.text);
        if (chunk.rows === 0) continue;
        done += chunk.rows;
        const total = Math.max(extent.rows, done);
        if (!(await repo.recordProgress(db, task.id, { done, total }))) {
          // Cancelled (or taken over): stop here; the partial file goes away below.
          await file.close();
          await unlink(temp).catch(() => undefined);
          tempWritten = false;
          return finalState(db, task.id);
        }
        await deps.onProgress?.({ taskId: task.id, done, total });
      }
      // On disk before the task says it is there.
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
    }

    await rename(temp, final);
    tempWritten = false;
    moved = true;
    const ended = await database.db.transaction().execute(async (tx) => {
      const succeeded = await repo.finishTask(tx, task.id, {
        status: 'succeeded',
        at: clock.now(),
        done,
        message: note,
        result: { file: resultFile, name: producer.fileName, type: producer.contentType, bytes },
      });
      if (!succeeded) return undefined;
      await audit.record(tx, ctx, {
        action: 'task.succeeded',
        ...taskTarget(succeeded),
        meta: { kind: task.kind, rows: done, bytes, truncated: extent.truncated },
      });
      if (producer.readEvent) {
        await audit.record(tx, ctx, {
          action: producer.readEvent.action,
          entityType: producer.readEvent.entityType,
          areaId: task.area_id,
          meta: { ...producer.readEvent.meta, rows: done, truncated: extent.truncated, taskId: task.id },
        });
      }
      return succeeded;
    });
    if (!ended) {
      // Cancelled between the last batch and the end: the cancellation stands.
      await unlink(final).catch(() => undefined);
      return finalState(db, task.id);
    }
    return taskDto(ended);
  } catch (err) {
    if (tempWritten) await unlink(temp).catch(() => undefined);
    if (moved) await unlink(final).catch(() => undefined);
    const known = err instanceof AppError && err.code.startsWith('task.') ? err : null;
    if (!known) deps.logger?.error(`tasks: task ${task.id} (${task.kind}) failed: ${message(err)}`, err);
    const problem = known ?? taskErrors.internal();
    // If this throws too (the database is away), pg-boss retries the job and the claim starts over.
    const failed = await database.db.transaction().execute(async (tx) => {
      const row = await repo.finishTask(tx, task.id, {
        status: 'failed',
        at: clock.now(),
        errorCode: problem.code,
        message: problem.message,
      });
      if (!row) return undefined;
      await audit.record(tx, ctx, {
        action: 'task.failed',
        ...taskTarget(row),
        meta: { kind: task.kind, errorCode: problem.code },
      });
      return row;
    });
    return failed ? taskDto(failed) : finalState(db, task.id);
  }
}

async function finalState(db: Queryable, id: string): Promise<TaskDto | null> {
  const row = await repo.findTask(db, id);
  return row ? taskDto(row) : null;
}

/** Hands a task to the queue; sending twice is harmless (the job id is derived from the task id). */
export async function enqueueTask(jobs: Jobs, taskId: string): Promise<void> {
  await jobs.send(TASK_QUEUE, { taskId }, { singletonKey: taskId });
}

/**
 * Works the task queue. At start it also re-sends every unfinished task, for a job lost between a
 * task's commit and its send (a crash right then): the send is idempotent, so tasks that have
 * their job already are not run twice.
 */
export async function registerTaskWorker(jobs: Jobs, options: TaskRunnerDeps): Promise<void> {
  // A worker has no request to report to: unexpected failures go to the process log by default.
  const deps = { logger: console, ...options };
  await jobs.work(TASK_QUEUE, async (data) => {
    const taskId = (data as { taskId?: unknown } | null)?.taskId;
    if (typeof taskId !== 'string' || !UUID_PATTERN.test(taskId)) {
      deps.logger?.error(`tasks: ignoring a job without a task id: ${JSON.stringify(data)}`);
      return;
    }
    await runTaskNow(deps, taskId);
  });
  for (const id of await repo.unfinishedTaskIds(deps.database.db)) await enqueueTask(jobs, id);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
