import type { FractionDto } from '../../../shared/schemas/custody.ts';
import type { GraphEvent, GraphLot } from './repo.ts';

/**
 * Shares of mass through the custody graph, as exact fractions of BigInts. A lot made by an event
 * holds each input's mineral in proportion to that input's mass in the event's input (a split
 * output carries its share of the one input; processing keeps shares as fractions of the lot made,
 * whatever the recovery). Floats would drift after a few merges; these add up to exactly 1.
 */
export class Fraction {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d === 0n) throw new RangeError('zero denominator');
    const sign = d < 0n ? -1n : 1n;
    const g = gcd(n < 0n ? -n : n, d < 0n ? -d : d) || 1n;
    this.n = (sign * n) / g;
    this.d = (sign * d) / g;
  }
  static readonly ZERO = new Fraction(0n);
  static readonly ONE = new Fraction(1n);
  add(o: Fraction): Fraction {
    return new Fraction(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  mul(o: Fraction): Fraction {
    return new Fraction(this.n * o.n, this.d * o.d);
  }
  equals(o: Fraction): boolean {
    return this.n === o.n && this.d === o.d;
  }
  /** Rounded half up to a whole number (mass shown in mg). */
  round(): number {
    return Number((2n * this.n + this.d) / (2n * this.d));
  }
  toDto(): FractionDto {
    return {
      numerator: this.n.toString(),
      denominator: this.d.toString(),
      value: Number(this.n) / Number(this.d),
    };
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export interface Edge {
  from: string;
  to: string;
  eventId: string;
  eventKind: GraphEvent['kind'];
}

/** Input lot → lot made from it, for every pair inside the set of lots. */
export function edgesOf(lots: readonly GraphLot[], events: ReadonlyMap<string, GraphEvent>): Edge[] {
  const madeBy = new Map<string, GraphLot[]>();
  for (const l of lots) {
    const list = madeBy.get(l.created_by_event) ?? [];
    list.push(l);
    madeBy.set(l.created_by_event, list);
  }
  const edges: Edge[] = [];
  for (const input of lots) {
    if (!input.consumed_by_event) continue;
    for (const out of madeBy.get(input.consumed_by_event) ?? []) {
      const e = events.get(input.consumed_by_event);
      if (e) edges.push({ from: input.id, to: out.id, eventId: e.id, eventKind: e.kind });
    }
  }
  return edges;
}

/** A list per key, appended in place (spreading a new array per push is quadratic on a big merge). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Upstream: for the traced lot, the share of its mass that came from each lot created by production.
 * Walked backwards from the traced lot: a lot is consumed by one event only, so its share is the
 * share of what that event made (within the traced set) times its part of the event's input. An
 * event hands shares to its inputs once all the lots it made in the set have theirs. Linear in the
 * lots and events: the sum over paths, without building every lot's composition.
 */
export function upstreamShares(
  lotId: string,
  lots: readonly GraphLot[],
  events: ReadonlyMap<string, GraphEvent>,
): Map<string, Fraction> {
  const inputsOf = new Map<string, GraphLot[]>();
  for (const l of lots) if (l.consumed_by_event) push(inputsOf, l.consumed_by_event, l);
  // How many lots of the set each event made that still wait for their share.
  const waiting = new Map<string, number>();
  for (const l of lots)
    if (l.id !== lotId) waiting.set(l.created_by_event, (waiting.get(l.created_by_event) ?? 0) + 1);
  const made = new Map<string, Fraction>();
  const origins = new Map<string, Fraction>();
  const start = lots.find((l) => l.id === lotId);
  if (!start) return origins;
  waiting.set(start.created_by_event, (waiting.get(start.created_by_event) ?? 0) + 1);
  const ready: [GraphLot, Fraction][] = [[start, Fraction.ONE]];
  while (ready.length > 0) {
    const [lot, share] = ready.pop()!;
    const eventId = lot.created_by_event;
    const inputs = inputsOf.get(eventId);
    if (!inputs) {
      origins.set(lot.id, share);
      continue;
    }
    const sum = (made.get(eventId) ?? Fraction.ZERO).add(share);
    made.set(eventId, sum);
    const left = waiting.get(eventId)! - 1;
    waiting.set(eventId, left);
    if (left > 0) continue;
    const total = BigInt(events.get(eventId)!.input_mg);
    for (const input of inputs) ready.push([input, sum.mul(new Fraction(BigInt(input.mass_mg), total))]);
  }
  return origins;
}

/** Lots in an order where every lot comes after the lots it was made from (Kahn). */
function topological(lots: readonly GraphLot[], edges: readonly Edge[]): GraphLot[] {
  const byId = new Map(lots.map((l) => [l.id, l]));
  const indegree = new Map(lots.map((l) => [l.id, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    push(next, e.from, e.to);
  }
  const queue = lots.filter((l) => indegree.get(l.id) === 0).map((l) => l.id);
  const order: GraphLot[] = [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    order.push(byId.get(id)!);
    for (const to of next.get(id) ?? []) {
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  return order;
}

export interface DownstreamResult {
  /** For every lot reached: the part of it that came from the start lots. */
  shares: Map<string, Fraction>;
  /** Milligrams of the start lots' mineral lost in processing on the way, exactly. */
  lostMg: Fraction;
  edges: Edge[];
}

/**
 * Downstream: starting from some lots (share 1), how much of every lot made from them came from
 * them. An event's other inputs (outside the set) dilute the share; processing losses are counted
 * in proportion to what the start lots put into the event.
 */
export function downstreamShares(
  startIds: readonly string[],
  lots: readonly GraphLot[],
  events: ReadonlyMap<string, GraphEvent>,
): DownstreamResult {
  const edges = edgesOf(lots, events);
  const starts = new Set(startIds);
  const byId = new Map(lots.map((l) => [l.id, l]));
  const inputs = new Map<string, GraphLot[]>();
  for (const e of edges) if (!starts.has(e.to)) push(inputs, e.to, byId.get(e.from)!);
  const shares = new Map<string, Fraction>();
  for (const lot of topological(lots, edges)) {
    if (starts.has(lot.id)) {
      shares.set(lot.id, Fraction.ONE);
      continue;
    }
    const total = BigInt(events.get(lot.created_by_event)!.input_mg);
    let share = Fraction.ZERO;
    for (const input of inputs.get(lot.id) ?? []) {
      share = share.add(new Fraction(BigInt(input.mass_mg), total).mul(shares.get(input.id)!));
    }
    shares.set(lot.id, share);
  }
  // Each processing event once: the mass it lost, times the part of its input from the start lots.
  const fed = new Map<string, Fraction>();
  for (const lot of lots) {
    const e = lot.consumed_by_event ? events.get(lot.consumed_by_event) : undefined;
    if (e?.kind !== 'processing' || e.loss_mg === 0) continue;
    const mass = new Fraction(BigInt(lot.mass_mg)).mul(shares.get(lot.id) ?? Fraction.ZERO);
    fed.set(e.id, (fed.get(e.id) ?? Fraction.ZERO).add(mass));
  }
  let lostMg = Fraction.ZERO;
  for (const [eventId, mass] of fed) {
    const e = events.get(eventId)!;
    lostMg = lostMg.add(mass.mul(new Fraction(BigInt(e.loss_mg), BigInt(e.input_mg))));
  }
  return { shares, lostMg, edges };
}
