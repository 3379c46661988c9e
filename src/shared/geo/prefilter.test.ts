import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlap } from './clip.ts';
import { bboxesIntersect } from './measure.ts';
import { BoxIndex, boxLiteral, gridCellsForBbox, overlapsWithin } from './prefilter.ts';
import { arbitraryPolygon } from './test-shapes.ts';
import type { BBox } from './types.ts';

const arbitraryBox = fc
  .tuple(
    fc.double({ min: 20, max: 21, noNaN: true }),
    fc.double({ min: -3, max: -2, noNaN: true }),
    fc.double({ min: 0, max: 0.2, noNaN: true }),
    fc.double({ min: 0, max: 0.2, noNaN: true }),
  )
  .map(([w, s, dx, dy]): BBox => [w, s, w + dx, s + dy]);

describe('prefilter', () => {
  it('writes a PostgreSQL box literal as PostgreSQL prints it', () => {
    expect(boxLiteral([29.5, -2, 30.1, -1.2])).toBe('(30.1,-1.2),(29.5,-2)');
    expect(boxLiteral([0.1 + 0.2, 0, 1, 1])).toBe('(1,1),(0.30000000000000004,0)');
    expect(() => boxLiteral([1, 0, 0, 1])).toThrow(RangeError);
    expect(() => boxLiteral([Number.NaN, 0, 0, 1])).toThrow(RangeError);
  });

  it('lists the world-grid cells of a bbox, or null when there are too many', () => {
    const cells = gridCellsForBbox([29.95, -2.05, 30.05, -1.95], 0.1)!;
    expect(cells.map((c) => [c.column, c.row])).toEqual([
      [2099, 879],
      [2100, 879],
      [2099, 880],
      [2100, 880],
    ]);
    expect(cells[0]!.key).toBe(879 * 3600 + 2099);
    expect(gridCellsForBbox([12, -13, 31, 5], 0.1)).toBeNull();
    expect(gridCellsForBbox([180, 90, 180, 90], 1)).toEqual([
      { column: 359, row: 179, key: 179 * 360 + 359 },
    ]);
  });

  it('property: the box index finds exactly the pairs a brute-force scan finds', () => {
    fc.assert(
      fc.property(fc.array(arbitraryBox, { maxLength: 60 }), (boxes) => {
        const brute: [number, number][] = [];
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++)
            if (bboxesIntersect(boxes[i]!, boxes[j]!)) brute.push([i, j]);
        }
        expect(new BoxIndex(boxes).candidatePairs()).toEqual(brute);
      }),
    );
    expect(new BoxIndex([]).search([0, 0, 1, 1])).toEqual([]);
  });

  it('property: overlaps within a batch are the exact pairwise overlaps', () => {
    fc.assert(
      fc.property(fc.array(arbitraryPolygon([27.5, -2.5]), { minLength: 2, maxLength: 8 }), (polygons) => {
        const found = overlapsWithin(polygons);
        for (let i = 0; i < polygons.length; i++) {
          for (let j = i + 1; j < polygons.length; j++) {
            const exact = overlap(polygons[i]!, polygons[j]!);
            const hit = found.find((o) => o.a === i && o.b === j);
            if (exact.areaM2 > 0) {
              expect(hit?.areaM2).toBeCloseTo(exact.areaM2, 6);
              expect(hit?.percentOfA).toBeCloseTo(exact.percentOfFirst, 6);
              expect(hit?.percentOfB).toBeCloseTo(overlap(polygons[j]!, polygons[i]!).percentOfFirst, 3);
            } else expect(hit).toBeUndefined();
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});
