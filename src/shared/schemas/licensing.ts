import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { cellIdsSchema, checkResultSchema, exactlyOneArea, exactlyOneAreaMessage } from './cadastre.ts';

/** Licence applications, decisions and licences (issue 4). */
export const HOLDER_KINDS = ['person', 'enterprise', 'production_unit'] as const;
export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'under_review',
  'approved',
  'rejected',
  'issued',
] as const;
export const LICENCE_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;

const tierCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a tier code');
const hectares = z.number().positive('must be greater than 0').max(1_000_000);

/**
 * The last overlap check of an application's area against the cadastre: the check result without
 * the geometry of the free part, and when it was computed (issue 5).
 */
export const areaCheckSummarySchema = checkResultSchema
  .omit({ free: true, ms: true, candidates: true })
  .extend({
    free: z.object({ areaM2: z.number(), percentOfApplied: z.number() }),
    checkedAt: z.string(),
  });
export type AreaCheckSummary = z.infer<typeof areaCheckSummarySchema>;

export const checklistItemSchema = z.object({ met: z.boolean(), note: z.string().nullable() });

export const licenceApplicationSchema = z.object({
  id: uuidSchema,
  reference: z.string(),
  tierCode: z.string(),
  holderKind: z.enum(HOLDER_KINDS),
  holderId: uuidSchema,
  areaId: uuidSchema,
  status: z.enum(APPLICATION_STATUSES),
  requestedAreaHectares: z.number(),
  checklist: z.record(z.string(), checklistItemSchema),
  feeAssessedMinor: z.number().nullable(),
  currency: z.string().nullable(),
  submittedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
  licenceId: uuidSchema.nullable(),
  /** new: issuing creates a licence; renewal: issuing extends licenceId (the same number). */
  kind: z.enum(['new', 'renewal']),
  /** An area has been drawn or uploaded (PUT …/area); its last check is areaCheck. */
  hasArea: z.boolean(),
  areaCheck: areaCheckSummarySchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type LicenceApplicationDto = z.infer<typeof licenceApplicationSchema>;

export const licenceSchema = z.object({
  id: uuidSchema,
  number: z.string(),
  applicationId: uuidSchema,
  tierCode: z.string(),
  holderKind: z.enum(HOLDER_KINDS),
  holderId: uuidSchema,
  areaId: uuidSchema,
  status: z.enum(LICENCE_STATUSES),
  validFrom: z.string(),
  validTo: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type LicenceDto = z.infer<typeof licenceSchema>;

export const createApplicationBody = z.strictObject({
  tierCode,
  holderKind: z.enum(HOLDER_KINDS),
  holderId: uuidSchema,
  requestedAreaHectares: hectares,
});
export type CreateApplicationInput = z.infer<typeof createApplicationBody>;

export const updateApplicationBody = z.strictObject({
  tierCode: tierCode.optional(),
  requestedAreaHectares: hectares.optional(),
});
export type UpdateApplicationInput = z.infer<typeof updateApplicationBody>;

export const checklistBody = z.strictObject({
  code: z.string().min(1).max(64),
  met: z.boolean(),
  note: z.string().max(1000).nullable().optional(),
});

/**
 * The applied area, checked on arrival: a GeoJSON Polygon or MultiPolygon ([lon, lat], WGS 84), or,
 * in a country whose profile has a cadastral grid, the ids of its cells.
 */
export const setAreaBody = z
  .strictObject({ geometry: z.unknown().optional(), cells: cellIdsSchema.optional() })
  .refine(exactlyOneArea, exactlyOneAreaMessage);

export const decisionBody = z.strictObject({
  outcome: z.enum(['approve', 'reject']),
  reason: z.string().max(2000).optional(),
});

export const reasonBody = z.strictObject({ reason: z.string().max(2000).optional() });

/** One holder's applications or licences: both fields or neither. */
const holderFilter = {
  holderKind: z.enum(HOLDER_KINDS).optional(),
  holderId: uuidSchema.optional(),
};

export const applicationListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: z.enum(APPLICATION_STATUSES).optional(),
  tierCode: tierCode.optional(),
  ...holderFilter,
});
export type ApplicationListQuery = z.infer<typeof applicationListQuery>;

export const licenceListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  status: z.enum(LICENCE_STATUSES).optional(),
  tierCode: tierCode.optional(),
  ...holderFilter,
  /** The start of a licence number, any case (GH-AS-ACP-2026-000012-K, or a prefix of it). */
  number: z.string().trim().min(2).max(40).optional(),
});
export type LicenceListQuery = z.infer<typeof licenceListQuery>;

/** One step in the life of an application or licence (licence_events), oldest first. */
export const licenceEventSchema = z.object({
  id: uuidSchema,
  applicationId: uuidSchema,
  licenceId: uuidSchema.nullable(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  /** Set when the statuses alone do not say it (renewed). */
  action: z.string().nullable(),
  reason: z.string().nullable(),
  actorId: z.string().nullable(),
  at: z.string(),
});
export type LicenceEventDto = z.infer<typeof licenceEventSchema>;
export const licenceEventsResponse = z.object({ items: z.array(licenceEventSchema) });
