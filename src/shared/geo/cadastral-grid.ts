/**
 * A fixed cadastral grid (as Colombia's): the country is cut into cells of a fixed size in
 * arc-seconds from an origin, an application is a set of cells, and two rights overlap exactly
 * when they share a cell. Work is done in integer cell units, so outlines are exact.
 */
import { pointInRing } from './measure.ts';
import type { AreaGeometry, MultiPolygonGeometry, PolygonCoords, Position } from './types.ts';
import { polygonsOf } from './types.ts';

export interface CadastralGrid {
  /** South-west corner of cell E0N0, [lon, lat] in degrees. */
  origin: [number, number];
  /** Side of a cell in arc-seconds (Colombia: 3.6″, about 1.2 ha near the equator). */
  cellArcSeconds: number;
  /** Extent in cells east and north of the origin. */
  columns: number;
  rows: number;
}

export interface GridCell {
  column: number;
  row: number;
}

const ID = /^E(\d+)N(\d+)$/;

/** `E{column}N{row}`, e.g. E120N45: the 121st column east and 46th row north of the origin. */
export function cellId(cell: GridCell): string {
  return `E${cell.column}N${cell.row}`;
}

export function parseCellId(grid: CadastralGrid, id: string): GridCell | null {
  const m = ID.exec(id);
  if (!m) return null;
  const cell = { column: Number(m[1]), row: Number(m[2]) };
  return inGrid(grid, cell) ? cell : null;
}

function inGrid(grid: CadastralGrid, cell: GridCell): boolean {
  return (
    Number.isSafeInteger(cell.column) &&
    Number.isSafeInteger(cell.row) &&
    cell.column >= 0 &&
    cell.row >= 0 &&
    cell.column < grid.columns &&
    cell.row < grid.rows
  );
}

const size = (grid: CadastralGrid): number => grid.cellArcSeconds / 3600;
/** Grid units → degrees, computed from integers so every corner is the same number everywhere. */
const lonOf = (grid: CadastralGrid, x: number): number => grid.origin[0] + (x * grid.cellArcSeconds) / 3600;
const latOf = (grid: CadastralGrid, y: number): number => grid.origin[1] + (y * grid.cellArcSeconds) / 3600;

/** The cell containing a position (a position on a line belongs to the cell east / north of it). */
export function cellAt(grid: CadastralGrid, position: Position): GridCell | null {
  const cell = {
    column: Math.floor((position[0] - grid.origin[0]) / size(grid)),
    row: Math.floor((position[1] - grid.origin[1]) / size(grid)),
  };
  return inGrid(grid, cell) ? cell : null;
}

/** The cell's square, counter-clockwise from its south-west corner. */
export function cellPolygon(
  grid: CadastralGrid,
  id: string,
): { type: 'Polygon'; coordinates: PolygonCoords } {
  const cell = parseCellId(grid, id);
  if (!cell) throw new RangeError(`not a cell of this grid: ${id}`);
  const { column: x, row: y } = cell;
  const corners: [number, number][] = [
    [x, y],
    [x + 1, y],
    [x + 1, y + 1],
    [x, y + 1],
    [x, y],
  ];
  return { type: 'Polygon', coordinates: [corners.map(([cx, cy]) => [lonOf(grid, cx), latOf(grid, cy)])] };
}

export type CoverMode = 'intersects' | 'centre';

/**
 * Cells covering an area, sorted by row then column. `intersects`: every cell whose interior meets
 * the area's interior (the union of the cells contains the area); `centre`: cells whose centre lies
 * inside the area (how a drawn sketch is usually turned into an application).
 */
export function cellsCovering(
  grid: CadastralGrid,
  geometry: AreaGeometry,
  mode: CoverMode = 'intersects',
): string[] {
  const s = size(grid);
  // Corners typed in degrees miss the grid lines by rounding (27.251 − 27.25 ≠ 0.001): within a
  // ten-millionth of a cell of a line (about 0.01 mm for 3.6″ cells), a corner is on it.
  const snap = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-7 ? Math.round(v) : v);
  const toGrid = (p: Position): [number, number] => [
    snap((p[0] - grid.origin[0]) / s),
    snap((p[1] - grid.origin[1]) / s),
  ];
  const rings = polygonsOf(geometry).flatMap((polygon) => polygon.map((ring) => ring.map(toGrid)));
  const found = new Set<number>();
  const key = (c: number, r: number) => r * grid.columns + c;
  const mark = (c: number, r: number) => {
    if (c >= 0 && r >= 0 && c < grid.columns && r < grid.rows) found.add(key(c, r));
  };
  let minY = Infinity;
  let maxY = -Infinity;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const ring of rings) {
    for (const [x, y] of ring) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
  }
  if (!Number.isFinite(minY)) return [];
  // Cells whose centre is inside (even–odd over all rings, so holes are left out): one scanline per row.
  const rowFrom = Math.max(0, Math.floor(minY));
  const rowTo = Math.min(grid.rows - 1, Math.ceil(maxY));
  for (let r = rowFrom; r <= rowTo; r++) {
    const yc = r + 0.5;
    const xs: number[] = [];
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i]!;
        const [x2, y2] = ring[i + 1]!;
        if (y1 > yc !== y2 > yc) xs.push(x1 + ((yc - y1) * (x2 - x1)) / (y2 - y1));
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Centres c + 0.5 with xs[k] < c + 0.5 < xs[k+1].
      for (let c = Math.max(0, Math.ceil(xs[k]! - 0.5)); c + 0.5 < xs[k + 1]!; c++) {
        if (c + 0.5 > xs[k]!) mark(c, r);
      }
    }
  }
  if (mode === 'intersects') {
    // Cells whose interior an edge passes through: split each edge where it crosses grid lines and
    // mark the cell holding the middle of each piece, unless the piece runs along a grid line.
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i]!;
        const [x2, y2] = ring[i + 1]!;
        const ts = [0, 1];
        const cross = (a: number, b: number) => {
          for (let g = Math.ceil(Math.min(a, b)); g <= Math.floor(Math.max(a, b)); g++) {
            if (a !== b) ts.push((g - a) / (b - a));
          }
        };
        cross(x1, x2);
        cross(y1, y2);
        ts.sort((a, b) => a - b);
        for (let k = 0; k + 1 < ts.length; k++) {
          if (ts[k + 1]! - ts[k]! <= 0) continue;
          const t = (ts[k]! + ts[k + 1]!) / 2;
          const x = x1 + t * (x2 - x1);
          const y = y1 + t * (y2 - y1);
          if (Number.isInteger(x) || Number.isInteger(y)) continue;
          mark(Math.floor(x), Math.floor(y));
        }
      }
    }
    // An area smaller than one cell, drawn inside it, crosses no grid line and holds no centre.
    if (found.size === 0 && rings.length > 0) {
      const c = Math.floor((minX + maxX) / 2);
      const r = Math.floor((minY + maxY) / 2);
      if (maxX - minX > 0 && maxY - minY > 0) mark(c, r);
    }
  }
  return [...found]
    .sort((a, b) => a - b)
    .map((k) => cellId({ column: k % grid.columns, row: Math.floor(k / grid.columns) }));
}

/**
 * The outline of a set of cells as a MultiPolygon (exteriors counter-clockwise, holes clockwise,
 * straight runs merged), or null for no cell. Edges shared by two cells cancel; the rest are chained
 * into rings, turning as far left as possible where two cells meet at a corner, so rings stay simple.
 */
export function cellsOutline(grid: CadastralGrid, ids: readonly string[]): MultiPolygonGeometry | null {
  const cells = new Set<string>();
  for (const id of ids) {
    const cell = parseCellId(grid, id);
    if (!cell) throw new RangeError(`not a cell of this grid: ${id}`);
    cells.add(`${cell.column},${cell.row}`);
  }
  if (cells.size === 0) return null;
  const vkey = (x: number, y: number) => `${x},${y}`;
  // Directed boundary edges with the area on their left, keyed by start vertex.
  const outgoing = new Map<string, [number, number][]>();
  const has = (c: number, r: number) => cells.has(`${c},${r}`);
  const addEdge = (x1: number, y1: number, x2: number, y2: number) => {
    const k = vkey(x1, y1);
    const list = outgoing.get(k) ?? [];
    list.push([x2, y2]);
    outgoing.set(k, list);
  };
  for (const key of cells) {
    const [c, r] = key.split(',').map(Number) as [number, number];
    if (!has(c, r - 1)) addEdge(c, r, c + 1, r);
    if (!has(c + 1, r)) addEdge(c + 1, r, c + 1, r + 1);
    if (!has(c, r + 1)) addEdge(c + 1, r + 1, c, r + 1);
    if (!has(c - 1, r)) addEdge(c, r + 1, c, r);
  }
  const rings: [number, number][][] = [];
  // Left-most turn relative to the incoming direction: 0 left, 1 straight, 2 right, 3 back.
  const rank = (from: [number, number], at: [number, number], to: [number, number]): number => {
    const dx = at[0] - from[0];
    const dy = at[1] - from[1];
    const ex = to[0] - at[0];
    const ey = to[1] - at[1];
    const crossZ = dx * ey - dy * ex;
    return crossZ > 0 ? 0 : dx * ex + dy * ey > 0 ? 1 : crossZ < 0 ? 2 : 3;
  };
  for (const [start, list] of outgoing) {
    const [sx, sy] = start.split(',').map(Number) as [number, number];
    while (list.length > 0) {
      // Every vertex has as many edges in as out, so the walk can only end back at its start.
      const ring: [number, number][] = [[sx, sy]];
      let previous: [number, number] = [sx, sy];
      let current = list.pop()!;
      while (current[0] !== sx || current[1] !== sy) {
        ring.push(current);
        const options = outgoing.get(vkey(current[0], current[1]))!;
        let best = 0;
        for (let k = 1; k < options.length; k++) {
          if (rank(previous, current, options[k]!) < rank(previous, current, options[best]!)) best = k;
        }
        previous = current;
        current = options.splice(best, 1)[0]!;
      }
      for (const loop of splitAtRepeats(ring)) rings.push(simplifyStraight(loop));
    }
  }
  const signed = (ring: [number, number][]) => {
    let s = 0;
    for (let i = 0; i + 1 < ring.length; i++)
      s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
    return s / 2;
  };
  const shells = rings
    .filter((r) => signed(r) > 0)
    .map((ring) => ({ ring, area: signed(ring), holes: [] as [number, number][][] }));
  for (const hole of rings.filter((r) => signed(r) < 0)) {
    // A point inside the hole: the centre of the cell right of its first edge (the empty side).
    const [a, b] = [hole[0]!, hole[1]!];
    const ex = Math.sign(b[0] - a[0]);
    const ey = Math.sign(b[1] - a[1]);
    const probe: [number, number] = [a[0] + ex * 0.5 + ey * 0.5, a[1] + ey * 0.5 - ex * 0.5];
    const owner = shells.filter((s) => pointInRing(probe, s.ring) > 0).sort((p, q) => p.area - q.area)[0];
    owner?.holes.push(hole);
  }
  shells.sort((p, q) => p.ring[0]![1] - q.ring[0]![1] || p.ring[0]![0] - q.ring[0]![0]);
  const toLonLat = (ring: [number, number][]): Position[] =>
    ring.map(([x, y]) => [lonOf(grid, x), latOf(grid, y)]);
  return {
    type: 'MultiPolygon',
    coordinates: shells.map((s) => [toLonLat(s.ring), ...s.holes.map(toLonLat)]),
  };
}

/**
 * Cuts a ring that passes a vertex twice (a "C" of cells whose ends touch at a corner) into simple
 * closed loops: the C becomes its outline and a hole that touches it at that corner, as OGC wants.
 */
function splitAtRepeats(ring: [number, number][]): [number, number][][] {
  const loops: [number, number][][] = [];
  const stack: [number, number][] = [];
  const at = new Map<string, number>();
  for (const v of ring) {
    const k = `${v[0]},${v[1]}`;
    const seen = at.get(k);
    if (seen === undefined) {
      at.set(k, stack.length);
      stack.push(v);
      continue;
    }
    const loop = stack.splice(seen + 1);
    for (const p of loop) at.delete(`${p[0]},${p[1]}`);
    if (loop.length > 0) loops.push([stack[seen]!, ...loop, stack[seen]!]);
  }
  if (stack.length > 1) loops.push([...stack, stack[0]!]);
  return loops;
}

/** Drops vertices in the middle of straight runs of a closed ring. */
function simplifyStraight(ring: [number, number][]): [number, number][] {
  const pts = ring.slice(0, -1);
  const keep = pts.filter((p, i) => {
    const prev = pts[(i + pts.length - 1) % pts.length]!;
    const next = pts[(i + 1) % pts.length]!;
    return (p[0] - prev[0]) * (next[1] - p[1]) - (p[1] - prev[1]) * (next[0] - p[0]) !== 0;
  });
  return [...keep, keep[0]!];
}
