import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9][0-9]{6,14}$/, 'must be an international number in E.164 form, such as +233201234567');

export const passwordSchema = z.string().min(10, 'must have at least 10 characters').max(200);

export const loginBody = z.object({ phone: phoneSchema, password: z.string().min(1).max(200) }).strict();

export const grantSchema = z.object({
  assignmentId: z.string().nullable(),
  roleCode: z.string(),
  areaId: z.string(),
  areaPath: z.string(),
  permissions: z.array(z.string()),
});

export const meSchema = z.object({
  kind: z.enum(['user', 'token', 'system']),
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  preferredLanguage: z.string().nullable(),
  areaId: z.string().nullable(),
  grants: z.array(grantSchema),
});

export const loginResponse = z.object({ token: z.string(), expiresAt: z.string(), me: meSchema });

export const assignmentInput = z.object({ roleCode: z.string().min(1).max(60), areaId: uuidSchema }).strict();

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  areaId: z.string(),
  preferredLanguage: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  assignments: z.array(z.object({ id: z.string(), roleCode: z.string(), areaId: z.string() })),
});
export type UserDto = z.infer<typeof userSchema>;

export const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag');

export const createUserBody = z
  .object({
    id: uuidSchema.optional(),
    name: z.string().trim().min(1).max(200),
    phone: phoneSchema,
    email: z.string().trim().email().max(200).optional(),
    password: passwordSchema.optional(),
    areaId: uuidSchema,
    preferredLanguage: languageTag.optional(),
    assignments: z.array(assignmentInput).max(20).default([]),
  })
  .strict();
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().trim().email().max(200).nullable().optional(),
    preferredLanguage: languageTag.optional(),
    areaId: uuidSchema.optional(),
  })
  .strict();
export type UpdateUserInput = z.infer<typeof updateUserBody>;

/** Sort orders of the accounts list; a leading '-' reverses. Ties are broken by id, the same way. */
export const USER_SORTS = ['name', '-name', 'createdAt', '-createdAt'] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** Which accounts, in what order: shared by the list, its CSV form and the export task. */
export const userListFilter = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  areaId: uuidSchema.optional(),
  sort: z
    .enum(USER_SORTS)
    .default('createdAt')
    .describe('name or createdAt, descending with a leading "-"; ties are broken by id.'),
});
export type UserListFilter = z.infer<typeof userListFilter>;

/** Parameters of an 'export.users' task: the list's filter and order. */
export const userExportParams = userListFilter.strict();

export const USER_CSV_EXPORT_CAP = 100_000;

export const userListQuery = userListFilter
  .extend({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z
      .string()
      .max(500)
      .optional()
      .describe('nextCursor of the previous page; valid only with the same sort.'),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe(
        `csv (or Accept: text/csv) streams the whole filtered, sorted set, up to ${USER_CSV_EXPORT_CAP} rows; ` +
          'limit is ignored and X-Export-Truncated: true says the cap was reached.',
      ),
  })
  .strict();
export type UserListQuery = z.infer<typeof userListQuery>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  roleCode: z.string(),
  areaId: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const createApiTokenBody = z
  .object({
    id: uuidSchema.optional(),
    name: z.string().trim().min(1).max(100),
    roleCode: z.string().min(1).max(60),
    areaId: uuidSchema,
    scopes: z.array(z.string().min(1).max(60)).min(1).max(50),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
