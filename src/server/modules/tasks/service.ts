import { UUID_PATTERN, uuidv7 } from '../../../shared/ids.ts';
import type { Permission } from '../../../shared/permissions.ts';
import type { TaskDto, TaskKind, TaskListQuery } from '../../../shared/schemas/tasks.ts';
import { AccessDenied, requireActor, requirePermission } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.ts';
import * as repo from './repo.ts';

/** What starting each kind of task needs: the permission the synchronous form of the work needs. */
export const TASK_PERMISSIONS: Record<TaskKind, Permission> = {
  'export.users': 'users.read',
  'export.audit': 'audit.read',
};

/** The stable codes a task can fail or be refused with. */
export const taskErrors = {
  notReady: () =>
    new AppError(409, 'task.not_ready', 'The task has no result yet: wait until it has succeeded.'),
  finished: () =>
    new AppError(409, 'task.finished', 'The task has already finished; it cannot be cancelled.'),
  resultGone: () => new AppError(410, 'task.result_gone', 'The result of this task is no longer kept.'),
  ownerDisabled: () =>
    new AppError(409, 'task.owner_disabled', 'The account that started the task was disabled before it ran.'),
  ownerForbidden: () =>
    new AppError(
      409,
      'task.owner_forbidden',
      'The account that started the task no longer holds the permission it needs.',
    ),
  invalidParams: () => new AppError(409, 'task.invalid_params', 'The parameters of the task are not valid.'),
  internal: () => new AppError(500, 'task.internal', 'The task failed on the server. It has been logged.'),
};

export function taskDto(t: repo.TaskRow): TaskDto {
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    progress: { done: t.progress_done, total: t.progress_total },
    message: t.message,
    params: t.params,
    // The file's place on disk stays inside the server: callers get a name and a link.
    result:
      t.status === 'succeeded' && t.result_file
        ? {
            name: t.result_name ?? `${t.id}.csv`,
            contentType: t.result_type ?? 'application/octet-stream',
            bytes: t.result_bytes ?? 0,
            downloadUrl: `/api/v1/tasks/${t.id}/download`,
          }
        : null,
    errorCode: t.error_code,
    createdBy: t.created_by,
    areaId: t.area_id,
    createdAt: t.created_at.toISOString(),
    startedAt: t.started_at?.toISOString() ?? null,
    finishedAt: t.finished_at?.toISOString() ?? null,
    version: t.version,
  };
}

/** The audit fields every event about a task carries. */
export const taskTarget = (t: repo.TaskRow) => ({ entityType: 'task', entityId: t.id, areaId: t.area_id });

export function createTaskService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  /**
   * A task is its owner's alone. Anyone else, whatever their role, gets the same 404 as for a task
   * that does not exist, and the probe is audited as denied access.
   */
  async function ownTask(db: Queryable, ctx: RequestContext, id: string): Promise<repo.TaskRow> {
    const actor = requireActor(ctx);
    const task = await repo.findTask(db, id);
    if (!task) throw problems.notFound('Task');
    if (task.created_by !== actor.id) {
      throw new AccessDenied(problems.notFound('Task'), 'task.owner', taskTarget(task));
    }
    return task;
  }

  return {
    ownTask,

    async create(
      tx: Tx,
      ctx: RequestContext,
      input: { kind: TaskKind; params: Record<string, unknown> },
    ): Promise<TaskDto> {
      const permission = TASK_PERMISSIONS[input.kind];
      const actor = requirePermission(ctx, permission);
      // A task runs later with its owner's grants re-read from the account; only accounts have them.
      if (actor.kind !== 'user' || !actor.homeAreaId) {
        throw new AccessDenied(problems.forbidden(), permission, null);
      }
      const task = await repo.insertTask(tx, {
        id: uuidv7(clock.now().getTime()),
        kind: input.kind,
        params: input.params,
        createdBy: actor.id,
        areaId: actor.homeAreaId,
        createdAt: clock.now(),
      });
      await audit.record(tx, ctx, {
        action: 'task.created',
        ...taskTarget(task),
        after: { kind: task.kind, params: task.params },
      });
      return taskDto(task);
    },

    async list(db: Queryable, ctx: RequestContext, query: TaskListQuery): Promise<Page<TaskDto>> {
      const actor = requireActor(ctx);
      const after = decodeCursor(query.cursor, 1);
      const beforeId = after ? after[0] : undefined;
      if (beforeId !== undefined && (typeof beforeId !== 'string' || !UUID_PATTERN.test(beforeId))) {
        throw problems.invalidCursor();
      }
      const rows = await repo.listOwnTasks(db, {
        ownerId: actor.id,
        status: query.status,
        beforeId,
        limit: query.limit,
      });
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(taskDto), nextCursor: more && last ? encodeCursor([last.id]) : null };
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<TaskDto> {
      return taskDto(await ownTask(db, ctx, id));
    },

    /** Cancelling twice is harmless; a task that already ended cannot be cancelled (409). */
    async cancel(tx: Tx, ctx: RequestContext, id: string): Promise<TaskDto> {
      const task = await ownTask(tx, ctx, id);
      if (task.status === 'cancelled') return taskDto(task);
      const cancelled = await repo.cancelTask(tx, id, clock.now());
      if (!cancelled) throw taskErrors.finished();
      await audit.record(tx, ctx, {
        action: 'task.cancelled',
        ...taskTarget(cancelled),
        before: { status: task.status, progress: task.progress_done },
        after: { status: 'cancelled' },
      });
      return taskDto(cancelled);
    },

    /** The result of an owner's task: only one that succeeded has one. */
    async resultOf(db: Queryable, ctx: RequestContext, id: string) {
      const task = await ownTask(db, ctx, id);
      if (task.status !== 'succeeded') throw taskErrors.notReady();
      if (!task.result_file) throw taskErrors.resultGone();
      return {
        task,
        file: task.result_file,
        name: task.result_name ?? `${task.id}.csv`,
        type: task.result_type ?? 'application/octet-stream',
      };
    },

    /** The moment exported records leave the server is recorded, as the export itself was. */
    async recordDownload(tx: Tx, ctx: RequestContext, task: repo.TaskRow): Promise<void> {
      await audit.record(tx, ctx, {
        action: 'task.downloaded',
        ...taskTarget(task),
        meta: { kind: task.kind, bytes: task.result_bytes },
      });
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
