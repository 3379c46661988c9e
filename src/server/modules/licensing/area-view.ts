/**
 * The review screen's view of an application's area (issue 5): the stored geometry and check, and
 * the cadastre features around it with their shapes. Reading it needs what reading the application
 * needs (licensing.read in its area): the officer reviewing a file sees the rights it collides with
 * even without the cadastre permission, since the decision depends on them.
 */
import { sql } from 'kysely';
import { bbox as bboxOf } from '../../../shared/geo/measure.ts';
import { boxLiteral } from '../../../shared/geo/prefilter.ts';
import type { AreaGeometry, BBox } from '../../../shared/geo/types.ts';
import {
  type ApplicationAreaView,
  NEARBY_LIMIT,
  type NearbyFeature,
} from '../../../shared/schemas/application-area.ts';
import type { LicenceApplicationDto } from '../../../shared/schemas/licensing.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { cadastreDb, countryBbox, parseBox } from '../cadastre/repo.ts';
import { licensingDb } from './repo.ts';

const EDITABLE = new Set<string>(['draft', 'submitted', 'under_review']);
/** Around a drawn area the map shows half its size again on each side, and never less than ~1 km. */
const MARGIN_SHARE = 0.5;
const MIN_MARGIN_DEGREES = 0.01;

export function expandBox([w, s, e, n]: BBox): BBox {
  const dx = Math.max((e - w) * MARGIN_SHARE, MIN_MARGIN_DEGREES);
  const dy = Math.max((n - s) * MARGIN_SHARE, MIN_MARGIN_DEGREES);
  return [Math.max(w - dx, -180), Math.max(s - dy, -90), Math.min(e + dx, 180), Math.min(n + dy, 90)];
}

function nearbyQuery(db: Queryable, country: string) {
  return cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .innerJoin('cadastre_layers as l', 'l.id', 'f.layer_id')
    .select(['f.id', 'f.layer_id', 'f.external_ref', 'f.name', 'f.status', 'f.geometry'])
    .select(['l.kind as layer_kind', 'l.name as layer_name'])
    .where('l.country', '=', country);
}

/** `application` has passed the read check already (the service's get). */
export async function applicationAreaView(
  db: Queryable,
  application: LicenceApplicationDto,
): Promise<ApplicationAreaView> {
  const row = await licensingDb(db)
    .selectFrom('licence_applications as a')
    .innerJoin('admin_areas as aa', 'aa.id', 'a.area_id')
    .select(['a.area_geometry', 'aa.country', sql<string | null>`aa.bbox::text`.as('admin_bbox')])
    .where('a.id', '=', application.id)
    .executeTakeFirstOrThrow();
  const geometry = (row.area_geometry ?? null) as AreaGeometry | null;
  // Without a drawn area the map opens on the admin area, or the country when the area has no shape.
  const fallback = row.admin_bbox ?? (await countryBbox(db, row.country));
  const adminBox = fallback ? parseBox(fallback) : null;
  const view = geometry ? expandBox(bboxOf(geometry)) : adminBox;

  const overlapOf = new Map((application.areaCheck?.overlaps ?? []).map((o) => [o.featureId, o]));
  const conflicts = overlapOf.size
    ? await nearbyQuery(db, row.country)
        .where('f.id', 'in', [...overlapOf.keys()])
        .execute()
    : [];
  let neighbours: typeof conflicts = [];
  if (view) {
    let q = nearbyQuery(db, row.country)
      .where(sql<boolean>`f.bbox && ${boxLiteral(view)}::box`)
      .orderBy('f.id')
      .limit(NEARBY_LIMIT + 1);
    if (conflicts.length)
      q = q.where(
        'f.id',
        'not in',
        conflicts.map((c) => c.id),
      );
    neighbours = await q.execute();
  }
  const truncated = neighbours.length > NEARBY_LIMIT;
  const features: NearbyFeature[] = [...conflicts, ...neighbours.slice(0, NEARBY_LIMIT)].map((f) => {
    const o = overlapOf.get(f.id);
    return {
      type: 'Feature',
      id: f.id,
      geometry: f.geometry as NearbyFeature['geometry'],
      properties: {
        id: f.id,
        layerId: f.layer_id,
        layerKind: f.layer_kind,
        layerName: f.layer_name,
        name: f.name,
        externalRef: f.external_ref,
        status: f.status,
        overlapM2: o?.overlapM2 ?? null,
        percentOfApplied: o?.percentOfApplied ?? null,
      },
    };
  });
  return {
    applicationId: application.id,
    country: row.country,
    tierCode: application.tierCode,
    status: application.status,
    editable: EDITABLE.has(application.status),
    geometry: geometry as ApplicationAreaView['geometry'],
    check: application.areaCheck,
    view,
    nearby: { type: 'FeatureCollection', features },
    truncated,
  };
}
