import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { type APPLICATION_STATUSES, licenceApplicationSchema } from './licensing.ts';

/** Licence lifecycle (issue 4): progressive conditions, renewal, the office queue. */
export const CONDITION_STATUSES = ['open', 'met', 'waived'] as const;

export const licenceConditionSchema = z.object({
  id: uuidSchema,
  licenceId: uuidSchema,
  code: z.string(),
  description: z.string(),
  /** When the condition is a level of the improvement standard (issue 6). */
  improvementLevel: z.number().int().nullable(),
  dueDate: z.string(),
  status: z.enum(CONDITION_STATUSES),
  /** Open and past its due date. */
  overdue: z.boolean(),
  evidenceNote: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type LicenceConditionDto = z.infer<typeof licenceConditionSchema>;

export const licenceConditionsResponse = z.object({
  items: z.array(licenceConditionSchema),
  /** How many are open past their due date: renewal is refused while there is one. */
  overdue: z.number().int(),
});

const isoDate = z.iso.date();

export const addConditionBody = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case code'),
  description: z.string().trim().min(1).max(1000),
  dueDate: isoDate,
  improvementLevel: z.number().int().min(1).max(10).optional(),
});
export type AddConditionInput = z.infer<typeof addConditionBody>;

export const conditionMetBody = z.strictObject({
  evidenceNote: z.string().trim().min(1, 'say what evidence was seen').max(2000),
});
export const conditionWaiveBody = z.strictObject({
  reason: z.string().trim().min(1, 'a reason is required').max(2000),
});

export const QUEUE_STATUSES = [
  'submitted',
  'under_review',
] as const satisfies readonly (typeof APPLICATION_STATUSES)[number][];

export const licenceQueueQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: z.enum(QUEUE_STATUSES).optional(),
  tierCode: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .optional(),
  /** overdue=true: only applications waiting longer than their tier's service standard. */
  overdue: z.enum(['true', 'false']).optional(),
});
export type LicenceQueueQuery = z.infer<typeof licenceQueueQuery>;

export const licenceQueueItemSchema = licenceApplicationSchema.extend({
  /** Whole days since submission. */
  waitingDays: z.number().int(),
  /** The tier's service standard in the profile; null when the tier is no longer there. */
  serviceStandardDays: z.number().int().nullable(),
  overdue: z.boolean(),
  daysOverdue: z.number().int(),
});
export type LicenceQueueItemDto = z.infer<typeof licenceQueueItemSchema>;

export const licenceQueueResponse = z.object({
  items: z.array(licenceQueueItemSchema),
  nextCursor: z.string().nullable(),
  /** For the caller's areas with the status and tier filters (not the overdue one). */
  counts: z.object({ total: z.number().int(), overdue: z.number().int() }),
});
