import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { LAYER_KINDS } from './cadastre.ts';
import { APPLICATION_STATUSES, areaCheckSummarySchema } from './licensing.ts';

/**
 * What the review screen draws for one application (issue 5): the applied area, its last check, and
 * the cadastre around it (the features it overlaps first, then its neighbours), so the officer sees
 * the conflicts on the map. Geometries are GeoJSON (RFC 7946, WGS 84).
 */
const areaGeometrySchema = z.object({
  type: z.enum(['Polygon', 'MultiPolygon']),
  coordinates: z.array(z.unknown()),
});

export const bboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const nearbyFeatureSchema = z.object({
  type: z.literal('Feature'),
  id: uuidSchema,
  geometry: areaGeometrySchema,
  properties: z.object({
    id: uuidSchema,
    layerId: uuidSchema,
    layerKind: z.enum(LAYER_KINDS),
    layerName: z.string(),
    name: z.string().nullable(),
    externalRef: z.string().nullable(),
    status: z.string(),
    /** From the stored check: how much of the applied area this feature covers; null when none. */
    overlapM2: z.number().nullable(),
    percentOfApplied: z.number().nullable(),
  }),
});
export type NearbyFeature = z.infer<typeof nearbyFeatureSchema>;

/** At most this many neighbours are returned; the features the area overlaps always are. */
export const NEARBY_LIMIT = 500;

export const applicationAreaSchema = z.object({
  applicationId: uuidSchema,
  country: z.string(),
  tierCode: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  /** Whether the area may still be drawn or replaced (before the decision). */
  editable: z.boolean(),
  geometry: areaGeometrySchema.nullable(),
  check: areaCheckSummarySchema.nullable(),
  /** Where the map opens: around the area, or the application's admin area when none is drawn. */
  view: bboxSchema.nullable(),
  nearby: z.object({ type: z.literal('FeatureCollection'), features: z.array(nearbyFeatureSchema) }),
  /** More features lie in the view than were returned. */
  truncated: z.boolean(),
});
export type ApplicationAreaView = z.infer<typeof applicationAreaSchema>;
