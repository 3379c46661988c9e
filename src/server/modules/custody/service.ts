import { isValidReference, normaliseReference, uuidv7 } from '../../../shared/ids.ts';
import type {
  ActorDto,
  CreateActorInput,
  CustodyEventDto,
  LotDto,
  SiteDownstreamDto,
  TraceDto,
} from '../../../shared/schemas/custody.ts';
import {
  assertCanRead,
  assertCanWrite,
  requireActor,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { custodyProblems } from './problems.ts';
import * as repo from './repo.ts';
import { downstreamShares, edgesOf, Fraction, upstreamShares } from './trace.ts';
import { actorTarget, lotTarget, toActorDto, toEventDto, toLotDto } from './views.ts';

/** Custody actors, lots and their history, and the trace: everything but recording events (record.ts). */
export function createCustodyService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
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

  async function graphEvents(db: Queryable, ids: Iterable<string | null>) {
    const unique = [...new Set([...ids].filter((x): x is string => x !== null))];
    return new Map((await repo.graphEvents(db, unique)).map((e) => [e.id, e]));
  }

  function node(l: repo.GraphLot) {
    return {
      id: l.id,
      tag: l.tag,
      mineral: l.mineral,
      form: l.form,
      massMg: l.mass_mg,
      status: l.status,
      holderActorId: l.holder_actor_id,
      originSiteId: l.origin_site_id,
      createdByEvent: l.created_by_event,
      consumedByEvent: l.consumed_by_event,
    };
  }

  /** Open and exported lots reached downstream, with the part of each that came from the start. */
  function destinations(lots: readonly repo.GraphLot[], shares: Map<string, Fraction>) {
    return lots
      .filter((l) => l.status !== 'consumed' && (shares.get(l.id) ?? Fraction.ZERO).n > 0n)
      .map((l) => {
        const share = shares.get(l.id)!;
        return {
          lotId: l.id,
          tag: l.tag,
          status: l.status,
          holderActorId: l.holder_actor_id,
          share: share.toDto(),
          massMg: share.mul(new Fraction(BigInt(l.mass_mg))).round(),
        };
      });
  }

  return {
    async createActor(
      tx: Tx,
      ctx: RequestContext,
      input: CreateActorInput,
    ): Promise<{ actor: ActorDto; created: boolean }> {
      requirePermission(ctx, 'custody.record');
      const area = await repo.areaOf(tx, input.areaId);
      if (!area) throw custodyProblems.unknownReference('body.areaId', 'Area');
      assertCanWrite(ctx, 'custody.record', {
        entityType: 'Custody actor',
        entityId: input.id ?? null,
        areaId: area.id,
        areaPath: area.path,
      });
      if (input.id) {
        const existing = await repo.findActor(tx, input.id);
        if (existing) {
          // Made offline and sent twice: the second send changes nothing.
          const same =
            existing.kind === input.kind && existing.name === input.name && existing.area_id === input.areaId;
          if (!same) throw custodyProblems.idConflict();
          return { actor: toActorDto(existing), created: false };
        }
      }
      const links = [
        ['personId', 'people', 'Person'],
        ['enterpriseId', 'enterprises', 'Enterprise'],
        ['productionUnitId', 'production_units', 'Production unit'],
      ] as const;
      for (const [field, table, entity] of links) {
        const id = input[field];
        if (id && !(await repo.exists(tx, table, id)))
          throw custodyProblems.unknownReference(`body.${field}`, entity);
      }
      const id = input.id ?? uuidv7();
      const actor = requireActor(ctx);
      await repo.insertActor(tx, {
        id,
        kind: input.kind,
        name: input.name,
        country: area.country,
        area_id: area.id,
        person_id: input.personId ?? null,
        enterprise_id: input.enterpriseId ?? null,
        production_unit_id: input.productionUnitId ?? null,
        created_by: actor.kind === 'system' ? null : actor.id,
        created_at: clock.now(),
      });
      const dto = toActorDto((await repo.findActor(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'custody.actor_created',
        entityType: 'custody_actor',
        entityId: id,
        areaId: area.id,
        after: dto,
      });
      return { actor: dto, created: true };
    },

    async actor(db: Queryable, ctx: RequestContext, id: string): Promise<ActorDto> {
      requirePermission(ctx, 'custody.read');
      const a = await repo.findActor(db, id);
      if (!a) throw problems.notFound('Custody actor');
      assertCanRead(ctx, 'custody.read', actorTarget(a));
      return toActorDto(a);
    },

    async actors(
      db: Queryable,
      ctx: RequestContext,
      q: {
        kind?: string | undefined;
        status?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ): Promise<Page<ActorDto>> {
      const actor = requirePermission(ctx, 'custody.read');
      const after = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await repo.listActors(db, {
        scopePaths: scopePaths(actor, 'custody.read'),
        kind: q.kind,
        status: q.status,
        after,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toActorDto, (r) => [r.name, r.id]);
    },

    async lot(db: Queryable, ctx: RequestContext, id: string): Promise<LotDto> {
      return toLotDto(await loadLot(db, ctx, id));
    },

    async lotByTag(db: Queryable, ctx: RequestContext, tag: string): Promise<LotDto> {
      requirePermission(ctx, 'custody.read');
      // A mistyped tag is told apart from an unknown one: the person reading the label can look again.
      if (!isValidReference(tag)) throw custodyProblems.invalidTag();
      const lot = await repo.findLotByTag(db, normaliseReference(tag));
      if (!lot) throw problems.notFound('Lot');
      assertCanRead(ctx, 'custody.read', lotTarget(lot));
      return toLotDto(lot);
    },

    async lots(
      db: Queryable,
      ctx: RequestContext,
      q: {
        holderActorId?: string | undefined;
        status?: string | undefined;
        mineral?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ): Promise<Page<LotDto>> {
      const actor = requirePermission(ctx, 'custody.read');
      const before = decodeCursor(q.cursor, 1);
      const rows = await repo.listLots(db, {
        scopePaths: scopePaths(actor, 'custody.read'),
        holderActorId: q.holderActorId,
        status: q.status,
        mineral: q.mineral,
        before: before ? String(before[0]) : null,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toLotDto, (r) => [r.id]);
    },

    async events(db: Queryable, ctx: RequestContext, lotId: string): Promise<CustodyEventDto[]> {
      await loadLot(db, ctx, lotId);
      const events = await repo.eventsOfLot(db, lotId);
      const lots = await repo.lotsOfEvents(
        db,
        events.map((e) => e.id),
      );
      return events.map((e) => toEventDto(e, lots));
    },

    async trace(
      db: Queryable,
      ctx: RequestContext,
      lotId: string,
      direction: 'upstream' | 'downstream',
      { graph = true }: { graph?: boolean } = {},
    ): Promise<TraceDto> {
      const lot = await loadLot(db, ctx, lotId);
      if (direction === 'upstream') {
        const { lots, events } = await repo.upstreamGraph(db, lotId);
        const shares = upstreamShares(lotId, lots, events);
        const byId = new Map(lots.map((l) => [l.id, l]));
        return {
          lotId,
          direction,
          origins: [...shares].map(([id, share]) => ({
            lotId: id,
            tag: byId.get(id)!.tag,
            originSiteId: byId.get(id)!.origin_site_id,
            share: share.toDto(),
            massMg: share.mul(new Fraction(BigInt(lot.mass_mg))).round(),
          })),
          destinations: [],
          nodes: graph ? lots.map(node) : [],
          edges: graph ? edgesOf(lots, events) : [],
        };
      }
      const lots = await repo.downstreamLots(db, [lotId]);
      const events = await graphEvents(
        db,
        lots.map((l) => l.consumed_by_event),
      );
      const result = downstreamShares([lotId], lots, events);
      return {
        lotId,
        direction,
        origins: [],
        destinations: destinations(lots, result.shares),
        nodes: graph ? lots.map(node) : [],
        edges: graph ? result.edges : [],
      };
    },

    async siteDownstream(db: Queryable, ctx: RequestContext, siteId: string): Promise<SiteDownstreamDto> {
      requirePermission(ctx, 'custody.read');
      const site = await repo.findSite(db, siteId);
      if (!site) throw problems.notFound('Production unit');
      assertCanRead(ctx, 'custody.read', {
        entityType: 'Production unit',
        entityId: site.id,
        areaId: site.area_id,
        areaPath: site.area_path,
      });
      const starts = await repo.siteLots(db, siteId);
      const lots = await repo.downstreamLots(db, starts);
      const events = await graphEvents(
        db,
        lots.map((l) => l.consumed_by_event),
      );
      const result = downstreamShares(starts, lots, events);
      const startSet = new Set(starts);
      let open = Fraction.ZERO;
      let exported = Fraction.ZERO;
      let produced = 0;
      for (const l of lots) {
        if (startSet.has(l.id)) produced += l.mass_mg;
        const held = (result.shares.get(l.id) ?? Fraction.ZERO).mul(new Fraction(BigInt(l.mass_mg)));
        if (l.status === 'open') open = open.add(held);
        if (l.status === 'exported') exported = exported.add(held);
      }
      return {
        siteId,
        producedMg: produced,
        openMg: open.toDto(),
        exportedMg: exported.toDto(),
        lostMg: result.lostMg.toDto(),
        destinations: destinations(lots, result.shares),
      };
    },
  };
}
