/**
 * Application areas in a country whose profile defines a fixed cadastral grid (as Colombia's): the
 * area is a set of cells, given as ids or derived from a drawn geometry, and what is checked is the
 * outline of those cells (src/shared/geo/cadastral-grid.ts).
 */
import {
  type CadastralGrid,
  cellsCovering,
  cellsOutline,
  parseCellId,
} from '../../../shared/geo/cadastral-grid.ts';
import { bbox } from '../../../shared/geo/measure.ts';
import type { AreaGeometry, MultiPolygonGeometry } from '../../../shared/geo/types.ts';
import { type CadastreSettings, cadastreSettingsSchema } from '../../../shared/profile-schema.ts';
import { MAX_APPLICATION_CELLS } from '../../../shared/schemas/cadastre.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';

/** At most this many offending cell ids are listed in one answer (the count is always given). */
const MAX_LISTED_CELLS = 100;
/**
 * A drawn area whose box spans more cells than this is refused before its cells are listed: it
 * could not fit in MAX_APPLICATION_CELLS unless it is a long thin sliver, which no real
 * application is.
 */
const MAX_BOX_CELLS = 1_000_000;

export const gridProblems = {
  noGrid: () =>
    new AppError(
      422,
      'cadastre.no_grid',
      "This country's cadastre has no grid of cells: give the area as a geometry.",
    ),
  invalidCells: (bad: { index: number; id: string }[]) =>
    new AppError(
      422,
      'cadastre.invalid_cells',
      `${bad.length} cell id(s) are not cells of this country's grid.`,
      {
        cells: bad.slice(0, MAX_LISTED_CELLS).map((b) => b.id),
        invalidCount: bad.length,
        errors: bad.slice(0, MAX_LISTED_CELLS).map(
          (b): FieldError => ({
            path: `body.cells[${b.index}]`,
            code: 'not_a_cell',
            message: `${b.id} is not a cell of this grid (E{column}N{row} within its extent).`,
          }),
        ),
      },
    ),
  outsideGrid: () =>
    new AppError(422, 'cadastre.outside_grid', "The area reaches beyond the country's cadastral grid."),
  tooManyCells: (max: number) =>
    new AppError(
      422,
      'cadastre.too_many_cells',
      `The area covers more than ${max} cells of the cadastral grid.`,
      { maxCells: max },
    ),
};

/**
 * The profile's `cadastre` settings, with their defaults when the profile has none. Loaded
 * profiles were validated in full; parsing again guards against a document written by other means.
 */
export function parseCadastreSettings(raw: unknown): CadastreSettings {
  return cadastreSettingsSchema.parse(raw ?? {});
}

const cellKey = (grid: CadastralGrid, c: { column: number; row: number }) => c.row * grid.columns + c.column;

/** Cell ids checked against the grid, sorted by row then column (as cellsCovering sorts them). */
export function cellsFromIds(grid: CadastralGrid, ids: readonly string[]): string[] {
  const bad: { index: number; id: string }[] = [];
  const cells: { id: string; key: number }[] = [];
  ids.forEach((id, index) => {
    const cell = parseCellId(grid, id);
    if (cell) cells.push({ id, key: cellKey(grid, cell) });
    else bad.push({ index, id });
  });
  if (bad.length > 0) throw gridProblems.invalidCells(bad);
  return cells.sort((a, b) => a.key - b.key).map((c) => c.id);
}

/** Every cell a drawn area touches (mode 'intersects'): the union of the cells holds the area. */
export function cellsFromGeometry(grid: CadastralGrid, geometry: AreaGeometry): string[] {
  const [w, s, e, n] = bbox(geometry);
  const size = grid.cellArcSeconds / 3600;
  const east = grid.origin[0] + grid.columns * size;
  const north = grid.origin[1] + grid.rows * size;
  if (w < grid.origin[0] || s < grid.origin[1] || e > east || n > north) throw gridProblems.outsideGrid();
  if (((e - w) / size + 1) * ((n - s) / size + 1) > MAX_BOX_CELLS) {
    throw gridProblems.tooManyCells(MAX_APPLICATION_CELLS);
  }
  const cells = cellsCovering(grid, geometry, 'intersects');
  if (cells.length > MAX_APPLICATION_CELLS) throw gridProblems.tooManyCells(MAX_APPLICATION_CELLS);
  // A valid polygon inside the grid always touches a cell; an empty answer would be a bug upstream.
  if (cells.length === 0) throw gridProblems.outsideGrid();
  return cells;
}

/** The outline of cells that are known to be valid and non-empty. */
export function outlineOf(grid: CadastralGrid, cells: readonly string[]): MultiPolygonGeometry {
  const outline = cellsOutline(grid, cells);
  if (!outline) throw new Error('an application has at least one cell');
  return outline;
}
