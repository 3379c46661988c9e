/**
 * Preparing a GeoJSON import: every feature validated (src/shared/geo), the safe repairs applied
 * when asked, its properties read, its area and box measured and its admin area found. Pure: the
 * service decides from the result whether anything is written.
 */
import { area, bbox, pointInRing } from '../../../shared/geo/measure.ts';
import { BoxIndex } from '../../../shared/geo/prefilter.ts';
import type { AreaGeometry, BBox, Position } from '../../../shared/geo/types.ts';
import { polygonsOf } from '../../../shared/geo/types.ts';
import { repair, validateGeometry } from '../../../shared/geo/validate.ts';
import { UUID_PATTERN } from '../../../shared/ids.ts';
import type { FeatureProblem, ImportBody } from '../../../shared/schemas/cadastre.ts';

export interface PreparedFeature {
  index: number;
  externalRef: string | null;
  name: string | null;
  status: string;
  attributes: Record<string, unknown>;
  geometry: AreaGeometry;
  bbox: BBox;
  areaM2: number;
  licenceId: string | null;
  designationDate: string | null;
  allowedTiers: string[] | null;
  repaired: boolean;
}

export interface PreparedImport {
  features: PreparedFeature[];
  /** Every problem of every feature that cannot be loaded, in feature order. */
  problems: FeatureProblem[];
  failedCount: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const optionalText = (value: unknown, max: number): string | null => {
  if (value === null || value === undefined) return null;
  const s = (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '').trim();
  return s === '' ? null : s.slice(0, max);
};

function validDate(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function prepareImport(
  body: ImportBody,
  options: { repair: 'safe' | 'none'; bboxHint?: BBox | undefined },
): PreparedImport {
  const features: PreparedFeature[] = [];
  const problems: FeatureProblem[] = [];
  let failedCount = 0;
  body.features.forEach((feature, index) => {
    const props = feature.properties ?? {};
    const externalRef = optionalText(props.externalRef ?? props.ref ?? feature.id, 200);
    const own: FeatureProblem[] = [];
    const fail = (code: string, path: string, message: string, position: [number, number] | null = null) =>
      own.push({ index, externalRef, code, path, position, message });

    const result = validateGeometry(feature.geometry, options.bboxHint ? { bboxHint: options.bboxHint } : {});
    const refused = result.problems.filter((p) => p.repair !== 'safe' || options.repair === 'none');
    for (const p of refused) fail(p.code, `geometry.${p.path}`, p.message, p.position);

    let designationDate: string | null = null;
    const rawDate = optionalText(props.designationDate, 10);
    if (rawDate !== null) {
      if (DATE.test(rawDate) && validDate(rawDate)) designationDate = rawDate;
      else fail('property.invalid_date', 'properties.designationDate', 'must be a date as YYYY-MM-DD');
    }
    let allowedTiers: string[] | null = null;
    if (props.allowedTiers !== undefined && props.allowedTiers !== null) {
      const tiers = props.allowedTiers;
      if (Array.isArray(tiers) && tiers.every((t) => typeof t === 'string' && /^[a-z0-9_]{1,100}$/.test(t))) {
        allowedTiers = tiers as string[];
      } else fail('property.invalid_tiers', 'properties.allowedTiers', 'must be an array of tier codes');
    }
    let licenceId: string | null = null;
    if (props.licenceId !== undefined && props.licenceId !== null) {
      if (typeof props.licenceId === 'string' && UUID_PATTERN.test(props.licenceId))
        licenceId = props.licenceId;
      else fail('property.invalid_licence_id', 'properties.licenceId', 'must be a licence id (UUID)');
    }

    if (own.length > 0) {
      failedCount++;
      problems.push(...own);
      return;
    }
    const geometry =
      result.problems.length > 0
        ? repair(
            feature.geometry as AreaGeometry,
            result.problems.map((p) => p.code),
          )
        : (feature.geometry as AreaGeometry);
    features.push({
      index,
      externalRef,
      name: optionalText(props.name, 300),
      status: optionalText(props.status, 100) ?? 'active',
      attributes: props,
      geometry: { type: geometry.type, coordinates: geometry.coordinates } as AreaGeometry,
      bbox: bbox(geometry),
      areaM2: result.areaM2 ?? area(geometry),
      licenceId,
      designationDate,
      allowedTiers,
      repaired: result.problems.length > 0,
    });
  });
  return { features, problems, failedCount };
}

function pointInGeometry(point: Position, geometry: AreaGeometry): boolean {
  return polygonsOf(geometry).some(
    (polygon) =>
      polygon.length > 0 &&
      pointInRing(point, polygon[0]!) >= 0 &&
      polygon.slice(1).every((hole) => pointInRing(point, hole) < 1),
  );
}

export interface AreaShape {
  id: string;
  level: number;
  geometry: AreaGeometry;
  bbox: BBox;
}

/**
 * Finds, for each box, the deepest admin area holding its centre (null when none does): a feature
 * belongs to the jurisdiction of that area.
 */
export function createAreaLocator(areas: readonly AreaShape[]): (box: BBox) => string | null {
  const index = new BoxIndex(areas.map((a) => a.bbox));
  return (box) => {
    const centre: Position = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
    let best: AreaShape | null = null;
    for (const i of index.search([centre[0], centre[1], centre[0], centre[1]])) {
      const candidate = areas[i]!;
      if (best && candidate.level <= best.level) continue;
      if (pointInGeometry(centre, candidate.geometry)) best = candidate;
    }
    return best?.id ?? null;
  };
}
