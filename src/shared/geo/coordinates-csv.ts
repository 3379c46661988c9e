/**
 * A polygon from a CSV of corner coordinates, as surveyors and cadastre offices hand them over:
 * a header names the columns (lon/lng/longitude/x and lat/latitude/y, in either order), an optional
 * `ring` column starts a new ring when its value changes (first ring exterior, the next ones holes)
 * and an optional `polygon` column starts a new polygon (giving a MultiPolygon). Comma, semicolon
 * or tab separated; with semicolons or tabs a decimal comma is accepted. Rings are closed when the
 * last corner does not repeat the first (a list of corners rarely does); everything else is left to
 * `validateGeometry`.
 */
import type { AreaGeometry, PolygonCoords, Position, Ring } from './types.ts';

export type CsvErrorCode = 'csv.empty' | 'csv.missing_column' | 'csv.field_count' | 'csv.not_a_number';

export interface CsvLineError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  code: CsvErrorCode;
  /** The column concerned, when there is one. */
  column?: string;
  message: string;
}

export interface CsvParseResult {
  geometry: AreaGeometry | null;
  errors: CsvLineError[];
}

/** The header names understood for each column (compared in lower case). */
export const LON_COLUMNS: readonly string[] = ['lon', 'lng', 'long', 'longitude', 'x', 'easting_deg'];
export const LAT_COLUMNS: readonly string[] = ['lat', 'latitude', 'y', 'northing_deg'];
export const RING_COLUMNS: readonly string[] = ['ring', 'ring_id', 'part'];
export const POLYGON_COLUMNS: readonly string[] = ['polygon', 'polygon_id', 'feature'];
const [LON, LAT, RING, POLYGON] = [LON_COLUMNS, LAT_COLUMNS, RING_COLUMNS, POLYGON_COLUMNS];

/** One line's fields: quoted fields ("…", with "" for a quote) may hold the separator. */
export function splitLine(line: string, separator: string): string[] {
  // Quoted fields ("…", with "" for a quote) are allowed; coordinates rarely need them.
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

export function parseCoordinateCsv(text: string, options: { closeRings?: boolean } = {}): CsvParseResult {
  const closeRings = options.closeRings ?? true;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const errors: CsvLineError[] = [];
  const headerLine = lines[0] ?? '';
  if (headerLine.trim() === '') {
    return { geometry: null, errors: [{ line: 1, code: 'csv.empty', message: 'the file is empty' }] };
  }
  const separator = ['\t', ';', ','].find((s) => headerLine.includes(s)) ?? ',';
  const decimalComma = separator !== ',';
  const header = splitLine(headerLine, separator).map((h) => h.toLowerCase());
  const find = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const lonCol = find(LON);
  const latCol = find(LAT);
  const ringCol = find(RING);
  const polygonCol = find(POLYGON);
  if (lonCol < 0)
    errors.push({
      line: 1,
      code: 'csv.missing_column',
      column: 'lon',
      message: 'no longitude column (lon, lng, longitude or x)',
    });
  if (latCol < 0)
    errors.push({
      line: 1,
      code: 'csv.missing_column',
      column: 'lat',
      message: 'no latitude column (lat, latitude or y)',
    });
  if (errors.length > 0) return { geometry: null, errors };

  const polygons: PolygonCoords[] = [];
  let polygonKey: string | undefined;
  let ringKey: string | undefined;
  let ring: Ring | null = null;
  const number = (raw: string): number | null => {
    const text = decimalComma ? raw.replace(',', '.') : raw;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  };
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const fields = splitLine(raw, separator);
    if (fields.length !== header.length) {
      errors.push({
        line: lineNo,
        code: 'csv.field_count',
        message: `expected ${header.length} fields, found ${fields.length}`,
      });
      continue;
    }
    const lon = number(fields[lonCol]!);
    const lat = number(fields[latCol]!);
    if (lon === null)
      errors.push({
        line: lineNo,
        code: 'csv.not_a_number',
        column: header[lonCol]!,
        message: `longitude "${fields[lonCol]}" is not a number`,
      });
    if (lat === null)
      errors.push({
        line: lineNo,
        code: 'csv.not_a_number',
        column: header[latCol]!,
        message: `latitude "${fields[latCol]}" is not a number`,
      });
    if (lon === null || lat === null) continue;
    const p = polygonCol >= 0 ? fields[polygonCol]! : '';
    const r = ringCol >= 0 ? fields[ringCol]! : '';
    if (ring === null || p !== polygonKey) {
      ring = [];
      polygons.push([ring]);
      polygonKey = p;
      ringKey = r;
    } else if (r !== ringKey) {
      ring = [];
      polygons.at(-1)!.push(ring);
      ringKey = r;
    }
    ring.push([lon, lat] as Position);
  }
  if (polygons.length === 0 && errors.length === 0) {
    errors.push({ line: 2, code: 'csv.empty', message: 'the file has no coordinates' });
  }
  if (errors.length > 0) return { geometry: null, errors };
  if (closeRings) {
    for (const polygon of polygons) {
      for (const r of polygon) {
        const first = r[0]!;
        const last = r.at(-1)!;
        if (first[0] !== last[0] || first[1] !== last[1]) r.push([first[0], first[1]]);
      }
    }
  }
  const geometry: AreaGeometry =
    polygons.length === 1
      ? { type: 'Polygon', coordinates: polygons[0]! }
      : { type: 'MultiPolygon', coordinates: polygons };
  return { geometry, errors };
}
