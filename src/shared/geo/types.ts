/**
 * GeoJSON shapes the cadastre works with: areas only (Polygon, MultiPolygon), positions as
 * [longitude, latitude] in WGS 84 degrees (RFC 7946). A third element (altitude) is tolerated and
 * ignored.
 */
export type Position = [number, number] | [number, number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type MultiPolygonCoords = PolygonCoords[];

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: PolygonCoords;
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: MultiPolygonCoords;
}
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

/** [west, south, east, north], as in a GeoJSON bbox. */
export type BBox = [number, number, number, number];

export function polygonsOf(geometry: AreaGeometry): PolygonCoords[] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** A MultiPolygon, or null when it has no polygon (an empty intersection, for instance). */
export function toMultiPolygon(polygons: MultiPolygonCoords): MultiPolygonGeometry | null {
  return polygons.length === 0 ? null : { type: 'MultiPolygon', coordinates: polygons };
}
