import { describe, expect, it } from 'vitest';
import { parseCoordinateCsv } from './coordinates-csv.ts';
import { validateGeometry } from './validate.ts';

describe('parseCoordinateCsv', () => {
  it('reads lon,lat corners into a closed polygon', () => {
    const { geometry, errors } = parseCoordinateCsv('lon,lat\n25,-3\n25.1,-3\n25.1,-2.9\n25,-2.9\n');
    expect(errors).toEqual([]);
    expect(geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [25, -3],
          [25.1, -3],
          [25.1, -2.9],
          [25, -2.9],
          [25, -3],
        ],
      ],
    });
    expect(validateGeometry(geometry).status).toBe('valid');
  });

  it('reads lat;lon with decimal commas, a ring column for holes and a polygon column for parts', () => {
    const text = [
      'Polygon;Ring;Latitude;Longitude',
      'A;1;-3;25',
      'A;1;-3;25,1',
      'A;1;-2,9;25,1',
      'A;1;-2,9;25',
      'A;2;-2,98;25,02',
      'A;2;-2,96;25,02',
      'A;2;-2,96;25,04',
      'B;1;-3;26',
      'B;1;-3;26,1',
      'B;1;-2,9;26,1',
    ].join('\r\n');
    const { geometry, errors } = parseCoordinateCsv(text);
    expect(errors).toEqual([]);
    expect(geometry?.type).toBe('MultiPolygon');
    expect(geometry?.coordinates).toHaveLength(2);
    expect(validateGeometry(geometry).status).toBe('valid');
  });

  it('gives an error per line, and no geometry when any line is wrong', () => {
    const { geometry, errors } = parseCoordinateCsv(
      'x,y,ring\n25,-3,1\n25.1,abc,1\n25.1,-2.9\n"25",-2.9,1\n1e400x,-3,1\n',
    );
    expect(geometry).toBeNull();
    expect(errors).toEqual([
      expect.objectContaining({ line: 3, code: 'csv.not_a_number', column: 'y' }),
      expect.objectContaining({ line: 4, code: 'csv.field_count' }),
      expect.objectContaining({ line: 6, code: 'csv.not_a_number', column: 'x' }),
    ]);
  });

  it('names a missing column and an empty file', () => {
    expect(parseCoordinateCsv('easting,northing\n1,2\n').errors.map((e) => [e.code, e.column])).toEqual([
      ['csv.missing_column', 'lon'],
      ['csv.missing_column', 'lat'],
    ]);
    expect(parseCoordinateCsv('').errors[0]!.code).toBe('csv.empty');
    expect(parseCoordinateCsv('lon,lat\n\n').errors[0]!.code).toBe('csv.empty');
  });

  it('keeps an already closed ring as it is', () => {
    const { geometry } = parseCoordinateCsv('lng\tlat\n25\t-3\n25.1\t-3\n25.1\t-2.9\n25\t-3\n');
    expect(geometry?.coordinates[0]).toHaveLength(4);
  });
});
