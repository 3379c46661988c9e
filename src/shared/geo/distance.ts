/**
 * Distances between areas, for the buffer kept around protected areas (docs/adr/0012).
 *
 * Two areas that overlap or touch are 0 m apart. Otherwise the shortest distance between two
 * polygons is reached at a vertex of one and an edge of the other, so it is the least of the
 * vertex-to-edge distances both ways. Each vertex-to-edge distance is measured on an equirectangular
 * projection centred on that vertex (x = R·Δλ·cos φ, y = R·Δφ, R the mean radius of `area`): at
 * buffer scales (up to tens of kilometres) that is within a fraction of a per cent of the
 * great-circle distance, and using the vertex's own latitude keeps a large protected area, whose
 * far corners are degrees away, from distorting the part that matters.
 */
import { bboxesIntersect, bbox as bboxOf, MEAN_RADIUS, pointInRing } from './measure.ts';
import type { AreaGeometry, BBox, PolygonCoords, Position } from './types.ts';
import { polygonsOf } from './types.ts';

const RAD = Math.PI / 180;
/** Metres in one degree of latitude on the sphere of `area`. */
export const METRES_PER_DEGREE = MEAN_RADIUS * RAD;

type Segment = [Position, Position];

function segmentsOf(geometry: AreaGeometry): Segment[] {
  const out: Segment[] = [];
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) out.push([ring[i]!, ring[i + 1]!]);
      // An open ring still has its closing edge.
      const first = ring[0];
      const last = ring.at(-1);
      if (first && last && ring.length > 2 && (first[0] !== last[0] || first[1] !== last[1])) {
        out.push([last, first]);
      }
    }
  }
  return out;
}

/** Inside the polygon's shell and not inside one of its holes (the boundary counts as inside). */
function inPolygon(point: Position, polygon: PolygonCoords): boolean {
  const [shell, ...holes] = polygon;
  if (!shell || pointInRing(point, shell) < 0) return false;
  return holes.every((hole) => pointInRing(point, hole) <= 0);
}

function inArea(point: Position, geometry: AreaGeometry): boolean {
  return polygonsOf(geometry).some((polygon) => inPolygon(point, polygon));
}

const orient = (a: Position, b: Position, c: Position): number =>
  Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));

const onSegment = (a: Position, b: Position, p: Position): boolean =>
  Math.min(a[0], b[0]) <= p[0] &&
  p[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= p[1] &&
  p[1] <= Math.max(a[1], b[1]);

/** Whether two segments share a point (crossing, touching or overlapping), in degrees. */
function segmentsMeet([a, b]: Segment, [c, d]: Segment): boolean {
  // An affine scaling of the axes (any equirectangular projection) keeps these tests' answers.
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

const segmentBox = ([a, b]: Segment): BBox => [
  Math.min(a[0], b[0]),
  Math.min(a[1], b[1]),
  Math.max(a[0], b[0]),
  Math.max(a[1], b[1]),
];

/** Whether the two areas share any point: a boundary crossing, or one lying inside the other. */
export function areasMeet(a: AreaGeometry, b: AreaGeometry): boolean {
  if (!bboxesIntersect(bboxOf(a), bboxOf(b))) return false;
  const bSegments = segmentsOf(b).map((s) => ({ s, box: segmentBox(s) }));
  const bBox = bboxOf(b);
  for (const s of segmentsOf(a)) {
    const box = segmentBox(s);
    if (!bboxesIntersect(box, bBox)) continue;
    for (const t of bSegments) if (bboxesIntersect(box, t.box) && segmentsMeet(s, t.s)) return true;
  }
  // No boundaries meet: either one lies wholly inside the other, or they are apart. One vertex of
  // each part tells which.
  const firstVertices = (g: AreaGeometry) => polygonsOf(g).flatMap((p) => (p[0]?.[0] ? [p[0][0]] : []));
  return firstVertices(a).some((v) => inArea(v, b)) || firstVertices(b).some((v) => inArea(v, a));
}

/** Least distance in metres from each vertex of `from` to the edges of `to`, below `best`. */
function vertexToEdges(from: AreaGeometry, to: AreaGeometry, best: number): number {
  const segments = segmentsOf(to);
  for (const polygon of polygonsOf(from)) {
    for (const ring of polygon) {
      for (const p of ring) {
        const kx = METRES_PER_DEGREE * Math.cos(p[1] * RAD);
        const ky = METRES_PER_DEGREE;
        for (const [q1, q2] of segments) {
          // The latitude gap alone bounds the distance from below: skip edges that cannot win.
          const gap = Math.max(0, Math.min(q1[1], q2[1]) - p[1], p[1] - Math.max(q1[1], q2[1])) * ky;
          if (gap >= best) continue;
          const ax = (q1[0] - p[0]) * kx;
          const ay = (q1[1] - p[1]) * ky;
          const bx = (q2[0] - p[0]) * kx;
          const by = (q2[1] - p[1]) * ky;
          const dx = bx - ax;
          const dy = by - ay;
          const len2 = dx * dx + dy * dy;
          const t = len2 > 0 ? Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2)) : 0;
          const d = Math.hypot(ax + t * dx, ay + t * dy);
          if (d < best) best = d;
        }
      }
    }
  }
  return best;
}

/**
 * The shortest distance in metres between two areas: 0 when they overlap or touch. Symmetric:
 * the same vertex-to-edge distances are taken whichever area comes first.
 */
export function areaDistance(a: AreaGeometry, b: AreaGeometry): number {
  if (areasMeet(a, b)) return 0;
  return vertexToEdges(b, a, vertexToEdges(a, b, Number.POSITIVE_INFINITY));
}

/**
 * A box grown by at least `metres` on every side, for fetching what may lie within that distance.
 * Conservative: 1 % more than the distance in degrees, longitude widened at the box's latitude
 * farthest from the equator; near a pole the box spans every longitude.
 */
export function expandBoxByMetres(box: BBox, metres: number): BBox {
  if (!(metres > 0)) return box;
  const dLat = (1.01 * metres) / METRES_PER_DEGREE;
  const south = Math.max(-90, box[1] - dLat);
  const north = Math.min(90, box[3] + dLat);
  const cos = Math.cos(Math.max(Math.abs(south), Math.abs(north)) * RAD);
  const dLon = cos > 1e-6 ? dLat / cos : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(dLon) || dLon >= 180) return [-180, south, 180, north];
  return [Math.max(-180, box[0] - dLon), south, Math.min(180, box[2] + dLon), north];
}
