import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/**
 * Lots and chain of custody (issue 6). Mass is in integer milligrams, fineness in parts per ten
 * thousand (9167 = 916.7 ‰), money in integer minor units: never a float for a quantity that is
 * summed or compared.
 */
export const ACTOR_KINDS = [
  'miner',
  'enterprise',
  'trader',
  'processing_plant',
  'buying_station',
  'exporter',
] as const;
export const ACTOR_STATUSES = ['active', 'suspended'] as const;
export const LOT_FORMS = ['ore', 'concentrate', 'dore', 'bullion', 'other'] as const;
export const LOT_STATUSES = ['open', 'consumed', 'exported'] as const;
export const EVENT_KINDS = ['production', 'transfer', 'split', 'merge', 'processing', 'export'] as const;
export const LOT_ROLES = ['input', 'output', 'moved'] as const;
/** Who may create a lot from production: those who mine. */
export const PRODUCER_KINDS: readonly (typeof ACTOR_KINDS)[number][] = ['miner', 'enterprise'];

const text = (max: number) => z.string().trim().min(1).max(max);
/** Up to 10^13 mg (10,000 tonnes): far beyond one lot, and exact in a JavaScript number. */
export const massMgSchema = z
  .number()
  .int('must be whole milligrams')
  .positive('must be more than 0')
  .max(1e13);
export const finenessSchema = z.number().int('must be parts per ten thousand').min(0).max(10000);
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');
export const mineralSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a mineral code such as gold, tin, tantalum, tungsten');
const occurredAt = z.iso
  .datetime({ offset: true })
  .optional()
  .describe('When it happened; now when left out.');
const place = text(200).optional().describe('Where it happened, as people name it.');
export const documentSchema = z.strictObject({
  kind: text(50).describe('receipt, assay_certificate, export_permit, ...'),
  reference: text(100),
  note: text(500).optional(),
});
const documents = z.array(documentSchema).max(20).optional();
const eventId = uuidSchema.optional().describe('Client id of the event: sending it again answers the same.');
const lotIds = (min: number) =>
  z
    .array(uuidSchema)
    .min(min)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'lists a lot twice');

// Actors --------------------------------------------------------------------------------------------

export const createActorBody = z.strictObject({
  id: uuidSchema.optional(),
  kind: z.enum(ACTOR_KINDS),
  name: text(200),
  areaId: uuidSchema,
  personId: uuidSchema.optional(),
  enterpriseId: uuidSchema.optional(),
  productionUnitId: uuidSchema.optional(),
});
export type CreateActorInput = z.infer<typeof createActorBody>;

export const actorSchema = z.object({
  id: uuidSchema,
  kind: z.enum(ACTOR_KINDS),
  name: z.string(),
  country: z.string(),
  areaId: uuidSchema,
  personId: uuidSchema.nullable(),
  enterpriseId: uuidSchema.nullable(),
  productionUnitId: uuidSchema.nullable(),
  status: z.enum(ACTOR_STATUSES),
  createdAt: z.string(),
  version: z.number().int(),
});
export type ActorDto = z.infer<typeof actorSchema>;

export const actorListQuery = z.strictObject({
  kind: z.enum(ACTOR_KINDS).optional(),
  status: z.enum(ACTOR_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

// Lots ----------------------------------------------------------------------------------------------

export const lotSchema = z.object({
  id: uuidSchema,
  tag: z.string(),
  country: z.string(),
  mineral: z.string(),
  form: z.enum(LOT_FORMS),
  massMg: z.number().int(),
  finenessPtt: z.number().int().nullable(),
  holderActorId: uuidSchema,
  holderName: z.string(),
  /** The holder's area: the lot's jurisdiction. */
  areaId: uuidSchema,
  originSiteId: uuidSchema.nullable(),
  originLicenceId: uuidSchema.nullable(),
  status: z.enum(LOT_STATUSES),
  createdByEvent: uuidSchema,
  consumedByEvent: uuidSchema.nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type LotDto = z.infer<typeof lotSchema>;

export const lotListQuery = z.strictObject({
  holderActorId: uuidSchema.optional(),
  status: z.enum(LOT_STATUSES).optional(),
  mineral: mineralSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

// Events --------------------------------------------------------------------------------------------

export const productionBody = z.strictObject({
  id: eventId,
  holderActorId: uuidSchema.describe('The miner or enterprise that produced the lot.'),
  originSiteId: uuidSchema.describe('The production unit (site) the mineral came from.'),
  originLicenceId: uuidSchema.optional(),
  mineral: mineralSchema,
  form: z.enum(LOT_FORMS),
  massMg: massMgSchema,
  finenessPtt: finenessSchema.optional(),
  place,
  occurredAt,
  documents,
});
export type ProductionInput = z.infer<typeof productionBody>;

export const transferBody = z
  .strictObject({
    id: eventId,
    lotIds: lotIds(1),
    sellerActorId: uuidSchema,
    buyerActorId: uuidSchema,
    recordedSide: z.enum(['seller', 'buyer']).describe('The side recording it; the other side confirms.'),
    priceMinor: z.number().int().min(0).max(1e13).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
      .optional(),
    place,
    occurredAt,
    documents,
  })
  .refine((b) => (b.priceMinor === undefined) === (b.currency === undefined), {
    message: 'a price needs its currency, and a currency its price',
    path: ['currency'],
  });
export type TransferInput = z.infer<typeof transferBody>;

export const splitBody = z.strictObject({
  id: eventId,
  lotId: uuidSchema,
  outputs: z
    .array(z.strictObject({ massMg: massMgSchema }))
    .min(2)
    .max(100)
    .describe('The parts: their masses must add up to the lot exactly.'),
  place,
  occurredAt,
  documents,
});
export type SplitInput = z.infer<typeof splitBody>;

export const mergeBody = z.strictObject({
  id: eventId,
  lotIds: lotIds(2),
  form: z.enum(LOT_FORMS).optional().describe('Form of the merged lot; that of the inputs when they agree.'),
  place,
  occurredAt,
  documents,
});
export type MergeInput = z.infer<typeof mergeBody>;

export const processingBody = z.strictObject({
  id: eventId,
  lotIds: lotIds(1),
  output: z.strictObject({
    form: z.enum(LOT_FORMS),
    massMg: massMgSchema,
    finenessPtt: finenessSchema.optional(),
  }),
  place,
  occurredAt,
  documents,
});
export type ProcessingInput = z.infer<typeof processingBody>;

export const exportBody = z.strictObject({
  id: eventId,
  lotIds: lotIds(1),
  exportPermit: text(100),
  destinationCountry: country,
  place,
  occurredAt,
  documents,
});
export type ExportInput = z.infer<typeof exportBody>;

export const eventLotSchema = z.object({
  lotId: uuidSchema,
  tag: z.string(),
  role: z.enum(LOT_ROLES),
  massMg: z.number().int(),
});

export const eventSchema = z.object({
  id: uuidSchema,
  kind: z.enum(EVENT_KINDS),
  country: z.string(),
  actorId: uuidSchema,
  counterpartId: uuidSchema.nullable(),
  areaId: uuidSchema,
  place: z.string().nullable(),
  occurredAt: z.string(),
  inputMg: z.number().int(),
  outputMg: z.number().int(),
  lossMg: z.number().int(),
  /** Processing: output over input (for display; the exact figures are the masses). */
  recovery: z.number().nullable(),
  priceMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  exportPermit: z.string().nullable(),
  destinationCountry: z.string().nullable(),
  documents: z.array(documentSchema),
  recordedSide: z.enum(['seller', 'buyer']).nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string(),
  /** Transfers: null until the other side confirms. */
  confirmedBy: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  lots: z.array(eventLotSchema),
});
export type CustodyEventDto = z.infer<typeof eventSchema>;

// Trace ---------------------------------------------------------------------------------------------

/** An exact fraction (a share, or milligrams shared out): decimal strings, so any size survives JSON, and its value. */
export const fractionSchema = z.object({
  numerator: z.string(),
  denominator: z.string(),
  value: z.number(),
});
export type FractionDto = z.infer<typeof fractionSchema>;

export const traceNodeSchema = z.object({
  id: uuidSchema,
  tag: z.string(),
  mineral: z.string(),
  form: z.enum(LOT_FORMS),
  massMg: z.number().int(),
  status: z.enum(LOT_STATUSES),
  holderActorId: uuidSchema,
  originSiteId: uuidSchema.nullable(),
  createdByEvent: uuidSchema,
  consumedByEvent: uuidSchema.nullable(),
});
export type TraceNodeDto = z.infer<typeof traceNodeSchema>;

export const traceEdgeSchema = z.object({
  from: uuidSchema,
  to: uuidSchema,
  eventId: uuidSchema,
  eventKind: z.enum(EVENT_KINDS),
});

export const traceQuery = z.strictObject({
  direction: z.enum(['upstream', 'downstream']).default('upstream'),
  graph: z
    .enum(['true', 'false'])
    .default('true')
    .describe(
      'false: the origins (or destinations) alone, without the nodes and edges of the graph: what a buyer or an export authority checks, a quarter of the answer for an export lot',
    ),
});

export const traceOriginSchema = z.object({
  lotId: uuidSchema,
  tag: z.string(),
  originSiteId: uuidSchema.nullable(),
  share: fractionSchema,
  /** share × the traced lot's mass, rounded to the milligram. */
  massMg: z.number().int(),
});

export const traceDestinationSchema = z.object({
  lotId: uuidSchema,
  tag: z.string(),
  status: z.enum(LOT_STATUSES),
  holderActorId: uuidSchema,
  /** The part of this lot that came from the traced lot(s). */
  share: fractionSchema,
  massMg: z.number().int(),
});

export const traceSchema = z.object({
  lotId: uuidSchema,
  direction: z.enum(['upstream', 'downstream']),
  /** Upstream: every lot created by production that the traced lot holds mineral from. */
  origins: z.array(traceOriginSchema),
  /** Downstream: the open and exported lots holding some of the traced lot's mineral now. */
  destinations: z.array(traceDestinationSchema),
  nodes: z.array(traceNodeSchema),
  edges: z.array(traceEdgeSchema),
});
export type TraceDto = z.infer<typeof traceSchema>;

export const siteDownstreamSchema = z.object({
  siteId: uuidSchema,
  /** Milligrams: produced = held in open lots + exported + lost in processing, exactly. */
  producedMg: z.number().int(),
  openMg: fractionSchema,
  exportedMg: fractionSchema,
  lostMg: fractionSchema,
  destinations: z.array(traceDestinationSchema),
});
export type SiteDownstreamDto = z.infer<typeof siteDownstreamSchema>;

/** Most transfers one batch may carry: a buying station's day, sent when the network comes back. */
export const TRANSFER_BATCH_MAX = 500;

export const transferBatchBody = z.strictObject({
  items: z
    .array(transferBody)
    .min(1)
    .max(TRANSFER_BATCH_MAX)
    .describe(
      'Transfers in the order they happened; each needs its client id, so sending the batch again is safe.',
    ),
});
export type TransferBatchInput = z.infer<typeof transferBatchBody>;

export const transferBatchItemSchema = z.object({
  index: z.number().int(),
  status: z.number().int().describe('201 recorded, 200 already recorded with this id, 4xx refused'),
  event: eventSchema.optional(),
  problem: z
    .object({
      code: z.string(),
      detail: z.string(),
      errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
    })
    .optional(),
});
export const transferBatchSchema = z.object({
  recorded: z.number().int(),
  replayed: z.number().int(),
  refused: z.number().int(),
  items: z.array(transferBatchItemSchema),
});
export type TransferBatchDto = z.infer<typeof transferBatchSchema>;
