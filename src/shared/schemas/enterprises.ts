import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { phoneSchema } from './accounts.ts';

/**
 * The registry of enterprises (the counterpart for licences, finance and markets) and of production
 * units (pits, shafts, dredges, plants: a unit can hold a licence instead of each person).
 */
export const ENTERPRISE_FORMS = [
  'individual',
  'partnership',
  'association',
  'cooperative',
  'company',
  'community_group',
] as const;
export type EnterpriseForm = (typeof ENTERPRISE_FORMS)[number];

export const ENTERPRISE_STATUSES = ['active', 'inactive', 'dissolved'] as const;

export const MEMBER_ROLES = ['chair', 'treasurer', 'secretary', 'member', 'worker'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
/** Roles that are leadership seats: one holder at a time, for a term. */
export const LEADERSHIP_ROLES: readonly MemberRole[] = ['chair', 'treasurer', 'secretary'];

export const SEXES = ['female', 'male'] as const;

export const UNIT_KINDS = ['pit', 'shaft', 'dredge', 'washing_plant', 'processing_plant'] as const;

/** Rows per CSV export of a registry list (people, enterprises). */
export const REGISTRY_CSV_EXPORT_CAP = 100_000;

export const isoDate = z.iso.date('must be a date as YYYY-MM-DD');

const text = (max: number) => z.string().trim().min(1).max(max);

export const registrationSchema = z
  .object({
    authority: text(200).describe('Who registered the enterprise (registrar, district assembly, ...).'),
    number: text(100),
    date: isoDate.optional(),
  })
  .strict();

export const paymentAccountSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('bank'),
      provider: text(100).describe('The bank.'),
      account: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9 -]{5,40}$/, 'must be an account number (5 to 40 letters, digits, spaces)'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('mobile_money'),
      provider: text(100).describe('The mobile money operator.'),
      account: phoneSchema,
    })
    .strict(),
]);

/**
 * An integer percentage of part in whole, rounded half up, computed in integers so that it is
 * exact; null when whole is 0 (no one to count).
 */
export function sharePercent(part: number, whole: number): number | null {
  if (!Number.isSafeInteger(part) || !Number.isSafeInteger(whole) || part < 0 || part > whole) {
    throw new RangeError('sharePercent needs 0 <= part <= whole, integers');
  }
  if (whole === 0) return null;
  return Math.floor((200 * part + whole) / (2 * whole));
}

export const memberSchema = z.object({
  id: z.string(),
  personId: z.string().nullable(),
  memberName: z.string(),
  sex: z.enum(SEXES),
  role: z.enum(MEMBER_ROLES),
  leadership: z.boolean(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  current: z.boolean().describe('Started on or before today and not yet ended.'),
  version: z.number().int(),
});
export type MemberDto = z.infer<typeof memberSchema>;

export const enterpriseSchema = z.object({
  id: z.string(),
  reference: z.string().describe('Human reference number with a check character, such as ENT-000001-K.'),
  name: z.string(),
  form: z.enum(ENTERPRISE_FORMS),
  registration: registrationSchema.nullable(),
  areaId: z.string(),
  benefitSharingRules: z.string().nullable(),
  paymentAccount: paymentAccountSchema.nullable(),
  status: z.enum(ENTERPRISE_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type EnterpriseDto = z.infer<typeof enterpriseSchema>;

export const enterpriseDetailSchema = enterpriseSchema.extend({
  members: z.array(memberSchema),
  figures: z.object({
    currentMembers: z.number().int(),
    currentLeaders: z.number().int(),
    womenShareOfMembers: z
      .number()
      .int()
      .nullable()
      .describe('Percentage of women among current members, rounded; null without members.'),
    womenShareOfLeaders: z
      .number()
      .int()
      .nullable()
      .describe('Percentage of women among current leaders (chair, treasurer, secretary); null without.'),
  }),
});
export type EnterpriseDetailDto = z.infer<typeof enterpriseDetailSchema>;

export const createEnterpriseBody = z
  .object({
    id: uuidSchema.optional().describe('A UUIDv7 made by the client (offline); sending it again is a no-op.'),
    name: text(200),
    form: z.enum(ENTERPRISE_FORMS),
    registration: registrationSchema.optional(),
    areaId: uuidSchema,
    benefitSharingRules: text(5000).optional(),
    paymentAccount: paymentAccountSchema.optional(),
  })
  .strict();
export type CreateEnterpriseInput = z.infer<typeof createEnterpriseBody>;

export const updateEnterpriseBody = z
  .object({
    name: text(200).optional(),
    form: z.enum(ENTERPRISE_FORMS).optional(),
    formChange: z
      .object({ date: isoDate.optional(), reason: text(1000) })
      .strict()
      .optional()
      .describe('Why and when the form changed (kept in the history); with form.'),
    registration: registrationSchema.nullable().optional(),
    areaId: uuidSchema.optional(),
    benefitSharingRules: text(5000).nullable().optional(),
    paymentAccount: paymentAccountSchema.nullable().optional(),
    status: z.enum(ENTERPRISE_STATUSES).optional(),
  })
  .strict();
export type UpdateEnterpriseInput = z.infer<typeof updateEnterpriseBody>;

export const enterpriseListQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional().describe('Name search, typo-tolerant.'),
    form: z.enum(ENTERPRISE_FORMS).optional(),
    areaId: uuidSchema.optional().describe('Only enterprises in this area and the areas inside it.'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe(
        `csv (or Accept: text/csv) streams the whole filtered set by name, up to ${REGISTRY_CSV_EXPORT_CAP} rows; ` +
          'limit and cursor are ignored and X-Export-Truncated: true says the cap was reached.',
      ),
  })
  .strict();
export type EnterpriseListQuery = z.infer<typeof enterpriseListQuery>;

export const formChangeSchema = z.object({
  id: z.string(),
  fromForm: z.enum(ENTERPRISE_FORMS),
  toForm: z.enum(ENTERPRISE_FORMS),
  date: z.string(),
  reason: z.string().nullable(),
  changedBy: z.string().nullable(),
  recordedAt: z.string(),
});

export const addMemberBody = z
  .object({
    id: uuidSchema.optional(),
    personId: uuidSchema.optional().describe('The person in the people registry, when registered there.'),
    memberName: text(200),
    sex: z.enum(SEXES),
    role: z.enum(MEMBER_ROLES),
    startDate: isoDate,
    endDate: isoDate.optional().describe('The planned end of a leadership term, if known.'),
  })
  .strict();
export type AddMemberInput = z.infer<typeof addMemberBody>;

export const endMemberBody = z
  .object({ endDate: isoDate.optional().describe('Defaults to today.') })
  .strict()
  .prefault({});

export const pointSchema = z
  .object({
    type: z.literal('Point'),
    coordinates: z.tuple([
      z
        .number()
        .min(-180, 'longitude must be between -180 and 180')
        .max(180, 'longitude must be between -180 and 180'),
      z
        .number()
        .min(-90, 'latitude must be between -90 and 90')
        .max(90, 'latitude must be between -90 and 90'),
    ]),
  })
  .strict()
  .describe('GeoJSON Point, [longitude, latitude] in WGS 84.');

export const equipmentSchema = z
  .array(z.object({ item: text(100), count: z.number().int().min(1).max(100_000) }).strict())
  .max(100);

export const capacitySchema = z
  .object({
    value: z.number().positive().max(1e9),
    unit: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a unit code such as t_ore_per_day')
      .describe('Such as t_ore_per_day or m3_per_hour.'),
  })
  .strict();

export const productionUnitSchema = z.object({
  id: z.string(),
  reference: z.string(),
  kind: z.enum(UNIT_KINDS),
  name: z.string(),
  areaId: z.string(),
  location: pointSchema.nullable(),
  equipment: equipmentSchema,
  capacity: capacitySchema.nullable(),
  operatorEnterpriseId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type ProductionUnitDto = z.infer<typeof productionUnitSchema>;

export const createProductionUnitBody = z
  .object({
    id: uuidSchema.optional(),
    kind: z.enum(UNIT_KINDS),
    name: text(200),
    areaId: uuidSchema,
    location: pointSchema.optional(),
    equipment: equipmentSchema.default([]),
    capacity: capacitySchema.optional(),
    operatorEnterpriseId: uuidSchema.optional(),
  })
  .strict();
export type CreateProductionUnitInput = z.infer<typeof createProductionUnitBody>;

export const updateProductionUnitBody = z
  .object({
    kind: z.enum(UNIT_KINDS).optional(),
    name: text(200).optional(),
    areaId: uuidSchema.optional(),
    location: pointSchema.nullable().optional(),
    equipment: equipmentSchema.optional(),
    capacity: capacitySchema.nullable().optional(),
    operatorEnterpriseId: uuidSchema.nullable().optional(),
  })
  .strict();
export type UpdateProductionUnitInput = z.infer<typeof updateProductionUnitBody>;

export const productionUnitListQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Name search (part of the name, typo-tolerant) or exactly a reference such as PU-000001-K.'),
    kind: z.enum(UNIT_KINDS).optional(),
    areaId: uuidSchema.optional(),
    operatorEnterpriseId: uuidSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ProductionUnitListQuery = z.infer<typeof productionUnitListQuery>;
