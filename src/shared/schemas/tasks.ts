import { z } from 'zod';

/**
 * Long work the server does in the background (exports today): the caller starts a task, leaves,
 * and comes back to its progress and its result. Tasks belong to the account that started them;
 * no one else sees them.
 */
export const TASK_KINDS = ['export.users', 'export.audit'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses a task never leaves. */
export const FINISHED_TASK_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export const taskSchema = z.object({
  id: z.string(),
  kind: z.enum(TASK_KINDS),
  status: z.enum(TASK_STATUSES),
  progress: z.object({
    done: z.number().int().describe('Rows written so far.'),
    total: z.number().int().nullable().describe('Rows the task will write, once known.'),
  }),
  message: z
    .string()
    .nullable()
    .describe('A short note for people: why it failed, or that the cap cut it short.'),
  params: z.record(z.string(), z.unknown()),
  result: z
    .object({
      name: z.string().describe('File name to save the result under.'),
      contentType: z.string(),
      bytes: z.number().int(),
      downloadUrl: z.string(),
    })
    .nullable()
    .describe('Present once the task has succeeded.'),
  errorCode: z
    .string()
    .nullable()
    .describe('Stable code of the failure, like the code of a problem document.'),
  createdBy: z.string(),
  areaId: z.string(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  version: z.number().int(),
});
export type TaskDto = z.infer<typeof taskSchema>;

export const taskListQuery = z
  .object({
    status: z.enum(TASK_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type TaskListQuery = z.infer<typeof taskListQuery>;
