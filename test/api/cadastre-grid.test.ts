/**
 * A country whose profile defines a fixed cadastral grid (issue 5, as Colombia's): an application
 * is a set of cells, given as ids or drawn, and its overlap with rights made of the same cells is
 * exact. Through the HTTP API on a real database; expected cells are computed here independently.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CadastralGrid, cellPolygon, cellsOutline } from '../../src/shared/geo/cadastral-grid.ts';
import { area } from '../../src/shared/geo/measure.ts';
import type { PolygonGeometry } from '../../src/shared/geo/types.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { installTestProfile, testTier } from '../support/licence-profile.ts';

let t: TestApp;
let admin: Record<string, string>;
let officer: Record<string, string>;

/** Cells of 3.6″ (0.001°) from 2° W, 6° N: a 1° square around Obuasi. */
const GRID: CadastralGrid = { origin: [-2, 6], cellArcSeconds: 3.6, columns: 1000, rows: 1000 };
const SIZE = 0.001;

/** The ids of a block of cells, columns c0..c1 and rows r0..r1 inclusive. */
function block(c0: number, r0: number, c1: number, r1: number): string[] {
  const ids: string[] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) ids.push(`E${c}N${r}`);
  return ids;
}
/** Row, then column: the order the API promises. */
const sorted = (ids: Iterable<string>): string[] =>
  [...ids].sort((a, b) => {
    const [, ca, ra] = /^E(\d+)N(\d+)$/.exec(a)!.map(Number) as [number, number, number];
    const [, cb, rb] = /^E(\d+)N(\d+)$/.exec(b)!.map(Number) as [number, number, number];
    return ra - rb || ca - cb;
  });
const intersect = (a: readonly string[], b: readonly string[]) => sorted(a.filter((x) => b.includes(x)));
const cellsArea = (ids: readonly string[]) => ids.reduce((sum, id) => sum + area(cellPolygon(GRID, id)), 0);

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

/** Two licence areas of whole cells: a block, and an L of two blocks. */
const RIGHT_A = block(100, 200, 104, 203);
const RIGHT_B = [...block(110, 200, 112, 209), ...block(113, 207, 118, 209)];

type Overlap = { featureId: string; externalRef: string; overlapM2: number };
type GridOverlap = { featureId: string; sharedCells: string[]; sharedCellCount: number };

async function check(payload: object) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/cadastre/checks',
    headers: admin,
    payload: { country: 'GH', ...payload },
  });
}

/** For each right, the cells shared and the overlap in m², from the check's answer. */
function sharedByRef(body: { overlaps: Overlap[]; grid: { overlaps: GridOverlap[] } }) {
  const out: Record<string, { cells: string[]; m2: number }> = {};
  body.overlaps.forEach((o, i) => {
    expect(body.grid.overlaps[i]!.featureId).toBe(o.featureId);
    out[o.externalRef] = { cells: body.grid.overlaps[i]!.sharedCells, m2: o.overlapM2 };
  });
  return out;
}

/** Shared cells equal the set intersection, and the overlap equals their area. */
function expectExact(body: Parameters<typeof sharedByRef>[0], applied: readonly string[]) {
  const got = sharedByRef(body);
  for (const [ref, cells] of [
    ['GRID-A', RIGHT_A],
    ['GRID-B', RIGHT_B],
  ] as const) {
    const expected = intersect(applied, cells);
    if (expected.length === 0) {
      expect(got[ref]).toBeUndefined();
      continue;
    }
    expect(got[ref]!.cells).toEqual(expected);
    const m2 = cellsArea(expected);
    expect(Math.abs(got[ref]!.m2 - m2) / m2).toBeLessThan(1e-6);
  }
}

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [testTier('community_permit', 'district', ['person'], 2)], {
    cadastre: { protectedAreaBufferMetres: 0, grid: GRID },
  });
  admin = await t.login('admin');
  officer = await t.login('obuasiOfficer');
  const layer = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cadastre/layers',
    headers: admin,
    payload: { country: 'GH', kind: 'licence_area', name: 'Grid licence areas', source: 'test' },
  });
  expect(layer.statusCode, layer.body).toBe(201);
  const imported = await t.app.inject({
    method: 'POST',
    url: `/api/v1/cadastre/layers/${layer.json().id}/import`,
    headers: admin,
    payload: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { externalRef: 'GRID-A', status: 'active' },
          geometry: cellsOutline(GRID, RIGHT_A),
        },
        {
          type: 'Feature',
          properties: { externalRef: 'GRID-B', status: 'active' },
          geometry: cellsOutline(GRID, RIGHT_B),
        },
      ],
    },
  });
  expect(imported.statusCode, imported.body).toBe(200);
  expect(imported.json().loaded).toBe(2);
});
afterAll(async () => {
  await t?.close();
});

describe('an application as cells', () => {
  it('reports the cells, the cells it shares with each right, and overlaps equal to their area', async () => {
    const applied = [...block(103, 202, 111, 204), 'E115N208', 'E120N220'];
    // Given out of order, answered sorted.
    const res = await check({ cells: [...applied].reverse() });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.grid).toMatchObject({ source: 'cells', cells: sorted(applied), cellCount: applied.length });
    expect(Math.abs(body.appliedAreaM2 - cellsArea(applied)) / cellsArea(applied)).toBeLessThan(1e-9);
    expectExact(body, applied);
    expect(body.rules.find((r: { code: string }) => r.code === 'no_active_right').passed).toBe(false);
  });

  it('matches the set intersection for any block of cells (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 95, max: 120 }),
        fc.integer({ min: 195, max: 212 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        async (c, r, w, h) => {
          const applied = block(c, r, c + w - 1, r + h - 1);
          const res = await check({ cells: applied });
          expect(res.statusCode, res.body).toBe(200);
          expectExact(res.json(), applied);
          const free = cellsArea(applied.filter((x) => !RIGHT_A.includes(x) && !RIGHT_B.includes(x)));
          expect(Math.abs(res.json().free.areaM2 - free)).toBeLessThan(1e-6 * cellsArea(applied));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('refuses ids that are not cells of the grid, naming them', async () => {
    const res = await check({ cells: ['E1N1', 'X12', 'E1000N5', 'E5N-1', 'e2n2'] });
    expect(res.statusCode, res.body).toBe(422);
    const problem = res.json();
    expect(problem.code).toBe('cadastre.invalid_cells');
    expect(problem.cells).toEqual(['X12', 'E1000N5', 'E5N-1', 'e2n2']);
    expect(problem.invalidCount).toBe(4);
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual([
      'body.cells[1]',
      'body.cells[2]',
      'body.cells[3]',
      'body.cells[4]',
    ]);
    for (const payload of [
      { cells: [] },
      { cells: ['E1N1', 'E1N1'] },
      { cells: ['E1N1'], geometry: rect(-1.9, 6.2, -1.89, 6.21) },
      {},
    ]) {
      const bad = await check(payload);
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().code).toBe('request.validation_failed');
    }
  });

  it('refuses cells in a country whose profile has no grid', async () => {
    const res = await check({ country: 'CD', cells: ['E1N1'] });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('cadastre.no_grid');
  });
});

describe('an application drawn in a grid country', () => {
  it('becomes every cell it touches, and the check says so', async () => {
    // Columns 102.5–108.2 and rows 201.3–203.6 in cell units: cells 102..108 × 201..203.
    const drawn = rect(-2 + 102.5 * SIZE, 6 + 201.3 * SIZE, -2 + 108.2 * SIZE, 6 + 203.6 * SIZE);
    const expected = sorted(block(102, 201, 108, 203));
    const res = await check({ geometry: drawn });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.grid).toMatchObject({ source: 'geometry', cells: expected, cellCount: expected.length });
    // The checked area is the outline of the cells, larger than the drawing.
    expect(Math.abs(body.appliedAreaM2 - cellsArea(expected)) / cellsArea(expected)).toBeLessThan(1e-9);
    expect(body.appliedAreaM2).toBeGreaterThan(area(drawn));
    expectExact(body, expected);
  });

  it('refuses a drawing that leaves the grid', async () => {
    const res = await check({ geometry: rect(-2.01, 6.1, -1.99, 6.11) });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('cadastre.outside_grid');
  });
});

describe('the area of a licence application', () => {
  it('is set from cells, stored as their outline, and keeps the grid part in its check', async () => {
    const person = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: admin,
      payload: {
        givenName: 'Kofi',
        familyName: 'Grid',
        sex: 'male',
        areaId: t.fx.areas.obuasi.id,
        checkDuplicates: false,
      },
    });
    expect(person.statusCode, person.body).toBe(201);
    const app = await t.app.inject({
      method: 'POST',
      url: '/api/v1/licence-applications',
      headers: officer,
      payload: {
        tierCode: 'community_permit',
        holderKind: 'person',
        holderId: person.json().id,
        requestedAreaHectares: 1,
      },
    });
    expect(app.statusCode, app.body).toBe(201);
    const cells = ['E104N203', 'E105N203'];
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/licence-applications/${app.json().id}/area`,
      headers: officer,
      payload: { cells },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().requestedAreaHectares).toBeCloseTo(cellsArea(cells) / 10_000, 3);
    expect(res.json().areaCheck.grid).toMatchObject({ source: 'cells', cells, cellCount: 2 });
    expect(res.json().areaCheck.grid.overlaps).toEqual([
      { featureId: expect.any(String), sharedCells: ['E104N203'], sharedCellCount: 1 },
    ]);
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/v1/licence-applications/${app.json().id}`,
      headers: officer,
    });
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json().areaCheck.grid.cells).toEqual(cells);
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/licence-applications/${app.json().id}/area`,
      headers: officer,
      payload: { cells: ['E104N203', 'nowhere'] },
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'cadastre.invalid_cells', cells: ['nowhere'] });
  });
});
