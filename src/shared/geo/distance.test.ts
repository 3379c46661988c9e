import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intersection } from './clip.ts';
import { areaDistance, areasMeet, expandBoxByMetres } from './distance.ts';
import { MEAN_RADIUS } from './measure.ts';
import { arbitraryPolygon, starPolygon } from './test-shapes.ts';
import type { PolygonGeometry, Position } from './types.ts';
import { polygonsOf } from './types.ts';

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

/** Great-circle distance by the haversine formula, on the sphere `area` uses: the reference. */
function haversine(a: Position, b: Position): number {
  const r = Math.PI / 180;
  const dLat = (b[1] - a[1]) * r;
  const dLon = (b[0] - a[0]) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(dLon / 2) ** 2;
  return 2 * MEAN_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)));
}

const vertices = (g: PolygonGeometry): Position[] => polygonsOf(g).flat(2 as 1) as unknown as Position[];

/** Moves a position `metres` along a bearing (degrees from north) on the sphere. */
function destination(p: Position, bearingDeg: number, metres: number): Position {
  const r = Math.PI / 180;
  const d = metres / MEAN_RADIUS;
  const lat1 = p[1] * r;
  const lon1 = p[0] * r;
  const b = bearingDeg * r;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon1 +
    Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return [lon2 / r, lat2 / r];
}

describe('areaDistance', () => {
  it('is 0 for overlapping, touching and nested areas, and the gap for areas apart', () => {
    expect(areaDistance(rect(0, 0, 1, 1), rect(0.5, 0.5, 2, 2))).toBe(0);
    expect(areaDistance(rect(0, 0, 1, 1), rect(1, 0, 2, 1))).toBe(0);
    expect(areaDistance(rect(0, 0, 1, 1), rect(0.2, 0.2, 0.3, 0.3))).toBe(0);
    // A plus sign: boundaries cross but no corner of one lies inside the other.
    expect(areaDistance(rect(0, 0.4, 1, 0.6), rect(0.4, 0, 0.6, 1))).toBe(0);
    // 0.001° of latitude apart, due north.
    const apart = areaDistance(rect(10, 5, 10.01, 5.01), rect(10, 5.011, 10.01, 5.02));
    expect(apart).toBeCloseTo(haversine([10, 5.01], [10, 5.011]), 3);
  });

  it('measures from inside a hole to the hole’s edge', () => {
    const ringWithHole: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        rect(0, 0, 1, 1).coordinates[0]!,
        [...rect(0.2, 0.2, 0.8, 0.8).coordinates[0]!].reverse(),
      ],
    };
    const island = rect(0.4, 0.4, 0.6, 0.6);
    expect(areasMeet(ringWithHole, island)).toBe(false);
    expect(areaDistance(ringWithHole, island)).toBeCloseTo(haversine([0.2, 0.5], [0.4, 0.5]), 0);
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(arbitraryPolygon([20, -5]), arbitraryPolygon([20.03, -5]), (a, b) => {
        const d = areaDistance(a, b);
        expect(d).toBe(areaDistance(b, a));
        // And it agrees with the exact overlay on whether they overlap.
        if (intersection(a, b)) expect(d).toBe(0);
        else if (d === 0) expect(areasMeet(a, b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is 0 when the areas overlap', () => {
    fc.assert(
      fc.property(
        arbitraryPolygon(),
        fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 12 }),
        fc.double({ min: 0.001, max: 0.05, noNaN: true }),
        (a, angles, scale) => {
          // Star polygons hold their centre: one drawn around a's centre overlaps a.
          const ring = a.coordinates[0]!;
          const centre: [number, number] = [
            ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1),
            ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1),
          ];
          const spread = [...angles].sort((x, y) => x - y);
          const gapsOk = spread.every(
            (x, i) => ((spread[(i + 1) % spread.length]! - x + 360) % 360 || 360) < 180,
          );
          fc.pre(gapsOk);
          const b = starPolygon(centre, angles, [1], scale);
          expect(intersection(a, b)).not.toBeNull();
          expect(areaDistance(a, b)).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is never more than the distance between any two of their corners', () => {
    fc.assert(
      fc.property(arbitraryPolygon(), arbitraryPolygon(), (a, b) => {
        const d = areaDistance(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        for (const p of vertices(a)) {
          for (const q of vertices(b)) expect(d).toBeLessThanOrEqual(haversine(p, q) * 1.005 + 1e-6);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with the great-circle distance within 0.5 % for areas a few km apart', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: 500, max: 8000, noNaN: true }),
        fc.constantFrom(0, 45, 90, 135, 180, 225, 270, 315),
        (lat, lon, gap, bearing) => {
          // A 1 km square, and a second one whose nearest corner or side is `gap` metres away.
          const side = 1000 / (MEAN_RADIUS * (Math.PI / 180));
          const a = rect(lon, lat, lon + side / Math.cos((lat * Math.PI) / 180), lat + side);
          const [w, s, e, n] = [a.coordinates[0]![0]![0], lat, a.coordinates[0]![1]![0], lat + side];
          // The point of `a` the gap is measured from, and the point of `b` across it.
          const from: Position =
            bearing === 0
              ? [(w + e) / 2, n]
              : bearing === 180
                ? [(w + e) / 2, s]
                : bearing === 90
                  ? [e, (s + n) / 2]
                  : bearing === 270
                    ? [w, (s + n) / 2]
                    : [bearing < 180 ? e : w, bearing === 45 || bearing === 315 ? n : s];
          const to = destination(from, bearing, gap);
          const size = side / 2;
          const lonScale = 1 / Math.cos((to[1] * Math.PI) / 180);
          // b extends away from a: its corner (or side midpoint) at `to`.
          const east = bearing > 0 && bearing < 180;
          const west = bearing > 180;
          const north = bearing < 90 || bearing > 270;
          const south = bearing > 90 && bearing < 270;
          const bw = east ? to[0] : west ? to[0] - size * lonScale : to[0] - (size / 2) * lonScale;
          const be = east ? to[0] + size * lonScale : west ? to[0] : to[0] + (size / 2) * lonScale;
          const bs = north ? to[1] : south ? to[1] - size : to[1] - size / 2;
          const bn = north ? to[1] + size : south ? to[1] : to[1] + size / 2;
          const d = areaDistance(a, rect(bw, bs, be, bn));
          expect(Math.abs(d - gap) / gap).toBeLessThan(0.005);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('expandBoxByMetres', () => {
  it('holds every point within the distance of the box', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -70, max: 70, noNaN: true }),
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: 1, max: 50_000, noNaN: true }),
        fc.double({ min: 0, max: 359, noNaN: true }),
        (lat, lon, metres, bearing) => {
          const box: [number, number, number, number] = [lon, lat, lon + 0.01, lat + 0.01];
          const grown = expandBoxByMetres(box, metres);
          for (const corner of [
            [box[0], box[1]],
            [box[2], box[1]],
            [box[2], box[3]],
            [box[0], box[3]],
          ] as Position[]) {
            const p = destination(corner, bearing, metres);
            expect(p[0]).toBeGreaterThanOrEqual(grown[0]);
            expect(p[0]).toBeLessThanOrEqual(grown[2]);
            expect(p[1]).toBeGreaterThanOrEqual(grown[1]);
            expect(p[1]).toBeLessThanOrEqual(grown[3]);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(expandBoxByMetres([1, 2, 3, 4], 0)).toEqual([1, 2, 3, 4]);
    expect(expandBoxByMetres([10, 89.9, 11, 89.95], 50_000)).toEqual([-180, expect.any(Number), 180, 90]);
  });
});
