import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/**
 * Oversight of the chain of custody (issue 6): mass balances per actor and period, risk flags, the
 * reference prices they compare against, and the incident register in the shape of the OECD Due
 * Diligence Guidance, Annex II.
 */

const day = z.iso.date().describe('A calendar day, YYYY-MM-DD, in the country profile’s time zone');
const mineral = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a mineral code such as gold');

// Mass balance ---------------------------------------------------------------------------------

export const BALANCE_FLAGS = ['outputs_exceed_inputs', 'loss_beyond_tolerance'] as const;

export const massBalanceQuery = z
  .strictObject({
    from: day,
    to: day,
    actorId: uuidSchema.optional(),
    areaId: uuidSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });
export type MassBalanceQuery = z.infer<typeof massBalanceQuery>;

export const massBalanceSchema = z.object({
  actorId: z.string(),
  actorName: z.string(),
  actorKind: z.string(),
  areaId: z.string(),
  from: z.string(),
  to: z.string(),
  openingMg: z.number().int().describe('Held at the start of `from`'),
  producedMg: z.number().int(),
  purchasedMg: z.number().int().describe('Transfers in'),
  soldMg: z.number().int().describe('Transfers out'),
  exportedMg: z.number().int(),
  processingInputMg: z.number().int(),
  processingLossMg: z.number().int(),
  closingMg: z.number().int().describe('Held at the end of `to`: opening + inputs − outputs'),
  flags: z.array(z.enum(BALANCE_FLAGS)),
});
export type MassBalanceDto = z.infer<typeof massBalanceSchema>;

// Reference prices -------------------------------------------------------------------------------

export const referencePriceBody = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/),
  mineral,
  day,
  priceMinor: z
    .number()
    .int()
    .positive()
    .max(1e15)
    .describe('Price of one gram of fine mineral, minor units'),
  currency: z.string().regex(/^[A-Z]{3}$/),
  source: z.string().trim().min(1).max(200),
});
export type ReferencePriceInput = z.infer<typeof referencePriceBody>;

export const referencePriceSchema = referencePriceBody.extend({ recordedAt: z.string() });
export type ReferencePriceDto = z.infer<typeof referencePriceSchema>;

export const referencePriceQuery = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/),
  mineral,
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

// Risk flags -------------------------------------------------------------------------------------

export const FLAG_CODES = [
  'origin_unlicensed',
  'origin_licence_suspended',
  'origin_in_armed_group_area',
  'counterpart_suspended',
  'price_below_reference',
  'price_above_reference',
  'volume_beyond_capacity',
  'mercury_use',
  'class_1_incident',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const flagSchema = z.object({
  id: z.string(),
  code: z.enum(FLAG_CODES),
  areaId: z.string(),
  eventId: z.string().nullable(),
  lotId: z.string().nullable(),
  actorId: z.string().nullable(),
  siteId: z.string().nullable(),
  incidentId: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).describe('Values for the translated reason'),
  evidence: z.record(z.string(), z.unknown()).describe('What the flag was raised on'),
  status: z.enum(['open', 'resolved']),
  raisedAt: z.string(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  version: z.number().int(),
});
export type FlagDto = z.infer<typeof flagSchema>;

export const flagListQuery = z.strictObject({
  code: z.enum(FLAG_CODES).optional(),
  status: z.enum(['open', 'resolved']).optional(),
  areaId: uuidSchema.optional(),
  actorId: uuidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type FlagListQuery = z.infer<typeof flagListQuery>;

export const resolveFlagBody = z.strictObject({
  reason: z.string().trim().min(3).max(2000).describe('What was checked and found: kept with the flag'),
});

// Incidents --------------------------------------------------------------------------------------

export const INCIDENT_CATEGORIES = [
  'serious_abuse',
  'armed_group_support',
  'public_security',
  'bribery',
  'money_laundering',
  'tax_evasion',
  'other',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

/** Annex II: these call for disengaging at once (class 1); every other risk is mitigated (class 2). */
export const CLASS_1_CATEGORIES: readonly IncidentCategory[] = ['serious_abuse', 'armed_group_support'];
export const annexClassOf = (category: IncidentCategory): 'class_1' | 'class_2' =>
  CLASS_1_CATEGORIES.includes(category) ? 'class_1' : 'class_2';

export const INCIDENT_STATUSES = ['open', 'mitigating', 'resolved', 'disengaged'] as const;

const planAction = z.strictObject({
  action: z.string().trim().min(1).max(500),
  owner: z.string().trim().min(1).max(200),
  deadline: day,
  done: z.boolean().default(false),
});

export const createIncidentBody = z
  .strictObject({
    id: uuidSchema.optional(),
    category: z.enum(INCIDENT_CATEGORIES),
    siteId: uuidSchema.optional(),
    actorId: uuidSchema.optional(),
    lotId: uuidSchema.optional(),
    areaId: uuidSchema.optional().describe('Where it was seen, when no site, actor or lot is named'),
    description: z.string().trim().min(1).max(5000),
    observedAt: z.iso.datetime({ offset: true }),
  })
  .refine((b) => b.siteId || b.actorId || b.lotId || b.areaId, {
    message: 'name a site, an actor, a lot or an area',
    path: ['areaId'],
  });
export type CreateIncidentInput = z.infer<typeof createIncidentBody>;

export const incidentPlanBody = z.strictObject({
  actions: z.array(planAction).min(1).max(50),
});
export type IncidentPlanInput = z.infer<typeof incidentPlanBody>;

export const incidentStatusBody = z.strictObject({
  status: z.enum(INCIDENT_STATUSES),
  reason: z.string().trim().min(3).max(2000),
});
export type IncidentStatusInput = z.infer<typeof incidentStatusBody>;

export const incidentSchema = z.object({
  id: z.string(),
  country: z.string(),
  areaId: z.string(),
  category: z.enum(INCIDENT_CATEGORIES),
  annexClass: z.enum(['class_1', 'class_2']),
  siteId: z.string().nullable(),
  actorId: z.string().nullable(),
  lotId: z.string().nullable(),
  description: z.string(),
  observedAt: z.string(),
  reportedBy: z.string().nullable(),
  reportedAt: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  plan: z.array(z.object({ action: z.string(), owner: z.string(), deadline: z.string(), done: z.boolean() })),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type IncidentDto = z.infer<typeof incidentSchema>;

export const incidentListQuery = z.strictObject({
  status: z.enum(INCIDENT_STATUSES).optional(),
  annexClass: z.enum(['class_1', 'class_2']).optional(),
  areaId: uuidSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;
