import type { ActorDto } from '../../../shared/schemas/custody.ts';
import {
  type ChainEventDto,
  DEFAULT_PERIOD_DAYS,
  type ExporterReportDto,
  type ExporterReportQuery,
  type LotReportDto,
  MAX_PERIOD_DAYS,
  type OriginDto,
  REPORT_LIMITS,
  type SiteOriginDto,
} from '../../../shared/schemas/due-diligence.ts';
import { assertCanRead, requirePermission } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { addDays, localDate } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { documentLocale, documentTexts } from '../../platform/documents/language.ts';
import { problems } from '../../platform/errors.ts';
import { improvementLevelOf } from '../licensing/lifecycle.ts';
import { profileOf } from '../licensing/repo.ts';
import type { ReportPrint } from './due-diligence.pdf.ts';
import * as drepo from './due-diligence-repo.ts';
import {
  ancestorsOf,
  append,
  byKey,
  capped,
  compareFractions,
  contentHashOf,
  disengaging,
  type Evidence,
  eligibilityOf,
  flagOrder,
  holdersOf,
  incidentOrder,
  inScope,
  iso,
  licenceOf,
  type OriginFacts,
  type Rules,
  rulesOf,
  type Scope,
  scopeOf,
  standing,
  subjectKey,
  subjectOf,
  toFlag,
  toIncident,
  upstreamMass,
  verdictOf,
} from './due-diligence-rules.ts';
import { startOfDay } from './oversight-repo.ts';
import { custodyProblems } from './problems.ts';
import * as repo from './repo.ts';
import { Fraction, upstreamShares } from './trace.ts';
import { actorTarget, lotTarget } from './views.ts';

/**
 * Due-diligence reports (issue 6): for a lot, or for what an exporter exported over a period, the
 * origins with their licence and improvement level, the chain of events, the risk flags and incidents
 * recorded on that chain, a verdict and whether a kind of buyer may take the mineral under the
 * country's rules (the rules are in due-diligence-rules.ts). Everything is read as it stands when the
 * report is made; nothing is refused for it: the report informs a buyer and the export authority.
 */

type BuyerKind = ActorDto['kind'];

/** Each origin lot's site, licence and improvement level, read in a few queries whatever their number. */
async function originFacts(db: Queryable, ids: readonly string[], rules: Rules) {
  const rows = await drepo.originRows(db, ids);
  const named = rows.flatMap((o) => (o.origin_licence_id ? [o.origin_licence_id] : []));
  const holders = rows.filter((o) => !o.origin_licence_id).flatMap(holdersOf);
  const licences = await drepo.licencesFor(db, [...new Set(named)], holders);
  const byHolder = new Map<string, drepo.LicenceRow[]>();
  for (const l of licences) append(byHolder, subjectKey({ kind: l.holder_kind, id: l.holder_id }), l);
  const byId = new Map(licences.map((l) => [l.id, l]));
  const chosen = rows.map((o) => {
    const producedOn = localDate(new Date(o.produced_at), rules.timeZone);
    const candidates = o.origin_licence_id
      ? [byId.get(o.origin_licence_id)].filter((l): l is drepo.LicenceRow => l !== undefined)
      : [
          ...new Map(
            holdersOf(o)
              .flatMap((h) => byHolder.get(subjectKey(h)) ?? [])
              .map((l) => [l.id, l]),
          ).values(),
        ];
    const standing = licenceOf(candidates, producedOn);
    return { o, producedOn, ...standing, subject: subjectOf(o, standing.licence) };
  });

  const subjects = [
    ...new Map(chosen.flatMap((c) => (c.subject ? [[subjectKey(c.subject), c.subject]] : []))).values(),
  ];
  const names = await drepo.subjectNames(db, [
    ...subjects,
    ...licences.map((l) => ({ kind: l.holder_kind, id: l.holder_id })),
  ]);
  // Distinct subjects are few (the producers behind the origins); each is read as the licence check reads it.
  const levels = new Map<string, number | null>();
  for (const s of subjects) levels.set(subjectKey(s), await improvementLevelOf(db, s));

  const facts = new Map<string, OriginFacts>();
  for (const c of chosen) {
    const level = c.subject ? (levels.get(subjectKey(c.subject)) ?? null) : null;
    facts.set(c.o.id, {
      row: c.o,
      producedOn: c.producedOn,
      licence: c.licence,
      licensed: c.licensed,
      stopped: c.stopped,
      improvement: {
        subjectKind: c.subject?.kind ?? null,
        subjectId: c.subject?.id ?? null,
        subjectName: c.subject ? (names.get(subjectKey(c.subject)) ?? null) : null,
        level,
        levelCode: level !== null && level > 0 ? (rules.standard?.levels[level - 1]?.code ?? null) : null,
        meetsMinimum: rules.minimum === null ? null : level !== null && level >= rules.minimum.level,
      },
    });
  }
  return { facts, names };
}

// The service ---------------------------------------------------------------------------------------

export function createDueDiligenceService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function loadLot(db: Queryable, ctx: RequestContext, id: string): Promise<repo.LotRow> {
    const lot = await repo.findLot(db, id);
    // The permission is checked before existence, so a caller without it learns nothing.
    if (!lot) {
      requirePermission(ctx, 'custody.read');
      throw problems.notFound('Lot');
    }
    assertCanRead(ctx, 'custody.read', lotTarget(lot));
    return lot;
  }

  /** Reads the graph upstream of some lots and everything the report says about it. */
  async function gather(
    db: Queryable,
    lots: readonly repo.GraphLot[],
    starts: Set<string>,
    rules: Rules,
  ): Promise<Evidence> {
    const byId = new Map(lots.map((l) => [l.id, l]));
    const inputsOf = new Map<string, string[]>();
    for (const l of lots) if (l.consumed_by_event) append(inputsOf, l.consumed_by_event, l.id);
    const eventIds = new Set(
      lots.flatMap((l) =>
        l.consumed_by_event ? [l.created_by_event, l.consumed_by_event] : [l.created_by_event],
      ),
    );
    const events = new Map((await repo.graphEvents(db, [...eventIds])).map((e) => [e.id, e]));
    const { events: chainRows, links } = await drepo.eventsOfLots(
      db,
      lots.map((l) => l.id),
    );
    const chain = new Map(chainRows.map((e) => [e.id, e]));
    const linksOf = new Map<string, drepo.ChainLink[]>();
    for (const link of links) append(linksOf, link.lot_id, link);

    const originIds = lots.filter((l) => !inputsOf.has(l.created_by_event)).map((l) => l.id);
    const { facts, names } = await originFacts(db, originIds, rules);
    const all = scopeOf({ byId, chain, linksOf }, new Set(byId.keys()), starts);
    const on = { lots: [...all.lots], actors: [...all.actors], sites: [...all.sites] };
    const flags = await drepo.flagsTouching(db, { ...on, events: [...all.events] });
    const incidents = await drepo.incidentsTouching(db, on);
    return {
      byId,
      inputsOf,
      events,
      chain,
      linksOf,
      origins: facts,
      licenceHolders: names,
      flags,
      incidents,
    };
  }

  function originDto(ev: Evidence, o: OriginFacts, share: Fraction, massMg: number): OriginDto {
    const l = o.licence;
    return {
      lotId: o.row.id,
      tag: o.row.tag,
      share: share.toDto(),
      massMg: share.mul(new Fraction(BigInt(massMg))).round(),
      producedOn: o.producedOn,
      producerActorId: o.row.producer_id,
      producerName: o.row.producer_name,
      site: o.row.origin_site_id
        ? {
            id: o.row.origin_site_id,
            name: o.row.site_name ?? '',
            areaId: o.row.site_area_id ?? '',
            areaName: o.row.site_area_name ?? '',
          }
        : null,
      licence: l
        ? {
            id: l.id,
            number: l.number,
            status: l.status,
            validFrom: l.valid_from,
            validTo: l.valid_to,
            holderKind: l.holder_kind,
            holderId: l.holder_id,
            holderName: ev.licenceHolders.get(subjectKey({ kind: l.holder_kind, id: l.holder_id })) ?? '',
          }
        : null,
      licensed: o.licensed,
      improvement: o.improvement,
    };
  }

  function chainDto(ev: Evidence, scope: Scope): ChainEventDto[] {
    const lotsOf = new Map<string, ChainEventDto['lots']>();
    for (const id of scope.lots) {
      const lot = ev.byId.get(id)!;
      for (const link of ev.linksOf.get(id) ?? []) {
        if (!scope.events.has(link.event_id)) continue;
        const list = lotsOf.get(link.event_id) ?? [];
        list.push({ lotId: id, tag: lot.tag, role: link.role, massMg: lot.mass_mg });
        lotsOf.set(link.event_id, list);
      }
    }
    return [...ev.chain.values()]
      .filter((e) => scope.events.has(e.id))
      .map((e) => ({
        id: e.id,
        kind: e.kind,
        occurredAt: iso(e.occurred_at),
        actorId: e.actor_id,
        actorName: e.actor_name,
        counterpartId: e.counterpart_id,
        counterpartName: e.counterpart_name,
        place: e.place,
        massMg: e.kind === 'export' ? e.input_mg : e.output_mg,
        lossMg: e.loss_mg,
        confirmed: e.kind === 'transfer' ? e.confirmed_at !== null : null,
        documents: e.documents,
        exportPermit: e.export_permit,
        destinationCountry: e.destination_country,
        lots: (lotsOf.get(e.id) ?? []).sort(byKey((l) => `${l.role} ${l.tag}`)),
      }));
  }

  /** The verdict, counts and eligibility of one lot within evidence read for it (or for many). */
  function assess(ev: Evidence, lotId: string, rules: Rules) {
    const lots = ancestorsOf(lotId, ev.byId, ev.inputsOf);
    const scope = scopeOf(ev, lots, new Set([lotId]));
    const subset = [...lots].map((id) => ev.byId.get(id)!);
    const shares = upstreamShares(lotId, subset, ev.events);
    const origins = [...shares].map(([id, share]) => ({ facts: ev.origins.get(id)!, share }));
    const flags = ev.flags.filter((f) => inScope(scope, f)).sort(flagOrder);
    const incidents = ev.incidents.filter((i) => inScope(scope, i)).sort(incidentOrder);
    const licensedShare = origins
      .filter((o) => o.facts.licensed)
      .reduce((sum, o) => sum.add(o.share), Fraction.ZERO);
    return {
      scope,
      origins,
      flags,
      incidents,
      licensedShare,
      sites: new Set(
        origins.flatMap((o) => (o.facts.row.origin_site_id ? [o.facts.row.origin_site_id] : [])),
      ),
      verdict: verdictOf(flags, incidents),
      eligibility: eligibilityOf(
        rules,
        origins.map((o) => o.facts),
        incidents,
      ),
    };
  }

  async function lotEvidence(db: Queryable, lot: repo.LotRow, buyerKind: BuyerKind) {
    const rules = rulesOf(await profileOf(db, lot.country), buyerKind);
    const lots = await repo.upstreamLots(db, lot.id);
    const ev = await gather(db, lots, new Set([lot.id]), rules);
    return { rules, ev, result: assess(ev, lot.id, rules) };
  }

  const summaryOf = (a: {
    originCount: number;
    sites: number;
    licensedShare: Fraction;
    flags: readonly drepo.ReportFlagRow[];
    incidents: readonly drepo.ReportIncidentRow[];
  }) => ({
    origins: a.originCount,
    sites: a.sites,
    licensedShare: a.licensedShare.toDto(),
    openFlags: a.flags.filter((f) => f.status === 'open').length,
    resolvedFlags: a.flags.filter((f) => f.status === 'resolved').length,
    openIncidents: a.incidents.filter(standing).length,
    disengagementIncidents: a.incidents.filter(disengaging).length,
    verdict: verdictOf(a.flags, a.incidents),
  });

  const stamped = <T extends { generatedAt: string; contentHash: string }>(report: T): T => ({
    ...report,
    contentHash: contentHashOf(report),
  });

  return {
    async lotReport(
      db: Queryable,
      ctx: RequestContext,
      lotId: string,
      buyerKind: BuyerKind,
    ): Promise<LotReportDto> {
      const lot = await loadLot(db, ctx, lotId);
      const { ev, result } = await lotEvidence(db, lot, buyerKind);
      // Largest share first; equal shares by tag, so that the same content always lists the same way.
      const origins = [...result.origins].sort(
        (a, b) => compareFractions(b.share, a.share) || byKey((x: typeof a) => x.facts.row.tag)(a, b),
      );
      const chain = chainDto(ev, result.scope);
      const listed = {
        origins: capped(origins, REPORT_LIMITS.origins, (o) => originDto(ev, o.facts, o.share, lot.mass_mg)),
        chain: capped(chain, REPORT_LIMITS.chain, (e) => e),
        flags: capped(result.flags, REPORT_LIMITS.flags, toFlag),
        incidents: capped(result.incidents, REPORT_LIMITS.incidents, toIncident),
      };
      return stamped<LotReportDto>({
        kind: 'lot',
        generatedAt: iso(clock.now()),
        contentHash: '',
        country: lot.country,
        lot: {
          id: lot.id,
          tag: lot.tag,
          mineral: lot.mineral,
          form: lot.form,
          massMg: lot.mass_mg,
          finenessPtt: lot.fineness_ptt,
          status: lot.status,
          holderActorId: lot.holder_actor_id,
          holderName: lot.holder_name,
          areaId: lot.area_id,
          createdAt: iso(lot.created_at),
        },
        summary: summaryOf({
          originCount: result.origins.length,
          sites: result.sites.size,
          licensedShare: result.licensedShare,
          flags: result.flags,
          incidents: result.incidents,
        }),
        origins: listed.origins.items,
        originsMore: listed.origins.more,
        chain: listed.chain.items,
        chainMore: listed.chain.more,
        flags: listed.flags.items,
        flagsMore: listed.flags.more,
        incidents: listed.incidents.items,
        incidentsMore: listed.incidents.more,
        eligibility: result.eligibility,
      });
    },

    async eligibility(db: Queryable, ctx: RequestContext, lotId: string, buyerKind: BuyerKind) {
      const lot = await loadLot(db, ctx, lotId);
      return (await lotEvidence(db, lot, buyerKind)).result.eligibility;
    },

    async exporterReport(
      db: Queryable,
      ctx: RequestContext,
      actorId: string,
      q: ExporterReportQuery,
    ): Promise<ExporterReportDto> {
      requirePermission(ctx, 'custody.read');
      const actor = await repo.findActor(db, actorId);
      if (!actor) throw problems.notFound('Custody actor');
      assertCanRead(ctx, 'custody.read', actorTarget(actor));
      if (actor.kind !== 'exporter') throw custodyProblems.wrongActorKind(actor.id, ['exporter']);

      const profile = await profileOf(db, actor.country);
      const rules = rulesOf(profile, q.buyerKind);
      const to = q.to ?? localDate(clock.now(), rules.timeZone);
      const from = q.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
      // Only one end given: the other is its default, and the period must still hold.
      if (from > to || addDays(from, MAX_PERIOD_DAYS - 1) < to)
        throw problems.validation([
          {
            path: 'query.from',
            code: 'invalid',
            message: `from must not be after to, and the period may last at most ${MAX_PERIOD_DAYS} days.`,
          },
        ]);
      const exported = await drepo.exportedLots(
        db,
        actor.id,
        await startOfDay(db, from, rules.timeZone),
        await startOfDay(db, addDays(to, 1), rules.timeZone),
      );
      const starts = new Set(exported.map((l) => l.id));
      const lots = await drepo.upstreamOfMany(db, [...starts]);
      const ev = await gather(db, lots, starts, rules);

      // Everything exported in the period, walked once: milligrams from each origin lot.
      const mass = upstreamMass(
        new Map(exported.map((l) => [l.id, new Fraction(BigInt(l.mass_mg))])),
        lots,
        ev.events,
      );
      const totalMg = exported.reduce((s, l) => s + l.mass_mg, 0);
      // Milligrams to a share of everything exported (nothing exported: no origin to share among).
      const perMg = new Fraction(1n, BigInt(totalMg || 1));
      const licensedMg = [...mass]
        .filter(([id]) => ev.origins.get(id)!.licensed)
        .reduce((s, [, mg]) => s.add(mg), Fraction.ZERO);
      const flags = [...ev.flags].sort(flagOrder);
      const incidents = [...ev.incidents].sort(incidentOrder);

      // By site: mass, licences, levels, and what is open there.
      const bySite = new Map<string, { facts: OriginFacts[]; mg: Fraction }>();
      for (const [id, mg] of mass) {
        const o = ev.origins.get(id)!;
        const key = o.row.origin_site_id ?? '';
        const entry = bySite.get(key) ?? { facts: [], mg: Fraction.ZERO };
        entry.facts.push(o);
        entry.mg = entry.mg.add(mg);
        bySite.set(key, entry);
      }
      const sites: SiteOriginDto[] = [...bySite].map(([siteId, { facts, mg }]) => {
        const originLots = new Set(facts.map((f) => f.row.id));
        const improvement = [
          ...new Map(
            facts.map((f) => [`${f.improvement.subjectKind}:${f.improvement.subjectId}`, f.improvement]),
          ).values(),
        ].sort(byKey((i) => `${i.subjectName ?? ''} ${i.subjectId ?? ''}`));
        return {
          siteId: siteId || null,
          siteName: facts[0]!.row.site_name,
          areaName: facts[0]!.row.site_area_name,
          massMg: mg.round(),
          share: mg.mul(perMg).toDto(),
          originLots: originLots.size,
          licensed: facts.every((f) => f.licensed),
          licenceNumbers: [...new Set(facts.flatMap((f) => (f.licence ? [f.licence.number] : [])))].sort(),
          improvement,
          openFlags: flags.filter(
            (f) =>
              f.status === 'open' &&
              ((siteId && f.site_id === siteId) || (f.lot_id && originLots.has(f.lot_id))),
          ).length,
          openIncidents: incidents.filter((i) => standing(i) && siteId && i.site_id === siteId).length,
        };
      });
      sites.sort(
        (a, b) =>
          b.massMg - a.massMg || byKey((s: SiteOriginDto) => `${s.siteName ?? ''} ${s.siteId ?? ''}`)(a, b),
      );

      const listedSites = capped(sites, REPORT_LIMITS.sites, (s) => s);
      const listedLots = capped(exported, REPORT_LIMITS.lots, (l) => {
        const a = assess(ev, l.id, rules);
        return {
          lotId: l.id,
          tag: l.tag,
          exportedAt: iso(l.exported_at),
          massMg: l.mass_mg,
          exportPermit: l.export_permit,
          destinationCountry: l.destination_country,
          originSites: a.sites.size,
          licensedShare: a.licensedShare.toDto(),
          verdict: a.verdict,
          eligible: a.eligibility.eligible,
        };
      });
      const listedFlags = capped(flags, REPORT_LIMITS.flags, toFlag);
      const listedIncidents = capped(incidents, REPORT_LIMITS.incidents, toIncident);
      const origins = [...mass.keys()].map((id) => ev.origins.get(id)!);
      return stamped<ExporterReportDto>({
        kind: 'exporter',
        generatedAt: iso(clock.now()),
        contentHash: '',
        country: actor.country,
        exporter: { id: actor.id, name: actor.name, status: actor.status, areaId: actor.area_id },
        period: { from, to },
        summary: {
          ...summaryOf({
            originCount: mass.size,
            sites: new Set(origins.flatMap((o) => (o.row.origin_site_id ? [o.row.origin_site_id] : []))).size,
            licensedShare: licensedMg.mul(perMg),
            flags,
            incidents,
          }),
          exportedLots: exported.length,
          exportedMassMg: totalMg,
        },
        sites: listedSites.items,
        sitesMore: listedSites.more,
        lots: listedLots.items,
        lotsMore: listedLots.more,
        flags: listedFlags.items,
        flagsMore: listedFlags.more,
        incidents: listedIncidents.items,
        incidentsMore: listedIncidents.more,
        eligibility: eligibilityOf(rules, origins, incidents),
      });
    },

    /** What printing a country's report needs: its language (or the one asked for) and level names. */
    async printOf(db: Queryable, country: string, language: string | undefined): Promise<ReportPrint> {
      const profile = await profileOf(db, country);
      const base = documentLocale(profile);
      const locale = language ? { ...base, language, texts: documentTexts(language) } : base;
      const levels = rulesOf(profile, 'exporter').standard?.levels ?? [];
      return {
        locale,
        levelNames: levels.map((l) => l.names[locale.language] ?? Object.values(l.names)[0] ?? l.code),
      };
    },

    /** A report was read (as JSON or printed): who read which, with the hash of what they saw. */
    async recordRead(
      db: Queryable,
      ctx: RequestContext,
      report: LotReportDto | ExporterReportDto,
      format: 'json' | 'pdf',
    ): Promise<void> {
      const lot = report.kind === 'lot';
      await audit.record(db, ctx, {
        action: 'custody.due_diligence_read',
        entityType: lot ? 'lot' : 'custody_actor',
        entityId: lot ? report.lot.id : report.exporter.id,
        areaId: lot ? report.lot.areaId : report.exporter.areaId,
        meta: {
          format,
          contentHash: report.contentHash,
          verdict: report.summary.verdict,
          ...(lot ? {} : { period: report.period }),
        },
      });
    },
  };
}

export type DueDiligenceService = ReturnType<typeof createDueDiligenceService>;
