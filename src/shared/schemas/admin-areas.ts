import { z } from 'zod';

export const adminAreaSchema = z.object({
  id: z.string(),
  country: z.string(),
  code: z.string(),
  level: z.number().int(),
  levelName: z.string(),
  parentId: z.string().nullable(),
  path: z.string(),
  name: z.string(),
  names: z.record(z.string(), z.string()),
  isDemo: z.boolean(),
  source: z.string().nullable(),
});
export type AdminAreaDto = z.infer<typeof adminAreaSchema>;

export const adminAreaListQuery = z
  .object({
    parentId: z.string().uuid().optional(),
    level: z.coerce.number().int().min(0).max(6).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    q: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    cursor: z.string().max(500).optional(),
  })
  .strict();
