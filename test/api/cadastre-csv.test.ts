/**
 * Importing a CSV of corner coordinates into a cadastre layer (issue 5), through the HTTP API on a
 * real database: the same validation and all-or-nothing rule as a GeoJSON import, line errors that
 * say where, and the body limit the refusing route really has. Areas are checked against turf.
 */
import turfArea from '@turf/area';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: Record<string, string>;

const IMPORT_LIMIT = 50 * 1024 * 1024;

async function newLayer(name: string): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cadastre/layers',
    headers: admin,
    payload: { country: 'GH', kind: 'lsm_title', name, source: 'survey office' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

function importCsv(layerId: string, csv: string, query = '', headers = admin) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/cadastre/layers/${layerId}/import.csv${query}`,
    headers: { ...headers, 'content-type': 'text/csv; charset=utf-8' },
    payload: csv,
  });
}

interface LoadedFeature {
  id: string;
  geometry: { type: string; coordinates: number[][][] | number[][][][] };
  properties: { externalRef: string | null; name: string | null; status: string; areaM2: number };
}
async function featuresOf(layerId: string): Promise<LoadedFeature[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/cadastre/layers/${layerId}/features.geojson`,
    headers: admin,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().features;
}

/** The corners of a lon/lat rectangle, counter-clockwise, as CSV lines with a leading key. */
const corners = (prefix: string, w: number, s: number, e: number, n: number) => [
  `${prefix}${w},${s}`,
  `${prefix}${e},${s}`,
  `${prefix}${e},${n}`,
  `${prefix}${w},${n}`,
];
const ring = (w: number, s: number, e: number, n: number) => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

describe('CSV import', () => {
  it('loads one feature per feature id, with holes and parts, the right areas and its properties', async () => {
    const layer = await newLayer('Titles from CSV');
    const csv = [
      'feature,ring,lon,lat,name,status',
      ...corners('T-1,outer,', -1.95, 6.05, -1.85, 6.15).map((l) => `${l},Title one,active`),
      // A hole in T-1, clockwise as RFC 7946 wants.
      'T-1,hole,-1.92,6.08,,',
      'T-1,hole,-1.92,6.12,,',
      'T-1,hole,-1.88,6.12,,',
      'T-1,hole,-1.88,6.08,,',
      ...corners('T-2,1,', -1.7, 6.0, -1.6, 6.1).map((l) => `${l},Title two,expired`),
      // T-2 again after another feature: a second part of T-2, not a new feature.
      ...corners('T-3,1,', -1.5, 6.0, -1.45, 6.05).map((l) => `${l},Title three,`),
      ...corners('T-2,1,', -1.3, 6.0, -1.25, 6.05).map((l) => `${l},,`),
      '',
    ].join('\r\n');
    const res = await importCsv(layer, csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ received: 3, loaded: 3, skipped: 0, skippedFeatures: [] });

    const loaded = await featuresOf(layer);
    const byRef = Object.fromEntries(loaded.map((f) => [f.properties.externalRef, f]));
    expect(Object.keys(byRef).sort()).toEqual(['T-1', 'T-2', 'T-3']);
    expect(byRef['T-1']!.properties).toMatchObject({ name: 'Title one', status: 'active' });
    expect(byRef['T-2']!.properties).toMatchObject({ name: 'Title two', status: 'expired' });
    expect(byRef['T-3']!.properties.status).toBe('active');
    expect(byRef['T-2']!.geometry.type).toBe('MultiPolygon');

    const outer = ring(-1.95, 6.05, -1.85, 6.15);
    const hole = ring(-1.92, 6.08, -1.88, 6.12).reverse();
    const expected: Record<string, number> = {
      'T-1': turfArea({ type: 'Polygon', coordinates: [outer, hole] }),
      'T-2': turfArea({
        type: 'MultiPolygon',
        coordinates: [[ring(-1.7, 6.0, -1.6, 6.1)], [ring(-1.3, 6.0, -1.25, 6.05)]],
      }),
      'T-3': turfArea({ type: 'Polygon', coordinates: [ring(-1.5, 6.0, -1.45, 6.05)] }),
    };
    for (const [ref, m2] of Object.entries(expected)) {
      expect(Math.abs(byRef[ref]!.properties.areaM2 - m2) / m2, ref).toBeLessThan(1e-3);
    }
    // The hole is really cut out: T-1 is smaller than its outer rectangle.
    expect(byRef['T-1']!.properties.areaM2).toBeLessThan(
      turfArea({ type: 'Polygon', coordinates: [outer] }) * 0.9,
    );
  });

  it('takes semicolons with decimal commas, and a file without a feature column as one feature', async () => {
    const layer = await newLayer('One parcel');
    const csv = 'Latitude;Longitude\n6,1;-1,9\n6,1;-1,8\n6,2;-1,8\n6,2;-1,9\n';
    const res = await importCsv(layer, csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ received: 1, loaded: 1 });
    const [only] = await featuresOf(layer);
    const m2 = turfArea({ type: 'Polygon', coordinates: [ring(-1.9, 6.1, -1.8, 6.2)] });
    expect(Math.abs(only!.properties.areaM2 - m2) / m2).toBeLessThan(1e-3);
  });

  it('reports a bad number at its line and column, and loads nothing', async () => {
    const layer = await newLayer('Typos');
    const lines = [
      'feature,lon,lat',
      ...corners('A,', -1.95, 6.05, -1.85, 6.15),
      ...corners('B,', -1.7, 6.0, -1.6, 6.1),
    ];
    lines[6] = 'B,-1.6,6.1O'; // line 7 of the file: a letter O for a zero
    const res = await importCsv(layer, lines.join('\n'));
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(body.code).toBe('cadastre.csv_invalid');
    expect(body.csvErrorCount).toBe(1);
    expect(body.csvErrors).toEqual([
      expect.objectContaining({ line: 7, column: 'lat', code: 'csv.not_a_number' }),
    ]);
    expect(await featuresOf(layer)).toEqual([]);
  });

  it('lists at most 500 line errors and always gives their count', async () => {
    const layer = await newLayer('Garbage');
    const csv = ['lon,lat', ...Array.from({ length: 700 }, () => 'x,y')].join('\n');
    const res = await importCsv(layer, csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().csvErrorCount).toBe(1400);
    expect(res.json().csvErrors).toHaveLength(500);
    const missing = await importCsv(layer, 'easting,northing\n1,2\n');
    expect(missing.json().csvErrors.map((e: { column: string }) => e.column)).toEqual(['lon', 'lat']);
  });

  it('refuses the whole file when a feature is invalid, unless asked to skip it; one audit event each', async () => {
    const layer = await newLayer('All or nothing CSV');
    const csv = [
      'feature,lon,lat',
      ...corners('good,', -1.95, 6.05, -1.85, 6.15),
      // A bow tie: its edges cross.
      'bowtie,-1.7,6.0',
      'bowtie,-1.6,6.1',
      'bowtie,-1.6,6.0',
      'bowtie,-1.7,6.1',
    ].join('\n');
    const refused = await importCsv(layer, csv);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'cadastre.import_failed', failedFeatures: 1 });
    expect(refused.json().features).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, externalRef: 'bowtie', code: 'geometry.self_intersection' }),
      ]),
    );
    expect(await featuresOf(layer)).toEqual([]);

    const audits = async () =>
      (
        await t.database.db
          .selectFrom('audit_events')
          .select('meta')
          .where('action', '=', 'cadastre.features_imported')
          .where('entity_id', '=', layer)
          .execute()
      ).map((r) => r.meta);
    expect(await audits()).toEqual([]);

    const skipped = await importCsv(layer, csv, '?skipInvalid=true');
    expect(skipped.statusCode, skipped.body).toBe(200);
    expect(skipped.json()).toMatchObject({ received: 2, loaded: 1, skipped: 1 });
    expect(skipped.json().skippedFeatures[0]).toMatchObject({ externalRef: 'bowtie' });
    expect((await featuresOf(layer)).map((f) => f.properties.externalRef)).toEqual(['good']);
    expect(await audits()).toEqual([
      expect.objectContaining({ received: 2, loaded: 1, skipped: 1, skipInvalid: true }),
    ]);
  });

  it('applies the safe repairs unless repair=none', async () => {
    const layer = await newLayer('Clockwise survey');
    // Clockwise corners: rewound by a safe repair.
    const csv = ['lon,lat', '-1.9,6.1', '-1.9,6.2', '-1.8,6.2', '-1.8,6.1'].join('\n');
    const strict = await importCsv(layer, csv, '?repair=none');
    expect(strict.statusCode).toBe(422);
    expect(strict.json().features[0].code).toBe('geometry.winding');
    const repaired = await importCsv(layer, csv);
    expect(repaired.statusCode, repaired.body).toBe(200);
    expect(repaired.json()).toMatchObject({ loaded: 1, repaired: 1 });
  });

  it('needs cadastre.manage at the country, checked before the file is read', async () => {
    const layer = await newLayer('Not for officers');
    const officer = await t.login('ashantiOfficer');
    for (const csv of ['lon,lat\n-1.9,6.1\n-1.8,6.1\n-1.8,6.2\n', 'lon,lat\nnot,numbers\n']) {
      const res = await importCsv(layer, csv, '', officer);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().code).toBe('access.forbidden');
    }
    const supervisor = await importCsv(
      layer,
      'lon,lat\n-1.9,6.1\n-1.8,6.1\n-1.8,6.2\n',
      '',
      await t.login('supervisor'),
    );
    expect(supervisor.statusCode, supervisor.body).toBe(200);
    const unknown = await importCsv('0190a5f4-0000-7000-8000-000000000000', 'lon,lat\n1,2\n');
    expect(unknown.json().code).toBe('cadastre.unknown_layer');
  });

  it('is described in the OpenAPI document as a text/csv body', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const op = doc.paths['/api/v1/cadastre/layers/{id}/import.csv'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['text/csv']);
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'id',
      'repair',
      'skipInvalid',
    ]);
  });

  it('takes text/csv only', async () => {
    const layer = await newLayer('Wrong type');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cadastre/layers/${layer}/import.csv`,
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'lon,lat\n1,2\n',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('request.unsupported_media_type');
  });
});

describe('body limits', () => {
  it("names the refusing route's own limit: the server's, or the import's 50 MB", async () => {
    const layer = await newLayer('Large files');
    // The server limit here is 4096 bytes; the import routes keep their own.
    const small = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cadastre/layers',
      headers: admin,
      payload: { country: 'GH', kind: 'asm_zone', name: 'x'.repeat(5000) },
    });
    expect(small.statusCode).toBe(413);
    expect(small.json()).toMatchObject({ code: 'request.body_too_large', limit: 4096 });

    const csv = ['feature,lon,lat,notes', ...corners('A,', -1.95, 6.05, -1.85, 6.15)]
      .map((l, i) => (i === 0 ? l : `${l},${'n'.repeat(1500)}`))
      .join('\n');
    expect(csv.length).toBeGreaterThan(4096);
    const accepted = await importCsv(layer, csv);
    expect(accepted.statusCode, accepted.body).toBe(200);

    const huge = await importCsv(layer, 'lon,lat\n'.padEnd(IMPORT_LIMIT + 1, '0'));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'request.body_too_large', limit: IMPORT_LIMIT });
  });
});
