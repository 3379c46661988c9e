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

/** Where a service writes its audit events; the log itself, or a batch's buffer (auditBuffer). */
export interface AuditSink {
  record(tx: Queryable, ctx: RequestContext, input: AuditInput): Promise<unknown>;
}

export interface AuditLog extends AuditSink {
  /**
   * Appends one event to the chain inside the caller's transaction, so the change and its record
   * commit or vanish together. Locking the head row serialises appends: the chain stays gapless and
   * in commit order.
   */
  record(tx: Queryable, ctx: RequestContext, input: AuditInput): Promise<{ seq: number; hash: string }>;
  /**
   * Appends several events in their order at once: the head is locked once, for one insert, and
   * stays locked until the caller commits. Nothing is appended for an empty list (null).
   */
  recordMany(
    tx: Queryable,
    entries: readonly { ctx: RequestContext; input: AuditInput }[],
  ): Promise<{ seq: number; hash: string } | null>;
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

/** Rows per INSERT: 14 parameters a row stays far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 1_000;

export function createAuditLog({ clock }: { clock: Clock }): AuditLog {
  async function append(
    tx: Queryable,
    entries: readonly { ctx: RequestContext; input: AuditInput }[],
  ): Promise<{ seq: number; hash: string } | null> {
    if (entries.length === 0) return null;
    const head = await sql<{ seq: number; hash: string }>`
      SELECT seq, hash FROM audit_head WHERE singleton FOR UPDATE`.execute(tx);
    let { seq, hash } = head.rows[0]!;
    seq = Number(seq);
    // The time an event joined the chain, read under the lock: times rise with seq.
    const occurredAt = clock.now();
    const rows = entries.map(({ ctx, input }) => {
      const actor = ctx.actor;
      const event = {
        seq: seq + 1,
        id: uuidv7(),
        occurred_at: occurredAt,
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
        prev_hash: hash,
      };
      seq = event.seq;
      hash = hashEvent(event);
      return {
        ...event,
        before: event.before === null ? null : JSON.stringify(event.before),
        after: event.after === null ? null : JSON.stringify(event.after),
        meta: event.meta === null ? null : JSON.stringify(event.meta),
        hash,
      };
    });
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await tx
        .insertInto('audit_events')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    await tx.updateTable('audit_head').set({ seq, hash }).where('singleton', '=', true).execute();
    return { seq, hash };
  }
  return {
    async record(tx, ctx, input) {
      return (await append(tx, [{ ctx, input }]))!;
    },
    recordMany: append,
  };
}

/**
 * Audit events held back until the end of a long transaction (a batch of hundreds of transfers),
 * then appended at once: the head, which every audited write in the country waits for, is locked
 * for the append and the commit, not for the whole batch. Entries of a part rolled back to a
 * savepoint are dropped with it (mark, then dropFrom). What is held is redacted when recorded, so
 * a later change to the caller's objects cannot reach the trail.
 */
export function auditBuffer(log: AuditLog) {
  const pending: { ctx: RequestContext; input: AuditInput }[] = [];
  return {
    sink: {
      async record(_tx: Queryable, ctx: RequestContext, input: AuditInput) {
        pending.push({
          ctx,
          input: {
            ...input,
            before: redact(input.before),
            after: redact(input.after),
            meta: redact(input.meta),
          },
        });
      },
    } satisfies AuditSink,
    /** Where the entries of the part about to run begin. */
    mark: (): number => pending.length,
    /** Forgets the entries recorded since the mark (their part was rolled back). */
    dropFrom(mark: number): void {
      pending.length = Math.min(pending.length, mark);
    },
    /** Appends what is held to the chain, in the caller's transaction, right before it commits. */
    async flush(tx: Queryable): Promise<void> {
      await log.recordMany(tx, pending.splice(0));
    },
  };
}
