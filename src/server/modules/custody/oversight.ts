import type {
  FlagDto,
  FlagListQuery,
  ReferencePriceDto,
  ReferencePriceInput,
} from '../../../shared/schemas/custody-oversight.ts';
import {
  AccessDenied,
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
import { oversightProblems } from './oversight-problems.ts';
import * as orepo from './oversight-repo.ts';
import * as repo from './repo.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

export function toFlagDto(f: orepo.FlagRow): FlagDto {
  return {
    id: f.id,
    code: f.code,
    areaId: f.area_id,
    eventId: f.event_id,
    lotId: f.lot_id,
    actorId: f.actor_id,
    siteId: f.site_id,
    incidentId: f.incident_id,
    params: f.params,
    evidence: f.evidence,
    status: f.status,
    raisedAt: iso(f.raised_at),
    resolvedBy: f.resolved_by,
    resolvedAt: f.resolved_at ? iso(f.resolved_at) : null,
    resolution: f.resolution,
    version: f.version,
  };
}

const toPriceDto = (p: orepo.PriceRow): ReferencePriceDto => ({
  country: p.country,
  mineral: p.mineral,
  day: p.day,
  priceMinor: p.price_minor,
  currency: p.currency,
  source: p.source,
  recordedAt: iso(p.recorded_at),
});

export const flagTarget = (f: orepo.FlagRow) => ({
  entityType: 'Flag',
  entityId: f.id,
  areaId: f.area_id,
  areaPath: f.area_path,
});

/** Risk flags (listed and resolved) and the reference prices the price flags compare against. */
export function createOversightService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function areaPathOf(db: Queryable, areaId: string | undefined): Promise<string | null> {
    if (!areaId) return null;
    const area = await repo.areaOf(db, areaId);
    if (!area) throw oversightProblems.unknownReference('query.areaId', 'Area');
    return area.path;
  }

  return {
    async flags(db: Queryable, ctx: RequestContext, q: FlagListQuery): Promise<Page<FlagDto>> {
      const actor = requirePermission(ctx, 'custody.read');
      const before = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await orepo.listFlags(db, {
        scopePaths: scopePaths(actor, 'custody.read'),
        areaPath: await areaPathOf(db, q.areaId),
        code: q.code,
        status: q.status,
        actorId: q.actorId,
        before,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toFlagDto, (r) => [iso(r.raised_at), r.id]);
    },

    async flag(db: Queryable, ctx: RequestContext, id: string): Promise<FlagDto> {
      const f = await orepo.findFlag(db, id);
      if (!f) {
        requirePermission(ctx, 'custody.read');
        throw problems.notFound('Flag');
      }
      assertCanRead(ctx, 'custody.read', flagTarget(f));
      return toFlagDto(f);
    },

    /** Someone looked into it: the reason stays with the flag and in the audit trail. */
    async resolve(tx: Tx, ctx: RequestContext, id: string, reason: string): Promise<FlagDto> {
      requirePermission(ctx, 'incidents.manage');
      const f = await orepo.findFlag(tx, id);
      if (!f) throw problems.notFound('Flag');
      assertCanWrite(ctx, 'incidents.manage', flagTarget(f));
      if (f.status === 'resolved') throw oversightProblems.flagResolved();
      const actor = requireActor(ctx);
      if (
        (await orepo.resolveFlags(
          tx,
          { id },
          actor.kind === 'system' ? null : actor.id,
          clock.now(),
          reason,
        )) !== 1
      )
        throw oversightProblems.flagResolved();
      const after = toFlagDto((await orepo.findFlag(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'custody.flag_resolved',
        entityType: 'custody_flag',
        entityId: id,
        areaId: f.area_id,
        before: { status: f.status },
        after: { status: after.status, resolution: reason },
      });
      return after;
    },

    /** A day's price is national reference data: only someone managing due diligence country-wide sets it. */
    async setPrice(tx: Tx, ctx: RequestContext, input: ReferencePriceInput): Promise<ReferencePriceDto> {
      const actor = requirePermission(ctx, 'incidents.manage');
      if (actor.kind !== 'system' && !scopePaths(actor, 'incidents.manage').includes(`/${input.country}/`))
        throw new AccessDenied(problems.forbidden(), 'incidents.manage', {
          entityType: 'reference_price',
          entityId: null,
          areaId: null,
        });
      const before = await orepo.upsertPrice(tx, {
        country: input.country,
        mineral: input.mineral,
        day: input.day,
        price_minor: input.priceMinor,
        currency: input.currency,
        source: input.source,
        recorded_by: actor.kind === 'system' ? null : actor.id,
        recorded_at: clock.now(),
      });
      const rows = await orepo.listPrices(tx, {
        country: input.country,
        mineral: input.mineral,
        from: input.day,
        to: input.day,
        before: null,
        limit: 1,
      });
      const after = toPriceDto(rows[0]!);
      await audit.record(tx, ctx, {
        action: 'custody.reference_price_set',
        entityType: 'reference_price',
        entityId: `${input.country}/${input.mineral}/${input.day}`,
        before: before ? toPriceDto(before) : undefined,
        after,
      });
      return after;
    },

    async prices(
      db: Queryable,
      ctx: RequestContext,
      q: {
        country: string;
        mineral: string;
        from?: string | undefined;
        to?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ): Promise<Page<ReferencePriceDto>> {
      requirePermission(ctx, 'custody.read');
      const before = decodeCursor(q.cursor, 1);
      const rows = await orepo.listPrices(db, { ...q, before: before ? String(before[0]) : null });
      return toPage(rows, q.limit, toPriceDto, (r) => [r.day]);
    },
  };
}
