import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AreaGeometry,
  type BBox,
  clipGeometryToRect,
  clipRingToRect,
  demoDistricts,
  geometryBbox,
  type RegionCollection,
  type Ring,
  ringArea,
  verticalStrip,
} from './demo-districts.ts';
import {
  type CountryProfile,
  countryProfileSchema,
  decimalToScaled,
  parseProfile,
} from './profile-schema.ts';

const profilesDir = new URL('../../profiles/', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, profilesDir), 'utf8'));

interface Feature {
  type: string;
  properties: Record<string, unknown>;
  geometry: AreaGeometry;
}
interface Collection {
  type: string;
  features: Feature[];
}

const COUNTRIES = {
  ghana: {
    code: 'GH',
    units: 'regions.geojson',
    demo: 'districts.demo.geojson',
    count: 16,
    lon: [-4, 2],
    lat: [4, 12],
  },
  drc: {
    code: 'CD',
    units: 'provinces.geojson',
    demo: 'territories.demo.geojson',
    count: 11,
    lon: [12, 32],
    lat: [-14, 6],
  },
} as const;
type CountryKey = keyof typeof COUNTRIES;

const profileJson = (c: CountryKey) => readJson(`${c}/profile.json`) as Record<string, unknown>;
const collection = (c: CountryKey, file: string) => readJson(`${c}/${file}`) as Collection;
const copy = <T>(value: T): T => structuredClone(value);

/** Parses a deliberately broken profile and returns the error message. */
function rejection(broken: unknown): string {
  try {
    parseProfile(broken);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the profile to be rejected');
}

describe('shipped profiles', () => {
  it.each(['ghana', 'drc'] as const)('%s parses', (c) => {
    const profile: CountryProfile = parseProfile(profileJson(c));
    expect(profile.country).toBe(COUNTRIES[c].code);
    expect(profile.licenceTiers.length).toBeGreaterThanOrEqual(3);
  });

  it('DRC has every text in both French and Swahili, French first', () => {
    const profile = parseProfile(profileJson('drc'));
    expect(profile.languages.slice(0, 2)).toEqual(['fr', 'sw']);
    const texts: Record<string, string>[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.length > 0 && keys.every((k) => /^[a-z]{2}$/.test(k)))
          texts.push(v as Record<string, string>);
        else Object.values(v).forEach(walk);
      }
    };
    walk(profile);
    expect(texts.length).toBeGreaterThan(50);
    for (const text of texts) expect(Object.keys(text).sort()).toEqual(['fr', 'sw']);
  });

  it('DRC notes and province boundary note explain the pre-2015 provinces', () => {
    const profile = parseProfile(profileJson('drc'));
    const provinces = profile.boundaries.find((b) => b.level === 1)!;
    for (const text of [profile.notes.fr, provinces.note.fr]) expect(text).toMatch(/11 provinces.*2015.*26/s);
  });
});

describe('cross-field rules', () => {
  const ghana = profileJson('ghana') as CountryProfile;
  const drc = profileJson('drc') as CountryProfile;

  it('rejects duplicate tier codes', () => {
    const broken = copy(ghana);
    broken.licenceTiers[1]!.code = broken.licenceTiers[0]!.code;
    expect(rejection(broken)).toContain('licenceTiers[1].code: duplicate licence tier code');
  });

  it('rejects a nextTier that does not exist', () => {
    const broken = copy(ghana);
    broken.licenceTiers[0]!.nextTier = 'large_scale';
    expect(rejection(broken)).toContain(
      'licenceTiers[0].nextTier: refers to unknown licence tier "large_scale"',
    );
  });

  it('rejects a nextTier chain that loops', () => {
    const broken = copy(drc);
    broken.licenceTiers[2]!.nextTier = broken.licenceTiers[0]!.code;
    expect(rejection(broken)).toMatch(/licenceTiers\[0\]\.nextTier: tier progression .* loops back/);
  });

  it('rejects an issuingLevel that is not an admin level of the profile', () => {
    const broken = copy(ghana);
    broken.licenceTiers[0]!.issuingLevel = 'province';
    expect(rejection(broken)).toContain(
      'licenceTiers[0].issuingLevel: "province" is not one of the adminLevels keys',
    );
  });

  it('rejects a boundary file for an undefined admin level', () => {
    const broken = copy(drc);
    broken.boundaries[2]!.level = 4;
    expect(rejection(broken)).toContain('boundaries[2].level: admin level 4 is not defined');
  });

  it('rejects a names object without the default language', () => {
    const broken = copy(drc);
    delete (broken.licenceTiers[2]!.requirements[1]!.names as Record<string, string>).fr;
    expect(rejection(broken)).toContain(
      'licenceTiers[2].requirements[1].names: missing text in the default language "fr"',
    );
  });

  it('checks the languages of support texts and conditions too', () => {
    const broken = copy(drc);
    const tier = broken.licenceTiers.find((t) => t.code === 'autorisation_cooperative_zea')!;
    delete (tier.requirements[0]!.support![0]!.names as Record<string, string>).fr;
    (tier.conditions![0]!.names as Record<string, string>).en = 'Reach level 1';
    const i = broken.licenceTiers.indexOf(tier);
    const issues = rejection(broken);
    expect(issues).toContain(
      `licenceTiers[${i}].requirements[0].support[0].names: missing text in the default language "fr"`,
    );
    expect(issues).toContain(`licenceTiers[${i}].conditions[0].names.en: language "en" is not listed`);
  });

  it('rejects duplicate condition codes and a condition due after more than ten years', () => {
    const broken = copy(ghana);
    const conditions = broken.licenceTiers[0]!.conditions!;
    conditions[1]!.code = conditions[0]!.code;
    conditions[0]!.dueMonths = 121;
    const issues = rejection(broken);
    expect(issues).toContain('licenceTiers[0].conditions[1].code: duplicate condition');
    expect(issues).toContain('licenceTiers[0].conditions[0].dueMonths');
  });

  it('rejects text in a language the profile does not declare', () => {
    const broken = copy(ghana);
    broken.roles!.auditor = { en: 'Auditor', fr: 'Auditeur' };
    expect(rejection(broken)).toContain('roles.auditor.fr: language "fr" is not listed in languages');
  });

  it('rejects benefit shares that do not sum to exactly 100', () => {
    const broken = copy(ghana);
    broken.benefitSharing[3]!.sharePercent = '5.01';
    expect(rejection(broken)).toContain(
      'benefitSharing: shares sum to 100.01%, but must sum to exactly 100%',
    );
  });

  it('sums shares in integer basis points, so thirds that add up exactly pass', () => {
    const thirds = copy(ghana);
    thirds.benefitSharing = ['33.33', '33.33', '33.34'].map((sharePercent, i) => ({
      recipient: `recipient_${i}`,
      names: { en: `Recipient ${i}` },
      sharePercent,
    }));
    expect(countryProfileSchema.safeParse(thirds).success).toBe(true);
    expect(decimalToScaled('33.34', 2)).toBe(3334);
    expect(decimalToScaled('5', 2)).toBe(500);
    expect(decimalToScaled('1.005', 2)).toBeNull();
  });

  it('rejects unknown keys, float rates and fractional minor units, listing every issue', () => {
    const broken = copy(ghana) as unknown as Record<string, unknown> & CountryProfile;
    broken.colour = 'gold';
    (broken.royalties[0] as unknown as { ratePercent: number }).ratePercent = 5;
    broken.licenceTiers[0]!.fee.amountMinor = 10.5;
    const message = rejection(broken);
    expect(message).toContain('(root): Unrecognized key: "colour"');
    expect(message).toContain('royalties[0].ratePercent:');
    expect(message).toContain('licenceTiers[0].fee.amountMinor: must be an integer');
  });

  it('rejects an unknown time zone', () => {
    const broken = copy(drc);
    broken.timeZone = 'Africa/Goma';
    expect(rejection(broken)).toContain('timeZone: must be an IANA time zone');
  });
});

/**
 * RFC 7946 problems of one geometry, including coordinates outside the country's rough box, which is
 * how swapped [lat, lon] pairs show up. Collected rather than asserted per point, for speed.
 */
function geometryProblems(g: AreaGeometry, lon: readonly number[], lat: readonly number[]): string[] {
  const problems: string[] = [];
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon')
    return [`unexpected type ${String((g as { type: unknown }).type)}`];
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (polygons.length === 0) problems.push('no polygons');
  for (const rings of polygons) {
    rings.forEach((ring, i) => {
      const [first, last] = [ring[0], ring[ring.length - 1]];
      if (ring.length < 4) problems.push(`ring with ${ring.length} positions`);
      if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) problems.push('open ring');
      const stray = ring.find(
        (p) => p.length !== 2 || !(p[0] >= lon[0]! && p[0] <= lon[1]! && p[1] >= lat[0]! && p[1] <= lat[1]!),
      );
      if (stray) problems.push(`position ${JSON.stringify(stray)} outside the country's [lon, lat] box`);
      // Exterior rings counter-clockwise, holes clockwise.
      if (Math.sign(ringArea(ring)) !== (i === 0 ? 1 : -1)) problems.push(`ring ${i} wound the wrong way`);
    });
  }
  return problems;
}

describe.each(['ghana', 'drc'] as const)('%s boundary files', (c) => {
  const spec = COUNTRIES[c];
  const profile = parseProfile(profileJson(c));
  const units = collection(c, spec.units);
  const demo = collection(c, spec.demo);
  const codes = new Set(units.features.map((f) => f.properties.code));

  it('every file the profile names exists, and every feature has its code and name property', () => {
    for (const b of profile.boundaries) {
      expect(existsSync(new URL(`${c}/${b.file}`, profilesDir)), b.file).toBe(true);
      const features = collection(c, b.file).features;
      expect(features.length).toBeGreaterThan(0);
      for (const f of features) {
        expect(typeof f.properties[b.codeProperty]).toBe('string');
        expect(typeof f.properties[b.nameProperty]).toBe('string');
        if (b.parentCodeFrom) expect(typeof f.properties[b.parentCodeFrom]).toBe('string');
      }
    }
  });

  it(`has ${spec.count} first-level units with unique ISO 3166-2 codes`, () => {
    expect(units.features).toHaveLength(spec.count);
    expect(codes.size).toBe(spec.count);
    for (const code of codes) expect(code).toMatch(new RegExp(`^${spec.code}-[A-Z0-9]{1,3}$`));
  });

  it('every geometry is valid GeoJSON in [lon, lat] order', () => {
    for (const b of profile.boundaries) {
      for (const f of collection(c, b.file).features) {
        expect(f.type).toBe('Feature');
        expect(
          geometryProblems(f.geometry, spec.lon, spec.lat),
          `${b.file} ${String(f.properties.code)}`,
        ).toEqual([]);
      }
    }
  });

  it('demo units are labelled, have a real parent and lie inside its bbox', () => {
    expect(demo.features).toHaveLength(spec.count * 3);
    const parents = new Map(units.features.map((f) => [f.properties.code, geometryBbox(f.geometry)]));
    const demoCodes = new Set<unknown>();
    for (const f of demo.features) {
      const { code, name, parentCode, isDemo } = f.properties;
      expect(isDemo).toBe(true);
      expect(name).toMatch(/Demo District|Territoire de démonstration/);
      expect(codes.has(parentCode)).toBe(true);
      expect(code).toMatch(new RegExp(`^${String(parentCode)}-D\\d{2}$`));
      demoCodes.add(code);
      const [w, s, e, n] = geometryBbox(f.geometry);
      const parent = parents.get(parentCode)!;
      expect(w).toBeGreaterThanOrEqual(parent[0]);
      expect(s).toBeGreaterThanOrEqual(parent[1]);
      expect(e).toBeLessThanOrEqual(parent[2]);
      expect(n).toBeLessThanOrEqual(parent[3]);
    }
    expect(demoCodes.size).toBe(demo.features.length);
  });

  it('demo generation is deterministic', () => {
    const regions = units as unknown as RegionCollection;
    expect(demoDistricts(regions, 3)).toEqual(demoDistricts(regions, 3));
    expect(demoDistricts(regions, 3).features).toHaveLength(demo.features.length);
  });
});

describe('clipping', () => {
  const coordinate = fc.double({ min: -100, max: 100, noNaN: true });
  const point = fc.tuple(coordinate, coordinate);
  const closed = (points: [number, number][]): Ring => [...points, [points[0]![0], points[0]![1]]];
  const rect = fc
    .tuple(coordinate, coordinate, coordinate, coordinate)
    .map(([a, b, c, d]): BBox => [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)]);
  const rectRing = ([w, s, e, n]: BBox): Ring => [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  const clippedArea = (ring: Ring, box: BBox) => Math.abs(ringArea(clipRingToRect(ring, box) ?? []));

  it("keeps a clipped polygon's bbox within the strip and within the polygon's bbox", () => {
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 3, maxLength: 15 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        (points, n, seed) => {
          const polygon: AreaGeometry = { type: 'Polygon', coordinates: [closed(points)] };
          const box = geometryBbox(polygon);
          const strip = verticalStrip(box, seed % n, n);
          const clipped = clipGeometryToRect(polygon, strip);
          if (!clipped) return;
          const [w, s, e, north] = geometryBbox(clipped);
          expect(w).toBeGreaterThanOrEqual(Math.max(strip[0], box[0]));
          expect(e).toBeLessThanOrEqual(Math.min(strip[2], box[2]));
          expect(s).toBeGreaterThanOrEqual(Math.max(strip[1], box[1]));
          expect(north).toBeLessThanOrEqual(Math.min(strip[3], box[3]));
        },
      ),
    );
  });

  it('clipping a rectangle by a rectangle gives the area of their intersection', () => {
    fc.assert(
      fc.property(rect, rect, (a, b) => {
        const expected =
          Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) *
          Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        expect(Math.abs(clippedArea(rectRing(a), b) - expected)).toBeLessThanOrEqual(1e-9);
      }),
    );
  });

  it('strips of a convex polygon add up to its area', () => {
    const convex = fc
      .array(fc.double({ min: 0, max: 2 * Math.PI, noNaN: true, maxExcluded: true }), {
        minLength: 3,
        maxLength: 12,
      })
      .map(
        (angles): Ring =>
          closed([...new Set(angles)].sort((x, y) => x - y).map((t) => [10 * Math.cos(t), 10 * Math.sin(t)])),
      );
    fc.assert(
      fc.property(convex, fc.integer({ min: 1, max: 8 }), (ring, n) => {
        const box = geometryBbox({ type: 'Polygon', coordinates: [ring] });
        let total = 0;
        for (let i = 0; i < n; i++) total += clippedArea(ring, verticalStrip(box, i, n));
        expect(total).toBeCloseTo(Math.abs(ringArea(ring)), 9);
      }),
    );
  });

  it('clips holes with their polygon and drops parts of a MultiPolygon outside the rectangle', () => {
    const square = (w: number, s: number, size: number): Ring => rectRing([w, s, w + size, s + size]);
    const withHole: AreaGeometry = {
      type: 'MultiPolygon',
      coordinates: [[square(0, 0, 10), square(4, 4, 2).reverse()], [square(20, 0, 2)]],
    };
    const clipped = clipGeometryToRect(withHole, [5, 0, 10, 10]);
    expect(clipped?.type).toBe('Polygon');
    const rings = clipped!.type === 'Polygon' ? clipped!.coordinates : [];
    expect(rings).toHaveLength(2);
    expect(Math.abs(ringArea(rings[0]!)) - Math.abs(ringArea(rings[1]!))).toBeCloseTo(50 - 2, 12);
    expect(clipGeometryToRect(withHole, [30, 30, 40, 40])).toBeNull();
  });
});
