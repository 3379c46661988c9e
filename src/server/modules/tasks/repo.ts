import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import type { TaskKind, TaskStatus } from '../../../shared/schemas/tasks.ts';
import type { Actor, Grant } from '../../platform/context.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';

/** The tasks table (migration 0003). */
export interface TasksTable {
  id: string;
  kind: TaskKind;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  progress_done: ColumnType<number, number | undefined, number>;
  progress_total: number | null;
  message: string | null;
  params: ColumnType<Record<string, unknown>, string, string>;
  result_file: string | null;
  result_name: string | null;
  result_type: string | null;
  result_bytes: number | null;
  error_code: string | null;
  created_by: string;
  area_id: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  started_at: Date | null;
  finished_at: Date | null;
  version: Generated<number>;
}
export type TaskRow = Selectable<TasksTable>;

/**
 * The application's Kysely handle with the tasks table known. Transaction<DB> is a Kysely<DB>, and
 * withTables keeps the kind of handle it is called on (a transaction stays that transaction).
 */
export function tasksDb(db: Queryable): Kysely<DB & { tasks: TasksTable }> {
  return (db as Kysely<DB>).withTables<{ tasks: TasksTable }>();
}

export async function insertTask(
  db: Queryable,
  t: {
    id: string;
    kind: TaskKind;
    params: Record<string, unknown>;
    createdBy: string;
    areaId: string;
    createdAt: Date;
  },
): Promise<TaskRow> {
  return tasksDb(db)
    .insertInto('tasks')
    .values({
      id: t.id,
      kind: t.kind,
      params: JSON.stringify(t.params),
      created_by: t.createdBy,
      area_id: t.areaId,
      created_at: t.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findTask(db: Queryable, id: string): Promise<TaskRow | undefined> {
  return tasksDb(db).selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One owner's tasks, newest first (UUIDv7 ids sort by creation), one row more than the limit. */
export function listOwnTasks(
  db: Queryable,
  f: { ownerId: string; status?: TaskStatus | undefined; beforeId?: string | undefined; limit: number },
): Promise<TaskRow[]> {
  let q = tasksDb(db).selectFrom('tasks').selectAll().where('created_by', '=', f.ownerId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.beforeId) q = q.where('id', '<', f.beforeId);
  return q
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
}

/**
 * Takes a task for running: a queued one, or a running one whose worker died (pg-boss hands the
 * job out again once it expires). Progress starts over. Undefined when the task is gone, finished
 * or cancelled: there is nothing to do.
 */
export function claimTask(db: Queryable, id: string, now: Date): Promise<TaskRow | undefined> {
  return tasksDb(db)
    .updateTable('tasks')
    .set({
      status: 'running',
      started_at: now,
      progress_done: 0,
      progress_total: null,
      message: null,
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/**
 * Records progress of a running task. False when the task is no longer running (cancelled): the
 * same statement is the worker's cancellation check, so there is no window between the two.
 */
export async function recordProgress(
  db: Queryable,
  id: string,
  progress: { done: number; total?: number | null; message?: string | null },
): Promise<boolean> {
  const r = await tasksDb(db)
    .updateTable('tasks')
    .set({
      progress_done: progress.done,
      ...(progress.total !== undefined ? { progress_total: progress.total } : {}),
      ...(progress.message !== undefined ? { message: progress.message } : {}),
      version: sql`version + 1`,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Moves a running task to its end state; undefined when it was not running any more. */
export function finishTask(
  db: Queryable,
  id: string,
  end:
    | {
        status: 'succeeded';
        at: Date;
        done: number;
        message: string | null;
        result: { file: string; name: string; type: string; bytes: number };
      }
    | { status: 'failed'; at: Date; errorCode: string; message: string },
): Promise<TaskRow | undefined> {
  return tasksDb(db)
    .updateTable('tasks')
    .set(
      end.status === 'succeeded'
        ? {
            status: 'succeeded',
            finished_at: end.at,
            progress_done: end.done,
            progress_total: end.done,
            message: end.message,
            result_file: end.result.file,
            result_name: end.result.name,
            result_type: end.result.type,
            result_bytes: end.result.bytes,
            version: sql`version + 1`,
          }
        : {
            status: 'failed',
            finished_at: end.at,
            error_code: end.errorCode,
            message: end.message,
            version: sql`version + 1`,
          },
    )
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}

/** Cancels a task that has not finished; undefined when it had (or is gone). */
export function cancelTask(db: Queryable, id: string, now: Date): Promise<TaskRow | undefined> {
  return tasksDb(db)
    .updateTable('tasks')
    .set({ status: 'cancelled', finished_at: now, version: sql`version + 1` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/** Tasks not yet finished, oldest first: the ones a starting worker makes sure have a job. */
export async function unfinishedTaskIds(db: Queryable, limit = 1000): Promise<string[]> {
  const rows = await tasksDb(db)
    .selectFrom('tasks')
    .select('id')
    .where('status', 'in', ['queued', 'running'])
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

interface GrantRow {
  role_code: string;
  area_id: string;
  area_path: string;
  permissions: string[];
}

/**
 * The account as an actor with its grants as they are now, for a task running long after the
 * request that started it: a role taken away or an account disabled in between counts. The same
 * grants query as sign-in (platform/auth/authenticate.ts).
 */
export async function currentUserActor(
  db: Queryable,
  userId: string,
): Promise<{ status: 'active' | 'disabled'; actor: Actor } | undefined> {
  const r = await sql<{
    id: string;
    area_id: string;
    status: 'active' | 'disabled';
    grants: GrantRow[] | null;
  }>`
    SELECT u.id, u.area_id, u.status,
      (SELECT json_agg(json_build_object('role_code', a.role_code, 'area_id', a.area_id,
               'area_path', ar.path, 'permissions', r.permissions))
         FROM user_assignments a JOIN roles r ON r.code = a.role_code JOIN admin_areas ar ON ar.id = a.area_id
        WHERE a.user_id = u.id) AS grants
    FROM users u WHERE u.id = ${userId}`.execute(db);
  const u = r.rows[0];
  if (!u) return undefined;
  const grants: Grant[] = (u.grants ?? []).map((g) => ({
    roleCode: g.role_code,
    areaId: g.area_id,
    areaPath: g.area_path,
    permissions: new Set(g.permissions),
  }));
  return { status: u.status, actor: { kind: 'user', id: u.id, homeAreaId: u.area_id, grants } };
}
