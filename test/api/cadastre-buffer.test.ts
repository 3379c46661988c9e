/**
 * The buffer kept around protected areas (issue 5): a profile setting, measured as the distance
 * between the application and each protected area, on a real database through the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEAN_RADIUS } from '../../src/shared/geo/measure.ts';
import type { PolygonGeometry } from '../../src/shared/geo/types.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { installTestProfile, setTestCadastre, testTier } from '../support/licence-profile.ts';

let t: TestApp;
let admin: Record<string, string>;

const rect = (w: number, s: number, e: number, n: number): PolygonGeometry => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

/** Degrees of longitude for `metres` east–west at latitude `lat` (the sphere of `area`). */
const lonDegrees = (metres: number, lat: number) =>
  metres / (MEAN_RADIUS * (Math.PI / 180) * Math.cos((lat * Math.PI) / 180));

/** A forest reserve about 1.1 km square, and application areas east of it. */
const PARK = rect(-1.5, 6.5, -1.49, 6.51);
/** Its west side 300 m east of the reserve's east side, over the same latitudes. */
const AT_300 = rect(-1.49 + lonDegrees(300, 6.505), 6.502, -1.49 + lonDegrees(400, 6.505), 6.508);
const OVERLAPPING = rect(-1.4905, 6.502, -1.485, 6.508);
const TOUCHING = rect(-1.49, 6.502, -1.485, 6.508);

type Rule = { code: string; passed: boolean; detail: Record<string, unknown> };
type Within = { featureId: string; name: string | null; distanceMetres: number };

async function check(geometry: object | undefined, extra: object = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/cadastre/checks',
    headers: admin,
    payload: { country: 'GH', ...(geometry ? { geometry } : {}), ...extra },
  });
}
async function bufferRule(geometry: object): Promise<Rule> {
  const res = await check(geometry);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().rules.find((r: Rule) => r.code === 'protected_area_buffer');
}

let parkId: string;

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [testTier('community_permit', 'district', ['person'], 2)]);
  admin = await t.login('admin');
  const layer = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cadastre/layers',
    headers: admin,
    payload: { country: 'GH', kind: 'protected_area', name: 'Forest reserves', source: 'test' },
  });
  expect(layer.statusCode, layer.body).toBe(201);
  const imported = await t.app.inject({
    method: 'POST',
    url: `/api/v1/cadastre/layers/${layer.json().id}/import`,
    headers: admin,
    payload: {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: 'Test Forest Reserve' }, geometry: PARK }],
    },
  });
  expect(imported.statusCode, imported.body).toBe(200);
  const features = await t.app.inject({
    method: 'GET',
    url: `/api/v1/cadastre/layers/${layer.json().id}/features.geojson`,
    headers: admin,
  });
  parkId = features.json().features[0].id;
});
afterAll(async () => {
  await t?.close();
});

describe('the protected-area buffer', () => {
  it('is 0 m without a profile setting: an area 300 m away passes, an overlapping one fails', async () => {
    await setTestCadastre(t.database, null);
    const near = await bufferRule(AT_300);
    expect(near).toMatchObject({ passed: true, detail: { bufferMetres: 0, overlapM2: 0, within: [] } });
    const over = await bufferRule(OVERLAPPING);
    expect(over.passed).toBe(false);
    expect(over.detail.within).toEqual([
      { featureId: parkId, name: 'Test Forest Reserve', distanceMetres: 0 },
    ]);
    // Touching is not overlapping, and no distance is kept.
    expect((await bufferRule(TOUCHING)).passed).toBe(true);
  });

  it('fails an area 300 m away when the profile keeps 500 m, with the distance, and passes it at 200 m', async () => {
    await setTestCadastre(t.database, { protectedAreaBufferMetres: 500 });
    const res = await check(AT_300);
    expect(res.statusCode, res.body).toBe(200);
    // The reserve's box does not meet the area's box: the buffer brought it in.
    expect(res.json().overlaps).toEqual([]);
    expect(res.json().candidates).toBe(1);
    const rule = res.json().rules.find((r: Rule) => r.code === 'protected_area_buffer') as Rule;
    expect(rule.passed).toBe(false);
    expect(res.json().passed).toBe(false);
    expect(rule.detail.bufferMetres).toBe(500);
    expect(rule.detail.overlapM2).toBe(0);
    const [within] = rule.detail.within as Within[];
    expect(within).toMatchObject({ featureId: parkId, name: 'Test Forest Reserve' });
    expect(Math.abs(within!.distanceMetres - 300)).toBeLessThan(300 * 0.005);

    const touching = await bufferRule(TOUCHING);
    expect(touching.passed).toBe(false);
    expect((touching.detail.within as Within[])[0]!.distanceMetres).toBe(0);
    const over = await bufferRule(OVERLAPPING);
    expect(over.passed).toBe(false);
    expect((over.detail.within as Within[])[0]!.distanceMetres).toBe(0);
    expect(over.detail.overlapM2).toBeGreaterThan(0);

    await setTestCadastre(t.database, { protectedAreaBufferMetres: 200 });
    expect(await bufferRule(AT_300)).toMatchObject({
      passed: true,
      detail: { bufferMetres: 200, within: [] },
    });
  });

  it('reaches protected areas in every direction, sorted nearest first', async () => {
    await setTestCadastre(t.database, { protectedAreaBufferMetres: 2000 });
    // North-west of the reserve's north-west corner, about 1 km away on the diagonal.
    const d = 700;
    const nw = rect(
      -1.5 - lonDegrees(d + 100, 6.51),
      6.51 + d / (MEAN_RADIUS * (Math.PI / 180)),
      -1.5 - lonDegrees(d, 6.51),
      6.51 + (d + 100) / (MEAN_RADIUS * (Math.PI / 180)),
    );
    const rule = await bufferRule(nw);
    const [within] = rule.detail.within as Within[];
    expect(Math.abs(within!.distanceMetres - d * Math.SQRT2) / (d * Math.SQRT2)).toBeLessThan(0.005);
  });

  it("still reads the country's box to put [lat, lon] corners back in order", async () => {
    await t.database.db
      .updateTable('admin_areas')
      .set({ bbox: '((-4,4),(2,12))' })
      .where('id', '=', t.fx.areas.country.id)
      .execute();
    const swapped = {
      type: 'Polygon',
      coordinates: AT_300.coordinates.map((ring) => ring.map(([lon, lat]) => [lat, lon])),
    };
    const res = await check(swapped);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().repairsApplied).toContain('geometry.coordinates_swapped');
  });

  it('refuses cells where the profile has no grid, and a geometry given with cells', async () => {
    await setTestCadastre(t.database, { protectedAreaBufferMetres: 500 });
    const cells = await check(undefined, { cells: ['E1N1'] });
    expect(cells.statusCode, cells.body).toBe(422);
    expect(cells.json().code).toBe('cadastre.no_grid');
    const both = await check(AT_300, { cells: ['E1N1'] });
    expect(both.statusCode).toBe(400);
    expect(both.json().code).toBe('request.validation_failed');
  });
});
