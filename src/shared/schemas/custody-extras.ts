import { z } from 'zod';

/** Suspending or reinstating a custody actor: the reason is kept in the audit trail. */
export const actorStatusBody = z.strictObject({
  reason: z.string().trim().min(3).max(2000).describe('Why: kept in the audit trail.'),
});
export type ActorStatusInput = z.infer<typeof actorStatusBody>;

/** Most labels in one A4 request: three pages of eight. */
export const MAX_LABELS = 24;

export const labelSheetQuery = z.strictObject({
  ids: z
    .string()
    .max(MAX_LABELS * 40)
    .describe(`Lot ids, comma-separated, at most ${MAX_LABELS}`),
});
