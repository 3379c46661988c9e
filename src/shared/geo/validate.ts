/**
 * Validation of an area drawn or uploaded by a person: every problem, with a stable code, where it
 * is (a path into the coordinates and the position) and whether a repair is safe. Shared with the
 * web client so a drawn polygon is checked before it is sent.
 *
 * Safe repairs change no boundary a person meant: closing a ring, dropping a repeated point,
 * rewinding, swapping (lat, lon) back to (lon, lat) when only the swapped order lies in the
 * country. A self-intersection has no safe repair: `makeValid` builds an offer that a person accepts.
 */
import Flatbush from 'flatbush';
import { makeValid } from './clip.ts';
import { area, bboxContains, planarSignedArea2, pointInRing, polygonArea } from './measure.ts';
import { BoxIndex } from './prefilter.ts';
import type { AreaGeometry, BBox, MultiPolygonGeometry, PolygonCoords, Position, Ring } from './types.ts';

export const GEOMETRY_PROBLEM_CODES = [
  'geometry.not_polygon',
  'geometry.malformed',
  'geometry.empty',
  'geometry.ring_too_short',
  'geometry.ring_unclosed',
  'geometry.coordinate_not_finite',
  'geometry.coordinate_out_of_range',
  'geometry.coordinates_swapped',
  'geometry.winding',
  'geometry.self_intersection',
  'geometry.parts_overlap',
  'geometry.hole_outside_shell',
  'geometry.duplicate_point',
  'geometry.too_large',
  'geometry.too_small',
] as const;
export type GeometryProblemCode = (typeof GEOMETRY_PROBLEM_CODES)[number];

/** safe: `repair` fixes it; offer: `makeValid` proposes a change a person must accept; none: redraw. */
export type RepairKind = 'safe' | 'offer' | 'none';

export const REPAIR_OF: Readonly<Record<GeometryProblemCode, RepairKind>> = {
  'geometry.not_polygon': 'none',
  'geometry.malformed': 'none',
  'geometry.empty': 'none',
  'geometry.ring_too_short': 'none',
  'geometry.ring_unclosed': 'safe',
  'geometry.coordinate_not_finite': 'none',
  'geometry.coordinate_out_of_range': 'none',
  'geometry.coordinates_swapped': 'safe',
  'geometry.winding': 'safe',
  'geometry.self_intersection': 'offer',
  'geometry.parts_overlap': 'offer',
  'geometry.hole_outside_shell': 'none',
  'geometry.duplicate_point': 'safe',
  'geometry.too_large': 'none',
  'geometry.too_small': 'none',
};

export interface GeometryProblem {
  code: GeometryProblemCode;
  /** Where in the GeoJSON, e.g. `coordinates[0][5]` (Polygon) or `coordinates[2][0][5]` (MultiPolygon). */
  path: string;
  /** The position concerned, [lon, lat] as the input has it, or null when there is none. */
  position: [number, number] | null;
  repair: RepairKind;
  /** English, for logs and tests; the client translates the code. */
  message: string;
}

export type GeometryStatus = 'valid' | 'repairable' | 'invalid';

export interface ValidationResult {
  status: GeometryStatus;
  problems: GeometryProblem[];
  /** Area in m² (sphere, as `area`) when it could be computed. */
  areaM2: number | null;
}

export interface ValidateOptions {
  /** The country's bbox: coordinates outside it that fit once swapped are reported as swapped. */
  bboxHint?: BBox;
  /** Refuse areas larger than this (m²). */
  maxAreaM2?: number;
  /** Polygons below this area (m²) are degenerate; default 1 m². */
  minAreaM2?: number;
  /** Stop listing self-intersections after this many; default 20. */
  maxIntersections?: number;
}

interface WorkRing {
  path: string;
  polygon: number;
  ringIndex: number;
  /** Closed, without consecutive duplicates, in the working (possibly swapped) frame. */
  points: [number, number][];
}

function ringBox(points: [number, number][]): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    box[0] = Math.min(box[0], x);
    box[1] = Math.min(box[1], y);
    box[2] = Math.max(box[2], x);
    box[3] = Math.max(box[3], y);
  }
  return box;
}

const isNumberArray = (value: unknown): value is unknown[] => Array.isArray(value);
const samePoint = (a: readonly number[], b: readonly number[]): boolean => a[0] === b[0] && a[1] === b[1];

function classify(problems: GeometryProblem[]): GeometryStatus {
  if (problems.length === 0) return 'valid';
  return problems.every((p) => p.repair === 'safe') ? 'repairable' : 'invalid';
}

export function validateGeometry(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const problems: GeometryProblem[] = [];
  let swapped = false;
  const out = (p: readonly number[]): [number, number] => (swapped ? [p[1]!, p[0]!] : [p[0]!, p[1]!]);
  const add = (
    code: GeometryProblemCode,
    path: string,
    position: readonly number[] | null,
    message: string,
  ) => {
    problems.push({
      code,
      path,
      position: position ? out(position) : null,
      repair: REPAIR_OF[code],
      message,
    });
  };

  const g = input as { type?: unknown; coordinates?: unknown } | null;
  if (typeof g !== 'object' || g === null || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
    add('geometry.not_polygon', 'type', null, 'the geometry must be a Polygon or a MultiPolygon');
    return { status: 'invalid', problems, areaM2: null };
  }
  if (!Array.isArray(g.coordinates)) {
    add('geometry.malformed', 'coordinates', null, 'coordinates must be an array');
    return { status: 'invalid', problems, areaM2: null };
  }
  const polygons: { path: string; rings: unknown[] }[] = [];
  if (g.type === 'Polygon') {
    polygons.push({ path: 'coordinates', rings: g.coordinates });
  } else {
    g.coordinates.forEach((polygon, p) => {
      const path = `coordinates[${p}]`;
      if (Array.isArray(polygon)) polygons.push({ path, rings: polygon });
      else add('geometry.malformed', path, null, 'a polygon must be an array of rings');
    });
  }
  if (polygons.length === 0 || polygons.every((p) => p.rings.length === 0)) {
    add('geometry.empty', 'coordinates', null, 'the geometry has no ring');
    return { status: 'invalid', problems, areaM2: null };
  }

  // 1. Positions: structure, finite numbers. Rings with a bad position are left out of later checks.
  const finiteRings: { path: string; polygon: number; ringIndex: number; raw: [number, number][] }[] = [];
  polygons.forEach((polygon, p) => {
    if (polygon.rings.length === 0) add('geometry.empty', polygon.path, null, 'the polygon has no ring');
    polygon.rings.forEach((ring, r) => {
      const path = `${polygon.path}[${r}]`;
      if (!Array.isArray(ring)) {
        add('geometry.malformed', path, null, 'a ring must be an array of positions');
        return;
      }
      let ok = true;
      const raw: [number, number][] = [];
      ring.forEach((position, i) => {
        const x = isNumberArray(position) ? position[0] : undefined;
        const y = isNumberArray(position) ? position[1] : undefined;
        if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
          ok = false;
          problems.push({
            code: 'geometry.coordinate_not_finite',
            path: `${path}[${i}]`,
            position: null,
            repair: 'none',
            message: 'a position must be two finite numbers [lon, lat]',
          });
        } else raw.push([x, y]);
      });
      if (ok) finiteRings.push({ path, polygon: p, ringIndex: r, raw });
    });
  });

  // 2. Range and coordinate order.
  const all = finiteRings.flatMap((r) => r.raw);
  const hint = options.bboxHint;
  if (hint && all.length > 0) {
    const inside = (pts: [number, number][]) => {
      const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
      for (const [x, y] of pts) {
        b[0] = Math.min(b[0], x);
        b[1] = Math.min(b[1], y);
        b[2] = Math.max(b[2], x);
        b[3] = Math.max(b[3], y);
      }
      return bboxContains(hint, b);
    };
    if (!inside(all) && inside(all.map(([x, y]) => [y, x]))) {
      add(
        'geometry.coordinates_swapped',
        'coordinates',
        all[0]!,
        'the coordinates look like [lat, lon]: swapped, they fall inside the country',
      );
      swapped = true;
      for (const ring of finiteRings) ring.raw = ring.raw.map(([x, y]) => [y, x]);
    }
  }
  for (const ring of finiteRings) {
    ring.raw.forEach((pt, i) => {
      if (pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90) {
        add(
          'geometry.coordinate_out_of_range',
          `${ring.path}[${i}]`,
          pt,
          'longitude must be within ±180 and latitude within ±90',
        );
      }
    });
  }

  // 3. Rings: closed, no repeated point, at least 4 positions.
  const work: WorkRing[] = [];
  for (const ring of finiteRings) {
    const raw = ring.raw;
    if (raw.length === 0) {
      add('geometry.ring_too_short', ring.path, null, 'a ring needs at least 4 positions');
      continue;
    }
    const closed = raw.length > 1 && samePoint(raw[0]!, raw.at(-1)!);
    if (!closed) {
      add(
        'geometry.ring_unclosed',
        `${ring.path}[${raw.length - 1}]`,
        raw.at(-1)!,
        'the last position must repeat the first',
      );
    }
    const points: [number, number][] = [raw[0]!];
    for (let i = 1; i < raw.length; i++) {
      if (samePoint(raw[i]!, raw[i - 1]!)) {
        add('geometry.duplicate_point', `${ring.path}[${i}]`, raw[i]!, 'the same position is repeated');
      } else points.push(raw[i]!);
    }
    if (!samePoint(points[0]!, points.at(-1)!)) points.push(points[0]!);
    if (points.length < 4) {
      add(
        'geometry.ring_too_short',
        ring.path,
        raw[0]!,
        'a ring needs at least 4 positions (3 distinct corners)',
      );
      continue;
    }
    work.push({ path: ring.path, polygon: ring.polygon, ringIndex: ring.ringIndex, points });
  }

  // 4. Winding (RFC 7946): exteriors counter-clockwise, holes clockwise.
  for (const ring of work) {
    const signed = planarSignedArea2(ring.points);
    // A swap mirrors the ring: judge the winding the repaired geometry will have.
    const wantPositive = ring.ringIndex === 0;
    if (signed !== 0 && signed > 0 !== wantPositive) {
      add(
        'geometry.winding',
        ring.path,
        ring.points[0]!,
        wantPositive ? 'an exterior ring must be counter-clockwise' : 'a hole must be clockwise',
      );
    }
  }

  // 5. Self-intersections and rings crossing each other.
  findIntersections(work, options.maxIntersections ?? 20, (path, point, message) =>
    add('geometry.self_intersection', path, point, message),
  );

  // 6. Holes inside their shell.
  const shells = new Map<number, WorkRing>();
  for (const ring of work) if (ring.ringIndex === 0) shells.set(ring.polygon, ring);
  for (const ring of work) {
    if (ring.ringIndex === 0) continue;
    const shell = shells.get(ring.polygon);
    if (!shell) continue;
    const i = ring.points.findIndex((pt) => pointInRing(pt, shell.points) < 0);
    if (i >= 0)
      add(
        'geometry.hole_outside_shell',
        `${ring.path}[${i}]`,
        ring.points[i]!,
        'a hole lies outside its exterior ring',
      );
  }

  // 7. Parts of a MultiPolygon lying one inside the other (crossing parts were found above).
  const shellList = [...shells.values()];
  if (shellList.length > 1) {
    const boxes = shellList.map((ring) => ringBox(ring.points));
    const index = new BoxIndex(boxes);
    for (const [x, y] of index.candidatePairs()) {
      for (const [inner, outer] of [
        [shellList[x]!, shellList[y]!],
        [shellList[y]!, shellList[x]!],
      ] as const) {
        const holes = work.filter((r) => r.polygon === outer.polygon && r.ringIndex > 0);
        const inside = inner.points.find(
          (pt) => pointInRing(pt, outer.points) > 0 && holes.every((h) => pointInRing(pt, h.points) < 0),
        );
        if (inside) {
          add('geometry.parts_overlap', inner.path, inside, `the polygon lies inside polygon ${outer.path}`);
          break;
        }
      }
    }
  }

  // 8. Size.
  let areaM2: number | null = null;
  if (work.length > 0 && work.length === finiteRings.length) {
    const byPolygon = new Map<number, { path: string; rings: Ring[] }>();
    for (const ring of work) {
      const entry = byPolygon.get(ring.polygon) ?? { path: polygons[ring.polygon]!.path, rings: [] };
      entry.rings.push(ring.points);
      byPolygon.set(ring.polygon, entry);
    }
    const minArea = options.minAreaM2 ?? 1;
    // A bow-tie's lobes cancel out: its size says nothing until it is made valid.
    const crossed = problems.some(
      (p) => p.code === 'geometry.self_intersection' || p.code === 'geometry.parts_overlap',
    );
    areaM2 = 0;
    for (const { path, rings } of byPolygon.values()) {
      const a = polygonArea(rings);
      areaM2 += a;
      if (a < minArea && !crossed)
        add('geometry.too_small', path, rings[0]![0]!, `the area is below ${minArea} m² (degenerate)`);
    }
    if (options.maxAreaM2 !== undefined && areaM2 > options.maxAreaM2) {
      add('geometry.too_large', 'coordinates', null, `the area exceeds ${options.maxAreaM2} m²`);
    }
  }
  return { status: classify(problems), problems, areaM2 };
}

const orient = (a: readonly number[], b: readonly number[], c: readonly number[]): number =>
  (b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!);
const between = (a: number, b: number, v: number): boolean => Math.min(a, b) <= v && v <= Math.max(a, b);
const onSegment = (a: readonly number[], b: readonly number[], p: readonly number[]): boolean =>
  between(a[0]!, b[0]!, p[0]!) && between(a[1]!, b[1]!, p[1]!);

/**
 * Segment pairs whose boxes meet, found through a packed R-tree (flatbush) of segment boxes:
 * O(n log n) for ordinary rings, so a 10,000-vertex ring is checked in a few milliseconds.
 * Within one ring any contact between non-adjacent edges is an error (OGC: a ring is simple);
 * between two rings only a crossing or a shared stretch is (touching at a point is allowed).
 */
function findIntersections(
  rings: WorkRing[],
  limit: number,
  report: (path: string, point: [number, number], message: string) => void,
): void {
  const segRing: number[] = [];
  const segIndex: number[] = [];
  rings.forEach((ring, r) => {
    for (let i = 0; i < ring.points.length - 1; i++) {
      segRing.push(r);
      segIndex.push(i);
    }
  });
  const n = segRing.length;
  if (n === 0) return;
  const index = new Flatbush(n);
  for (let s = 0; s < n; s++) {
    const pts = rings[segRing[s]!]!.points;
    const a = pts[segIndex[s]!]!;
    const b = pts[segIndex[s]! + 1]!;
    index.add(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1]));
  }
  index.finish();
  let found = 0;
  for (let s = 0; s < n && found < limit; s++) {
    const ring = rings[segRing[s]!]!;
    const i = segIndex[s]!;
    const a = ring.points[i]!;
    const b = ring.points[i + 1]!;
    const last = ring.points.length - 2;
    const candidates = index.search(
      Math.min(a[0], b[0]),
      Math.min(a[1], b[1]),
      Math.max(a[0], b[0]),
      Math.max(a[1], b[1]),
      (t) => t > s,
    );
    if (candidates.length === 0) continue;
    // Ascending, so the first pairs reported are the first along the ring.
    if (candidates.length > 1) candidates.sort((x, y) => x - y);
    for (const t of candidates) {
      if (found >= limit) break;
      const other = rings[segRing[t]!]!;
      const j = segIndex[t]!;
      const c = other.points[j]!;
      const d = other.points[j + 1]!;
      const sameRing = segRing[t] === segRing[s];
      const adjacent = sameRing && (j === i + 1 || (i === 0 && j === last));
      const o1 = orient(a, b, c);
      const o2 = orient(a, b, d);
      const o3 = orient(c, d, a);
      const o4 = orient(c, d, b);
      if (adjacent) {
        // Neighbours share one end; they only conflict when the ring folds back on itself.
        const shared = j === i + 1 ? b : a;
        const p = j === i + 1 ? a : b;
        const q = j === i + 1 ? d : c;
        if (
          orient(p, shared, q) === 0 &&
          (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]) > 0
        ) {
          report(`${ring.path}[${j === i + 1 ? j : i}]`, shared, 'the ring folds back on itself (a spike)');
          found++;
        }
        continue;
      }
      if (o1 * o2 < 0 && o3 * o4 < 0) {
        const k = o1 / (o1 - o2);
        const point: [number, number] = [c[0] + k * (d[0] - c[0]), c[1] + k * (d[1] - c[1])];
        report(
          `${ring.path}[${i}]`,
          point,
          sameRing ? 'the ring crosses itself' : `the ring crosses ring ${other.path}`,
        );
        found++;
        continue;
      }
      if (o1 === 0 && o2 === 0) {
        // Collinear: a shared stretch of positive length is an error in any case.
        const shared = [c, d, a, b].filter((p, k) => (k < 2 ? onSegment(a, b, p) : onSegment(c, d, p)));
        const distinct = shared.filter((p, k) => shared.findIndex((q) => samePoint(p, q)) === k);
        if (distinct.length >= 2) {
          report(
            `${ring.path}[${i}]`,
            distinct[0]!,
            sameRing ? 'two edges of the ring overlap' : `an edge overlaps ring ${other.path}`,
          );
          found++;
          continue;
        }
      }
      if (sameRing) {
        const touch =
          [c, d].find((p, k) => (k === 0 ? o1 : o2) === 0 && onSegment(a, b, p)) ??
          [a, b].find((p, k) => (k === 0 ? o3 : o4) === 0 && onSegment(c, d, p));
        if (touch) {
          report(`${ring.path}[${i}]`, touch, 'the ring touches itself');
          found++;
        }
      }
    }
  }
}

const SAFE_ORDER: GeometryProblemCode[] = [
  'geometry.coordinates_swapped',
  'geometry.ring_unclosed',
  'geometry.duplicate_point',
  'geometry.winding',
];

/**
 * Applies the safe repairs named in `codes` (others are ignored) and returns a new geometry of the
 * same type. Swap first (it mirrors the rings), then close, drop repeats, and rewind last.
 */
export function repair<G extends AreaGeometry>(geometry: G, codes: readonly GeometryProblemCode[]): G {
  const wanted = new Set(codes);
  const fixRing = (ring: Ring, r: number): Ring => {
    let pts: Position[] = ring.map((p) => [...p] as Position);
    for (const code of SAFE_ORDER) {
      if (!wanted.has(code)) continue;
      if (code === 'geometry.coordinates_swapped') pts = pts.map((p) => [p[1], p[0]]);
      if (code === 'geometry.ring_unclosed' && pts.length > 0 && !samePoint(pts[0]!, pts.at(-1)!)) {
        pts.push([...pts[0]!] as Position);
      }
      if (code === 'geometry.duplicate_point')
        pts = pts.filter((p, i) => i === 0 || !samePoint(p, pts[i - 1]!));
      if (code === 'geometry.winding') {
        const ccw = planarSignedArea2(pts) > 0;
        if (ccw !== (r === 0)) pts.reverse();
      }
    }
    return pts;
  };
  const fixPolygon = (polygon: PolygonCoords): PolygonCoords => polygon.map(fixRing);
  if (geometry.type === 'Polygon') return { ...geometry, coordinates: fixPolygon(geometry.coordinates) };
  return { ...geometry, coordinates: geometry.coordinates.map(fixPolygon) };
}

export interface MakeValidOffer {
  geometry: MultiPolygonGeometry | null;
  areaBeforeM2: number;
  areaAfterM2: number;
}

/**
 * The explicit "make valid" offer: safe repairs first, then the union of the area with itself. Never
 * applied by the platform on its own; the person sees both areas and chooses.
 */
export function makeValidOffer(geometry: AreaGeometry): MakeValidOffer {
  const safe = repair(geometry, ['geometry.ring_unclosed', 'geometry.duplicate_point']);
  const fixed = makeValid(safe);
  return { geometry: fixed, areaBeforeM2: area(safe), areaAfterM2: fixed ? area(fixed) : 0 };
}
