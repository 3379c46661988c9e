/**
 * Areas on the earth and plane helpers.
 *
 * The area model (see docs/adr/0012): each edge is taken as a straight line in a cylindrical
 * equal-area projection, which makes the area exact for that edge shape and a closed formula:
 * A = R² / 2 · Σ (λ[i+1] − λ[i−1]) · sin φ[i]. For cadastral polygons (edges of metres to a few
 * kilometres) the difference from geodesic edges is far below survey precision.
 *
 * `area` uses the sphere of radius 6,371,008.8 m (the IUGG mean radius of WGS 84), as @turf/area
 * does, so the two agree; `ellipsoidalArea` uses the WGS 84 ellipsoid through the authalic
 * latitude, which is the true area: on the equator the sphere overstates it by 0.45 %, near the
 * poles it understates it by up to 0.89 %. Ratios (the % of an application area that overlaps a
 * title) differ between the two models by far less than 0.01 % for areas of cadastral size.
 */
import type { AreaGeometry, BBox, PolygonCoords, Position, Ring } from './types.ts';
import { polygonsOf } from './types.ts';

export const WGS84_A = 6_378_137;
export const WGS84_F = 1 / 298.257223563;
/** Mean radius R1 = (2a + b) / 3 of WGS 84, the sphere of `area` (and of turf). */
export const MEAN_RADIUS = 6_371_008.8;
const E2 = WGS84_F * (2 - WGS84_F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

function authalicQ(sinPhi: number): number {
  return (
    (1 - E2) *
    (sinPhi / (1 - E2 * sinPhi * sinPhi) - (1 / (2 * E)) * Math.log((1 - E * sinPhi) / (1 + E * sinPhi)))
  );
}
const QP = authalicQ(1);
/** Radius of the sphere with the same surface as the WGS 84 ellipsoid (6,371,007.2 m). */
export const AUTHALIC_RADIUS = WGS84_A * Math.sqrt(QP / 2);

/**
 * Σ over a closed ring of (λ[i+1] − λ[i−1]) · f(φ[i]), with f(φ[0]) subtracted from every term:
 * Σ(λ[i+1] − λ[i−1]) over a closed ring is 0, so the result is the same, but small polygons far
 * from the equator no longer lose digits to cancellation.
 */
function ringSum(ring: Ring, f: (latDeg: number) => number): number {
  const closed = ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1];
  const n = closed ? ring.length - 1 : ring.length;
  if (n < 3) return 0;
  const f0 = f(ring[0]![1]);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const prev = ring[(i + n - 1) % n]!;
    const next = ring[(i + 1) % n]!;
    total += (next[0] - prev[0]) * RAD * (f(ring[i]![1]) - f0);
  }
  return total;
}

const sphereF = (lat: number): number => Math.sin(lat * RAD);
const ellipsoidF = (lat: number): number => authalicQ(Math.sin(lat * RAD)) / QP;

/** Signed area in m² on the mean-radius sphere: positive when counter-clockwise. */
export function ringAreaSigned(ring: Ring): number {
  // The sum is negative for a counter-clockwise ring in (λ, φ).
  return -(ringSum(ring, sphereF) * MEAN_RADIUS * MEAN_RADIUS) / 2;
}

function geometryArea(geometry: AreaGeometry, ring: (r: Ring) => number): number {
  let total = 0;
  for (const polygon of polygonsOf(geometry)) total += polygonAreaWith(polygon, ring);
  return total;
}
function polygonAreaWith(polygon: PolygonCoords, ring: (r: Ring) => number): number {
  let total = 0;
  polygon.forEach((r, i) => {
    const a = Math.abs(ring(r));
    total += i === 0 ? a : -a;
  });
  return Math.max(total, 0);
}

/** Area in m² on the sphere R = 6,371,008.8 m (matches @turf/area). Holes are subtracted whatever their winding. */
export function area(geometry: AreaGeometry): number {
  return geometryArea(geometry, ringAreaSigned);
}

/** Area in m² on the WGS 84 ellipsoid (authalic latitude). */
export function ellipsoidalArea(geometry: AreaGeometry): number {
  return geometryArea(geometry, (r) => -(ringSum(r, ellipsoidF) * AUTHALIC_RADIUS * AUTHALIC_RADIUS) / 2);
}

export function polygonArea(polygon: PolygonCoords): number {
  return polygonAreaWith(polygon, ringAreaSigned);
}

/** [west, south, east, north] over every position (holes included, in case they are misplaced). */
export function bbox(geometry: AreaGeometry): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (const [x, y] of ring) {
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
      }
    }
  }
  return box;
}

export function bboxesIntersect(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

export function bboxContains(outer: BBox, inner: BBox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}

/** Twice the signed planar (degree) area of a ring: positive when counter-clockwise. */
export function planarSignedArea2(ring: Ring): number {
  let total = 0;
  const n = ring.length;
  if (n < 3) return 0;
  const [x0, y0] = ring[0]!;
  for (let i = 1; i < n - 1; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    total += (a[0] - x0) * (b[1] - y0) - (b[0] - x0) * (a[1] - y0);
  }
  return total;
}

/** 1 inside, 0 on the boundary, −1 outside (even–odd rule; the ring may be open or closed). */
export function pointInRing(point: Position, ring: Ring): -1 | 0 | 1 {
  const [px, py] = point;
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const cross = (xj - xi) * (py - yi) - (yj - yi) * (px - xi);
    if (
      cross === 0 &&
      Math.min(xi, xj) <= px &&
      px <= Math.max(xi, xj) &&
      Math.min(yi, yj) <= py &&
      py <= Math.max(yi, yj)
    ) {
      return 0;
    }
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 1 : -1;
}
