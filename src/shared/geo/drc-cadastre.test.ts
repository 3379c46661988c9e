/**
 * Real data: the DRC mining cadastre of 2016 (CAMI, via IPIS), read from ../shared when it is there.
 * It has no licence, so it is never copied into the project.
 */
import { readFileSync } from 'node:fs';
import turfArea from '@turf/area';
import { describe, expect, it } from 'vitest';
import { reportMissing, sharedDataFile } from '../../../test/support/shared-data.ts';
import { area } from './measure.ts';
import { overlapsWithin } from './prefilter.ts';
import type { AreaGeometry, BBox } from './types.ts';
import {
  type GeometryProblemCode,
  type GeometryStatus,
  makeValidOffer,
  repair,
  validateGeometry,
} from './validate.ts';

const TITLES = 'cadastre/drc_cami_titres_2016.geojson';
const file = sharedDataFile(TITLES);
if (!file) reportMissing('DRC cadastre geometry', [TITLES]);
const DRC: BBox = [12.2, -13.5, 31.3, 5.4];

interface Title {
  type: 'Feature';
  properties: { name: string; type: string };
  geometry: AreaGeometry;
}

describe.skipIf(!file)('DRC cadastre 2016 (../shared/data)', () => {
  const titles: Title[] = file ? JSON.parse(readFileSync(file, 'utf8')).features : [];

  it('classifies every title, and areas match @turf/area within 0.1 %', () => {
    expect(titles).toHaveLength(2973);
    const counts: Record<GeometryStatus, number> = { valid: 0, repairable: 0, invalid: 0 };
    const byCode = new Map<GeometryProblemCode, number>();
    let worst = 0;
    let compared = 0;
    const t0 = performance.now();
    for (const title of titles) {
      const result = validateGeometry(title.geometry, { bboxHint: DRC });
      counts[result.status]++;
      for (const code of new Set(result.problems.map((p) => p.code)))
        byCode.set(code, (byCode.get(code) ?? 0) + 1);
      let checked: AreaGeometry | null = null;
      if (result.status === 'valid') checked = title.geometry;
      if (result.status === 'repairable') {
        checked = repair(
          title.geometry,
          result.problems.map((p) => p.code),
        );
        expect(validateGeometry(checked, { bboxHint: DRC }).status).toBe('valid');
      }
      if (result.status === 'invalid') {
        // Whatever is wrong must be said somewhere, and only a make-valid offer may be proposed.
        expect(result.problems.some((p) => p.repair !== 'safe')).toBe(true);
        if (result.problems.every((p) => p.repair !== 'none')) {
          expect(validateGeometry(makeValidOffer(title.geometry).geometry).status).not.toBe('invalid');
        }
      }
      if (checked) {
        const ours = area(checked);
        const turf = turfArea({ type: 'Feature', properties: {}, geometry: checked });
        worst = Math.max(worst, Math.abs(ours - turf) / turf);
        compared++;
      }
    }
    const ms = performance.now() - t0;
    console.log(
      `DRC titles 2016: ${counts.valid} valid, ${counts.repairable} repairable, ${counts.invalid} invalid ` +
        `(${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}); ${ms.toFixed(0)} ms; ` +
        `area vs turf on ${compared}: worst ${(worst * 100).toExponential(2)} %`,
    );
    expect(counts.valid + counts.repairable + counts.invalid).toBe(titles.length);
    expect(compared).toBe(counts.valid + counts.repairable);
    expect(worst).toBeLessThan(0.001);
  });

  it('finds the titles that overlap each other', () => {
    const geometries = titles.map((t) => {
      const result = validateGeometry(t.geometry);
      return repair(
        t.geometry,
        result.problems.map((p) => p.code),
      );
    });
    const t0 = performance.now();
    // Shared edges are not overlaps: above 1 m².
    const overlaps = overlapsWithin(geometries, 1);
    const ms = performance.now() - t0;
    const involved = new Set(overlaps.flatMap((o) => [o.a, o.b]));
    const zea = overlaps.filter(
      (o) => titles[o.a]!.properties.type === 'ZEA' || titles[o.b]!.properties.type === 'ZEA',
    );
    console.log(
      `DRC titles 2016: ${overlaps.length} overlapping pairs among ${involved.size} titles ` +
        `(${zea.length} pairs involve an artisanal zone), found in ${ms.toFixed(0)} ms`,
    );
    for (const o of overlaps) {
      expect(o.areaM2).toBeGreaterThan(1);
      expect(o.percentOfA).toBeGreaterThan(0);
      expect(o.percentOfA).toBeLessThanOrEqual(100 + 1e-6);
    }
  });
});
