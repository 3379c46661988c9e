/**
 * The applied area of a licence application (issue 5): drawn or uploaded, checked against the
 * cadastre at once, stored with its check; the decision re-runs the check and records it.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listApplications } from '../../src/server/modules/licensing/repo.ts';
import { area } from '../../src/shared/geo/measure.ts';
import type { PolygonGeometry } from '../../src/shared/geo/types.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { UserKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile, TRANSFERABLE_PERMIT } from '../support/licence-profile.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Record<string, string>>> = {};

/** A counter-clockwise rectangle (RFC 7946 winding). */
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

/** About 1.1 km × 1.1 km near Obuasi: 122 ha, above the community permit's 2 ha. */
const BIG = rect(-1.7, 6.2, -1.69, 6.21);
/** About 110 m × 110 m: 1.2 ha. */
const SMALL = rect(-1.68, 6.2, -1.679, 6.201);

type Method = 'GET' | 'POST' | 'PUT';
const call = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

let n = 0;
async function draft(): Promise<{ id: string }> {
  const p = await call('POST', '/api/v1/people', h.admin!, {
    givenName: 'Akua',
    familyName: `Area${++n}`,
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
  return res.json();
}

let titleLayer: string;

async function importFeatures(layerId: string, features: object[]) {
  const res = await call('POST', `/api/v1/cadastre/layers/${layerId}/import`, h.admin!, {
    type: 'FeatureCollection',
    features,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

const auditOf = async (entityId: string, action: string) =>
  (
    await sql<{ meta: Record<string, unknown> | null; before: unknown; after: unknown }>`
      SELECT meta, before, after FROM audit_events WHERE entity_id = ${entityId} AND action = ${action}`.execute(
      t.database.db,
    )
  ).rows;

beforeAll(async () => {
  t = await createTestApp();
  // Two tiers for people: community_permit up to 2 ha, transferable_permit up to 5 ha.
  await installTestProfile(t.database, [COMMUNITY_PERMIT, TRANSFERABLE_PERMIT]);
  for (const u of ['admin', 'obuasiOfficer', 'bibianiAdmin', 'agent'] as const) h[u] = await t.login(u);
  const layer = await call('POST', '/api/v1/cadastre/layers', h.admin!, {
    country: 'GH',
    kind: 'lsm_title',
    name: 'Area test titles',
    source: 'test',
  });
  expect(layer.statusCode, layer.body).toBe(201);
  titleLayer = layer.json().id;
  // A title over the western half of BIG.
  await importFeatures(titleLayer, [
    {
      type: 'Feature',
      properties: { externalRef: 'PL-1', name: 'Half title', status: 'active' },
      geometry: rect(-1.7, 6.2, -1.695, 6.21),
    },
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe('setting the area', () => {
  it('checks it against the cadastre, stores it and sets the hectares from it', async () => {
    const a = await draft();
    const before = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(before.json()).toMatchObject({ hasArea: false, areaCheck: null });

    const res = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
      geometry: BIG,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.hasArea).toBe(true);
    expect(body.requestedAreaHectares).toBeCloseTo(area(BIG) / 10_000, 3);
    expect(body.areaCheck.overlaps).toHaveLength(1);
    expect(body.areaCheck.overlaps[0]).toMatchObject({ externalRef: 'PL-1', layerKind: 'lsm_title' });
    expect(body.areaCheck.overlaps[0].percentOfApplied).toBeCloseTo(50, 0);
    expect(body.areaCheck.free.percentOfApplied).toBeCloseTo(50, 0);
    expect(body.areaCheck.passed).toBe(false);
    const rules = Object.fromEntries(
      body.areaCheck.rules.map((r: { code: string; passed: boolean }) => [r.code, r.passed]),
    );
    expect(rules).toMatchObject({ max_area: false, no_active_right: false, protected_area_buffer: true });
    expect(body.areaCheck.checkedAt).toEqual(expect.any(String));

    const got = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(got.json()).toMatchObject({ hasArea: true, areaCheck: { passed: false } });

    // The hectares now come from the drawing, not from a form field.
    const typed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/licence-applications/${a.id}`,
      headers: { ...h.obuasiOfficer!, 'if-match': got.headers.etag as string },
      payload: { requestedAreaHectares: 1 },
    });
    expect(typed.statusCode, typed.body).toBe(400);
    expect(JSON.stringify(typed.json())).toContain('measured_from_area');

    const [audited] = await auditOf(a.id, 'licence_application.area_set');
    expect(audited).toBeDefined();
    // The trail keeps the check, not the geometry.
    expect(JSON.stringify(audited)).not.toContain('coordinates');
    expect(audited!.meta).toMatchObject({ areaCheck: { passed: false } });
  });

  it('refuses a shape that is not a polygon, with where and why, and writes nothing', async () => {
    const a = await draft();
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [-1.7, 6.2],
          [-1.69, 6.21],
          [-1.69, 6.2],
          [-1.7, 6.21],
          [-1.7, 6.2],
        ],
      ],
    };
    for (const geometry of [bowTie, { type: 'Point', coordinates: [-1.7, 6.2] }, 'nothing']) {
      const res = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
        geometry,
      });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().code).toBe('cadastre.invalid_geometry');
    }
    const got = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(got.json()).toMatchObject({
      hasArea: false,
      areaCheck: null,
      requestedAreaHectares: 1,
      version: 1,
    });
    expect(await auditOf(a.id, 'licence_application.area_set')).toHaveLength(0);
  });

  it('is for licensing.apply in the application area: outside 403, without the permission 403', async () => {
    const a = await draft();
    for (const who of ['bibianiAdmin', 'agent'] as const) {
      const res = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h[who]!, {
        geometry: SMALL,
      });
      expect(res.statusCode, `${who}: ${res.body}`).toBe(403);
    }
    const got = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(got.json().hasArea).toBe(false);
  });

  it('counts a repeated request once (PUT of the same area under the same cadastre)', async () => {
    const a = await draft();
    const headers = { ...h.obuasiOfficer!, 'idempotency-key': `area-${a.id}` };
    const first = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, headers, {
      geometry: SMALL,
    });
    const again = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, headers, {
      geometry: SMALL,
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().version).toBe(first.json().version);
    expect(await auditOf(a.id, 'licence_application.area_set')).toHaveLength(1);
  });

  it('sets the hectares to the drawn area, to the 4 decimals the column keeps', async () => {
    const a = await draft();
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.0005, max: 0.01, noNaN: true }),
        fc.double({ min: 0.0005, max: 0.01, noNaN: true }),
        async (dx, dy) => {
          const g = rect(-1.6, 6.1, -1.6 + dx, 6.1 + dy);
          const res = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
            geometry: g,
          });
          expect(res.statusCode, res.body).toBe(200);
          expect(Math.abs(res.json().requestedAreaHectares - area(g) / 10_000)).toBeLessThanOrEqual(0.00006);
          expect(res.json().areaCheck.appliedAreaM2).toBeCloseTo(area(g), 6);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('the decision', () => {
  it('re-runs the check and records the cadastre as it is then; the area is locked after', async () => {
    const a = await draft();
    const set = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
      geometry: SMALL,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().areaCheck.overlaps).toHaveLength(0);
    for (const step of ['submit', 'review']) {
      const res = await call('POST', `/api/v1/licence-applications/${a.id}/${step}`, h.obuasiOfficer!);
      expect(res.statusCode, res.body).toBe(200);
    }
    // A title granted over the area after it was drawn.
    await importFeatures(titleLayer, [
      {
        type: 'Feature',
        properties: { externalRef: 'PL-LATE', status: 'active' },
        geometry: rect(-1.68, 6.2, -1.6795, 6.201),
      },
    ]);
    const decided = await call('POST', `/api/v1/licence-applications/${a.id}/decision`, h.obuasiOfficer!, {
      outcome: 'reject',
      reason: 'Overlaps a large-scale title',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().areaCheck.overlaps.map((o: { externalRef: string }) => o.externalRef)).toEqual([
      'PL-LATE',
    ]);
    const [audited] = await auditOf(a.id, 'licence_application.rejected');
    expect(audited!.meta).toMatchObject({
      reason: 'Overlaps a large-scale title',
      areaCheck: { passed: false, overlaps: [{ externalRef: 'PL-LATE' }] },
    });
    expect(
      (audited!.meta!.areaCheck as { overlaps: { percentOfApplied: number }[] }).overlaps[0]!
        .percentOfApplied,
    ).toBeCloseTo(50, 0);

    const late = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
      geometry: SMALL,
    });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json().code).toBe('licensing.area_locked');
  });

  it('records no check when no area was drawn', async () => {
    const a = await draft();
    for (const [step, payload] of [
      ['submit', undefined],
      ['review', undefined],
      ['decision', { outcome: 'approve' }],
    ] as const) {
      const res = await call(
        'POST',
        `/api/v1/licence-applications/${a.id}/${step}`,
        h.obuasiOfficer!,
        payload,
      );
      expect(res.statusCode, res.body).toBe(200);
    }
    const [audited] = await auditOf(a.id, 'licence_application.approved');
    expect(audited!.meta).toEqual({ areaCheck: null });
  });
});

describe('lists and the queue', () => {
  it('say whether an area is drawn without reading the geometry', async () => {
    const drawn = await draft();
    const bare = await draft();
    const set = await call('PUT', `/api/v1/licence-applications/${drawn.id}/area`, h.obuasiOfficer!, {
      geometry: SMALL,
    });
    expect(set.statusCode, set.body).toBe(200);

    const hasArea = async (url: string) => {
      const res = await call('GET', url, h.obuasiOfficer!);
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json().items as { id: string; hasArea: boolean }[];
      return Object.fromEntries(items.map((i) => [i.id, i.hasArea]));
    };
    const listed = await hasArea('/api/v1/licence-applications?limit=200');
    expect(listed[drawn.id]).toBe(true);
    expect(listed[bare.id]).toBe(false);

    for (const a of [drawn, bare]) {
      const res = await call('POST', `/api/v1/licence-applications/${a.id}/submit`, h.obuasiOfficer!);
      expect(res.statusCode, res.body).toBe(200);
    }
    const queued = await hasArea('/api/v1/licence-queue?limit=200');
    expect(queued[drawn.id]).toBe(true);
    expect(queued[bare.id]).toBe(false);
    // The detail still carries the check of the drawn one.
    const got = await call('GET', `/api/v1/licence-applications/${drawn.id}`, h.obuasiOfficer!);
    expect(got.json()).toMatchObject({ hasArea: true, areaCheck: { checkedAt: expect.any(String) } });

    // The rows of a list leave the polygon in the database.
    const rows = await listApplications(t.database.db, { scopePaths: ['/'], limit: 500 });
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) expect(r).not.toHaveProperty('area_geometry');
    expect(rows.find((r) => r.id === drawn.id)?.has_area).toBe(true);
  });
});

describe('changing the tier of a drawn draft', () => {
  /** About 173 m × 173 m: 3 ha, above community_permit's 2 ha and within transferable_permit's 5 ha. */
  const MID = rect(-1.66, 6.2, -1.6584, 6.2016);
  const rulesOf = (dto: { areaCheck: { rules: { code: string; passed: boolean }[] } }) =>
    Object.fromEntries(dto.areaCheck.rules.map((r) => [r.code, r.passed]));
  const patch = async (id: string, tierCode: string) => {
    const got = await call('GET', `/api/v1/licence-applications/${id}`, h.obuasiOfficer!);
    return t.app.inject({
      method: 'PATCH',
      url: `/api/v1/licence-applications/${id}`,
      headers: { ...h.obuasiOfficer!, 'if-match': got.headers.etag as string },
      payload: { tierCode },
    });
  };

  it('checks the area again under the new tier and records the new check', async () => {
    const a = await draft();
    const set = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
      geometry: MID,
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().requestedAreaHectares).toBeGreaterThan(2);
    expect(rulesOf(set.json())).toMatchObject({ max_area: false });
    const drawnAt = set.json().areaCheck.checkedAt as string;

    t.clock.advance(60_000);
    const bigger = await patch(a.id, 'transferable_permit');
    expect(bigger.statusCode, bigger.body).toBe(200);
    const got = (await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!)).json();
    expect(got.tierCode).toBe('transferable_permit');
    expect(got.areaCheck.tierCode).toBe('transferable_permit');
    expect(rulesOf(got)).toMatchObject({ max_area: true });
    expect(got.areaCheck.passed).toBe(true);
    expect(got.areaCheck.checkedAt).not.toBe(drawnAt);
    const [changed] = await auditOf(a.id, 'licence_application.updated');
    expect(changed!.meta).toMatchObject({
      areaCheck: { passed: true, rules: expect.arrayContaining([{ code: 'max_area', passed: true }]) },
    });

    // Back to the smaller tier: the drawn area is not refused like typed hectares, the check says it.
    const smaller = await patch(a.id, 'community_permit');
    expect(smaller.statusCode, smaller.body).toBe(200);
    expect(smaller.json().areaCheck.tierCode).toBe('community_permit');
    expect(rulesOf(smaller.json())).toMatchObject({ max_area: false });
    expect(smaller.json().areaCheck.passed).toBe(false);
  });

  it('leaves the stored check alone when the tier stays', async () => {
    const a = await draft();
    const set = await call('PUT', `/api/v1/licence-applications/${a.id}/area`, h.obuasiOfficer!, {
      geometry: MID,
    });
    expect(set.statusCode, set.body).toBe(200);
    t.clock.advance(60_000);
    const same = await patch(a.id, 'community_permit');
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().areaCheck.checkedAt).toBe(set.json().areaCheck.checkedAt);
    const [changed] = await auditOf(a.id, 'licence_application.updated');
    expect(changed!.meta).toBeNull();
  });
});
