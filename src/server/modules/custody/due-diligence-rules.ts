import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/canonical-json.ts';
import type { ImprovementStandard } from '../../../shared/profile-schema.ts';
import type { ActorDto } from '../../../shared/schemas/custody.ts';
import {
  ELIGIBILITY_REASONS,
  type EligibilityDto,
  type EligibilityReason,
  type ImprovementFacts,
  REPORT_LIMITS,
  type ReportFlagDto,
  type ReportIncidentDto,
  type Verdict,
} from '../../../shared/schemas/due-diligence.ts';
import { timeZoneOfProfile } from '../../platform/calendar.ts';
import { custodySettings } from './balance.ts';
import type * as drepo from './due-diligence-repo.ts';
import type * as repo from './repo.ts';
import { Fraction } from './trace.ts';

/**
 * The rules of the due-diligence reports, over what was read (no database here): the walk from many
 * lots, which licence speaks for an origin, whose improvement level counts, which flags and incidents
 * concern a chain, the verdict and the buyer eligibility.
 */

export type BuyerKind = ActorDto['kind'];

/** A list per key, appended in place (a new array per item would be quadratic on a big merge). */
export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
export const iso = (d: Date | string) => new Date(d).toISOString();
export const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
/** Exact order of two fractions (denominators are positive). */
export const compareFractions = (a: Fraction, b: Fraction) => {
  const d = a.n * b.d - b.n * a.d;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
};

/** sha-256 of the canonical JSON of a report without its stamp: the same content, the same hash. */
export function contentHashOf(report: { generatedAt?: unknown; contentHash?: unknown }): string {
  const { generatedAt: _at, contentHash: _hash, ...content } = report;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * How much of the mass of several lots together came from each origin lot (milligrams, exact): the
 * walk of upstreamShares started from every lot at once with its mass, so that an exporter's
 * thousands of lots are walked once. The starting lots must not be made from one another (exported
 * lots never are: an export makes nothing).
 */
export function upstreamMass(
  starts: ReadonlyMap<string, Fraction>,
  lots: readonly repo.GraphLot[],
  events: ReadonlyMap<string, repo.GraphEvent>,
): Map<string, Fraction> {
  const inputsOf = new Map<string, repo.GraphLot[]>();
  for (const l of lots) if (l.consumed_by_event) append(inputsOf, l.consumed_by_event, l);
  // How many lots of the set each event made that still wait for their part.
  const waiting = new Map<string, number>();
  for (const l of lots) waiting.set(l.created_by_event, (waiting.get(l.created_by_event) ?? 0) + 1);
  const made = new Map<string, Fraction>();
  const origins = new Map<string, Fraction>();
  const byId = new Map(lots.map((l) => [l.id, l]));
  const ready: [repo.GraphLot, Fraction][] = [...starts].map(([id, mass]) => [byId.get(id)!, mass]);
  while (ready.length > 0) {
    const [lot, mass] = ready.pop()!;
    const inputs = inputsOf.get(lot.created_by_event);
    if (!inputs) {
      origins.set(lot.id, (origins.get(lot.id) ?? Fraction.ZERO).add(mass));
      continue;
    }
    const sum = (made.get(lot.created_by_event) ?? Fraction.ZERO).add(mass);
    made.set(lot.created_by_event, sum);
    const left = waiting.get(lot.created_by_event)! - 1;
    waiting.set(lot.created_by_event, left);
    if (left > 0) continue;
    const total = BigInt(events.get(lot.created_by_event)!.input_mg);
    for (const input of inputs) ready.push([input, sum.mul(new Fraction(BigInt(input.mass_mg), total))]);
  }
  return origins;
}

/** The lots a lot was made from (itself included), within a graph already read. */
export function ancestorsOf(
  lotId: string,
  byId: ReadonlyMap<string, repo.GraphLot>,
  inputsOf: Map<string, string[]>,
) {
  const seen = new Set<string>([lotId]);
  const todo = [lotId];
  while (todo.length > 0) {
    const lot = byId.get(todo.pop()!)!;
    for (const input of inputsOf.get(lot.created_by_event) ?? [])
      if (!seen.has(input)) {
        seen.add(input);
        todo.push(input);
      }
  }
  return seen;
}

// Origins: licence and improvement level --------------------------------------------------------

export interface OriginFacts {
  row: drepo.OriginRow;
  producedOn: string;
  licence: drepo.LicenceRow | null;
  licensed: boolean;
  /** No licence valid, and the one found is suspended or revoked (rather than none at all). */
  stopped: boolean;
  improvement: ImprovementFacts;
}

export type Subject = { kind: drepo.SubjectKind; id: string };
export const subjectKey = (s: Subject) => `${s.kind}:${s.id}`;

/**
 * The licence that speaks for an origin: the one the producer named decides alone (as for the risk
 * flags); otherwise any licence of the producer, the site or its operator. Licensed when one covered
 * the day of production and is active now, or has since expired (it was valid then); a suspended or
 * revoked licence is reported as such.
 */
export function licenceOf(candidates: readonly drepo.LicenceRow[], day: string) {
  const covering = candidates.filter((l) => l.valid_from <= day && day <= l.valid_to);
  const valid = covering.find((l) => l.status === 'active') ?? covering.find((l) => l.status === 'expired');
  if (valid) return { licence: valid, licensed: true, stopped: false };
  const isStopped = (l: drepo.LicenceRow) => l.status === 'suspended' || l.status === 'revoked';
  const stopped = covering.find(isStopped) ?? candidates.find(isStopped);
  if (stopped) return { licence: stopped, licensed: false, stopped: true };
  const latest = [...candidates].sort(byKey((l) => `${l.valid_to} ${l.number}`)).pop() ?? null;
  return { licence: latest, licensed: false, stopped: false };
}

export function holdersOf(o: drepo.OriginRow): Subject[] {
  const out: Subject[] = [];
  if (o.person_id) out.push({ kind: 'person', id: o.person_id });
  if (o.enterprise_id) out.push({ kind: 'enterprise', id: o.enterprise_id });
  if (o.production_unit_id) out.push({ kind: 'production_unit', id: o.production_unit_id });
  if (o.origin_site_id) out.push({ kind: 'production_unit', id: o.origin_site_id });
  if (o.operator_enterprise_id) out.push({ kind: 'enterprise', id: o.operator_enterprise_id });
  return out;
}

/** Whose improvement level counts: the licence holder, else the producer's enterprise or person, else the site. */
export function subjectOf(o: drepo.OriginRow, licence: drepo.LicenceRow | null): Subject | null {
  if (licence) return { kind: licence.holder_kind, id: licence.holder_id };
  if (o.enterprise_id) return { kind: 'enterprise', id: o.enterprise_id };
  if (o.person_id) return { kind: 'person', id: o.person_id };
  if (o.production_unit_id) return { kind: 'production_unit', id: o.production_unit_id };
  if (o.origin_site_id) return { kind: 'production_unit', id: o.origin_site_id };
  return null;
}

export interface Rules {
  timeZone: string;
  standard: ImprovementStandard | null;
  minimum: EligibilityDto['minimumLevel'];
  buyerKind: BuyerKind;
}

/** The country's rules for a kind of buyer: the minimum level applies only to the kinds the profile names. */
export function rulesOf(profile: unknown, buyerKind: BuyerKind): Rules {
  const document = profile as { improvementStandard?: ImprovementStandard; custody?: unknown } | null;
  const standard = document?.improvementStandard ?? null;
  const eligibility = custodySettings(document?.custody).buyerEligibility;
  const index = standard?.levels.findIndex((l) => l.code === eligibility?.minimumImprovementLevel) ?? -1;
  const applies = eligibility?.appliesTo.includes(buyerKind) ?? false;
  return {
    timeZone: timeZoneOfProfile(profile),
    standard,
    minimum: applies && index >= 0 ? { code: eligibility!.minimumImprovementLevel, level: index + 1 } : null,
    buyerKind,
  };
}

// The chain, its flags and incidents -------------------------------------------------------------

/** Everything read about a set of lots and their upstream, once for a report. */
export interface Evidence {
  byId: Map<string, repo.GraphLot>;
  inputsOf: Map<string, string[]>;
  events: Map<string, repo.GraphEvent>;
  chain: Map<string, drepo.ChainEventRow>;
  linksOf: Map<string, drepo.ChainLink[]>;
  origins: Map<string, OriginFacts>;
  licenceHolders: Map<string, string>;
  flags: drepo.ReportFlagRow[];
  incidents: drepo.ReportIncidentRow[];
}

/** The records a set of lots stands on: its lots, its events, the actors of those, its origin sites. */
export interface Scope {
  lots: Set<string>;
  events: Set<string>;
  actors: Set<string>;
  sites: Set<string>;
}

/**
 * Every event the lots took part in, except what was made of the starting lots afterwards (a split
 * or merge of the reported lot is downstream of it); an export of a starting lot is its last step.
 */
export function scopeOf(
  ev: Pick<Evidence, 'byId' | 'chain' | 'linksOf'>,
  lots: Set<string>,
  starts: Set<string>,
): Scope {
  const scope: Scope = { lots, events: new Set(), actors: new Set(), sites: new Set() };
  for (const id of lots) {
    const site = ev.byId.get(id)?.origin_site_id;
    if (site) scope.sites.add(site);
    for (const link of ev.linksOf.get(id) ?? []) {
      const e = ev.chain.get(link.event_id);
      if (!e || (starts.has(id) && link.role === 'input' && e.kind !== 'export')) continue;
      scope.events.add(e.id);
      scope.actors.add(e.actor_id);
      if (e.counterpart_id) scope.actors.add(e.counterpart_id);
    }
  }
  return scope;
}

export const inScope = (
  s: Scope,
  r: { lot_id: string | null; actor_id: string | null; site_id: string | null; event_id?: string | null },
) =>
  (r.lot_id !== null && s.lots.has(r.lot_id)) ||
  (r.actor_id !== null && s.actors.has(r.actor_id)) ||
  (r.site_id !== null && s.sites.has(r.site_id)) ||
  (r.event_id != null && s.events.has(r.event_id));

export const standing = (i: drepo.ReportIncidentRow) => i.status !== 'resolved';
export const disengaging = (i: drepo.ReportIncidentRow) => standing(i) && i.annex_class === 'class_1';

/** Class 1 standing: disengage; anything else open: mitigation in progress; else no open red flags. */
export function verdictOf(
  flags: readonly drepo.ReportFlagRow[],
  incidents: readonly drepo.ReportIncidentRow[],
): Verdict {
  if (incidents.some(disengaging)) return 'disengage';
  if (flags.some((f) => f.status === 'open') || incidents.some(standing)) return 'mitigation_in_progress';
  return 'no_open_red_flags';
}

export function toFlag(f: drepo.ReportFlagRow): ReportFlagDto {
  return {
    id: f.id,
    code: f.code,
    status: f.status,
    raisedAt: iso(f.raised_at),
    lotId: f.lot_id,
    lotTag: f.lot_tag,
    actorId: f.actor_id,
    actorName: f.actor_name,
    siteId: f.site_id,
    siteName: f.site_name,
    eventId: f.event_id,
    params: f.params,
    evidence: f.evidence,
    resolvedAt: f.resolved_at ? iso(f.resolved_at) : null,
    resolution: f.resolution,
  };
}

export function toIncident(i: drepo.ReportIncidentRow): ReportIncidentDto {
  const open = i.plan.filter((a) => !a.done).map((a) => a.deadline);
  return {
    id: i.id,
    category: i.category,
    annexClass: i.annex_class,
    status: i.status,
    observedAt: iso(i.observed_at),
    siteId: i.site_id,
    siteName: i.site_name,
    actorId: i.actor_id,
    actorName: i.actor_name,
    lotId: i.lot_id,
    plan: {
      actions: i.plan.length,
      done: i.plan.length - open.length,
      nextDeadline: open.length > 0 ? open.sort()[0]! : null,
    },
  };
}

/** Open first, then newest. */
export const flagOrder = (a: drepo.ReportFlagRow, b: drepo.ReportFlagRow) =>
  (a.status === 'open' ? 0 : 1) - (b.status === 'open' ? 0 : 1) ||
  b.raised_at.getTime() - a.raised_at.getTime() ||
  (a.id < b.id ? 1 : -1);
/** Standing class 1 first, then the other standing ones, then resolved; newest first within. */
const incidentRank = (i: drepo.ReportIncidentRow) => (disengaging(i) ? 0 : standing(i) ? 1 : 2);
export const incidentOrder = (a: drepo.ReportIncidentRow, b: drepo.ReportIncidentRow) =>
  incidentRank(a) - incidentRank(b) ||
  b.observed_at.getTime() - a.observed_at.getTime() ||
  (a.id < b.id ? 1 : -1);

export const capped = <T, U>(items: readonly T[], limit: number, map: (x: T) => U) => ({
  items: items.slice(0, limit).map(map),
  more: Math.max(0, items.length - limit),
});

// Eligibility ---------------------------------------------------------------------------------------

/**
 * Whether a kind of buyer may take mineral from these origins under the country's rules: every origin
 * licensed, at the minimum improvement level when the profile sets one for that kind of buyer, and no
 * Annex II class 1 incident standing on the chain. Reasons are listed once per site and kind.
 */
export function eligibilityOf(
  rules: Rules,
  origins: readonly OriginFacts[],
  incidents: readonly drepo.ReportIncidentRow[],
): EligibilityDto {
  const found = new Map<string, EligibilityReason>();
  const add = (r: EligibilityReason) => {
    const key = [r.code, r.siteId, r.level, r.incidentId].join('|');
    const seen = found.get(key);
    if (!seen || (r.lotTag ?? '') < (seen.lotTag ?? '')) found.set(key, r);
  };
  for (const o of origins) {
    const base = {
      siteId: o.row.origin_site_id,
      siteName: o.row.site_name,
      lotTag: o.row.tag,
      level: null,
      incidentId: null,
    };
    if (!o.licensed) add({ ...base, code: o.stopped ? 'origin_licence_suspended' : 'origin_unlicensed' });
    if (rules.minimum) {
      const level = o.improvement.level;
      if (level === null) add({ ...base, code: 'origin_level_unverified' });
      else if (level < rules.minimum.level) add({ ...base, code: 'origin_below_level', level });
    }
  }
  for (const i of incidents.filter(disengaging))
    add({
      code: 'disengagement_incident',
      siteId: i.site_id,
      siteName: i.site_name,
      lotTag: null,
      level: null,
      incidentId: i.id,
    });
  const reasons = [...found.values()].sort(
    (a, b) =>
      ELIGIBILITY_REASONS.indexOf(a.code) - ELIGIBILITY_REASONS.indexOf(b.code) ||
      byKey(
        (r: EligibilityReason) => `${r.siteName ?? ''}\u0000${r.lotTag ?? ''}\u0000${r.incidentId ?? ''}`,
      )(a, b),
  );
  const list = capped(reasons, REPORT_LIMITS.reasons, (r) => r);
  return {
    buyerKind: rules.buyerKind,
    minimumLevel: rules.minimum,
    eligible: reasons.length === 0,
    reasons: list.items,
    reasonsMore: list.more,
  };
}
