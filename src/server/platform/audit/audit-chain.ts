import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that the chain covers: everything but its own hash. */
export interface ChainedEvent {
  seq: number;
  id: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  area_id: string | null;
  request_id: string | null;
  before: unknown;
  after: unknown;
  meta: unknown;
  prev_hash: string;
}

/** hash = SHA-256(prev_hash || "\n" || canonical JSON of the event without its hash), in hex. */
export function hashEvent(event: ChainedEvent): string {
  const body = canonicalJson({
    seq: event.seq,
    id: event.id,
    occurred_at: event.occurred_at,
    actor_kind: event.actor_kind,
    actor_id: event.actor_id,
    action: event.action,
    entity_type: event.entity_type,
    entity_id: event.entity_id,
    area_id: event.area_id,
    request_id: event.request_id,
    before: event.before ?? null,
    after: event.after ?? null,
    meta: event.meta ?? null,
  });
  return createHash('sha256').update(event.prev_hash).update('\n').update(body).digest('hex');
}
