/**
 * Demo districts: no open district boundaries exist for Ghana's 261 districts or DRC's territories
 * in our data, but the platform must be demonstrable at the level where licences are issued. We cut
 * each real region into vertical strips and clip the region to each strip, so every demo unit lies
 * inside its real parent, is obviously artificial on a map, and is the same on every run.
 */

export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type AreaGeometry =
  | { type: 'Polygon'; coordinates: PolygonCoords }
  | { type: 'MultiPolygon'; coordinates: PolygonCoords[] };
/** [west, south, east, north], as in GeoJSON bbox. */
export type BBox = [number, number, number, number];

export interface RegionCollection {
  features: readonly { properties: { code: string; name: string }; geometry: AreaGeometry }[];
}
export interface DemoDistrict {
  type: 'Feature';
  properties: { code: string; name: string; parentCode: string; isDemo: true };
  geometry: AreaGeometry;
}
export interface DemoDistrictCollection {
  type: 'FeatureCollection';
  features: DemoDistrict[];
}

function polygonsOf(g: AreaGeometry): PolygonCoords[] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

export function geometryBbox(g: AreaGeometry): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygonsOf(g)) {
    for (const [x, y] of polygon[0] ?? []) {
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    }
  }
  return box;
}

/** Signed shoelace area of a closed ring; positive when counter-clockwise. */
export function ringArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    twice += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return twice / 2;
}

const clamp = (v: number, a: number, b: number) => Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));

/**
 * Sutherland–Hodgman: clip a closed ring against each of the rectangle's four edges in turn.
 * Returns a closed ring, or null when nothing with area is left. For concave rings the result may
 * contain zero-width bridges along the rectangle's edge: harmless for display and area.
 */
export function clipRingToRect(ring: Ring, rect: BBox): Ring | null {
  const [west, south, east, north] = rect;
  // Each edge: is the point inside, and where does segment a→b cross the edge line.
  const edges: [(p: Position) => boolean, (a: Position, b: Position) => Position][] = [
    [
      (p) => p[0] >= west,
      (a, b) => [west, clamp(a[1] + ((b[1] - a[1]) * (west - a[0])) / (b[0] - a[0]), a[1], b[1])],
    ],
    [
      (p) => p[0] <= east,
      (a, b) => [east, clamp(a[1] + ((b[1] - a[1]) * (east - a[0])) / (b[0] - a[0]), a[1], b[1])],
    ],
    [
      (p) => p[1] >= south,
      (a, b) => [clamp(a[0] + ((b[0] - a[0]) * (south - a[1])) / (b[1] - a[1]), a[0], b[0]), south],
    ],
    [
      (p) => p[1] <= north,
      (a, b) => [clamp(a[0] + ((b[0] - a[0]) * (north - a[1])) / (b[1] - a[1]), a[0], b[0]), north],
    ],
  ];
  // Work on the open ring (without the repeated closing point).
  const [first, last] = [ring[0], ring[ring.length - 1]];
  let points = first && last && first[0] === last[0] && first[1] === last[1] ? ring.slice(0, -1) : ring;
  for (const [inside, cross] of edges) {
    const next: Position[] = [];
    for (let i = 0; i < points.length; i++) {
      const current = points[i]!;
      const previous = points[(i + points.length - 1) % points.length]!;
      if (inside(current)) {
        if (!inside(previous)) next.push(cross(previous, current));
        next.push(current);
      } else if (inside(previous)) {
        next.push(cross(previous, current));
      }
    }
    points = next.filter((p, i) => i === 0 || p[0] !== next[i - 1]![0] || p[1] !== next[i - 1]![1]);
    if (points.length < 3) return null;
  }
  const closed: Ring = [...points, [points[0]![0], points[0]![1]]];
  return ringArea(closed) === 0 ? null : closed;
}

/** Clips every polygon of a geometry to a rectangle; null when nothing remains. */
export function clipGeometryToRect(g: AreaGeometry, rect: BBox): AreaGeometry | null {
  const polygons: PolygonCoords[] = [];
  for (const [outer, ...holes] of polygonsOf(g)) {
    const clippedOuter = outer && clipRingToRect(outer, rect);
    if (!clippedOuter) continue;
    const clippedHoles = holes.map((h) => clipRingToRect(h, rect)).filter((h): h is Ring => h !== null);
    polygons.push([clippedOuter, ...clippedHoles]);
  }
  if (polygons.length === 0) return null;
  return polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons };
}

/** The i-th of n equal vertical strips of a bbox; the last strip ends exactly at the east edge. */
export function verticalStrip(box: BBox, i: number, n: number): BBox {
  const width = box[2] - box[0];
  return [box[0] + (width * i) / n, box[1], i === n - 1 ? box[2] : box[0] + (width * (i + 1)) / n, box[3]];
}

/**
 * Cuts each region into `perRegion` vertical strips and returns the non-empty pieces as demo
 * districts coded `<regionCode>-D01`, `-D02`… (numbered in west-to-east order, skipping empty strips).
 */
export function demoDistricts(
  regions: RegionCollection,
  perRegion: number,
  nameFor: (regionName: string, n: number) => string = (region, n) => `${region} Demo District ${n}`,
): DemoDistrictCollection {
  if (!Number.isInteger(perRegion) || perRegion < 1 || perRegion > 99) {
    throw new RangeError('perRegion must be an integer from 1 to 99');
  }
  const features: DemoDistrict[] = [];
  for (const region of regions.features) {
    const box = geometryBbox(region.geometry);
    let n = 0;
    for (let i = 0; i < perRegion; i++) {
      const geometry = clipGeometryToRect(region.geometry, verticalStrip(box, i, perRegion));
      if (!geometry) continue;
      n++;
      const { code, name } = region.properties;
      features.push({
        type: 'Feature',
        properties: {
          code: `${code}-D${String(n).padStart(2, '0')}`,
          name: nameFor(name, n),
          parentCode: code,
          isDemo: true,
        },
        geometry,
      });
    }
  }
  return { type: 'FeatureCollection', features };
}
