/**
 * The overlap check of an application area against the candidates the box prefilter found: the
 * exact overlaps (src/shared/geo clip), totals per layer kind, the free part, and the profile's
 * rules. Pure: the service fetches the candidates and the tier.
 */
import { type CadastralGrid, cellPolygon } from '../../../shared/geo/cadastral-grid.ts';
import { difference, overlap } from '../../../shared/geo/clip.ts';
import { areaDistance } from '../../../shared/geo/distance.ts';
import { area, bbox, pointInRing } from '../../../shared/geo/measure.ts';
import type { AreaGeometry, BBox, Position } from '../../../shared/geo/types.ts';
import { polygonsOf } from '../../../shared/geo/types.ts';
import {
  type CheckGrid,
  type CheckResult,
  LAYER_KINDS,
  type LayerKind,
  PROTECTED_AREA_BUFFER_M,
  RIGHT_KINDS,
} from '../../../shared/schemas/cadastre.ts';
import type { Candidate } from './repo.ts';

/**
 * Statuses that say a right or zone no longer holds (English, and the French of the DRC cadastre:
 * "Droit Déchu"). Anything else, applications included, is counted: a check errs on the side of
 * showing a conflict to the officer.
 */
const ENDED =
  /\b(expired|revoked|cancell?ed|surrendered|ended|inactive|withdrawn|terminated|lapsed)\b|d[ée]chu\b/i;
export const isActiveStatus = (status: string): boolean => !ENDED.test(status);

/** Part of the applied area allowed to fall outside a zone through rounding of shared edges. */
const ZONE_TOLERANCE = 1e-6;

export interface TierRules {
  code: string;
  maxAreaHectares: number | null;
  /** An ASM zone of the country allows this tier: it may only be granted inside such a zone. */
  zoneBound: boolean;
}

export type CheckComputation = Omit<CheckResult, 'country' | 'repairsApplied' | 'ms' | 'candidates'>;

/** The country's settings that shape a check (profile `cadastre`). */
export interface CheckOptions {
  /** Clear distance around protected areas; candidates must include those this near. */
  protectedAreaBufferMetres?: number;
  /** In a grid country: the application's cells (the applied area is their outline). */
  grid?: { grid: CadastralGrid; cells: readonly string[]; source: CheckGrid['source'] };
}

export function computeCheck(
  applied: AreaGeometry,
  candidates: readonly Candidate[],
  tier: TierRules | null,
  options: CheckOptions = {},
): CheckComputation {
  const bufferMetres = options.protectedAreaBufferMetres ?? PROTECTED_AREA_BUFFER_M;
  const appliedAreaM2 = area(applied);
  const pct = (m2: number) => (appliedAreaM2 > 0 ? (100 * m2) / appliedAreaM2 : 0);
  const overlaps: CheckResult['overlaps'] = [];
  const activeRights: AreaGeometry[] = [];
  const byKind = new Map<LayerKind, number>();
  let protectedOverlapM2 = 0;
  let rightOverlapM2 = 0;
  for (const c of candidates) {
    const o = overlap(applied, c.geometry);
    if (!o.geometry || o.areaM2 <= 0) continue;
    overlaps.push({
      featureId: c.id,
      layerId: c.layer_id,
      layerKind: c.layer_kind,
      layerName: c.layer_name,
      externalRef: c.external_ref,
      name: c.name,
      status: c.status,
      overlapM2: o.areaM2,
      percentOfApplied: o.percentOfFirst,
    });
    byKind.set(c.layer_kind, (byKind.get(c.layer_kind) ?? 0) + o.areaM2);
    const active = isActiveStatus(c.status);
    if (active && RIGHT_KINDS.includes(c.layer_kind)) {
      // The free part subtracts the right itself, not its overlap: the same set, but an overlap's
      // computed vertices lie on the application's edges, and polygon-clipping then fails on
      // near-coincident segments ("Unable to pop() SweepEvent"; bench/cadastre.ts found it).
      activeRights.push(c.geometry);
      rightOverlapM2 += o.areaM2;
    }
    if (c.layer_kind === 'protected_area') protectedOverlapM2 += o.areaM2;
  }
  overlaps.sort((a, b) => b.overlapM2 - a.overlapM2 || a.featureId.localeCompare(b.featureId));
  // Totals per kind add up the overlaps; where two titles overlap each other, a kind's total may
  // exceed the part of the area it covers (it is a sum, not a union).
  const totals = LAYER_KINDS.filter((k) => byKind.has(k)).map((k) => ({
    layerKind: k,
    overlapM2: byKind.get(k)!,
    percentOfApplied: pct(byKind.get(k)!),
  }));

  const freeGeometry = activeRights.length === 0 ? difference(applied) : difference(applied, ...activeRights);
  const freeM2 = freeGeometry ? area(freeGeometry) : 0;

  const rules: CheckResult['rules'] = [];
  if (tier?.maxAreaHectares != null) {
    const hectares = appliedAreaM2 / 10_000;
    rules.push({
      code: 'max_area',
      passed: hectares <= tier.maxAreaHectares,
      detail: { appliedHectares: hectares, maxAreaHectares: tier.maxAreaHectares },
    });
  }
  if (tier?.zoneBound) {
    const zones = candidates.filter(
      (c) =>
        c.layer_kind === 'asm_zone' &&
        isActiveStatus(c.status) &&
        (c.allowed_tiers ?? []).includes(tier.code),
    );
    const outside = zones.length === 0 ? applied : difference(applied, ...zones.map((z) => z.geometry));
    const outsideM2 = outside ? area(outside) : 0;
    rules.push({
      code: 'inside_designated_zone',
      passed: outsideM2 <= appliedAreaM2 * ZONE_TOLERANCE,
      detail: { outsideZoneM2: outsideM2, zones: zones.map((z) => z.id) },
    });
  }
  rules.push({
    code: 'no_active_right',
    passed: rightOverlapM2 === 0,
    detail: { overlapM2: rightOverlapM2 },
  });
  const within = protectedWithin(applied, candidates, overlaps, bufferMetres);
  rules.push({
    code: 'protected_area_buffer',
    // An overlap fails even with no buffer; touching fails only when a buffer is kept.
    passed: protectedOverlapM2 === 0 && within.length === 0,
    detail: { bufferMetres, overlapM2: protectedOverlapM2, within },
  });

  return {
    appliedAreaM2,
    overlaps,
    totals,
    free: {
      geometry: freeGeometry as CheckResult['free']['geometry'],
      areaM2: freeM2,
      percentOfApplied: pct(freeM2),
    },
    tierCode: tier?.code ?? null,
    rules,
    passed: rules.every((r) => r.passed),
    ...(options.grid ? { grid: gridPart(options.grid, candidates, overlaps) } : {}),
  };
}

type NearProtectedArea = { featureId: string; name: string | null; distanceMetres: number };

/**
 * The protected areas that overlap the application (at 0 m) or lie nearer than the buffer,
 * nearest first. The distance is measured between the areas, not by growing one of them
 * (docs/adr/0012); with no buffer only the overlaps count, so no distance is computed.
 */
function protectedWithin(
  applied: AreaGeometry,
  candidates: readonly Candidate[],
  overlaps: CheckResult['overlaps'],
  bufferMetres: number,
): NearProtectedArea[] {
  const overlapping = new Set(overlaps.map((o) => o.featureId));
  const within: NearProtectedArea[] = [];
  for (const c of candidates) {
    if (c.layer_kind !== 'protected_area') continue;
    if (overlapping.has(c.id)) {
      within.push({ featureId: c.id, name: c.name, distanceMetres: 0 });
    } else if (bufferMetres > 0) {
      const distanceMetres = areaDistance(applied, c.geometry);
      if (distanceMetres < bufferMetres) within.push({ featureId: c.id, name: c.name, distanceMetres });
    }
  }
  return within.sort((a, b) => a.distanceMetres - b.distanceMetres || a.featureId.localeCompare(b.featureId));
}

/** Strictly inside the area (a cell centre never lies on a boundary drawn on the same grid). */
function inArea(point: Position, geometry: AreaGeometry, box: BBox): boolean {
  if (point[0] < box[0] || point[0] > box[2] || point[1] < box[1] || point[1] > box[3]) return false;
  return polygonsOf(geometry).some(
    ([shell, ...holes]) =>
      shell !== undefined && pointInRing(point, shell) > 0 && holes.every((h) => pointInRing(point, h) < 0),
  );
}

/**
 * The application's cells and, per overlap, the cells whose centre lies inside the feature: for a
 * right drawn on the same grid, exactly the cells both hold.
 */
function gridPart(
  { grid, cells, source }: NonNullable<CheckOptions['grid']>,
  candidates: readonly Candidate[],
  overlaps: CheckResult['overlaps'],
): CheckGrid {
  const centres = cells.map((id) => {
    const ring = cellPolygon(grid, id).coordinates[0]!;
    const sw = ring[0]!;
    const ne = ring[2]!;
    return { id, centre: [(sw[0] + ne[0]) / 2, (sw[1] + ne[1]) / 2] as Position };
  });
  const byId = new Map(candidates.map((c) => [c.id, c]));
  return {
    source,
    cells: [...cells],
    cellCount: cells.length,
    overlaps: overlaps.map((o) => {
      const geometry = byId.get(o.featureId)!.geometry;
      const box = bbox(geometry);
      const sharedCells = centres.filter((c) => inArea(c.centre, geometry, box)).map((c) => c.id);
      return { featureId: o.featureId, sharedCells, sharedCellCount: sharedCells.length };
    }),
  };
}
