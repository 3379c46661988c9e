/**
 * Mining activity to reach (issue 5): detections outside every active licence area and ASM zone, by
 * district, through the HTTP API on a real database; and the shipped Ghana detections loaded through
 * the demo seed.
 */
import { readFileSync } from 'node:fs';
import turfArea from '@turf/area';
import { featureCollection, polygon as turfPolygon } from '@turf/helpers';
import turfIntersect from '@turf/intersect';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GHANA_DETECTIONS, seedDetectionsDemo } from '../../src/server/demo/detections-seed.ts';
import { computeHotspots, type DetectionRow } from '../../src/server/modules/cadastre/hotspots.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import { area, bbox } from '../../src/shared/geo/measure.ts';
import type { PolygonGeometry, Position } from '../../src/shared/geo/types.ts';
import type { HotspotsResult } from '../../src/shared/schemas/hotspots.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: Record<string, string>;
let detectionLayer: string;
let licenceLayer: string;

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
const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties,
  geometry,
});

const SHAPES = {
  country: rect(-4, 4, 2, 12),
  ashanti: rect(-2.5, 5.5, -1, 7),
  westernNorth: rect(-3.5, 5.5, -2.55, 7),
  obuasi: rect(-2, 6, -1.5, 6.5),
  amansie: rect(-1.5, 6, -1.1, 6.5),
  bibiani: rect(-3, 6, -2.6, 6.5),
  sefwi: rect(-3.4, 6, -3.05, 6.5),
} as const;

/** In Obuasi: an active licence area, an expired one, and an ASM zone. */
const LICENCE = rect(-1.9, 6.1, -1.8, 6.2);
const EXPIRED = rect(-1.7, 6.3, -1.6, 6.4);
const ZONE = rect(-1.95, 6.4, -1.9, 6.45);
const D = {
  inside: rect(-1.88, 6.12, -1.86, 6.14),
  half: rect(-1.81, 6.15, -1.79, 6.16),
  inExpired: rect(-1.68, 6.32, -1.66, 6.34),
  inZone: rect(-1.94, 6.41, -1.92, 6.43),
  bibiani: rect(-2.9, 6.2, -2.89, 6.21),
};

async function post(url: string, payload: object, headers = admin) {
  return t.app.inject({ method: 'POST', url, headers, payload });
}
async function newLayer(kind: string, name: string): Promise<string> {
  const res = await post('/api/v1/cadastre/layers', { country: 'GH', kind, name, source: 'test' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}
async function load(layerId: string, features: object[]) {
  const res = await post(`/api/v1/cadastre/layers/${layerId}/import`, {
    type: 'FeatureCollection',
    features,
  });
  expect(res.statusCode, res.body).toBe(200);
}
async function hotspots(query: string, headers = admin) {
  return t.app.inject({ method: 'GET', url: `/api/v1/cadastre/hotspots?${query}`, headers });
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [key, g] of Object.entries(SHAPES)) {
    const [w, s, e, n] = bbox(g);
    await t.database.db
      .updateTable('admin_areas')
      .set({ geometry: JSON.stringify(g), bbox: `((${w},${s}),(${e},${n}))` })
      .where('id', '=', t.fx.areas[key as keyof typeof SHAPES].id)
      .execute();
  }
  admin = await t.login('admin');
  licenceLayer = await newLayer('licence_area', 'Licence areas');
  await load(licenceLayer, [
    feature(LICENCE, { ref: 'L-1', status: 'active' }),
    feature(EXPIRED, { ref: 'L-2', status: 'expired' }),
  ]);
  await load(await newLayer('asm_zone', 'ASM zones'), [feature(ZONE, { ref: 'Z-1' })]);
  detectionLayer = await newLayer('activity_detection', 'Detections');
  await load(
    detectionLayer,
    Object.entries(D).map(([ref, g]) => feature(g, { ref })),
  );
});
afterAll(async () => {
  await t?.close();
});

describe('hotspots', () => {
  it('list the part of each detection outside licence areas and zones, by district', async () => {
    const res = await hotspots(`layerId=${detectionLayer}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as HotspotsResult;
    const refs = body.items.map((h) => h.externalRef).sort();
    expect(refs).toEqual(['bibiani', 'half', 'inExpired']);

    const half = body.items.find((h) => h.externalRef === 'half')!;
    const halfM2 = area(D.half) / 2;
    expect(Math.abs(half.outsideHectares * 10_000 - halfM2) / halfM2).toBeLessThan(0.001);
    expect(half.detectedHectares * 10_000).toBeCloseTo(area(D.half), -1);
    expect(half.areaCode).toBe('GH-AH-D01');
    // The centre of the outside half, east of the licence's edge at -1.8.
    expect(half.centre[0]).toBeCloseTo(-1.795, 4);
    expect(half.centre[1]).toBeCloseTo(6.155, 4);
    // An expired licence does not make activity formal: the whole detection is listed.
    const expired = body.items.find((h) => h.externalRef === 'inExpired')!;
    expect(expired.outsideHectares).toBeCloseTo(expired.detectedHectares, 3);

    const obuasi = body.districts.find((d) => d.areaCode === 'GH-AH-D01')!;
    expect(obuasi).toMatchObject({ count: 2, coveredCount: 2 });
    const insideHa = (area(D.inside) + area(D.inZone) + halfM2) / 10_000;
    expect(obuasi.insideHectares).toBeCloseTo(insideHa, 1);
    expect(body.districts.find((d) => d.areaCode === 'GH-WN-D01')).toMatchObject({
      count: 1,
      coveredCount: 0,
    });
    expect(body.totals).toMatchObject({ count: 3, coveredCount: 2 });
    expect(body.next).toBeNull();
  });

  it('are scoped to the districts of the caller', async () => {
    const obuasi = (await hotspots(`layerId=${detectionLayer}`, await t.login('obuasiOfficer'))).json();
    expect(obuasi.items.map((h: { externalRef: string }) => h.externalRef).sort()).toEqual([
      'half',
      'inExpired',
    ]);
    expect(obuasi.districts.map((d: { areaCode: string }) => d.areaCode)).toEqual(['GH-AH-D01']);
    const bibiani = (await hotspots(`layerId=${detectionLayer}`, await t.login('bibianiAdmin'))).json();
    expect(bibiani.items.map((h: { externalRef: string }) => h.externalRef)).toEqual(['bibiani']);
    expect(bibiani.totals).toMatchObject({ count: 1, coveredCount: 0 });

    // Asking for another district's detections: not found, nothing revealed.
    const other = await hotspots(
      `layerId=${detectionLayer}&areaId=${t.fx.areas.bibiani.id}`,
      await t.login('obuasiOfficer'),
    );
    expect(other.statusCode).toBe(404);
    const one = (await hotspots(`layerId=${detectionLayer}&areaId=${t.fx.areas.bibiani.id}`)).json();
    expect(one.items.map((h: { externalRef: string }) => h.externalRef)).toEqual(['bibiani']);
    // Without cadastre.read.
    expect((await hotspots(`layerId=${detectionLayer}`, await t.login('agent'))).statusCode).toBe(403);
  });

  it('page by id, and refuse a layer that is not of detections', async () => {
    const first = (await hotspots(`layerId=${detectionLayer}&limit=2`)).json() as HotspotsResult;
    expect(first.items).toHaveLength(2);
    expect(first.next).toBe(first.items[1]!.featureId);
    const second = (
      await hotspots(`layerId=${detectionLayer}&limit=2&after=${first.next}`)
    ).json() as HotspotsResult;
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(second.totals).toEqual(first.totals);
    const all = new Set([...first.items, ...second.items].map((h) => h.featureId));
    expect(all.size).toBe(3);

    const wrong = await hotspots(`layerId=${licenceLayer}`);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().code).toBe('cadastre.unknown_layer');
    expect((await hotspots('layerId=nope')).statusCode).toBe(400);
  });

  it('come as CSV', async () => {
    const res = await hotspots(`layerId=${detectionLayer}&format=csv&limit=1`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split(/\r\n/);
    expect(lines[0]).toBe(
      'featureId,externalRef,areaCode,areaName,detectedHectares,outsideHectares,longitude,latitude',
    );
    // Every listed detection, whatever the page size.
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.includes(',half,GH-AH-D01,'))).toBe(true);
    const mine = await hotspots(`layerId=${detectionLayer}&format=csv`, await t.login('bibianiAdmin'));
    expect(mine.body.trim().split(/\r\n/)).toHaveLength(2);
  });
});

describe('the hectares outside', () => {
  const turfInside = (a: PolygonGeometry, b: PolygonGeometry): number => {
    const i = turfIntersect(
      featureCollection([
        turfPolygon(a.coordinates as Position[][] as number[][][]),
        turfPolygon(b.coordinates as Position[][] as number[][][]),
      ]),
    );
    return i ? turfArea(i) : 0;
  };
  const box = fc
    .tuple(
      fc.double({ min: -3, max: -1, noNaN: true }),
      fc.double({ min: 5, max: 7, noNaN: true }),
      fc.double({ min: 0.001, max: 0.05, noNaN: true }),
      fc.double({ min: 0.001, max: 0.05, noNaN: true }),
    )
    .map(([w, s, dx, dy]) => rect(w, s, w + dx, s + dy));

  it('are the detection less its overlap with the licensed area (independently, with turf), within 0.1 %', () => {
    fc.assert(
      fc.property(box, box, (detection, licence) => {
        const [w, s, e, n] = bbox(detection);
        const row: DetectionRow = {
          id: '00000000-0000-7000-8000-000000000001',
          external_ref: null,
          geometry: detection,
          bbox: `(${e},${n}),(${w},${s})`,
          area_m2: area(detection),
          area_id: null,
          area_code: null,
          area_name: null,
        };
        const { listed, districts } = computeHotspots([row], [licence]);
        const expected = area(detection) - turfInside(detection, licence);
        const outside = (listed[0]?.outsideHectares ?? 0) * 10_000;
        expect(Math.abs(outside - expected)).toBeLessThanOrEqual(Math.max(1, expected * 0.001));
        const d = districts[0]!;
        expect(d.count + d.coveredCount).toBe(1);
        // Inside and outside add up to the detection.
        const total = (d.insideHectares + d.outsideHectares) * 10_000;
        expect(Math.abs(total - area(detection))).toBeLessThanOrEqual(Math.max(100, area(detection) * 0.001));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the shipped Ghana detections', () => {
  it('load with all 685 features through the demo seed, once, and list in reasonable time', async () => {
    const shipped = JSON.parse(readFileSync(GHANA_DETECTIONS.file, 'utf8'));
    expect(shipped.features).toHaveLength(685);
    const deps = { audit: createAuditLog({ clock: t.clock }), clock: t.clock };
    const first = await seedDetectionsDemo(t.database, deps, systemContext('test'), 'ghana');
    expect(first).not.toBeNull();
    expect(first!.loaded).toBe(685);
    expect(first!.skipped).toBe(0);
    // Three traced outlines touch themselves at a corner: made valid (same area), the rest valid or
    // safely repaired (winding, repeated points).
    expect(first!.madeValid).toBe(3);
    console.log(
      `Ghana detections: ${first!.loaded} loaded, ${first!.repaired} safely repaired, ${first!.madeValid} made valid`,
    );
    const again = await seedDetectionsDemo(t.database, deps, systemContext('test'), 'ghana');
    expect(again).toMatchObject({ layerId: first!.layerId, loaded: 0 });

    const res = await hotspots(`layerId=${first!.layerId}&limit=500`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as HotspotsResult;
    expect(body.totals.count + body.totals.coveredCount).toBe(685);
    console.log(
      `hotspots over 685 detections: ${body.ms} ms in the service; ${body.totals.count} listed, ` +
        `${body.totals.outsideHectares} ha outside, ${body.districts.length} districts`,
    );
    expect(body.layer.licence).toBe('CC BY 4.0');
  });
});
