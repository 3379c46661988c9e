import { sql } from 'kysely';
import type { PolygonGeometry } from '../../shared/geo/types.ts';
import type { ImportBody, LayerKind } from '../../shared/schemas/cadastre.ts';
import * as cadastreRepo from '../modules/cadastre/repo.ts';
import { createCadastreService } from '../modules/cadastre/service.ts';
import { profileOf } from '../modules/licensing/repo.ts';
import { createLicensingService } from '../modules/licensing/service.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import type { Tx } from '../platform/db/schema.ts';

/**
 * A demonstration cadastre around the demo miners, so the overlap check has something to say: per
 * demo district, an ASM zone, a large-scale title next to it, a forest reserve, customary land, the
 * areas of the demo licences inside the zone, and the areas of the three demo applications (one
 * that passes, one over the title, one too big for its tier) set through the licensing service, so
 * their checks are stored as an officer would see them. Everything goes through the cadastre
 * service: the same validation as any import. Every shape is invented and every name says so.
 * Loaded once: nothing happens when the ASM zone layer exists.
 */

interface Site {
  /** The demo district (admin area code) where the demo people live. */
  district: string;
  /** South-west corner of the ASM zone, [lon, lat]; checked to lie well inside the district. */
  anchor: [number, number];
}

interface CountryDemo {
  country: string;
  /** Where holders of a district without a site of its own get their areas: the first. */
  sites: Site[];
  /** Tiers an ASM zone allows besides the artisanal one, where the profile has them. */
  zoneTiers: string[];
  designationDate: string;
  geologicalBasis: string;
  /** Feature names in the country's first language, from the district's name or the licence number. */
  names: Record<'zone' | 'title' | 'reserve' | 'customary', (district: string) => string> & {
    plot: (licenceNumber: string) => string;
  };
}

const DEMOS: Record<string, CountryDemo> = {
  ghana: {
    country: 'GH',
    sites: [{ district: 'GH-AH-D01', anchor: [-1.985, 6.385] }],
    zoneTiers: [],
    designationDate: '2025-03-14',
    geologicalBasis:
      'Illustrative: alluvial gold in river terraces and shallow weathered reefs, workable by small teams and too scattered for a large mine.',
    names: {
      zone: (p) => `Community mining zone, ${p} (demo)`,
      title: (p) => `Large-scale gold mining lease, ${p} (demo)`,
      reserve: (p) => `Forest reserve, ${p} (demo)`,
      customary: (p) => `Stool land, ${p} (demo)`,
      plot: (n) => `Licence area ${n} (demo)`,
    },
  },
  drc: {
    country: 'CD',
    sites: [
      { district: 'CD-SK-D01', anchor: [27.35, -2.95] },
      { district: 'CD-NK-D01', anchor: [27.9, -1.35] },
    ],
    zoneTiers: ['autorisation_cooperative_zea'],
    designationDate: '2024-09-20',
    geologicalBasis:
      "Illustratif : or alluvionnaire et éluvionnaire le long des cours d'eau, exploitable par des méthodes artisanales.",
    names: {
      zone: (p) => `Zone d'exploitation artisanale, ${p} (démo)`,
      title: (p) => `Permis d'exploitation, ${p} (démo)`,
      reserve: (p) => `Aire protégée, ${p} (démo)`,
      customary: (p) => `Terres coutumières, ${p} (démo)`,
      plot: (n) => `Périmètre ${n} (démo)`,
    },
  },
};

const INVENTED =
  'Illustrative shapes invented for the OpenASM demonstration: they are not official boundaries and say nothing about any real place or right.';
const SOURCE = 'Invented for the OpenASM demonstration';

export const DEMO_LAYERS = {
  zones: {
    kind: 'asm_zone',
    name: 'ASM zones (demo)',
    notes: `${INVENTED} A real zone is designated by the mining authority on geological grounds (deposits that artisanal methods can work and that are too small or scattered for large-scale mining), after prospecting and consultation; each zone here gives an illustrative basis in its geologicalBasis property.`,
  },
  titles: { kind: 'lsm_title', name: 'Large-scale mining titles (demo)', notes: INVENTED },
  reserves: { kind: 'protected_area', name: 'Forest reserves and protected areas (demo)', notes: INVENTED },
  customary: { kind: 'customary_land', name: 'Customary lands (demo)', notes: INVENTED },
  licences: {
    kind: 'licence_area',
    name: 'Licence areas',
    notes: `The areas of the licences. Those of the demo licences are ${INVENTED.charAt(0).toLowerCase()}${INVENTED.slice(1)}`,
  },
} as const satisfies Record<string, { kind: LayerKind; name: string; notes: string }>;

/**
 * The layout of a site in metres east and north of its anchor, [west, south, east, north]. The zone
 * is 150 ha; the title lies along its east edge, so an area across that edge overlaps the title. The
 * reserve keeps 2.5 km from the zone, beyond the profiles' protected-area buffers (500 m, 1 km).
 */
const LAYOUT = {
  zone: [0, 0, 1500, 1000],
  title: [1500, -1000, 4000, 2000],
  reserve: [-1000, 3500, 1400, 6000],
  customary: [-600, -600, 800, 1200],
} as const;
/** Licence plots: 100 m × 120 m (1.2 ha), in rows inside the zone. */
const PLOT = { width: 100, height: 120, step: 150, perRow: 9, rows: 3, top: 820 };
/** The three demo applications, in reference order. */
export const APPLICATION_SCENARIOS = [
  // 110 m × 110 m (1.2 ha) inside the zone, clear of every right.
  { scenario: 'passes', box: [100, 200, 210, 310] },
  // 100 m × 120 m across the zone's east edge: 30 m of its width, 30 %, lies in the title.
  { scenario: 'overlaps_title', box: [1430, 300, 1530, 420] },
  // 200 m × 150 m (3 ha) inside the zone: above the artisanal tiers' 2 ha.
  { scenario: 'too_big', box: [500, 150, 700, 300] },
] as const;

const METRES_PER_DEGREE = 111_320;
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** A counter-clockwise rectangle (RFC 7946) from metres east and north of the anchor. */
export function rectangle(anchor: [number, number], box: readonly number[]): PolygonGeometry {
  const [lon, lat] = anchor;
  const x = (m: number) => round6(lon + m / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180)));
  const y = (m: number) => round6(lat + m / METRES_PER_DEGREE);
  const [w, s, e, n] = box as [number, number, number, number];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x(w), y(s)],
        [x(e), y(s)],
        [x(e), y(n)],
        [x(w), y(n)],
        [x(w), y(s)],
      ],
    ],
  };
}

function plotBox(i: number): [number, number, number, number] {
  const col = i % PLOT.perRow;
  const row = Math.floor(i / PLOT.perRow);
  const west = 100 + col * PLOT.step;
  const north = PLOT.top - row * PLOT.step;
  return [west, north - PLOT.height, west + PLOT.width, north];
}

type Feature = ImportBody['features'][number];
const feature = (properties: Record<string, unknown>, geometry: PolygonGeometry): Feature => ({
  type: 'Feature',
  properties,
  geometry,
});

export interface CadastreDemoResult {
  layers: number;
  features: number;
  applicationAreas: { applicationId: string; scenario: string }[];
}

export async function seedCadastreDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  profileName: string,
  log: (msg: string) => void = () => {},
): Promise<CadastreDemoResult | null> {
  const demo = DEMOS[profileName];
  if (!demo) return null;
  const cadastre = createCadastreService(deps);
  const licensing = createLicensingService(deps);
  return database.db.transaction().execute(async (tx) => {
    const { country } = demo;
    if (await cadastreRepo.findLayerByName(tx, country, DEMO_LAYERS.zones.name)) return null;
    const profile = (await profileOf(tx, country)) as
      | { licenceTiers?: { code: string; holderKinds: string[] }[] }
      | undefined;
    const tiers = profile?.licenceTiers ?? [];
    // The artisanal tier: the one the licensing demo gives its miners (the first open to people).
    const artisanal = tiers.find((t) => t.holderKinds.includes('person'));
    if (!artisanal) return null;
    const allowedTiers = [artisanal.code, ...demo.zoneTiers.filter((c) => tiers.some((t) => t.code === c))];

    const places = await placesOf(tx, demo.sites);
    const sites = demo.sites.filter((s) => places.has(s.district));
    if (sites.length === 0) return null;
    const siteOf = (district: string) => sites.find((s) => s.district === district) ?? sites[0]!;
    const ref = (what: string, i: number) => `DEMO-${country}-${what}-${i + 1}`;

    const byLayer: Record<keyof typeof DEMO_LAYERS, Feature[]> = {
      zones: [],
      titles: [],
      reserves: [],
      customary: [],
      licences: [],
    };
    for (const [i, site] of sites.entries()) {
      const place = places.get(site.district)!;
      const at = (box: readonly number[]) => rectangle(site.anchor, box);
      byLayer.zones.push(
        feature(
          {
            externalRef: ref('ZONE', i),
            name: demo.names.zone(place),
            status: 'designated',
            designationDate: demo.designationDate,
            allowedTiers,
            geologicalBasis: demo.geologicalBasis,
          },
          at(LAYOUT.zone),
        ),
      );
      byLayer.titles.push(
        feature(
          { externalRef: ref('LSM', i), name: demo.names.title(place), status: 'active' },
          at(LAYOUT.title),
        ),
      );
      byLayer.reserves.push(
        feature(
          { externalRef: ref('RESERVE', i), name: demo.names.reserve(place), status: 'gazetted' },
          at(LAYOUT.reserve),
        ),
      );
      byLayer.customary.push(
        feature(
          { externalRef: ref('CUSTOMARY', i), name: demo.names.customary(place), status: 'recognised' },
          at(LAYOUT.customary),
        ),
      );
    }

    // One plot per active licence, in its holder's district, in rows inside the zone.
    const { rows: licences } = await sql<{ id: string; number: string; district: string }>`
      SELECT l.id, l.number, a.code AS district FROM licences l JOIN admin_areas a ON a.id = l.area_id
       WHERE a.country = ${country} AND l.status = 'active' ORDER BY l.number`.execute(tx);
    const plotsIn = new Map<string, number>();
    for (const l of licences) {
      const site = siteOf(l.district);
      const i = plotsIn.get(site.district) ?? 0;
      if (i >= PLOT.perRow * PLOT.rows) continue;
      plotsIn.set(site.district, i + 1);
      byLayer.licences.push(
        feature(
          { externalRef: l.number, name: demo.names.plot(l.number), status: 'active', licenceId: l.id },
          rectangle(site.anchor, plotBox(i)),
        ),
      );
    }

    let layers = 0;
    let features = 0;
    for (const key of Object.keys(DEMO_LAYERS) as (keyof typeof DEMO_LAYERS)[]) {
      const spec = DEMO_LAYERS[key];
      const { layer, created } = await cadastre.createLayer(tx, ctx, {
        // "Licence areas" is not a demo layer: it may be there already.
        id: (await cadastreRepo.findLayerByName(tx, country, spec.name))?.id,
        country,
        kind: spec.kind,
        name: spec.name,
        source: SOURCE,
        notes: spec.notes,
      });
      if (created) layers++;
      const list = byLayer[key];
      if (list.length === 0 || layer.featureCount > 0) continue;
      const result = await cadastre.importFeatures(
        tx,
        ctx,
        layer.id,
        { type: 'FeatureCollection', features: list },
        { skipInvalid: false, repair: 'none' },
      );
      features += result.loaded;
    }

    // The demo applications: made by the system (no officer), still open, without an area.
    const { rows: applications } = await sql<{ id: string; district: string }>`
      SELECT la.id, a.code AS district
        FROM licence_applications la JOIN admin_areas a ON a.id = la.area_id
       WHERE a.country = ${country} AND la.created_by IS NULL AND la.kind = 'new'
         AND la.area_geometry IS NULL AND la.status IN ('draft', 'submitted', 'under_review')
       ORDER BY la.reference
       LIMIT ${APPLICATION_SCENARIOS.length}`.execute(tx);
    const applicationAreas: CadastreDemoResult['applicationAreas'] = [];
    for (const [i, a] of applications.entries()) {
      const { scenario, box } = APPLICATION_SCENARIOS[i]!;
      await licensing.setArea(tx, ctx, a.id, { geometry: rectangle(siteOf(a.district).anchor, box) });
      applicationAreas.push({ applicationId: a.id, scenario });
    }
    log(
      `created the demo cadastre: ${layers} layers, ${features} features, ${applicationAreas.length} application areas`,
    );
    return { layers, features, applicationAreas };
  });
}

/** The names of the sites' districts that are loaded, by code. */
async function placesOf(tx: Tx, sites: Site[]): Promise<Map<string, string>> {
  const rows = await tx
    .selectFrom('admin_areas')
    .select(['code', 'name'])
    .where(
      'code',
      'in',
      sites.map((s) => s.district),
    )
    .execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}
