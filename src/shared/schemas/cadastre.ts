import { z } from 'zod';
import { GEOMETRY_PROBLEM_CODES } from '../geo/validate.ts';
import { uuidSchema } from '../ids.ts';

/**
 * The cadastre (issue 5): layers of areas of one kind per country, their features, and the overlap
 * check of an application area. Geometries are GeoJSON (RFC 7946, [lon, lat] in WGS 84 degrees).
 */
export const LAYER_KINDS = [
  'licence_area',
  'asm_zone',
  'lsm_title',
  'protected_area',
  'customary_land',
  'activity_detection',
  /** Context: where armed groups are reported; production in or near such an area is flagged (custody). */
  'armed_group_presence',
] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

/** Rights that exclude a new application: an active licence area or large-scale title. */
export const RIGHT_KINDS: readonly LayerKind[] = ['licence_area', 'lsm_title'];

/**
 * The buffer kept around protected areas, in metres, when the country's profile sets none
 * (profile `cadastre.protectedAreaBufferMetres`): 0, which still refuses an overlap.
 */
export const PROTECTED_AREA_BUFFER_M = 0;

/** Most cells one application may hold (10,000 cells of 3.6″ are about 12,000 ha). */
export const MAX_APPLICATION_CELLS = 10_000;

/**
 * The cells of an application in a country with a cadastral grid, as ids like E120N45. The ids
 * are checked against the country's grid by the service (422 cadastre.invalid_cells).
 */
export const cellIdsSchema = z
  .array(z.string().min(1).max(32))
  .min(1)
  .max(MAX_APPLICATION_CELLS)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'cells must not repeat' })
  .describe("Cell ids of the country's cadastral grid (E{column}N{row}), in a country that has one.");

/** An area is given either as a geometry or, in a grid country, as cells: exactly one of them. */
export const exactlyOneArea = (b: { geometry?: unknown; cells?: unknown }) =>
  (b.geometry !== undefined) !== (b.cells !== undefined);
export const exactlyOneAreaMessage = {
  message: 'give either geometry or cells, not both',
  path: ['geometry'],
};

const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code');
const text = (max: number) => z.string().trim().min(1).max(max);

export const createLayerBody = z
  .object({
    id: uuidSchema.optional().describe('Client id: a repeat with the same id answers the existing layer.'),
    country: countrySchema,
    kind: z.enum(LAYER_KINDS),
    name: text(200),
    source: text(500).nullish(),
    licence: text(200).nullish().describe('The licence of the data (e.g. CC BY 4.0).'),
    notes: text(2000).nullish(),
  })
  .strict();
export type CreateLayerBody = z.infer<typeof createLayerBody>;

export const layerSchema = z.object({
  id: uuidSchema,
  country: z.string(),
  kind: z.enum(LAYER_KINDS),
  name: z.string(),
  source: z.string().nullable(),
  licence: z.string().nullable(),
  notes: z.string().nullable(),
  featureCount: z.number().int(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type Layer = z.infer<typeof layerSchema>;

export const layerListQuery = z.object({
  country: countrySchema.optional(),
  kind: z.enum(LAYER_KINDS).optional(),
});

const geometryJson = z.object({
  type: z.enum(['Polygon', 'MultiPolygon']),
  coordinates: z.array(z.unknown()),
});

/**
 * A feature of an import. Properties read by the cadastre: `externalRef` (or `ref`, `id`), `name`,
 * `status`, `designationDate` (YYYY-MM-DD), `allowedTiers` (array of tier codes) and `licenceId`;
 * every property is kept in `attributes` as well.
 */
export const importFeature = z.object({
  type: z.literal('Feature'),
  id: z.union([z.string(), z.number()]).optional(),
  properties: z.record(z.string(), z.unknown()).nullish(),
  geometry: z.unknown(),
});
export const importBody = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(importFeature).min(1).max(200_000),
});
export type ImportBody = z.infer<typeof importBody>;

export const importQuery = z.object({
  skipInvalid: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('Load the valid features and skip the others (default: load nothing when any fails).'),
  repair: z
    .enum(['safe', 'none'])
    .default('safe')
    .describe('safe: apply the safe repairs (close, drop repeats, rewind, unswap); none: refuse them.'),
});

export const featureProblemSchema = z.object({
  index: z.number().int(),
  externalRef: z.string().nullable(),
  code: z.string(),
  path: z.string(),
  position: z.tuple([z.number(), z.number()]).nullable(),
  message: z.string(),
});
export type FeatureProblem = z.infer<typeof featureProblemSchema>;

export const importResultSchema = z.object({
  layerId: uuidSchema,
  received: z.number().int(),
  loaded: z.number().int(),
  repaired: z.number().int(),
  skipped: z.number().int(),
  skippedFeatures: z.array(featureProblemSchema),
  ms: z.number(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const featureSchema = z.object({
  id: uuidSchema,
  layerId: uuidSchema,
  layerKind: z.enum(LAYER_KINDS),
  country: z.string(),
  externalRef: z.string().nullable(),
  name: z.string().nullable(),
  status: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  geometry: geometryJson,
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  areaM2: z.number(),
  areaId: uuidSchema.nullable(),
  licenceId: uuidSchema.nullable(),
  designationDate: z.string().nullable(),
  allowedTiers: z.array(z.string()).nullable(),
});
export type CadastreFeature = z.infer<typeof featureSchema>;

export const featuresGeojsonQuery = z.object({
  after: uuidSchema.optional().describe('Keyset: the features after this id.'),
  limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
});

export const checkBody = z
  .object({
    country: countrySchema,
    geometry: z.unknown().optional().describe('A GeoJSON Polygon or MultiPolygon; or give cells instead.'),
    cells: cellIdsSchema.optional(),
    tierCode: text(100).optional(),
  })
  .strict()
  .refine(exactlyOneArea, exactlyOneAreaMessage);
export type CheckBody = z.infer<typeof checkBody>;

export const geometryProblemSchema = z.object({
  code: z.enum(GEOMETRY_PROBLEM_CODES),
  path: z.string(),
  position: z.tuple([z.number(), z.number()]).nullable(),
  repair: z.enum(['safe', 'offer', 'none']),
  message: z.string(),
});

const multiPolygonJson = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.unknown()) });

export const checkOverlapSchema = z.object({
  featureId: uuidSchema,
  layerId: uuidSchema,
  layerKind: z.enum(LAYER_KINDS),
  layerName: z.string(),
  externalRef: z.string().nullable(),
  name: z.string().nullable(),
  status: z.string(),
  overlapM2: z.number(),
  percentOfApplied: z.number(),
});

export const ruleResultSchema = z.object({
  code: z.enum(['max_area', 'inside_designated_zone', 'no_active_right', 'protected_area_buffer']),
  passed: z.boolean(),
  detail: z.record(z.string(), z.unknown()),
});

/**
 * The grid part of a check in a country with a cadastral grid. The checked area is the outline of
 * `cells`; a geometry given instead is first turned into every cell it touches (source geometry).
 * Existing rights are made of the same cells, so an overlap's `sharedCells` (the application's
 * cells whose centre lies inside the feature) is the exact overlap.
 */
export const checkGridSchema = z.object({
  source: z.enum(['cells', 'geometry']),
  /** Sorted by row, then column. */
  cells: z.array(z.string()),
  cellCount: z.number().int(),
  /** One entry per overlap, in the order of `overlaps`. */
  overlaps: z.array(
    z.object({ featureId: uuidSchema, sharedCells: z.array(z.string()), sharedCellCount: z.number().int() }),
  ),
});
export type CheckGrid = z.infer<typeof checkGridSchema>;

export const checkResultSchema = z.object({
  country: z.string(),
  appliedAreaM2: z.number(),
  /** Safe repairs applied before checking (rewinding, closing…), by code. */
  repairsApplied: z.array(z.string()),
  overlaps: z.array(checkOverlapSchema),
  totals: z.array(
    z.object({ layerKind: z.enum(LAYER_KINDS), overlapM2: z.number(), percentOfApplied: z.number() }),
  ),
  free: z.object({ geometry: multiPolygonJson.nullable(), areaM2: z.number(), percentOfApplied: z.number() }),
  tierCode: z.string().nullable(),
  rules: z.array(ruleResultSchema),
  passed: z.boolean(),
  /** Only in a country whose profile defines a cadastral grid. */
  grid: checkGridSchema.optional(),
  candidates: z.number().int(),
  ms: z.number(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;
