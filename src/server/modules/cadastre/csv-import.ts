/**
 * A CSV of corner coordinates turned into the FeatureCollection the GeoJSON import takes, so both
 * formats share one validation path. The coordinates are read by parseCoordinateCsv (src/shared/geo);
 * this adds what an import needs on top: one feature per value of the feature column (`polygon`,
 * `polygon_id` or `feature`; the whole file is one feature without it), the feature's id as its
 * external reference, and the other columns of its first line as its properties (`name`, `status`,
 * `designationDate`…, read as in a GeoJSON import).
 */
import {
  type CsvLineError,
  LAT_COLUMNS,
  LON_COLUMNS,
  POLYGON_COLUMNS,
  parseCoordinateCsv,
  RING_COLUMNS,
  splitLine,
} from '../../../shared/geo/coordinates-csv.ts';
import type { AreaGeometry, PolygonCoords } from '../../../shared/geo/types.ts';
import type { ImportBody } from '../../../shared/schemas/cadastre.ts';
import { AppError } from '../../platform/errors.ts';

/** At most this many line errors are listed in one answer; the count is always given. */
export const MAX_LISTED_CSV_ERRORS = 500;

export const csvInvalid = (errors: CsvLineError[]) =>
  new AppError(
    422,
    'cadastre.csv_invalid',
    `${errors.length} line(s) of the CSV cannot be read; nothing was loaded.`,
    {
      csvErrors: errors.slice(0, MAX_LISTED_CSV_ERRORS).map((e) => ({
        line: e.line,
        column: e.column ?? null,
        code: e.code,
        message: e.message,
      })),
      csvErrorCount: errors.length,
    },
  );

// The column names parseCoordinateCsv gives a meaning to (it matches them in lower case).
const COORDINATE_COLUMNS = new Set([...LON_COLUMNS, ...LAT_COLUMNS, ...RING_COLUMNS]);
const FEATURE_COLUMNS = POLYGON_COLUMNS;

interface FeatureRun {
  key: string;
  properties: Record<string, string>;
}

/**
 * The feature key and properties of each polygon, in the order parseCoordinateCsv makes them: a new
 * polygon starts at every line whose key differs from the line before. Only called once the parser
 * found no error, so every non-blank line is a corner with all its fields.
 */
function featureRuns(lines: string[], separator: string, header: string[], keyCol: number): FeatureRun[] {
  const lower = header.map((h) => h.toLowerCase());
  const propertyCols = header
    .map((name, i) => ({ name, i }))
    .filter(({ i }) => i !== keyCol && !COORDINATE_COLUMNS.has(lower[i]!) && header[i] !== '');
  const runs: FeatureRun[] = [];
  let previous: string | undefined;
  for (const raw of lines.slice(1)) {
    if (raw.trim() === '') continue;
    const fields = splitLine(raw, separator);
    const key = fields[keyCol]!;
    if (runs.length > 0 && key === previous) continue;
    previous = key;
    const properties: Record<string, string> = {};
    for (const { name, i } of propertyCols) if (fields[i]) properties[name] = fields[i]!;
    runs.push({ key, properties });
  }
  return runs;
}

const geometryOf = (polygons: PolygonCoords[]): AreaGeometry =>
  polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons };

export type CsvFeatures = { ok: true; body: ImportBody } | { ok: false; errors: CsvLineError[] };

export function featuresFromCsv(text: string): CsvFeatures {
  const parsed = parseCoordinateCsv(text);
  if (!parsed.geometry) return { ok: false, errors: parsed.errors };

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerLine = lines[0]!;
  // The same choice of separator as the parser's.
  const separator = ['\t', ';', ','].find((s) => headerLine.includes(s)) ?? ',';
  const header = splitLine(headerLine, separator);
  const keyCol = header.findIndex((h) => FEATURE_COLUMNS.includes(h.toLowerCase()));
  const polygons =
    parsed.geometry.type === 'Polygon' ? [parsed.geometry.coordinates] : parsed.geometry.coordinates;

  if (keyCol < 0) {
    const runs = featureRuns(lines, separator, header, -1);
    return {
      ok: true,
      body: {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: runs[0]?.properties ?? {}, geometry: parsed.geometry }],
      },
    };
  }

  // A key that comes back after another one adds a part to its feature rather than a new feature.
  const byKey = new Map<string, { properties: Record<string, string>; polygons: PolygonCoords[] }>();
  featureRuns(lines, separator, header, keyCol).forEach((run, i) => {
    const feature = byKey.get(run.key) ?? { properties: run.properties, polygons: [] };
    feature.polygons.push(polygons[i]!);
    byKey.set(run.key, feature);
  });
  return {
    ok: true,
    body: {
      type: 'FeatureCollection',
      features: [...byKey].map(([key, f]) => ({
        type: 'Feature' as const,
        ...(key === '' ? {} : { id: key }),
        properties: f.properties,
        geometry: geometryOf(f.polygons),
      })),
    },
  };
}
