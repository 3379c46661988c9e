import { sql } from 'kysely';
import type { ActorDto } from '../../../shared/schemas/custody.ts';
import { assertCanWrite, requirePermission } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { findActor } from './repo.ts';
import { actorTarget, toActorDto } from './views.ts';

export type ActorStatusAction = 'suspend' | 'reinstate';

const TRANSITIONS = {
  suspend: { from: 'active', to: 'suspended', audit: 'custody.actor_suspended' },
  reinstate: { from: 'suspended', to: 'active', audit: 'custody.actor_reinstated' },
} as const;

const alreadyThere = (action: ActorStatusAction, actorId: string) =>
  action === 'suspend'
    ? new AppError(409, 'custody.already_suspended', 'This actor is suspended already.', { actorId })
    : new AppError(409, 'custody.not_suspended', 'This actor is not suspended.', { actorId });

/** Changes the status only from the expected one, so two officers acting at once cannot both succeed. */
async function setStatus(db: Queryable, id: string, from: string, to: string): Promise<number> {
  const r = await sql`
    UPDATE custody_actors SET status = ${to}, version = version + 1
     WHERE id = ${id} AND status = ${from}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Suspending a custody actor stops it from producing, buying, selling or transforming lots (the
 * recorder refuses its events with custody.actor_suspended); reinstating lets it trade again. It is
 * a regulator's decision, so it takes custody.suspend in the actor's area (ADR 0013), with a reason
 * that the audit trail keeps.
 */
export function createActorStatusService({ audit }: { audit: AuditLog }) {
  return {
    async change(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      action: ActorStatusAction,
      reason: string,
    ): Promise<ActorDto> {
      requirePermission(ctx, 'custody.suspend');
      const actor = await findActor(tx, id);
      if (!actor) throw problems.notFound('Custody actor');
      assertCanWrite(ctx, 'custody.suspend', actorTarget(actor));
      const step = TRANSITIONS[action];
      if (actor.status !== step.from || (await setStatus(tx, id, step.from, step.to)) !== 1)
        throw alreadyThere(action, id);
      const after = toActorDto((await findActor(tx, id))!);
      await audit.record(tx, ctx, {
        action: step.audit,
        entityType: 'custody_actor',
        entityId: id,
        areaId: actor.area_id,
        before: { status: actor.status, version: actor.version },
        after: { status: after.status, version: after.version },
        meta: { reason },
      });
      return after;
    },
  };
}
