/**
 * The overlap check of an application area against the candidates the box prefilter found: the
 * exact overlaps (src/shared/geo clip), totals per layer kind, the free part, and the profile's
 * rules. Pure: the service fetches the candidates and the tier.
 */
import { difference, overlap } from '../../../shared/geo/clip.ts';
import { area } from '../../../shared/geo/measure.ts';
import type { AreaGeometry } from '../../../shared/geo/types.ts';
import {
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

export function computeCheck(
  applied: AreaGeometry,
  candidates: readonly Candidate[],
  tier: TierRules | null,
): CheckComputation {
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
  rules.push({
    code: 'protected_area_buffer',
    passed: protectedOverlapM2 === 0,
    detail: { bufferMetres: PROTECTED_AREA_BUFFER_M, overlapM2: protectedOverlapM2 },
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
  };
}
