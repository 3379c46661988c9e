import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/**
 * Mining activity to reach (issue 5): satellite detections of mining, reduced to the part outside
 * every active licence area and ASM zone, by district. The list serves outreach and formalisation
 * (offering licences, training and support), not enforcement.
 */
export const hotspotsQuery = z.object({
  layerId: uuidSchema.describe('A layer of kind activity_detection.'),
  areaId: uuidSchema.optional().describe('Only detections in this admin area (and below).'),
  after: uuidSchema.optional().describe('Keyset: the id of the last detection of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  format: z.enum(['json', 'csv']).optional(),
});
export type HotspotsQuery = z.infer<typeof hotspotsQuery>;

const point = z.tuple([z.number(), z.number()]);

export const hotspotSchema = z.object({
  featureId: uuidSchema,
  externalRef: z.string().nullable(),
  areaId: uuidSchema.nullable(),
  areaCode: z.string().nullable(),
  areaName: z.string().nullable(),
  detectedHectares: z.number(),
  outsideHectares: z.number(),
  /** Area-weighted centre of the outside part, [longitude, latitude]. */
  centre: point,
  outside: z.object({
    type: z.literal('MultiPolygon'),
    coordinates: z.array(z.array(z.array(z.array(z.number())))),
  }),
});
export type Hotspot = z.infer<typeof hotspotSchema>;

export const hotspotDistrictSchema = z.object({
  areaId: uuidSchema.nullable(),
  areaCode: z.string().nullable(),
  areaName: z.string().nullable(),
  /** Detections with a part outside every licence area and zone. */
  count: z.number().int(),
  /** Detections wholly inside licence areas or zones (not listed). */
  coveredCount: z.number().int(),
  outsideHectares: z.number(),
  insideHectares: z.number(),
});
export type HotspotDistrict = z.infer<typeof hotspotDistrictSchema>;

export const hotspotsResultSchema = z.object({
  layer: z.object({
    id: uuidSchema,
    name: z.string(),
    source: z.string().nullable(),
    licence: z.string().nullable(),
  }),
  districts: z.array(hotspotDistrictSchema),
  totals: hotspotDistrictSchema.omit({ areaId: true, areaCode: true, areaName: true }),
  items: z.array(hotspotSchema),
  next: uuidSchema.nullable(),
  ms: z.number(),
});
export type HotspotsResult = z.infer<typeof hotspotsResultSchema>;

export const HOTSPOTS_CSV_COLUMNS = [
  'featureId',
  'externalRef',
  'areaCode',
  'areaName',
  'detectedHectares',
  'outsideHectares',
  'longitude',
  'latitude',
] as const;
