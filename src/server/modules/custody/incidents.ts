import { uuidv7 } from '../../../shared/ids.ts';
import {
  annexClassOf,
  type CreateIncidentInput,
  type IncidentDto,
  type IncidentListQuery,
  type IncidentPlanInput,
  type IncidentStatusInput,
} from '../../../shared/schemas/custody-oversight.ts';
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
import { raise } from './flags.ts';
import { oversightProblems } from './oversight-problems.ts';
import * as orepo from './oversight-repo.ts';
import * as repo from './repo.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

function toIncidentDto(i: orepo.IncidentRow): IncidentDto {
  return {
    id: i.id,
    country: i.country,
    areaId: i.area_id,
    category: i.category,
    annexClass: i.annex_class,
    siteId: i.site_id,
    actorId: i.actor_id,
    lotId: i.lot_id,
    description: i.description,
    observedAt: iso(i.observed_at),
    reportedBy: i.reported_by,
    reportedAt: iso(i.reported_at),
    status: i.status,
    plan: i.plan,
    updatedAt: iso(i.updated_at),
    version: i.version,
  };
}

const incidentTarget = (i: orepo.IncidentRow) => ({
  entityType: 'Incident',
  entityId: i.id,
  areaId: i.area_id,
  areaPath: i.area_path,
});

/**
 * Trade with an actor, or from a site, named by a class 1 incident that is not resolved is refused
 * (OECD Annex II: disengage at once). Called by the custody recorder before it writes an event.
 */
export async function assertEngaged(db: Queryable, actorIds: readonly string[], siteId: string | null) {
  const standing = await orepo.standingClass1(db, actorIds, siteId);
  if (standing.length > 0) throw oversightProblems.disengaged(standing);
}

/** The incident register: what community monitors and officers saw, and what is done about it. */
export function createIncidentService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  /** Where the incident belongs: the site, actor or lot named (in that order), else the area given. */
  async function placeOf(tx: Tx, input: CreateIncidentInput) {
    const places: { id: string; path: string; country: string }[] = [];
    if (input.siteId) {
      const s = await repo.findSite(tx, input.siteId);
      if (!s) throw oversightProblems.unknownReference('body.siteId', 'Production unit');
      places.push({ id: s.area_id, path: s.area_path, country: s.country });
    }
    if (input.actorId) {
      const a = await repo.findActor(tx, input.actorId);
      if (!a) throw oversightProblems.unknownReference('body.actorId', 'Custody actor');
      places.push({ id: a.area_id, path: a.area_path, country: a.country });
    }
    if (input.lotId) {
      const l = await repo.findLot(tx, input.lotId);
      if (!l) throw oversightProblems.unknownReference('body.lotId', 'Lot');
      places.push({ id: l.area_id, path: l.area_path, country: l.country });
    }
    if (input.areaId) {
      const a = await repo.areaOf(tx, input.areaId);
      if (!a) throw oversightProblems.unknownReference('body.areaId', 'Area');
      places.push(a);
    }
    if (new Set(places.map((p) => p.country)).size > 1) throw oversightProblems.incidentAreaMismatch();
    return places[0]!;
  }

  async function change(
    tx: Tx,
    ctx: RequestContext,
    id: string,
    apply: (i: orepo.IncidentRow) => { status?: IncidentDto['status']; plan?: IncidentDto['plan'] },
    action: string,
    meta?: object,
  ): Promise<IncidentDto> {
    requirePermission(ctx, 'incidents.manage');
    const i = await orepo.findIncident(tx, id);
    if (!i) throw problems.notFound('Incident');
    assertCanWrite(ctx, 'incidents.manage', incidentTarget(i));
    if (i.status === 'resolved') throw oversightProblems.incidentClosed();
    const next = apply(i);
    if ((await orepo.updateIncident(tx, id, i.version, next, clock.now())) !== 1)
      throw problems.preconditionFailed();
    const after = toIncidentDto((await orepo.findIncident(tx, id))!);
    await audit.record(tx, ctx, {
      action,
      entityType: 'custody_incident',
      entityId: id,
      areaId: i.area_id,
      before: { status: i.status, plan: i.plan },
      after: { status: after.status, plan: after.plan },
      meta,
    });
    return after;
  }

  return {
    async create(
      tx: Tx,
      ctx: RequestContext,
      input: CreateIncidentInput,
    ): Promise<{ incident: IncidentDto; created: boolean }> {
      requirePermission(ctx, 'incidents.record');
      const place = await placeOf(tx, input);
      assertCanWrite(ctx, 'incidents.record', {
        entityType: 'Incident',
        entityId: input.id ?? null,
        areaId: place.id,
        areaPath: place.path,
      });
      if (input.id) {
        const existing = await orepo.findIncident(tx, input.id);
        if (existing) {
          // Recorded offline and sent twice: the second send changes nothing.
          const same =
            existing.category === input.category &&
            existing.description === input.description &&
            existing.observed_at.getTime() === new Date(input.observedAt).getTime();
          if (!same) throw oversightProblems.idConflict();
          return { incident: toIncidentDto(existing), created: false };
        }
      }
      const actor = requireActor(ctx);
      const id = input.id ?? uuidv7();
      const now = clock.now();
      const annexClass = annexClassOf(input.category);
      await orepo.insertIncident(tx, {
        id,
        country: place.country,
        area_id: place.id,
        category: input.category,
        annex_class: annexClass,
        site_id: input.siteId ?? null,
        actor_id: input.actorId ?? null,
        lot_id: input.lotId ?? null,
        description: input.description,
        observed_at: new Date(input.observedAt),
        reported_by: actor.kind === 'system' ? null : actor.id,
        reported_at: now,
        updated_at: now,
      });
      if (annexClass === 'class_1')
        await raise(
          tx,
          now,
          null,
          [
            {
              code: 'class_1_incident',
              actorId: input.actorId ?? null,
              siteId: input.siteId ?? null,
              lotId: input.lotId ?? null,
              params: { category: input.category },
              evidence: { incidentId: id, observedAt: input.observedAt },
            },
          ],
          { country: place.country, areaId: place.id, incidentId: id },
        );
      const incident = toIncidentDto((await orepo.findIncident(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'custody.incident_recorded',
        entityType: 'custody_incident',
        entityId: id,
        areaId: place.id,
        after: incident,
      });
      return { incident, created: true };
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<IncidentDto> {
      const i = await orepo.findIncident(db, id);
      // The permission is checked before existence, so a caller without it learns nothing.
      if (!i) {
        requirePermission(ctx, 'incidents.read');
        throw problems.notFound('Incident');
      }
      assertCanRead(ctx, 'incidents.read', incidentTarget(i));
      return toIncidentDto(i);
    },

    async list(db: Queryable, ctx: RequestContext, q: IncidentListQuery): Promise<Page<IncidentDto>> {
      const actor = requirePermission(ctx, 'incidents.read');
      let areaPath: string | null = null;
      if (q.areaId) {
        const area = await repo.areaOf(db, q.areaId);
        if (!area) throw oversightProblems.unknownReference('query.areaId', 'Area');
        areaPath = area.path;
      }
      const before = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await orepo.listIncidents(db, {
        scopePaths: scopePaths(actor, 'incidents.read'),
        areaPath,
        status: q.status,
        annexClass: q.annexClass,
        before,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toIncidentDto, (r) => [iso(r.reported_at), r.id]);
    },

    /** The mitigation plan, replaced whole; an open incident with a plan is being mitigated. */
    plan(tx: Tx, ctx: RequestContext, id: string, input: IncidentPlanInput): Promise<IncidentDto> {
      return change(
        tx,
        ctx,
        id,
        (i) => ({
          plan: input.actions.map((a) => ({ ...a, done: a.done ?? false })),
          ...(i.status === 'open' ? { status: 'mitigating' as const } : {}),
        }),
        'custody.incident_plan_set',
      );
    },

    /** A new status with its reason. Resolving also resolves the incident's flag and lifts disengagement. */
    async status(tx: Tx, ctx: RequestContext, id: string, input: IncidentStatusInput): Promise<IncidentDto> {
      const after = await change(
        tx,
        ctx,
        id,
        () => ({ status: input.status }),
        'custody.incident_status_changed',
        {
          reason: input.reason,
        },
      );
      if (input.status === 'resolved') {
        const actor = requireActor(ctx);
        await orepo.resolveFlags(
          tx,
          { incidentId: id },
          actor.kind === 'system' ? null : actor.id,
          clock.now(),
          input.reason,
        );
      }
      return after;
    },
  };
}
