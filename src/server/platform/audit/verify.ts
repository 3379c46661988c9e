import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import { sql } from 'kysely';
import type { Queryable } from '../db/schema.ts';
import { GENESIS_HASH, hashEvent } from './audit-chain.ts';
import { checkpointStatement, normalisePublicKey } from './checkpoint.ts';

export type BrokenLinkReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing_event'
  | 'head_mismatch'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid';

export interface BrokenLink {
  seq: number;
  reason: BrokenLinkReason;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Events read and found sound; the walk stops at the first broken link. */
  eventsChecked: number;
  /** The chain head when verification started: later appends are left for the next run. */
  headSeq: number;
  firstBrokenLink: BrokenLink | null;
  checkpointsChecked: number;
}

export interface VerifyOptions {
  /**
   * Keys the checkpoints must be signed with (base64 SPKI DER, SPKI PEM or a KeyObject). Without
   * them a checkpoint is only checked against the key stored beside it, which proves nothing
   * against someone able to write that table: pin the keys that were published.
   */
  publicKeys?: readonly (string | KeyObject)[];
  batchSize?: number;
}

const DEFAULT_BATCH = 5_000;

interface CheckpointRow {
  id: string;
  seq: number;
  hash: string;
  signed_at: Date;
  public_key: string;
  signature: string;
}

/**
 * Walks the whole chain in seq order and reports the first broken link by seq.
 *
 * Consistency without a long snapshot transaction: checkpoints are read first and the head second,
 * and a checkpoint and the head only ever move forward together with committed events, so every
 * checkpoint read is at or below the head read, and every event up to that head is committed and
 * immutable. Events appended while the walk runs lie above the head and are left for the next run.
 */
export async function verifyChain(db: Queryable, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? DEFAULT_BATCH, 50_000));
  const trusted = opts.publicKeys ? new Set(opts.publicKeys.map(normalisePublicKey)) : null;

  // All at once: one a day for years is still a few thousand small rows.
  const checkpoints: CheckpointRow[] = await db
    .selectFrom('audit_checkpoints')
    .select(['id', 'seq', 'hash', 'signed_at', 'public_key', 'signature'])
    .orderBy('seq')
    .orderBy('id')
    .execute();
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('singleton', '=', true)
    .executeTakeFirstOrThrow();
  const headSeq = Number(head.seq);

  let eventsChecked = 0;
  let checkpointsChecked = 0;
  let nextCheckpoint = 0;
  const keyCache = new Map<string, { key: KeyObject; spki: string } | null>();

  const result = (firstBrokenLink: BrokenLink | null): VerifyResult => ({
    ok: firstBrokenLink === null,
    eventsChecked,
    headSeq,
    firstBrokenLink,
    checkpointsChecked,
  });

  /** Checks every checkpoint at `seq`, whose event has `hash` (null when the chain has no such event). */
  const checkCheckpointsAt = (seq: number, hash: string | null): BrokenLink | null => {
    while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.seq === seq) {
      const cp = checkpoints[nextCheckpoint++]!;
      checkpointsChecked++;
      const signatureProblem = checkSignature(cp, trusted, keyCache);
      if (signatureProblem) return { seq, reason: 'checkpoint_signature_invalid', detail: signatureProblem };
      if (hash === null) {
        return {
          seq,
          reason: 'checkpoint_mismatch',
          detail: `checkpoint ${cp.id} covers seq ${seq}, but the chain ends at seq ${headSeq}`,
        };
      }
      if (cp.hash !== hash) {
        return {
          seq,
          reason: 'checkpoint_mismatch',
          detail: `checkpoint ${cp.id} signed hash ${cp.hash} at seq ${seq}; the event there now has ${hash}`,
        };
      }
    }
    return null;
  };

  // A checkpoint of the empty chain (seq 0) can only name the genesis hash.
  const atGenesis = checkCheckpointsAt(0, GENESIS_HASH);
  if (atGenesis) return result(atGenesis);
  // Checkpoints at negative seqs cannot be honest; report them at the start of the chain.
  if (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.seq < 0) {
    const cp = checkpoints[nextCheckpoint]!;
    return result({ seq: 0, reason: 'checkpoint_mismatch', detail: `checkpoint ${cp.id} has seq ${cp.seq}` });
  }

  /** One seq range [from, to). An honest chain is dense, so it holds at most batchSize rows. */
  const fetchRange = (from: number, to: number) =>
    db
      .selectFrom('audit_events')
      .select([
        'seq',
        'id',
        'occurred_at',
        'actor_kind',
        'actor_id',
        'action',
        'entity_type',
        'entity_id',
        'area_id',
        'request_id',
        'before',
        'after',
        'meta',
        'prev_hash',
        'hash',
      ])
      // A closed range rather than LIMIT keeps the plan an index range scan even on a table without
      // statistics (with LIMIT the planner may sort the whole rest of the table for every batch).
      .where('seq', '>=', from)
      .where('seq', '<', to)
      .orderBy('seq')
      .execute();

  let prevHash = GENESIS_HASH;
  let expected = 1;
  let rangeStart = 1;
  let pending: ReturnType<typeof fetchRange> | null =
    headSeq >= 1 ? fetchRange(1, Math.min(1 + batchSize, headSeq + 1)) : null;
  try {
    while (pending) {
      const rows = await pending;
      // Ask for the next range before hashing this one, so the server works while this thread hashes.
      rangeStart += batchSize;
      pending =
        rangeStart <= headSeq ? fetchRange(rangeStart, Math.min(rangeStart + batchSize, headSeq + 1)) : null;

      for (const row of rows) {
        const seq = row.seq;
        if (seq !== expected) {
          return result({
            seq: expected,
            reason: 'missing_event',
            detail: `no event at seq ${expected}; the next one is seq ${seq}`,
          });
        }
        if (row.prev_hash !== prevHash) {
          return result({
            seq,
            reason: 'prev_hash_mismatch',
            detail: `prev_hash ${row.prev_hash} does not match the hash of seq ${seq - 1} (${prevHash})`,
          });
        }
        const recomputed = hashEvent(row);
        if (recomputed !== row.hash) {
          return result({
            seq,
            reason: 'hash_mismatch',
            detail: `stored hash ${row.hash} but the event's content hashes to ${recomputed}`,
          });
        }
        eventsChecked++;
        const atCheckpoint = checkCheckpointsAt(seq, row.hash);
        if (atCheckpoint) return result(atCheckpoint);
        prevHash = row.hash;
        expected = seq + 1;
      }
      // A range that ended short: the events after the last one seen up to its end are missing.
      if (expected < Math.min(rangeStart, headSeq + 1)) {
        const next = await db
          .selectFrom('audit_events')
          .select('seq')
          .where('seq', '>', expected)
          .where('seq', '<=', headSeq)
          .orderBy('seq')
          .limit(1)
          .executeTakeFirst();
        return result({
          seq: expected,
          reason: 'missing_event',
          detail: next
            ? `no event at seq ${expected}; the next one is seq ${next.seq}`
            : `the head is at seq ${headSeq} but the chain stops at seq ${expected - 1}`,
        });
      }
    }
  } finally {
    // On an early answer the prefetched batch is still in flight on the same connection.
    if (pending) await pending.catch(() => undefined);
  }

  if (head.hash !== prevHash) {
    return result({
      seq: headSeq,
      reason: 'head_mismatch',
      detail: `audit_head holds hash ${head.hash}; the event at seq ${headSeq} has ${prevHash}`,
    });
  }
  // Checkpoints above the head: history they signed was cut off (and the head moved back).
  if (nextCheckpoint < checkpoints.length) {
    const cp = checkpoints[nextCheckpoint]!;
    return result(checkCheckpointsAt(cp.seq, null));
  }

  // Events above the head that the head never reached were written around record(). Read the
  // highest event before the head again: an honest append moves both in one commit, so a head read
  // second is always at or above it.
  const beyond = await sql<{ max: number | string | null }>`SELECT max(seq) AS max FROM audit_events`.execute(
    db,
  );
  const maxSeq = beyond.rows[0]?.max == null ? 0 : Number(beyond.rows[0].max);
  if (maxSeq > headSeq) {
    const now = await db
      .selectFrom('audit_head')
      .select('seq')
      .where('singleton', '=', true)
      .executeTakeFirstOrThrow();
    if (maxSeq > Number(now.seq)) {
      return result({
        seq: Number(now.seq) + 1,
        reason: 'head_mismatch',
        detail: `events exist up to seq ${maxSeq} but audit_head is at seq ${now.seq}`,
      });
    }
  }
  return result(null);
}

function checkSignature(
  cp: CheckpointRow,
  trusted: ReadonlySet<string> | null,
  cache: Map<string, { key: KeyObject; spki: string } | null>,
): string | null {
  let entry = cache.get(cp.public_key);
  if (entry === undefined) {
    entry = null;
    try {
      const key = createPublicKey({ key: Buffer.from(cp.public_key, 'base64'), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType === 'ed25519') {
        entry = { key, spki: key.export({ format: 'der', type: 'spki' }).toString('base64') };
      }
    } catch {
      entry = null;
    }
    cache.set(cp.public_key, entry);
  }
  if (!entry) return `checkpoint ${cp.id} carries a public key that is not an Ed25519 SPKI key`;
  if (trusted && !trusted.has(entry.spki)) {
    return `checkpoint ${cp.id} is signed by a key that is not among the trusted public keys`;
  }
  const statement = checkpointStatement(cp.seq, cp.hash, cp.signed_at);
  let valid = false;
  try {
    valid = verifySignature(
      null,
      Buffer.from(statement, 'utf8'),
      entry.key,
      Buffer.from(cp.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  return valid ? null : `the signature of checkpoint ${cp.id} does not match its statement "${statement}"`;
}
