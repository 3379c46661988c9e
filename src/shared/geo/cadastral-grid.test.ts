import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CadastralGrid,
  cellAt,
  cellId,
  cellPolygon,
  cellsCovering,
  cellsOutline,
  parseCellId,
} from './cadastral-grid.ts';
import { difference, union } from './clip.ts';
import { area } from './measure.ts';
import { arbitraryPolygon } from './test-shapes.ts';
import type { PolygonGeometry } from './types.ts';
import { validateGeometry } from './validate.ts';

// 3.6″ cells over a 0.5° × 0.5° block of the DRC (500 × 500 cells).
const grid: CadastralGrid = { origin: [27.25, -2.75], cellArcSeconds: 3.6, columns: 500, rows: 500 };
const ids = (...cells: [number, number][]) => cells.map(([column, row]) => cellId({ column, row }));

describe('cadastral grid', () => {
  it('names cells and finds them back', () => {
    expect(cellId({ column: 120, row: 45 })).toBe('E120N45');
    expect(parseCellId(grid, 'E120N45')).toEqual({ column: 120, row: 45 });
    expect(parseCellId(grid, 'E500N0')).toBeNull();
    expect(parseCellId(grid, 'N1E1')).toBeNull();
    expect(cellAt(grid, [27.2505, -2.7495])).toEqual({ column: 0, row: 0 });
    expect(cellAt(grid, [27.0, -2.7])).toBeNull();
    const square = cellPolygon(grid, 'E1N2');
    expect(square.coordinates[0]![0]).toEqual([27.251, -2.748]);
    expect(validateGeometry(square).status).toBe('valid');
    // About 1.23 ha near the equator.
    expect(area(square) / 1e4).toBeCloseTo(1.232, 2);
    expect(() => cellPolygon(grid, 'E-1N0')).toThrow(RangeError);
  });

  it('covers a cell-aligned rectangle with exactly its cells', () => {
    const rect: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [27.251, -2.748],
          [27.254, -2.748],
          [27.254, -2.746],
          [27.251, -2.746],
          [27.251, -2.748],
        ],
      ],
    };
    const cells = cellsCovering(grid, rect);
    expect(cells).toEqual(ids([1, 2], [2, 2], [3, 2], [1, 3], [2, 3], [3, 3]));
    expect(cellsCovering(grid, rect, 'centre')).toEqual(cells);
  });

  it('outlines a set of cells: merged runs, holes, corners that touch', () => {
    const l = cellsOutline(grid, ids([0, 0], [1, 0], [2, 0], [0, 1]))!;
    expect(l.coordinates).toHaveLength(1);
    expect(l.coordinates[0]![0]).toHaveLength(7);
    // A ring of 8 cells around an empty one: a square with a hole.
    const donut = cellsOutline(grid, ids([0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [0, 2], [1, 2], [2, 2]))!;
    expect(donut.coordinates).toHaveLength(1);
    expect(donut.coordinates[0]).toHaveLength(2);
    expect(validateGeometry(donut).status).toBe('valid');
    // Two cells meeting at a corner stay two polygons.
    const diagonal = cellsOutline(grid, ids([0, 0], [1, 1]))!;
    expect(diagonal.coordinates).toHaveLength(2);
    expect(validateGeometry(diagonal).status).toBe('valid');
    // A "C" whose ends touch at a corner: an outline and a hole touching it there, not a ring
    // that touches itself.
    const c = cellsOutline(grid, ids([0, 2], [1, 2], [2, 2], [0, 3], [2, 3], [0, 4], [1, 4]))!;
    expect(c.coordinates).toHaveLength(1);
    expect(c.coordinates[0]).toHaveLength(2);
    expect(validateGeometry(c).problems).toEqual([]);
    expect(cellsOutline(grid, [])).toBeNull();
  });

  it('property: any set of cells outlines into a valid area equal to the cells', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })), {
          minLength: 1,
          maxLength: 60,
          selector: ([c, r]) => `${c},${r}`,
        }),
        (cells) => {
          const outline = cellsOutline(grid, ids(...cells))!;
          const result = validateGeometry(outline);
          expect(result.problems).toEqual([]);
          const squares = ids(...cells).map((id) => cellPolygon(grid, id));
          const merged = union(squares[0]!, ...squares.slice(1))!;
          expect(Math.abs(area(outline) - area(merged))).toBeLessThan(1e-3);
          expect(cellsCovering(grid, outline, 'centre').sort()).toEqual(ids(...cells).sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: the cells covering a polygon contain it', () => {
    fc.assert(
      fc.property(arbitraryPolygon([27.5, -2.5]), (polygon) => {
        const cells = cellsCovering(grid, polygon);
        const outline = cellsOutline(grid, cells)!;
        const outside = difference(polygon, outline);
        expect(outside ? area(outside) : 0).toBeLessThan(1e-6 * area(polygon) + 1e-3);
        // No cell is taken for nothing: each one meets the polygon with some area.
        const centre = new Set(cellsCovering(grid, polygon, 'centre'));
        for (const id of centre) expect(cells).toContain(id);
      }),
      { numRuns: 100 },
    );
  });
});
