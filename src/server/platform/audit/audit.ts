import { sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import type { Queryable } from '../db/schema.ts';
import { hashEvent } from './audit-chain.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  areaId?: string | null;
  before?: unknown;
  after?: unknown;
  meta?: unknown;
}

export interface AuditLog {
  /**
   * Appends one event to the chain inside the caller's transaction, so the change and its record
   * commit or vanish together. Locking the head row serialises appends: the chain stays gapless and
   * in commit order.
   */
  record(tx: Queryable, ctx: RequestContext, input: AuditInput): Promise<{ seq: number; hash: string }>;
}

/** Strips what must never enter the audit trail, whatever a service passes in. */
const SECRET_KEYS = new Set([
  'password',
  'password_hash',
  'passwordHash',
  'token',
  'token_hash',
  'tokenHash',
]);
function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEYS.has(k)) continue;
      if (v instanceof Uint8Array) continue;
      out[k] = redact(v);
    }
    return out;
  }
  return value;
}

export function createAuditLog({ clock }: { clock: Clock }): AuditLog {
  return {
    async record(tx, ctx, input) {
      const head = await sql<{ seq: number; hash: string }>`
        SELECT seq, hash FROM audit_head WHERE singleton FOR UPDATE`.execute(tx);
      const prev = head.rows[0]!;
      const actor = ctx.actor;
      const event = {
        seq: Number(prev.seq) + 1,
        id: uuidv7(),
        occurred_at: clock.now(),
        actor_kind: actor ? actor.kind : ('anonymous' as const),
        actor_id: actor ? actor.id : null,
        action: input.action,
        entity_type: input.entityType,
        entity_id: input.entityId ?? null,
        area_id: input.areaId ?? null,
        request_id: ctx.requestId,
        before: redact(input.before),
        after: redact(input.after),
        meta: redact(input.meta),
        prev_hash: prev.hash,
      };
      const hash = hashEvent(event);
      await tx
        .insertInto('audit_events')
        .values({
          ...event,
          before: event.before === null ? null : JSON.stringify(event.before),
          after: event.after === null ? null : JSON.stringify(event.after),
          meta: event.meta === null ? null : JSON.stringify(event.meta),
          hash,
        })
        .execute();
      await tx
        .updateTable('audit_head')
        .set({ seq: event.seq, hash })
        .where('singleton', '=', true)
        .execute();
      return { seq: event.seq, hash };
    },
  };
}
