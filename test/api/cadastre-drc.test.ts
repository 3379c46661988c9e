/**
 * Real data (issue 5): the DRC mining cadastre of 2016 (CAMI, via IPIS; 2,973 titles, 329 of them
 * artisanal zones, ZEA) and the WRI protected areas, read from ../shared when they are there (they
 * are never copied into the project). Imported through the API into the DRC profile; the overlaps the
 * check reports are compared with @turf/intersect + @turf/area computed here, within 0.1 %.
 */
import { readFileSync } from 'node:fs';
import turfArea from '@turf/area';
import { featureCollection, multiPolygon, polygon as turfPolygon } from '@turf/helpers';
import turfIntersect from '@turf/intersect';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile, PROFILES_DIR, readProfileFolder } from '../../src/server/modules/profiles/loader.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemClock } from '../../src/server/platform/clock.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import { bbox, bboxesIntersect } from '../../src/shared/geo/measure.ts';
import { overlapsWithin } from '../../src/shared/geo/prefilter.ts';
import type {
  AreaGeometry,
  BBox,
  MultiPolygonGeometry,
  PolygonGeometry,
} from '../../src/shared/geo/types.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { reportMissing, sharedDataFile } from '../support/shared-data.ts';

const TITLES = sharedDataFile('cadastre/drc_cami_titres_2016.geojson');
const PARKS = sharedDataFile('context/drc_protected_areas_wri.geojson');
const present = TITLES !== null && PARKS !== null;
if (!present) {
  reportMissing('cadastre-drc', [
    'cadastre/drc_cami_titres_2016.geojson',
    'context/drc_protected_areas_wri.geojson',
  ]);
}

interface SourceFeature {
  type: 'Feature';
  properties: Record<string, string>;
  geometry: MultiPolygonGeometry;
}
/** What the test knows of each loaded feature, keyed by the externalRef it was imported with. */
interface Known {
  kind: 'lsm_title' | 'asm_zone' | 'protected_area';
  geometry: AreaGeometry;
  box: BBox;
}

const ARTISANAL_TIER = 'carte_exploitant_artisanal';

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
const toTurf = (g: AreaGeometry): Feature<Polygon | MultiPolygon> =>
  g.type === 'Polygon'
    ? turfPolygon(g.coordinates as number[][][])
    : multiPolygon(g.coordinates as number[][][][]);
/** The overlap as turf computes it, independently of src/shared/geo. */
const turfOverlap = (a: AreaGeometry, b: AreaGeometry): number => {
  const i = turfIntersect(featureCollection([toTurf(a), toTurf(b)]));
  return i ? turfArea(i) : 0;
};

describe.skipIf(!present)('DRC cadastre 2016 and protected areas through the API', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  const known = new Map<string, Known>();
  let titles: SourceFeature[] = [];
  let parks: SourceFeature[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await loadProfile(
      t.database,
      createAuditLog({ clock: systemClock }),
      systemContext('test'),
      readProfileFolder(`${PROFILES_DIR}drc`),
    );
    // The fixture administrator serves Ghana; here they also administer the DRC (cadastre.manage there).
    const cd = await t.database.db
      .selectFrom('admin_areas')
      .select('id')
      .where('country', '=', 'CD')
      .where('level', '=', 0)
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('user_assignments')
      .values({ id: uuidv7(), user_id: t.fx.users.admin.id, role_code: 'system_admin', area_id: cd.id })
      .execute();
    admin = await t.login('admin');
    titles = JSON.parse(readFileSync(TITLES!, 'utf8')).features;
    parks = JSON.parse(readFileSync(PARKS!, 'utf8')).features;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const post = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: admin, payload });
  const layer = async (kind: string, name: string, source: string) => {
    const res = await post('/api/v1/cadastre/layers', { country: 'CD', kind, name, source });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it('imports the 2,973 titles (ZEA as ASM zones) in at most 5 s, and the protected areas', async () => {
    const toImport = (f: SourceFeature, i: number) => {
      const p = f.properties;
      const zone = p.type === 'ZEA';
      const date = (p.date_de1 ?? '').slice(0, 10);
      return {
        type: 'Feature',
        properties: {
          ...p,
          externalRef: `T${i}`,
          name: p.name,
          status: p.statut || 'active',
          ...(zone ? { allowedTiers: [ARTISANAL_TIER] } : {}),
          ...(zone && /^\d{4}-\d\d-\d\d$/.test(date) ? { designationDate: date } : {}),
        },
        geometry: f.geometry,
      };
    };
    const lsm = await layer('lsm_title', 'CAMI titres 2016', 'CAMI via IPIS, 2016');
    const zea = await layer('asm_zone', 'CAMI ZEA 2016', 'CAMI via IPIS, 2016');
    const lsmFeatures = titles.flatMap((f, i) => (f.properties.type === 'ZEA' ? [] : [toImport(f, i)]));
    const zeaFeatures = titles.flatMap((f, i) => (f.properties.type === 'ZEA' ? [toImport(f, i)] : []));

    const t0 = performance.now();
    const a = await post(`/api/v1/cadastre/layers/${lsm}/import`, {
      type: 'FeatureCollection',
      features: lsmFeatures,
    });
    const b = await post(`/api/v1/cadastre/layers/${zea}/import`, {
      type: 'FeatureCollection',
      features: zeaFeatures,
    });
    const ms = performance.now() - t0;
    expect(a.statusCode, a.body.slice(0, 2000)).toBe(200);
    expect(b.statusCode, b.body.slice(0, 2000)).toBe(200);
    const loaded = a.json().loaded + b.json().loaded;
    console.log(
      `DRC import: ${lsmFeatures.length} titles + ${zeaFeatures.length} ZEA, ${loaded} loaded ` +
        `(${a.json().repaired + b.json().repaired} rewound), ${ms.toFixed(0)} ms over HTTP ` +
        `(server: ${a.json().ms} + ${b.json().ms} ms)`,
    );
    expect(zeaFeatures).toHaveLength(329);
    expect(loaded).toBe(2973);
    expect(ms).toBeLessThan(5000);
    for (const [i, f] of titles.entries()) {
      known.set(`T${i}`, {
        kind: f.properties.type === 'ZEA' ? 'asm_zone' : 'lsm_title',
        geometry: f.geometry,
        box: bbox(f.geometry),
      });
    }

    const pa = await layer('protected_area', 'WRI protected areas', 'World Resources Institute');
    const c = await post(`/api/v1/cadastre/layers/${pa}/import?skipInvalid=true`, {
      type: 'FeatureCollection',
      features: parks.map((f, i) => ({
        type: 'Feature',
        properties: { ...f.properties, externalRef: `P${i}` },
        geometry: f.geometry,
      })),
    });
    expect(c.statusCode, c.body.slice(0, 2000)).toBe(200);
    const skipped = new Set<number>(c.json().skippedFeatures.map((s: { index: number }) => s.index));
    console.log(
      `DRC protected areas: ${c.json().loaded} loaded, ${c.json().repaired} repaired, ${c.json().skipped} skipped ` +
        `(${[...new Set(c.json().skippedFeatures.map((s: { code: string }) => s.code))].join(', ') || 'none'})`,
    );
    expect(c.json().loaded).toBeGreaterThan(40);
    parks.forEach((f, i) => {
      if (!skipped.has(i))
        known.set(`P${i}`, { kind: 'protected_area', geometry: f.geometry, box: bbox(f.geometry) });
    });
  }, 120_000);

  /** Every overlap the API reports equals turf's, within 0.1 %; none that turf finds is missing. */
  async function checkAgainstTurf(label: string, applied: PolygonGeometry) {
    const res = await post('/api/v1/cadastre/checks', {
      country: 'CD',
      geometry: applied,
      tierCode: ARTISANAL_TIER,
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    const appliedM2 = turfArea(applied);
    const box = bbox(applied);
    const expected = new Map<string, number>();
    for (const [ref, k] of known) {
      if (!bboxesIntersect(box, k.box)) continue;
      const m2 = turfOverlap(applied, k.geometry);
      if (m2 > 0) expected.set(ref, m2);
    }
    const reported = new Map<string, number>(
      r.overlaps.map((o: { externalRef: string; overlapM2: number }) => [o.externalRef, o.overlapM2]),
    );
    // Slivers below 1 m² may fall either side of zero in two implementations.
    const big = (m: Map<string, number>) =>
      [...m]
        .filter(([, v]) => v > 1)
        .map(([k]) => k)
        .sort();
    expect(big(reported)).toEqual(big(expected));
    let worst = 0;
    for (const [ref, m2] of expected) {
      if (m2 <= 1) continue;
      const got = reported.get(ref)!;
      worst = Math.max(worst, Math.abs(got - m2) / m2);
      expect(Math.abs(got - m2) / m2, ref).toBeLessThan(0.001);
      const o = r.overlaps.find((x: { externalRef: string }) => x.externalRef === ref);
      expect(o.layerKind).toBe(known.get(ref)!.kind);
      const percent = (100 * m2) / appliedM2;
      expect(Math.abs(o.percentOfApplied - percent)).toBeLessThan(percent * 0.001 + 1e-9);
    }
    console.log(
      `DRC check ${label}: ${(appliedM2 / 1e4).toFixed(1)} ha, ${r.overlaps.length} overlaps ` +
        `(${r.totals.map((x: { layerKind: string; percentOfApplied: number }) => `${x.layerKind} ${x.percentOfApplied.toFixed(1)} %`).join(', ') || 'none'}), ` +
        `free ${r.free.percentOfApplied.toFixed(1)} %, worst vs turf ${(worst * 100).toExponential(2)} %, ` +
        `${r.candidates} candidates, ${r.ms} ms`,
    );
    return r;
  }

  it('reports the overlaps turf computes around known titles, across a park edge, and none in empty land', async () => {
    expect(known.size).toBeGreaterThan(3000);
    // Around known titles: each title's box, grown by a fifth.
    for (const i of [0, 700, 1500, 2400]) {
      const [w, s, e, n] = known.get(`T${i}`)!.box;
      const dx = (e - w) / 5;
      const dy = (n - s) / 5;
      const r = await checkAgainstTurf(`around title ${i}`, rect(w - dx, s - dy, e + dx, n + dy));
      expect(r.overlaps.some((o: { externalRef: string }) => o.externalRef === `T${i}`)).toBe(true);
    }
    // Straddling a protected-area edge: a square of 0.04° centred on a corner of its outline.
    const parkRef = [...known].find(([ref]) => ref.startsWith('P'))![0];
    const outline = (known.get(parkRef)!.geometry as MultiPolygonGeometry).coordinates[0]![0]!;
    const [x, y] = outline[Math.floor(outline.length / 3)]!;
    const edge = await checkAgainstTurf(`park edge ${parkRef}`, rect(x - 0.02, y - 0.02, x + 0.02, y + 0.02));
    const inPark = edge.totals.find((k: { layerKind: string }) => k.layerKind === 'protected_area');
    expect(inPark.percentOfApplied).toBeGreaterThan(0);
    expect(inPark.percentOfApplied).toBeLessThan(100);
    expect(edge.rules.find((k: { code: string }) => k.code === 'protected_area_buffer').passed).toBe(false);
    // Empty land: the first square of a coarse grid over the country that meets no box at all.
    let emptyBox: BBox | null = null;
    for (let lon = 13; lon < 31 && !emptyBox; lon += 0.5) {
      for (let lat = -13; lat < 5 && !emptyBox; lat += 0.5) {
        const b: BBox = [lon, lat, lon + 0.01, lat + 0.01];
        if (![...known.values()].some((k) => bboxesIntersect(b, k.box))) emptyBox = b;
      }
    }
    expect(emptyBox).not.toBeNull();
    const empty = await checkAgainstTurf('empty land', rect(...emptyBox!));
    expect(empty.overlaps).toEqual([]);
    expect(empty.free.percentOfApplied).toBeCloseTo(100, 6);
    // The artisanal tier is zone-bound in the DRC (ZEA allow it): outside a ZEA it fails.
    expect(empty.rules.find((k: { code: string }) => k.code === 'inside_designated_zone').passed).toBe(false);
  }, 60_000);

  it('counts the titles that overlap each other, and the artisanal zones that overlap protected areas', async () => {
    // Read back through the export, so the count is of what the database holds.
    const layers = (
      await t.app.inject({ method: 'GET', url: '/api/v1/cadastre/layers?country=CD', headers: admin })
    ).json().items as { id: string; kind: string }[];
    const stored: { ref: string; kind: string; geometry: AreaGeometry }[] = [];
    for (const l of layers.filter((x) => x.kind !== 'protected_area')) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/cadastre/layers/${l.id}/features.geojson?limit=50000`,
        headers: admin,
      });
      for (const f of res.json().features)
        stored.push({ ref: f.properties.externalRef, kind: l.kind, geometry: f.geometry });
    }
    expect(stored).toHaveLength(2973);
    const pairs = overlapsWithin(
      stored.map((s) => s.geometry),
      1,
    );
    const involved = new Set(pairs.flatMap((p) => [p.a, p.b]));

    // Each ZEA through the check endpoint, as an application for the artisanal tier would be.
    let zonesInParks = 0;
    const t0 = performance.now();
    const zones = stored.filter((s) => s.kind === 'asm_zone');
    for (const z of zones) {
      const res = await post('/api/v1/cadastre/checks', { country: 'CD', geometry: z.geometry });
      expect(res.statusCode, res.body).toBe(200);
      const pa = res
        .json()
        .totals.find((k: { layerKind: string; overlapM2: number }) => k.layerKind === 'protected_area');
      if (pa && pa.overlapM2 > 1) zonesInParks++;
    }
    const perCheck = (performance.now() - t0) / zones.length;
    console.log(
      `DRC 2016: ${pairs.length} overlapping pairs among ${involved.size} of 2,973 titles; ` +
        `${zonesInParks} of ${zones.length} artisanal zones overlap a protected area ` +
        `(${perCheck.toFixed(1)} ms per check over HTTP)`,
    );
    expect(pairs.length).toBeGreaterThan(0);
    expect(involved.size).toBeLessThan(2973);
    expect(zonesInParks).toBeGreaterThanOrEqual(0);
    expect(zonesInParks).toBeLessThan(zones.length);
  }, 120_000);
});
