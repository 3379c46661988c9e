import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { area } from './measure.ts';
import { arbitraryPolygon, starPolygon } from './test-shapes.ts';
import type { BBox, PolygonGeometry, Position } from './types.ts';
import { type GeometryProblemCode, makeValidOffer, REPAIR_OF, repair, validateGeometry } from './validate.ts';

const DRC: BBox = [12.2, -13.5, 31.3, 5.4];
const ring = (...pts: Position[]): Position[] => pts;
const poly = (...rings: Position[][]): PolygonGeometry => ({ type: 'Polygon', coordinates: rings });
const sq = (w: number, s: number, d: number) => ring([w, s], [w + d, s], [w + d, s + d], [w, s + d], [w, s]);
const codes = (input: unknown, options = {}) => validateGeometry(input, options).problems.map((p) => p.code);

describe('validateGeometry', () => {
  it('accepts a counter-clockwise square with a clockwise hole', () => {
    const result = validateGeometry(poly(sq(25, -3, 0.1), [...sq(25.02, -2.98, 0.02)].reverse()), {
      bboxHint: DRC,
    });
    expect(result).toMatchObject({ status: 'valid', problems: [] });
    expect(result.areaM2).toBeGreaterThan(1e7);
  });

  it('refuses what is not an area, and empty areas', () => {
    expect(
      codes({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toEqual(['geometry.not_polygon']);
    expect(codes(null)).toEqual(['geometry.not_polygon']);
    expect(codes({ type: 'Polygon', coordinates: 'x' })).toEqual(['geometry.malformed']);
    expect(codes({ type: 'Polygon', coordinates: [] })).toEqual(['geometry.empty']);
    expect(codes({ type: 'MultiPolygon', coordinates: [[]] })).toEqual(['geometry.empty']);
  });

  it('says where a position is not a number or out of range', () => {
    const bad = validateGeometry(
      poly([
        [25, -3],
        [25.1, Number.NaN],
        [25.1, -2.9],
        [25, -2.9],
        [25, -3],
      ]),
    );
    expect(bad.problems).toEqual([
      expect.objectContaining({
        code: 'geometry.coordinate_not_finite',
        path: 'coordinates[0][1]',
        repair: 'none',
      }),
    ]);
    expect(bad.status).toBe('invalid');
    const far = validateGeometry(
      poly([
        [25, -3],
        [191, -3],
        [191, -2.9],
        [25, -2.9],
        [25, -3],
      ]),
    );
    expect(
      far.problems
        .filter((p) => p.code === 'geometry.coordinate_out_of_range')
        .map((p) => [p.path, p.position]),
    ).toEqual([
      ['coordinates[0][1]', [191, -3]],
      ['coordinates[0][2]', [191, -2.9]],
    ]);
  });

  it('finds an unclosed ring, a repeated point and a wrong winding, all safely repairable', () => {
    const input = poly([
      [25, -3],
      [25, -2.9],
      [25, -2.9],
      [25.1, -2.9],
      [25.1, -3],
    ]);
    const result = validateGeometry(input);
    expect(result.status).toBe('repairable');
    expect(result.problems.map((p) => [p.code, p.path, p.position, p.repair])).toEqual([
      ['geometry.ring_unclosed', 'coordinates[0][4]', [25.1, -3], 'safe'],
      ['geometry.duplicate_point', 'coordinates[0][2]', [25, -2.9], 'safe'],
      ['geometry.winding', 'coordinates[0]', [25, -3], 'safe'],
    ]);
    const fixed = repair(
      input,
      result.problems.map((p) => p.code),
    );
    expect(validateGeometry(fixed).status).toBe('valid');
    expect(fixed.coordinates[0]).toHaveLength(5);
  });

  it('wants holes clockwise', () => {
    const result = validateGeometry(poly(sq(25, -3, 0.1), sq(25.02, -2.98, 0.02)));
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([['geometry.winding', 'coordinates[1]']]);
  });

  it('a ring needs 4 positions', () => {
    expect(
      codes(
        poly([
          [25, -3],
          [25.1, -3],
          [25, -3],
        ]),
      ),
    ).toEqual(['geometry.ring_too_short']);
    // Three corners, unclosed: closing makes it a triangle.
    expect(
      codes(
        poly([
          [25, -3],
          [25.1, -3],
          [25.1, -2.9],
        ]),
      ),
    ).toEqual(['geometry.ring_unclosed']);
  });

  it('detects (lat, lon) order with the country bbox and swaps it back', () => {
    const swapped = poly(sq(25, -3, 0.1).map(([x, y]) => [y, x] as Position));
    const result = validateGeometry(swapped, { bboxHint: DRC });
    expect(result.problems.map((p) => p.code)).toEqual(['geometry.coordinates_swapped']);
    expect(result.problems[0]!.position).toEqual([-3, 25]);
    const fixed = repair(swapped, ['geometry.coordinates_swapped', 'geometry.winding']);
    expect(validateGeometry(fixed, { bboxHint: DRC }).status).toBe('valid');
    // Without a hint nothing can be said.
    expect(codes(swapped)).toEqual(['geometry.winding']);
  });

  it('reports a self-intersection at the crossing point, with a make-valid offer only', () => {
    const bowtie = poly([
      [25, -3],
      [25.1, -2.9],
      [25.1, -3],
      [25, -2.9],
      [25, -3],
    ]);
    const result = validateGeometry(bowtie);
    expect(result.status).toBe('invalid');
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'geometry.self_intersection',
        path: 'coordinates[0][0]',
        repair: 'offer',
      }),
    ]);
    const [x, y] = result.problems[0]!.position!;
    expect(x).toBeCloseTo(25.05, 12);
    expect(y).toBeCloseTo(-2.95, 12);
    // repair never touches it.
    expect(repair(bowtie, ['geometry.self_intersection'])).toEqual(bowtie);
    const offer = makeValidOffer(bowtie);
    expect(offer.geometry!.coordinates).toHaveLength(2);
    expect(offer.areaAfterM2).toBeCloseTo(area(poly(sq(25, -3, 0.1))) / 2, -2);
    expect(validateGeometry(offer.geometry).status).toBe('valid');
  });

  it('reports a spike, a ring touching itself and rings crossing each other', () => {
    expect(
      codes(
        poly([
          [25, -3],
          [25.1, -3],
          [25.2, -3],
          [25.1, -3],
          [25.1, -2.9],
          [25, -3],
        ]),
      ),
    ).toContain('geometry.self_intersection');
    // Touches itself at (25.1, -2.9).
    const pinched = poly([
      [25, -3],
      [25.2, -3],
      [25.1, -2.9],
      [25.2, -2.8],
      [25, -2.8],
      [25.1, -2.9],
      [25, -3],
    ]);
    expect(codes(pinched)).toContain('geometry.self_intersection');
    const holeCrossing = poly(sq(25, -3, 0.1), [...sq(25.05, -2.95, 0.1)].reverse());
    expect(codes(holeCrossing)).toContain('geometry.self_intersection');
    // A hole touching the shell at one corner is allowed.
    const touching = poly(sq(25, -3, 0.1), [
      [25, -3],
      [25.02, -2.98],
      [25.04, -2.99],
      [25, -3],
    ]);
    expect(codes(touching)).toEqual([]);
  });

  it('reports a MultiPolygon part lying inside another, with a make-valid offer', () => {
    const nested = {
      type: 'MultiPolygon' as const,
      coordinates: [[sq(25, -3, 0.1)], [sq(25.02, -2.98, 0.02)]],
    };
    const result = validateGeometry(nested);
    expect(result.problems.map((p) => [p.code, p.path, p.position, p.repair])).toEqual([
      ['geometry.parts_overlap', 'coordinates[1][0]', [25.02, -2.98], 'offer'],
    ]);
    expect(validateGeometry(makeValidOffer(nested).geometry).status).toBe('valid');
    // A part inside the other's hole is fine.
    const island = {
      type: 'MultiPolygon' as const,
      coordinates: [[sq(25, -3, 0.1), [...sq(25.01, -2.99, 0.05)].reverse()], [sq(25.02, -2.98, 0.02)]],
    };
    expect(validateGeometry(island).problems).toEqual([]);
  });

  it('reports a hole outside its shell', () => {
    const result = validateGeometry(poly(sq(25, -3, 0.1), [...sq(26, -3, 0.01)].reverse()));
    expect(result.problems.map((p) => [p.code, p.path, p.position])).toEqual([
      ['geometry.hole_outside_shell', 'coordinates[1][0]', [26, -3]],
    ]);
  });

  it('refuses degenerate and too large areas, with paths into a MultiPolygon', () => {
    const flat = {
      type: 'MultiPolygon',
      coordinates: [
        [sq(25, -3, 0.1)],
        [
          [
            [26, -3],
            [26.1, -3],
            [26.2, -3],
            [26, -3],
          ],
        ],
      ],
    };
    // A flat ring folds back on itself; no "too small" on top of that.
    const flatProblems = validateGeometry(flat).problems;
    expect(new Set(flatProblems.map((p) => p.code))).toEqual(new Set(['geometry.self_intersection']));
    expect(flatProblems.every((p) => p.path.startsWith('coordinates[1][0]'))).toBe(true);
    const sliver = poly([
      [25, -3],
      [25.1, -3],
      [25.1, -3 + 1e-11],
      [25, -3],
    ]);
    expect(codes(sliver)).toEqual(['geometry.too_small']);
    expect(codes(poly(sq(25, -3, 0.1)), { maxAreaM2: 1e6 })).toEqual(['geometry.too_large']);
    expect(codes(poly(sq(25, -3, 0.1)), { maxAreaM2: 1e9 })).toEqual([]);
  });

  it('checks a 10,000-vertex ring and finds the one crossing in it (its speed is measured in bench/cadastre.ts)', () => {
    const angles = Array.from({ length: 10_000 }, (_, i) => (i * 360) / 10_000);
    const shapes = {
      // A wavy outline, like a digitised river boundary.
      wavy: starPolygon(
        [25, -3],
        angles,
        angles.map((a) => 0.8 + 0.2 * Math.sin((a * Math.PI) / 36)),
        0.2,
      ),
      // A saw-tooth: long overlapping edges, the index's worst ordinary case.
      spiky: starPolygon(
        [25, -3],
        angles,
        angles.map((_, i) => 0.6 + 0.4 * Math.abs(Math.sin(i * 0.37))),
        0.2,
      ),
    };
    for (const [name, ring] of Object.entries(shapes)) {
      const crossed = structuredClone(ring);
      const r = crossed.coordinates[0]!;
      [r[100], r[5000]] = [r[5000]!, r[100]!];
      expect(validateGeometry(ring).status).toBe('valid');
      const bad = validateGeometry(crossed);
      const crossings = bad.problems.filter((p) => p.code === 'geometry.self_intersection');
      expect(crossings.length, name).toBeGreaterThan(0);
    }
  });

  it('property: safely broken polygons are repairable, and repaired they validate', () => {
    const breakage = fc.record({
      reverse: fc.boolean(),
      open: fc.boolean(),
      duplicate: fc.option(fc.nat(), { nil: undefined }),
      swap: fc.boolean(),
    });
    fc.assert(
      fc.property(arbitraryPolygon(), breakage, (p, how) => {
        let pts = p.coordinates[0]!.map((q) => [...q] as Position);
        if (how.reverse) pts.reverse();
        if (how.duplicate !== undefined) {
          const k = how.duplicate % (pts.length - 1);
          pts.splice(k, 0, [...pts[k]!] as Position);
        }
        if (how.open) pts = pts.slice(0, -1);
        if (how.swap) pts = pts.map(([x, y]) => [y, x]);
        const broken = poly(pts);
        const result = validateGeometry(broken, { bboxHint: DRC });
        const broke = how.reverse || how.open || how.duplicate !== undefined || how.swap;
        expect(result.status).toBe(broke ? 'repairable' : 'valid');
        const fixed = repair(
          broken,
          result.problems.map((q) => q.code),
        );
        expect(validateGeometry(fixed, { bboxHint: DRC }).problems).toEqual([]);
        expect(area(fixed)).toBeCloseTo(area(p), 3);
      }),
      { numRuns: 300 },
    );
  });

  it('every code has a repair kind', () => {
    const all = Object.keys(REPAIR_OF) as GeometryProblemCode[];
    expect(all.filter((c) => REPAIR_OF[c] === 'safe').sort()).toEqual([
      'geometry.coordinates_swapped',
      'geometry.duplicate_point',
      'geometry.ring_unclosed',
      'geometry.winding',
    ]);
  });
});
