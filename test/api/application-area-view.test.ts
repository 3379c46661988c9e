/**
 * The review map's view of an application's area (issue 5): the stored area and check, the features
 * it overlaps with their shapes and shares, and its neighbours, for whoever may read the application.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolygonGeometry } from '../../src/shared/geo/types.ts';
import { NEARBY_LIMIT } from '../../src/shared/schemas/application-area.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { UserKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Record<string, string>>> = {};

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

/** About 110 m × 110 m near Obuasi (1.2 ha): the west half lies on a title. */
const AREA = rect(-1.6, 6.2, -1.599, 6.201);

type Method = 'GET' | 'POST' | 'PUT';
const call = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function draft(): Promise<string> {
  const p = await call('POST', '/api/v1/people', h.admin!, {
    givenName: 'Abena',
    familyName: `View${Math.random().toString(36).slice(2, 8)}`,
    sex: 'female',
    areaId: t.fx.areas.obuasi.id,
    checkDuplicates: false,
  });
  expect(p.statusCode, p.body).toBe(201);
  const res = await call('POST', '/api/v1/licence-applications', h.obuasiOfficer!, {
    tierCode: 'community_permit',
    holderKind: 'person',
    holderId: p.json().id,
    requestedAreaHectares: 1,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function layer(kind: string, name: string, features: object[]): Promise<string> {
  const res = await call('POST', '/api/v1/cadastre/layers', h.admin!, { country: 'GH', kind, name });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const imported = await call('POST', `/api/v1/cadastre/layers/${id}/import`, h.admin!, {
    type: 'FeatureCollection',
    features,
  });
  expect(imported.statusCode, imported.body).toBe(200);
  return id;
}

const feature = (ref: string, geometry: PolygonGeometry) => ({
  type: 'Feature',
  properties: { externalRef: ref, name: `Feature ${ref}`, status: 'active' },
  geometry,
});

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [COMMUNITY_PERMIT]);
  for (const u of ['admin', 'obuasiOfficer', 'bibianiAdmin', 'agent'] as const) h[u] = await t.login(u);
  // The fixture districts have no shapes; give Obuasi a box for the map to open on.
  await sql`UPDATE admin_areas SET bbox = box(point(-1.75, 6.1), point(-1.5, 6.3)) WHERE id = ${t.fx.areas.obuasi.id}`.execute(
    t.database.db,
  );
  await layer('lsm_title', 'View test titles', [
    feature('T-WEST', rect(-1.6, 6.2, -1.5995, 6.201)),
    // Beside the area, touching nothing: a neighbour.
    feature('T-NEAR', rect(-1.598, 6.2, -1.597, 6.201)),
    // Far away (tens of kilometres): outside the view.
    feature('T-FAR', rect(-1.2, 6.6, -1.199, 6.601)),
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /licence-applications/:id/area', () => {
  it('opens on the admin area, with its features, before an area is drawn', async () => {
    const id = await draft();
    const res = await call('GET', `/api/v1/licence-applications/${id}/area`, h.obuasiOfficer!);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      applicationId: id,
      country: 'GH',
      geometry: null,
      check: null,
      editable: true,
    });
    // The view is the Obuasi district's box, which holds the area drawn below.
    expect(body.view).toEqual([-1.75, 6.1, -1.5, 6.3]);
    // The features in the district are there to draw against.
    const refs = body.nearby.features.map(
      (f: { properties: { externalRef: string } }) => f.properties.externalRef,
    );
    expect(refs).toEqual(expect.arrayContaining(['T-WEST', 'T-NEAR']));
    expect(refs).not.toContain('T-FAR');
  });

  it('returns the stored area, the overlapped features first with their share, and the neighbours', async () => {
    const id = await draft();
    const put = await call('PUT', `/api/v1/licence-applications/${id}/area`, h.obuasiOfficer!, {
      geometry: AREA,
    });
    expect(put.statusCode, put.body).toBe(200);
    const res = await call('GET', `/api/v1/licence-applications/${id}/area`, h.obuasiOfficer!);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.geometry).toEqual(AREA);
    expect(body.check.passed).toBe(false);
    const refs = body.nearby.features.map(
      (f: { properties: { externalRef: string } }) => f.properties.externalRef,
    );
    expect(refs[0]).toBe('T-WEST');
    expect(refs).toContain('T-NEAR');
    expect(refs).not.toContain('T-FAR');
    const west = body.nearby.features[0];
    expect(west.geometry).toEqual(rect(-1.6, 6.2, -1.5995, 6.201));
    expect(west.properties.layerKind).toBe('lsm_title');
    expect(west.properties.percentOfApplied).toBeCloseTo(50, 0);
    const near = body.nearby.features.find(
      (f: { properties: { externalRef: string } }) => f.properties.externalRef === 'T-NEAR',
    );
    expect(near.properties.overlapM2).toBeNull();
    // The view holds the area with a margin around it.
    const [w, s, e, n] = body.view as [number, number, number, number];
    expect(w).toBeLessThan(-1.6);
    expect(e).toBeGreaterThan(-1.599);
    expect(e - w).toBeLessThan(0.1);
    expect(n - s).toBeLessThan(0.1);
    expect(body.truncated).toBe(false);
  });

  it('caps the neighbours and says so', async () => {
    // A 23 × 23 grid of 120 m² plots just north of the area.
    const many = Array.from({ length: NEARBY_LIMIT + 5 }, (_, i) => {
      const [x, y] = [-1.59 + (i % 23) * 2e-4, 6.207 + Math.floor(i / 23) * 2e-4];
      return feature(`N-${i}`, rect(x, y, x + 1e-4, y + 1e-4));
    });
    await layer('customary_land', 'View test many', many);
    const id = await draft();
    await call('PUT', `/api/v1/licence-applications/${id}/area`, h.obuasiOfficer!, {
      geometry: rect(-1.59, 6.205, -1.589, 6.206),
    });
    const body = (await call('GET', `/api/v1/licence-applications/${id}/area`, h.obuasiOfficer!)).json();
    expect(body.truncated).toBe(true);
    expect(body.nearby.features).toHaveLength(NEARBY_LIMIT);
  });

  it('is refused outside the reader’s areas and to the unknown', async () => {
    const id = await draft();
    const outside = await call('GET', `/api/v1/licence-applications/${id}/area`, h.bibianiAdmin!);
    expect([403, 404]).toContain(outside.statusCode);
    const missing = await call(
      'GET',
      '/api/v1/licence-applications/0190f000-0000-7000-8000-000000000000/area',
      h.obuasiOfficer!,
    );
    expect(missing.statusCode).toBe(404);
  });
});
