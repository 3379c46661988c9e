/**
 * Candidate search before the exact overlay. In SQL: a `box` column with a GiST index (core
 * PostgreSQL and PGlite, no PostGIS) or a table of fixed grid cells; in memory: a packed R-tree
 * (flatbush) for batch work such as an import checking thousands of features against each other.
 * A prefilter only narrows: the exact answer always comes from `clip.ts`.
 */
import Flatbush from 'flatbush';
import { overlap } from './clip.ts';
import { area, bbox } from './measure.ts';
import type { AreaGeometry, BBox } from './types.ts';

/**
 * A literal for PostgreSQL's `box` type, written as PostgreSQL prints it (upper-right corner first),
 * e.g. `'(30.1,-1.2),(29.5,-2)'::box`. Numbers keep their full precision.
 */
export function boxLiteral(box: BBox): string {
  const [w, s, e, n] = box;
  if (![w, s, e, n].every(Number.isFinite) || w > e || s > n)
    throw new RangeError(`not a bbox: ${box.join(',')}`);
  return `(${e},${n}),(${w},${s})`;
}

export interface PrefilterCell {
  /** Column from −180°, row from −90°, in cells of `cellDegrees`. */
  column: number;
  row: number;
  /** row · columns + column: one integer per cell of the world grid, for an indexed cell table. */
  key: number;
}

/**
 * The cells of a fixed world grid (cells of `cellDegrees`, from −180°, −90°) that a bbox touches,
 * or null when there are more than `maxCells` (the caller falls back to the box prefilter).
 */
export function gridCellsForBbox(box: BBox, cellDegrees: number, maxCells = 10_000): PrefilterCell[] | null {
  if (!(cellDegrees > 0)) throw new RangeError('cellDegrees must be positive');
  const columns = Math.ceil(360 / cellDegrees);
  const rows = Math.ceil(180 / cellDegrees);
  const col = (lon: number) => Math.min(columns - 1, Math.max(0, Math.floor((lon + 180) / cellDegrees)));
  const row = (lat: number) => Math.min(rows - 1, Math.max(0, Math.floor((lat + 90) / cellDegrees)));
  const [c0, r0, c1, r1] = [col(box[0]), row(box[1]), col(box[2]), row(box[3])];
  if ((c1 - c0 + 1) * (r1 - r0 + 1) > maxCells) return null;
  const cells: PrefilterCell[] = [];
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) cells.push({ column: c, row: r, key: r * columns + c });
  }
  return cells;
}

/** A static in-memory index of bboxes (flatbush); item numbers are the positions in the input. */
export class BoxIndex {
  readonly #index: Flatbush | null;
  readonly boxes: readonly BBox[];

  constructor(boxes: readonly BBox[]) {
    this.boxes = boxes;
    if (boxes.length === 0) {
      this.#index = null;
      return;
    }
    const index = new Flatbush(boxes.length);
    for (const [w, s, e, n] of boxes) index.add(w, s, e, n);
    index.finish();
    this.#index = index;
  }

  /** Items whose box meets `box` (touching counts). */
  search(box: BBox): number[] {
    return this.#index ? this.#index.search(box[0], box[1], box[2], box[3]) : [];
  }

  /** Every pair i < j whose boxes meet. */
  candidatePairs(): [number, number][] {
    const pairs: [number, number][] = [];
    this.boxes.forEach((box, i) => {
      for (const j of this.search(box)) if (j > i) pairs.push([i, j]);
    });
    return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }
}

export interface BatchOverlap {
  a: number;
  b: number;
  areaM2: number;
  /** Overlap as a % of the area of `a` and of `b`. */
  percentOfA: number;
  percentOfB: number;
}

/**
 * Overlaps among a batch of areas (an import checking itself): box candidates from the index, then
 * the exact intersection. Pairs whose common area is not above `minAreaM2` (shared edges) are left out.
 */
export function overlapsWithin(geometries: readonly AreaGeometry[], minAreaM2 = 0): BatchOverlap[] {
  const index = new BoxIndex(geometries.map(bbox));
  const result: BatchOverlap[] = [];
  for (const [a, b] of index.candidatePairs()) {
    const o = overlap(geometries[a]!, geometries[b]!);
    if (o.areaM2 <= minAreaM2) continue;
    const areaB = area(geometries[b]!);
    const percentOfB = areaB > 0 ? (100 * o.areaM2) / areaB : 0;
    result.push({ a, b, areaM2: o.areaM2, percentOfA: o.percentOfFirst, percentOfB });
  }
  return result;
}
