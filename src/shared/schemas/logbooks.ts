import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/**
 * Production logbooks (issue 6): one report per licence or production unit and period. Shaped for a
 * phone or for an officer copying a paper logbook: few fields, whole numbers, "not reported" (null)
 * kept apart from zero. Masses are integer milligrams, ore whole kilograms, money minor units.
 */
export const PERIOD_KINDS = ['weekly', 'monthly', 'quarterly'] as const;
export const LOGBOOK_SOURCES = ['phone', 'officer_from_paper'] as const;
export const ORE_UNITS = ['kg', 't'] as const;
export const MISSING_STATUSES = ['missing', 'late'] as const;

const isoDate = z.iso.date('must be a date as YYYY-MM-DD');
const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(1_000_000);
/** Up to 10^13 mg (10,000 t): exact in a JavaScript number. */
const mg = z.number().int('must be whole milligrams').min(0, 'must not be negative').max(1e13);

/** Ore as whole kilograms, or null when the figure has finer precision than that (2.5 kg, 1.0004 t). */
export function oreKg(o: { amount: number; unit: (typeof ORE_UNITS)[number] }): number | null {
  const kg = o.unit === 't' ? o.amount * 1000 : o.amount;
  const whole = Math.round(kg);
  // 1.001 t is 1000.9999999999999 kg in floating point: allow that much noise, no more.
  return Math.abs(kg - whole) < 1e-6 ? whole : null;
}

export const oreMinedSchema = z
  .strictObject({
    amount: z.number().min(0, 'must not be negative').max(1e9),
    unit: z.enum(ORE_UNITS),
  })
  .refine((o) => oreKg(o) !== null, {
    message: 'kilograms must be whole, tonnes at most 3 decimals',
    path: ['amount'],
  });

export const logbookBody = z.strictObject({
  licenceId: uuidSchema.optional().describe('The licence reported on (give this or productionUnitId).'),
  productionUnitId: uuidSchema.optional().describe('The production unit reported on.'),
  periodStart: isoDate.describe(
    'First day of the period: a Monday (weekly), the 1st (monthly) or the 1st of a quarter.',
  ),
  oreMined: oreMinedSchema.nullable().optional().describe('Ore mined; null or absent when not reported.'),
  mineral: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a mineral code such as gold')
    .default('gold'),
  mineralMassMg: mg.describe('Mineral produced (gross mass) in milligrams.'),
  finenessPtt: z
    .number()
    .int('must be parts per ten thousand')
    .min(0)
    .max(10000)
    .nullable()
    .optional()
    .describe('Estimated fineness in parts per ten thousand (9000 = 900 ‰).'),
  workers: z.strictObject({
    women: count,
    men: count,
    otherOrUnknown: count,
    youth: count.nullable().optional().describe('Of all the workers, how many are youth (optional).'),
  }),
  equipmentBought: z.array(z.string().trim().min(1).max(200)).max(30).default([]),
  operatingCosts: z
    .strictObject({
      amountMinor: z.number().int('must be whole minor units').min(0).max(Number.MAX_SAFE_INTEGER),
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GHS'),
    })
    .nullable()
    .optional(),
  mercuryUsedMg: mg
    .nullable()
    .optional()
    .describe('Mercury used: 0 is none; null or absent is not reported.'),
  source: z.enum(LOGBOOK_SOURCES),
});
export type LogbookInput = z.infer<typeof logbookBody>;

export const logbookReportSchema = z.object({
  id: uuidSchema,
  subjectKind: z.enum(['licence', 'production_unit']),
  licenceId: uuidSchema.nullable(),
  productionUnitId: uuidSchema.nullable(),
  areaId: uuidSchema,
  country: z.string(),
  periodKind: z.enum(PERIOD_KINDS),
  periodStart: z.string(),
  periodEnd: z.string(),
  dueOn: z.string(),
  oreMinedKg: z.number().nullable(),
  oreUnit: z.enum(ORE_UNITS).nullable(),
  mineral: z.string(),
  mineralMassMg: z.number(),
  finenessPtt: z.number().nullable(),
  workers: z.object({
    women: z.number(),
    men: z.number(),
    otherOrUnknown: z.number(),
    youth: z.number().nullable(),
  }),
  equipmentBought: z.array(z.string()),
  operatingCosts: z.object({ amountMinor: z.number(), currency: z.string() }).nullable(),
  mercuryUsedMg: z.number().nullable(),
  source: z.enum(LOGBOOK_SOURCES),
  submittedBy: z.string().nullable(),
  submittedAt: z.string(),
  submittedLate: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type LogbookReportDto = z.infer<typeof logbookReportSchema>;

export const logbookListQuery = z.strictObject({
  licenceId: uuidSchema.optional(),
  productionUnitId: uuidSchema.optional(),
  areaId: uuidSchema.optional().describe('Reports of licences and units in this area and below.'),
  from: isoDate.optional().describe('Periods starting on or after this day.'),
  to: isoDate.optional().describe('Periods starting on or before this day.'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export const missingQuery = z.strictObject({
  areaId: uuidSchema.describe('The office: its area and every area below it.'),
  asOf: isoDate.optional().describe('The day to judge on; today in the country when left out.'),
  from: isoDate
    .optional()
    .describe('Periods starting on or after this day; 13 weeks before asOf when left out.'),
  format: z.enum(['json', 'csv']).optional(),
});

export const missingItemSchema = z.object({
  status: z.enum(MISSING_STATUSES),
  subjectKind: z.enum(['licence', 'production_unit']),
  licenceId: uuidSchema.nullable(),
  productionUnitId: uuidSchema.nullable(),
  /** Licence number or unit reference, as printed. */
  reference: z.string(),
  areaId: uuidSchema,
  areaName: z.string(),
  periodKind: z.enum(PERIOD_KINDS),
  periodStart: z.string(),
  periodEnd: z.string(),
  dueOn: z.string(),
  reportId: uuidSchema.nullable(),
  submittedAt: z.string().nullable(),
  /** Days past the due date: on asOf for a missing report, at first submission for a late one. */
  daysOverdue: z.number().int(),
});
export type MissingItemDto = z.infer<typeof missingItemSchema>;

export const missingSchema = z.object({
  asOf: z.string(),
  from: z.string(),
  items: z.array(missingItemSchema),
  /** Per area of a licence or unit (the districts of the office): how many missing and late. */
  byArea: z.array(
    z.object({
      areaId: uuidSchema,
      areaName: z.string(),
      missing: z.number().int(),
      late: z.number().int(),
    }),
  ),
  /** The list stops at a cap; the counts per area never do. */
  truncated: z.boolean(),
});
export type MissingDto = z.infer<typeof missingSchema>;

export const logbookPdfQuery = z.strictObject({
  periods: z.coerce.number().int().min(1).max(52).default(12),
  from: isoDate.optional().describe('A day in the first period to print; the current period when left out.'),
});
