import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { canonicalJson } from '../../../shared/canonical-json.ts';
import type { RequestContext } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { Tx } from '../db/schema.ts';
import { problems } from '../errors.ts';

export interface WriteResult<T> {
  status: number;
  body: T;
  headers?: Record<string, string>;
  /** What a replay answers instead of body, when body holds a secret that must not be stored. */
  replayBody?: unknown;
}

/** The part of a fastify reply this needs; generic so each route keeps its own typed reply. */
interface ReplyLike {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
  send(payload?: unknown): unknown;
  /** Settles once the answer is written (a fastify reply is; one held back for later is not). */
  then?(fulfilled: () => void, rejected: (err: Error) => void): void;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function actorKey(ctx: RequestContext): string {
  return ctx.actor ? `${ctx.actor.kind}:${ctx.actor.id}` : `anonymous:${ctx.ip ?? ''}`;
}

/** Deadlock and serialisation failure: PostgreSQL rolled the transaction back; running it again may pass. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

export interface WriteOptions {
  /**
   * Run the work again (up to three times in all) when PostgreSQL stops it as one side of a
   * deadlock. Only for work that touches nothing outside its transaction before it commits.
   */
  retryDeadlocks?: boolean;
}

/**
 * Runs a write request as one transaction. With an Idempotency-Key (IETF httpapi draft): the first
 * answer is stored in the same transaction as the change, so a replay returns it exactly; the same
 * key with another request is 422; a key whose first request is still running is 409.
 */
export function createWriteRunner(database: Database, { afterCommit }: { afterCommit?: () => void } = {}) {
  return async function runWrite<T, R extends ReplyLike>(
    request: FastifyRequest,
    reply: R,
    ctx: RequestContext,
    work: (tx: Tx) => Promise<WriteResult<T>>,
    { retryDeadlocks = false }: WriteOptions = {},
  ): Promise<void> {
    const rawKey = request.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    if (Array.isArray(rawKey) || (rawKey !== undefined && !KEY_PATTERN.test(rawKey))) {
      throw problems.idempotencyKeyInvalid();
    }
    const key = rawKey;
    const actor = actorKey(ctx);
    const requestHash = key
      ? createHash('sha256')
          .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
          .digest('hex')
      : '';

    const attempt = () =>
      database.db.transaction().execute(async (tx) => {
        if (key) {
          const locked = await sql<{ ok: boolean }>`
          SELECT pg_try_advisory_xact_lock(hashtext(${actor}), hashtext(${key})) AS ok`.execute(tx);
          if (!locked.rows[0]?.ok) throw problems.idempotencyInProgress();
          const previous = await tx
            .selectFrom('idempotency_keys')
            .selectAll()
            .where('actor', '=', actor)
            .where('key', '=', key)
            .executeTakeFirst();
          if (previous) {
            if (previous.request_hash !== requestHash) throw problems.idempotencyKeyReused();
            return {
              replayed: true,
              status: previous.response_status,
              body: previous.response_body as T,
              headers: previous.response_headers,
            };
          }
        }
        const result = await work(tx);
        if (key) {
          await tx
            .insertInto('idempotency_keys')
            .values({
              actor,
              key,
              request_hash: requestHash,
              response_status: result.status,
              response_body: JSON.stringify(result.replayBody ?? result.body ?? null),
              response_headers: JSON.stringify(result.headers ?? {}),
            })
            .execute();
        }
        return { replayed: false, status: result.status, body: result.body, headers: result.headers ?? {} };
      });
    let outcome: Awaited<ReturnType<typeof attempt>>;
    for (let n = 1; ; n++) {
      try {
        outcome = await attempt();
        break;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (!retryDeadlocks || n >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
      }
    }

    if (!outcome.replayed) afterCommit?.();
    if (outcome.replayed) reply.header('idempotent-replayed', 'true');
    for (const [name, value] of Object.entries(outcome.headers)) reply.header(name, value);
    reply.status(outcome.status);
    if (outcome.body === undefined || outcome.body === null) reply.send();
    else reply.send(outcome.body);
    // Routes return this promise. Were it to settle while the answer is still on its way (a body
    // compressed as a stream goes out after the onSend hooks), fastify would take the route for
    // one that had not answered and send a second, empty answer first.
    await reply;
  };
}

export type RunWrite = ReturnType<typeof createWriteRunner>;

/** Weak validators are enough here: the version column changes on every update. */
export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** For updates: 428 without If-Match, 412 when it does not name the current version. */
export function requireIfMatch(request: FastifyRequest, currentVersion: number): void {
  const header = request.headers['if-match'];
  if (!header) throw problems.preconditionRequired();
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes('*') && !tags.includes(etagOf(currentVersion))) throw problems.preconditionFailed();
}
