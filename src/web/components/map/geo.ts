import type { Geometry, Position } from 'geojson';
import type { BBox, MapFeature, MapFeatureCollection } from './types.ts';

/**
 * Bounding boxes without the map library, so screens can compute a view before maplibre loads.
 * Antimeridian-crossing shapes are out of scope: admin areas of the countries OpenASM serves
 * do not cross it.
 */
function extend(box: BBox | null, [x, y]: Position): BBox {
  if (x === undefined || y === undefined) return box ?? [0, 0, 0, 0];
  if (!box) return [x, y, x, y];
  return [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
}

function geometryBox(geometry: Geometry | null, box: BBox | null): BBox | null {
  if (!geometry) return box;
  switch (geometry.type) {
    case 'Point':
      return extend(box, geometry.coordinates);
    case 'MultiPoint':
    case 'LineString':
      return geometry.coordinates.reduce<BBox | null>(extend, box);
    case 'MultiLineString':
    case 'Polygon':
      return geometry.coordinates.flat().reduce<BBox | null>(extend, box);
    case 'MultiPolygon':
      return geometry.coordinates.flat(2).reduce<BBox | null>(extend, box);
    case 'GeometryCollection':
      return geometry.geometries.reduce<BBox | null>((b, g) => geometryBox(g, b), box);
  }
}

export function bboxOfFeatures(features: readonly MapFeature[]): BBox | null {
  return features.reduce<BBox | null>((box, f) => geometryBox(f.geometry, box), null);
}

export function bboxOf(...collections: (MapFeatureCollection | null | undefined)[]): BBox | null {
  return bboxOfFeatures(collections.flatMap((c) => c?.features ?? []));
}

export function sameBox(a: BBox | null | undefined, b: BBox | null | undefined): boolean {
  if (!a || !b) return a === b;
  return a.every((v, i) => v === b[i]);
}
