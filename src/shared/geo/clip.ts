/**
 * Exact overlay of areas through polygon-clipping (Martinez–Rueda sweep, MIT). Results are
 * MultiPolygons with closed rings, exteriors counter-clockwise and holes clockwise, or null when
 * empty. Input rings may be open or self-intersecting: polygon-clipping resolves them.
 */
import polygonClipping from 'polygon-clipping';
import { area } from './measure.ts';
import type { AreaGeometry, MultiPolygonCoords, MultiPolygonGeometry, PolygonCoords } from './types.ts';
import { polygonsOf, toMultiPolygon } from './types.ts';

type ClipPair = [number, number];
type ClipGeom = ClipPair[][][];

function toClip(geometry: AreaGeometry): ClipGeom {
  // polygon-clipping wants bare [x, y] pairs: drop any altitude.
  return polygonsOf(geometry).map((polygon) =>
    polygon.map((ring) => ring.map((p): ClipPair => [p[0], p[1]])),
  );
}
function fromClip(result: ClipGeom): MultiPolygonGeometry | null {
  return toMultiPolygon(result as MultiPolygonCoords);
}

export function intersection(a: AreaGeometry, ...others: AreaGeometry[]): MultiPolygonGeometry | null {
  return fromClip(polygonClipping.intersection(toClip(a), ...others.map(toClip)));
}
export function difference(a: AreaGeometry, ...others: AreaGeometry[]): MultiPolygonGeometry | null {
  return fromClip(polygonClipping.difference(toClip(a), ...others.map(toClip)));
}
export function union(a: AreaGeometry, ...others: AreaGeometry[]): MultiPolygonGeometry | null {
  return fromClip(polygonClipping.union(toClip(a), ...others.map(toClip)));
}

export interface Overlap {
  /** The common part, or null when the areas do not overlap (touching edges give null). */
  geometry: MultiPolygonGeometry | null;
  /** Area of the common part in m² (mean-radius sphere, as `area`). */
  areaM2: number;
  /** Area of the common part as a percentage of the first geometry's area (0 when that is 0). */
  percentOfFirst: number;
}

/** How much of `subject` (an application area, say) lies inside `other` (a title, a zone). */
export function overlap(subject: AreaGeometry, other: AreaGeometry): Overlap {
  const geometry = intersection(subject, other);
  const areaM2 = geometry ? area(geometry) : 0;
  const subjectArea = area(subject);
  return { geometry, areaM2, percentOfFirst: subjectArea > 0 ? (100 * areaM2) / subjectArea : 0 };
}

/**
 * The "make valid" offer for a self-intersecting area: the union of the geometry with itself, which
 * splits a bow-tie into its two lobes and merges overlapping parts. The caller shows it with the
 * area before and after and applies it only when a person accepts it.
 */
export function makeValid(geometry: AreaGeometry): MultiPolygonGeometry | null {
  const parts: PolygonCoords[] = polygonsOf(geometry);
  if (parts.length === 0) return null;
  return fromClip(polygonClipping.union(...(toClip(geometry) as [ClipGeom[number], ...ClipGeom[number][]])));
}
