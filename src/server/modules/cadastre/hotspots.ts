/**
 * Mining activity to reach (issue 5): for each satellite detection in the caller's districts, the
 * part outside every active licence area and ASM zone (exact difference, src/shared/geo), its
 * hectares and centre, and totals per district. It serves district offices planning outreach and
 * formalisation; the wording on every screen says so.
 *
 * Everything is computed per request from the stored geometries: a country's detections run to a
 * few thousand, and the licence areas and zones near them are found once through the GiST box
 * prefilter and then a flatbush index in memory.
 */
import { sql } from 'kysely';
import { difference } from '../../../shared/geo/clip.ts';
import { area, bbox as bboxOf } from '../../../shared/geo/measure.ts';
import { BoxIndex, boxLiteral } from '../../../shared/geo/prefilter.ts';
import type { AreaGeometry, BBox, MultiPolygonGeometry, Ring } from '../../../shared/geo/types.ts';
import { polygonsOf } from '../../../shared/geo/types.ts';
import type {
  Hotspot,
  HotspotDistrict,
  HotspotsQuery,
  HotspotsResult,
} from '../../../shared/schemas/hotspots.ts';
import {
  assertCanRead,
  requirePermission,
  scopePaths,
  subtreePatterns,
} from '../../platform/access/access.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { isActiveStatus } from './check.ts';
import { cadastreDb, findLayer, parseBox } from './repo.ts';

/** The kinds whose areas count as licensed: activity inside them is already formal. */
export const LICENSED_KINDS = ['licence_area', 'asm_zone'] as const;

/** Below this (m²), a remainder is slivers from shared edges, not activity outside. */
const SLIVER_M2 = 1;

const M2_PER_HECTARE = 10_000;

export interface DetectionRow {
  id: string;
  external_ref: string | null;
  geometry: AreaGeometry;
  bbox: string;
  area_m2: number;
  area_id: string | null;
  area_code: string | null;
  area_name: string | null;
}

/** The detections of a layer in the given subtrees (null: everywhere), in id order. */
function detectionsIn(
  db: Queryable,
  layerId: string,
  scope: { patterns: string[] | null; includeUnplaced: boolean },
): Promise<DetectionRow[]> {
  let q = cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .leftJoin('admin_areas as a', 'a.id', 'f.area_id')
    .select(['f.id', 'f.external_ref', 'f.geometry', 'f.bbox', 'f.area_m2', 'f.area_id'])
    .select(['a.code as area_code', 'a.name as area_name'])
    .where('f.layer_id', '=', layerId)
    .orderBy('f.id');
  const patterns = scope.patterns;
  if (patterns) {
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`a.path LIKE ANY (${patterns})`,
        ...(scope.includeUnplaced ? [eb('f.area_id', 'is', null)] : []),
      ]),
    );
  }
  return q.execute() as Promise<DetectionRow[]>;
}

/** Active licence areas and ASM zones of the country whose box meets `box`. */
async function licensedAreasNear(db: Queryable, country: string, box: BBox): Promise<AreaGeometry[]> {
  const rows = await cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .innerJoin('cadastre_layers as l', 'l.id', 'f.layer_id')
    .select(['f.geometry', 'f.status'])
    .where('l.country', '=', country)
    .where('l.kind', 'in', LICENSED_KINDS)
    .where(sql<boolean>`f.bbox && ${boxLiteral(box)}::box`)
    .execute();
  return rows.filter((r) => isActiveStatus(r.status)).map((r) => r.geometry);
}

function unionBox(boxes: readonly BBox[]): BBox {
  return boxes.reduce<BBox>(
    (u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
}

/**
 * Area-weighted centre of a MultiPolygon in degrees (planar: the parts are a few kilometres across,
 * where the distortion is far below the size of a pixel of the detections).
 */
export function centreOf(geometry: MultiPolygonGeometry): [number, number] {
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  const ringTerms = (ring: Ring) => {
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i]!;
      const [x1, y1] = ring[i + 1]!;
      const cross = x0 * y1 - x1 * y0;
      a2 += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
    }
  };
  for (const polygon of polygonsOf(geometry)) for (const ring of polygon) ringTerms(ring);
  if (a2 === 0) {
    const b = bboxOf(geometry);
    return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  }
  return [cx / (3 * a2), cy / (3 * a2)];
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** The part of each detection outside every licensed area (pure, for the service and the tests). */
export function computeHotspots(
  detections: readonly DetectionRow[],
  licensed: readonly AreaGeometry[],
): { listed: Hotspot[]; districts: HotspotDistrict[] } {
  const index = new BoxIndex(licensed.map(bboxOf));
  const listed: Hotspot[] = [];
  const districts = new Map<string, HotspotDistrict>();
  for (const d of detections) {
    const near = index.search(parseBox(d.bbox)).map((i) => licensed[i]!);
    const outside = difference(d.geometry, ...near);
    const outsideM2 = outside ? area(outside) : 0;
    const key = d.area_id ?? '';
    const district = districts.get(key) ?? {
      areaId: d.area_id,
      areaCode: d.area_code,
      areaName: d.area_name,
      count: 0,
      coveredCount: 0,
      outsideHectares: 0,
      insideHectares: 0,
    };
    districts.set(key, district);
    const insideM2 = Math.max(0, d.area_m2 - outsideM2);
    district.insideHectares += insideM2 / M2_PER_HECTARE;
    if (!outside || outsideM2 < SLIVER_M2) {
      district.coveredCount++;
      continue;
    }
    district.count++;
    district.outsideHectares += outsideM2 / M2_PER_HECTARE;
    const [lon, lat] = centreOf(outside);
    listed.push({
      featureId: d.id,
      externalRef: d.external_ref,
      areaId: d.area_id,
      areaCode: d.area_code,
      areaName: d.area_name,
      detectedHectares: round(d.area_m2 / M2_PER_HECTARE, 4),
      outsideHectares: round(outsideM2 / M2_PER_HECTARE, 4),
      centre: [round(lon, 6), round(lat, 6)],
      outside: outside as Hotspot['outside'],
    });
  }
  const list = [...districts.values()]
    .map((x) => ({
      ...x,
      outsideHectares: round(x.outsideHectares, 2),
      insideHectares: round(x.insideHectares, 2),
    }))
    .sort(
      (a, b) => b.outsideHectares - a.outsideHectares || (a.areaCode ?? '').localeCompare(b.areaCode ?? ''),
    );
  return { listed, districts: list };
}

export const hotspotProblems = {
  // The code of a missing layer; the message says which kind is needed.
  notADetectionLayer: () =>
    new AppError(
      404,
      'cadastre.unknown_layer',
      'There is no layer of detected mining activity with this id.',
    ),
};

/**
 * The hotspot list of a detection layer, within the caller's cadastre.read areas (a detection
 * belongs to the district holding it). All pages share the totals; `after`/`limit` page the list.
 * With `all`, every listed detection is returned (CSV).
 */
export async function listHotspots(
  db: Queryable,
  ctx: RequestContext,
  q: Pick<HotspotsQuery, 'layerId' | 'areaId' | 'after' | 'limit'> & { all?: boolean },
): Promise<HotspotsResult> {
  const started = performance.now();
  const actor = requirePermission(ctx, 'cadastre.read');
  const layer = await findLayer(db, q.layerId);
  if (layer?.kind !== 'activity_detection') throw hotspotProblems.notADetectionLayer();
  const paths = scopePaths(actor, 'cadastre.read');
  const all = paths.includes('/');
  let patterns = all ? null : subtreePatterns(paths);
  let includeUnplaced = all || paths.includes(`/${layer.country}/`);
  if (q.areaId) {
    const a = await db
      .selectFrom('admin_areas')
      .select(['id', 'path'])
      .where('id', '=', q.areaId)
      .executeTakeFirst();
    if (!a) throw problems.notFound('Admin area');
    assertCanRead(ctx, 'cadastre.read', {
      entityType: 'Admin area',
      entityId: a.id,
      areaId: a.id,
      areaPath: a.path,
    });
    patterns = subtreePatterns([a.path]);
    includeUnplaced = false;
  }
  const detections = await detectionsIn(db, layer.id, { patterns, includeUnplaced });
  const licensed =
    detections.length === 0
      ? []
      : await licensedAreasNear(db, layer.country, unionBox(detections.map((d) => parseBox(d.bbox))));
  const { listed, districts } = computeHotspots(detections, licensed);

  const totals = districts.reduce(
    (t, d) => ({
      count: t.count + d.count,
      coveredCount: t.coveredCount + d.coveredCount,
      outsideHectares: t.outsideHectares + d.outsideHectares,
      insideHectares: t.insideHectares + d.insideHectares,
    }),
    { count: 0, coveredCount: 0, outsideHectares: 0, insideHectares: 0 },
  );
  totals.outsideHectares = round(totals.outsideHectares, 2);
  totals.insideHectares = round(totals.insideHectares, 2);

  const from = q.after ? listed.filter((h) => h.featureId > q.after!) : listed;
  const items = q.all ? from : from.slice(0, q.limit);
  const next = !q.all && from.length > q.limit ? items.at(-1)!.featureId : null;
  return {
    layer: { id: layer.id, name: layer.name, source: layer.source, licence: layer.licence },
    districts,
    totals,
    items,
    next,
    ms: round(performance.now() - started, 1),
  };
}
