/**
 * The demo cadastre (issue 5): after the registry, licensing, fees and detections demos, as
 * bootstrap runs them, the Ghana and DRC profiles get demo layers around the demo miners, a licence
 * area per demo licence and the three demo applications' areas with their stored checks. Loaded once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CadastreDemoResult,
  DEMO_LAYERS,
  seedCadastreDemo,
} from '../../src/server/demo/cadastre-seed.ts';
import { seedDetectionsDemo } from '../../src/server/demo/detections-seed.ts';
import { seedFeesAndRightsDemo } from '../../src/server/demo/fees-rights-seed.ts';
import { seedLicensingDemo } from '../../src/server/demo/licensing-seed.ts';
import { seedRegistryDemo } from '../../src/server/demo/registry-seed.ts';
import { createLicensingService } from '../../src/server/modules/licensing/service.ts';
import { loadProfileByName } from '../../src/server/modules/profiles/loader.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import { bbox } from '../../src/shared/geo/measure.ts';
import type { AreaGeometry } from '../../src/shared/geo/types.ts';
import type { LicenceApplicationDto } from '../../src/shared/schemas/licensing.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const ctx = systemContext('test');

interface FeatureRow {
  layer: string;
  kind: string;
  name: string | null;
  status: string;
  geometry: AreaGeometry;
  area_m2: number;
  area_code: string | null;
  licence_id: string | null;
  allowed_tiers: string[] | null;
  designation_date: string | null;
}

describe.each([
  { profile: 'ghana', country: 'GH', sites: 1, artisanal: 'artisanal_community_permit' },
  { profile: 'drc', country: 'CD', sites: 2, artisanal: 'carte_exploitant_artisanal' },
])('the $profile demo cadastre', ({ profile, country, sites, artisanal }) => {
  let t: TestApp;
  let seeded: CadastreDemoResult | null;
  const deps = () => ({ audit: createAuditLog({ clock: t.clock }), clock: t.clock });
  const seed = () => seedCadastreDemo(t.database, deps(), ctx, profile);

  const features = async () =>
    (
      await sql<FeatureRow>`
        SELECT l.name AS layer, l.kind, f.name, f.status, f.geometry, f.area_m2, a.code AS area_code,
               f.licence_id, f.allowed_tiers, f.designation_date::text AS designation_date
          FROM cadastre_features f JOIN cadastre_layers l ON l.id = f.layer_id
          LEFT JOIN admin_areas a ON a.id = f.area_id
         WHERE l.country = ${country} AND l.kind <> 'activity_detection'`.execute(t.database.db)
    ).rows.map((r) => ({ ...r, area_m2: Number(r.area_m2) }));
  const count = async (table: 'cadastre_features' | 'cadastre_layers' | 'audit_events') =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.database.db))
        .rows[0]!.n,
    );

  beforeAll(async () => {
    t = await createTestApp();
    const d = deps();
    // As bootstrap does, in its order.
    await loadProfileByName(t.database, d.audit, ctx, profile);
    expect(await seedRegistryDemo(t.database, d, ctx, profile)).toBeGreaterThan(0);
    expect(await seedLicensingDemo(t.database, d, ctx)).toBeGreaterThan(0);
    expect(await seedFeesAndRightsDemo(t.database, d, ctx)).toBeGreaterThan(0);
    await seedDetectionsDemo(t.database, d, ctx, profile);
    seeded = await seed();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('creates the five layers, every shape said to be invented', async () => {
    expect(seeded).not.toBeNull();
    const layers = (
      await sql<{ name: string; kind: string; notes: string | null }>`
        SELECT name, kind, notes FROM cadastre_layers
         WHERE country = ${country} AND kind <> 'activity_detection' ORDER BY name`.execute(t.database.db)
    ).rows;
    expect(layers.map((l) => [l.name, l.kind]).sort()).toEqual(
      Object.values(DEMO_LAYERS)
        .map((l) => [l.name, l.kind])
        .sort(),
    );
    for (const l of layers) expect(l.notes).toMatch(/invented .*not official boundaries/);
    const all = await features();
    for (const f of all) expect(f.name, f.layer).toMatch(/\(d[ée]mo\)$/);
    const of = (kind: string) => all.filter((f) => f.kind === kind);
    for (const kind of ['asm_zone', 'lsm_title', 'protected_area', 'customary_land'])
      expect(of(kind), kind).toHaveLength(sites);
    for (const z of of('asm_zone')) {
      expect(z.status).toBe('designated');
      expect(z.designation_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(z.allowed_tiers).toContain(artisanal);
    }
  });

  it('places the zones in the districts where the demo miners live', async () => {
    const districts = (
      await sql<{ code: string }>`
        SELECT DISTINCT a.code FROM people p JOIN admin_areas a ON a.id = p.area_id
         WHERE a.country = ${country}`.execute(t.database.db)
    ).rows.map((r) => r.code);
    const zones = (await features()).filter((f) => f.kind === 'asm_zone');
    for (const z of zones) expect(districts).toContain(z.area_code);
  });

  it('gives every active licence one area of 1–2 ha inside a zone, in its holder district', async () => {
    const licences = (
      await sql<{ id: string; tier_code: string; code: string }>`
        SELECT l.id, l.tier_code, a.code FROM licences l JOIN admin_areas a ON a.id = l.area_id
         WHERE a.country = ${country} AND l.status = 'active'`.execute(t.database.db)
    ).rows;
    expect(licences.length).toBeGreaterThanOrEqual(3);
    const all = await features();
    const plots = all.filter((f) => f.kind === 'licence_area');
    expect(plots.map((p) => p.licence_id).sort()).toEqual(licences.map((l) => l.id).sort());
    const zones = all.filter((f) => f.kind === 'asm_zone').map((z) => bbox(z.geometry));
    for (const p of plots) {
      const licence = licences.find((l) => l.id === p.licence_id)!;
      expect(p.status).toBe('active');
      expect(p.area_code).toBe(licence.code);
      expect(p.area_m2 / 10_000).toBeGreaterThanOrEqual(1);
      expect(p.area_m2 / 10_000).toBeLessThanOrEqual(2);
      const [w, s, e, n] = bbox(p.geometry);
      expect(zones.some(([zw, zs, ze, zn]) => w >= zw && s >= zs && e <= ze && n <= zn)).toBe(true);
    }
  });

  it('stores the checks of the three demo applications: one passes, one overlaps the title, one is too big', async () => {
    expect(seeded!.applicationAreas.map((a) => a.scenario)).toEqual(['passes', 'overlaps_title', 'too_big']);
    const licensing = createLicensingService(deps());
    const got: Record<string, LicenceApplicationDto> = {};
    for (const a of seeded!.applicationAreas)
      got[a.scenario] = await licensing.get(t.database.db, ctx, a.applicationId);
    const failing = (dto: LicenceApplicationDto) =>
      dto.areaCheck!.rules.filter((r) => !r.passed).map((r) => r.code);
    const ruleCodes = (dto: LicenceApplicationDto) => dto.areaCheck!.rules.map((r) => r.code);
    for (const dto of Object.values(got)) {
      expect(dto.hasArea).toBe(true);
      expect(dto.tierCode).toBe(artisanal);
      // The artisanal tier is bound to the zones that allow it, so the zone rule is checked.
      expect(ruleCodes(dto)).toEqual(expect.arrayContaining(['max_area', 'inside_designated_zone']));
    }

    expect(failing(got.passes!)).toEqual([]);
    expect(got.passes!.areaCheck!.passed).toBe(true);
    expect(got.passes!.areaCheck!.free.percentOfApplied).toBeCloseTo(100, 3);

    // Across the zone's east edge into the title: no_active_right fails, and so does the zone rule
    // for the part outside the zone.
    expect(failing(got.overlaps_title!)).toContain('no_active_right');
    expect(failing(got.overlaps_title!)).not.toContain('max_area');
    const title = got.overlaps_title!.areaCheck!.overlaps.find((o) => o.layerKind === 'lsm_title');
    expect(title?.percentOfApplied).toBeGreaterThan(28);
    expect(title?.percentOfApplied).toBeLessThan(32);

    expect(failing(got.too_big!)).toEqual(['max_area']);
    expect(got.too_big!.requestedAreaHectares).toBeGreaterThan(2);
  });

  it('adds nothing when it runs again', async () => {
    const before = await Promise.all(
      (['cadastre_features', 'cadastre_layers', 'audit_events'] as const).map(count),
    );
    expect(await seed()).toBeNull();
    const after = await Promise.all(
      (['cadastre_features', 'cadastre_layers', 'audit_events'] as const).map(count),
    );
    expect(after).toEqual(before);
  });
});
