import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { userExportParams } from '../../../shared/schemas/accounts.ts';
import { type TaskDto, taskListQuery, taskSchema } from '../../../shared/schemas/tasks.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf } from '../../platform/http/write.ts';
import { auditEventFilter } from '../audit/export.ts';
import { enqueueTask } from './runner.ts';
import { createTaskService, taskErrors } from './service.ts';

const tags = ['tasks'];
const idParams = z.object({ id: uuidSchema });

/** One body per kind: its params are the filter of the synchronous export of the same rows. */
const createTaskBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('export.users'),
      params: userExportParams
        .prefault({})
        .describe('The filter and order of GET /users (needs users.read).'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('export.audit'),
      params: auditEventFilter
        .strict()
        .prefault({})
        .describe('The filter of GET /audit-events (needs audit.read).'),
    })
    .strict(),
]);

/**
 * What runWrite writes to, held back so that the job is sent after the commit but before the answer
 * goes out: a client told 202 can count on the job, and a worker always finds the committed task.
 */
class HeldReply {
  statusCode = 200;
  headers: Record<string, string> = {};
  body: unknown;
  header(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  send(payload?: unknown) {
    this.body = payload;
    return this;
  }
}

/** The result file on disk, refusing anything that would resolve outside DATA_DIR/exports/. */
function resultPath(dataDir: string, file: string): string {
  const root = resolve(dataDir, 'exports');
  const path = resolve(join(dataDir, file));
  if (!/^exports\/[0-9a-f-]{36}\.[a-z]+$/.test(file) || !path.startsWith(root + sep)) {
    throw taskErrors.resultGone();
  }
  return path;
}

/** A header-safe file name: ours are ASCII already; anything else is replaced, never passed through. */
function attachment(name: string): string {
  return `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}

export function registerTaskRoutes(
  app: TypedApp,
  { database, audit, clock, config, runWrite, jobs }: ModuleDeps,
): void {
  const tasks = createTaskService({ audit, clock });

  app.post(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Start a long task (an export); answers 202 at once, then watch GET /tasks/{id}',
        body: createTaskBody,
        response: { 202: taskSchema },
      },
    },
    async (request, reply) => {
      const held = new HeldReply();
      await runWrite(request, held, request.ctx, async (tx) => {
        const task = await tasks.create(tx, request.ctx, request.body);
        return { status: 202, body: task, headers: { location: `/api/v1/tasks/${task.id}` } };
      });
      const task = held.body as TaskDto;
      // A replayed request sends again: harmless (one job per task), and it repairs a send that
      // failed the first time. Without jobs (JOBS=off) the task waits for runTaskNow or a worker.
      if (jobs && held.statusCode === 202 && task?.id) await enqueueTask(jobs, task.id);
      for (const [name, value] of Object.entries(held.headers)) reply.header(name, value);
      return reply.status(202).send(task);
    },
  );

  app.get(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'My tasks, newest first',
        querystring: taskListQuery,
        response: { 200: pageResponse(taskSchema) },
      },
    },
    async (request) => tasks.list(database.db, request.ctx, request.query),
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        tags,
        summary: 'One of my tasks, with its progress (others answer 404)',
        params: idParams,
        response: { 200: taskSchema },
      },
    },
    async (request, reply) => {
      const task = await tasks.get(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(task.version)).header('cache-control', 'no-store');
      return task;
    },
  );

  app.post(
    '/tasks/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel one of my tasks; a running one stops after its current batch',
        params: idParams,
        response: { 200: taskSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const task = await tasks.cancel(tx, request.ctx, request.params.id);
        return { status: 200, body: task, headers: { etag: etagOf(task.version) } };
      }),
  );

  app.get(
    '/tasks/:id/download',
    {
      schema: {
        tags,
        summary: 'The result file of one of my tasks that succeeded (409 task.not_ready before that)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const result = await tasks.resultOf(database.db, request.ctx, request.params.id);
      const path = resultPath(config.dataDir, result.file);
      let bytes: number;
      try {
        bytes = (await stat(path)).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw taskErrors.resultGone();
        throw err;
      }
      await database.db.transaction().execute((tx) => tasks.recordDownload(tx, request.ctx, result.task));
      reply
        .type(result.type)
        .header('content-disposition', attachment(result.name))
        .header('content-length', String(bytes))
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff');
      return (reply as FastifyReply).send(createReadStream(path));
    },
  );
}
