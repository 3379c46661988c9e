import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { UUID_PATTERN, uuidSchema } from '../../../shared/ids.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission, scopePaths, subtreePatterns } from '../../platform/access/access.ts';
import {
  type Checkpoint,
  checkpointStatement,
  loadSigningKey,
  normalisePublicKey,
  publicKeyOf,
  writeCheckpoint,
} from '../../platform/audit/checkpoint.ts';
import { verifyChain } from '../../platform/audit/verify.ts';
import type { Actor } from '../../platform/context.ts';
import type { AuditEventRow, Queryable } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, pageQuerySchema, pageResponse } from '../../platform/http/pagination.ts';

const tags = ['audit'];

/** Rows per CSV export: enough for any investigation, bounded so one request cannot dump the table. */
export const CSV_EXPORT_CAP = 100_000;
const CSV_BATCH = 5_000;

const auditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  occurredAt: z.iso.datetime(),
  actorKind: z.enum(['user', 'token', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  areaId: z.string().nullable(),
  requestId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  meta: z.unknown(),
  hash: z.string(),
  prevHash: z.string(),
});

const auditEventListQuery = z
  .object({
    entityType: z.string().min(1).max(100).optional(),
    entityId: z.string().min(1).max(200).optional(),
    actorId: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(100).optional(),
    areaId: uuidSchema.optional().describe('Events recorded against exactly this area.'),
    from: z.iso.datetime({ offset: true }).optional().describe('occurredAt at or after this instant.'),
    to: z.iso.datetime({ offset: true }).optional().describe('occurredAt strictly before this instant.'),
    limit: pageQuerySchema.shape.limit,
    cursor: pageQuerySchema.shape.cursor,
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe(
        `csv (or Accept: text/csv) streams the whole filtered set, newest first, up to ${CSV_EXPORT_CAP} rows; ` +
          'limit is ignored and X-Export-Truncated: true says the cap was reached.',
      ),
  })
  .strict();
type AuditEventListQuery = z.infer<typeof auditEventListQuery>;

const brokenLinkSchema = z.object({
  seq: z.number().int(),
  reason: z.enum([
    'hash_mismatch',
    'prev_hash_mismatch',
    'missing_event',
    'head_mismatch',
    'checkpoint_mismatch',
    'checkpoint_signature_invalid',
  ]),
  detail: z.string(),
});

const verifyResultSchema = z.object({
  ok: z.boolean(),
  eventsChecked: z.number().int(),
  headSeq: z.number().int(),
  firstBrokenLink: brokenLinkSchema.nullable(),
  checkpointsChecked: z.number().int(),
});

const verifyBody = z
  .object({
    publicKeys: z
      .array(z.string().min(1).max(4_000))
      .min(1)
      .max(50)
      .optional()
      .describe(
        'Public keys checkpoints must be signed with (base64 SPKI DER or PEM); by default the key this server signs with.',
      ),
  })
  .strict()
  // Fastify hands a POST without a body over as null.
  .nullish();

const checkpointSchema = z.object({
  id: z.string(),
  seq: z.number().int(),
  hash: z.string(),
  signedAt: z.iso.datetime(),
  publicKey: z.string().describe('Ed25519 public key, base64 of the SPKI DER.'),
  signature: z.string().describe('Ed25519 signature of `statement`, base64.'),
  statement: z.string().describe('The exact UTF-8 text that was signed.'),
});

const checkpointListQuery = pageQuerySchema.strict();

function eventDto(r: AuditEventRow) {
  return {
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    areaId: r.area_id,
    requestId: r.request_id,
    before: r.before ?? null,
    after: r.after ?? null,
    meta: r.meta ?? null,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

function checkpointDto(c: Checkpoint): z.infer<typeof checkpointSchema> {
  return {
    id: c.id,
    seq: c.seq,
    hash: c.hash,
    signedAt: c.signedAt.toISOString(),
    publicKey: c.publicKey,
    signature: c.signature,
    statement: checkpointStatement(c.seq, c.hash, c.signedAt),
  };
}

const COUNTRY_ROOT = /^\/[^/]+\/$/;

/**
 * Which events the caller may read. An event belongs to the area it names; an event with no area
 * (sign-ins, configuration, the audit itself) is national business, visible only from a country
 * root or to the system.
 */
function eventScope(actor: Actor): { all: true } | { all: false; patterns: string[]; arealess: boolean } {
  const paths = scopePaths(actor, 'audit.read');
  if (actor.kind === 'system' || paths.includes('/')) return { all: true };
  return {
    all: false,
    patterns: subtreePatterns(paths),
    arealess: paths.some((p) => COUNTRY_ROOT.test(p)),
  };
}

/** The filtered, jurisdiction-scoped set, in SQL so that LIMIT applies after the scoping. */
function filteredEvents(db: Queryable, actor: Actor, q: AuditEventListQuery, beforeSeq: number | null) {
  const scope = eventScope(actor);
  let query = db.selectFrom('audit_events as e').selectAll('e');
  if (!scope.all) {
    query = query.leftJoin('admin_areas as a', 'a.id', 'e.area_id').where((eb) => {
      const inArea = sql<boolean>`a.path LIKE ANY(${scope.patterns}::text[])`;
      return scope.arealess ? eb.or([inArea, eb('e.area_id', 'is', null)]) : inArea;
    });
  }
  if (q.entityType !== undefined) query = query.where('e.entity_type', '=', q.entityType);
  if (q.entityId !== undefined) query = query.where('e.entity_id', '=', q.entityId);
  if (q.actorId !== undefined) query = query.where('e.actor_id', '=', q.actorId);
  if (q.action !== undefined) query = query.where('e.action', '=', q.action);
  if (q.areaId !== undefined) query = query.where('e.area_id', '=', q.areaId);
  if (q.from !== undefined) query = query.where('e.occurred_at', '>=', new Date(q.from));
  if (q.to !== undefined) query = query.where('e.occurred_at', '<', new Date(q.to));
  if (beforeSeq !== null) query = query.where('e.seq', '<', beforeSeq);
  return query;
}

function seqCursor(cursor: string | undefined): number | null {
  const key = decodeCursor(cursor, 1);
  if (key === null) return null;
  const seq = key[0];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw problems.invalidCursor();
  return seq;
}

const CSV_COLUMNS = [
  'seq',
  'id',
  'occurredAt',
  'actorKind',
  'actorId',
  'action',
  'entityType',
  'entityId',
  'areaId',
  'requestId',
  'before',
  'after',
  'meta',
  'hash',
  'prevHash',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // A cell starting with = + - @ runs as a formula when the export is opened in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

function wantsCsv(format: AuditEventListQuery['format'], accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  if (!accept) return false;
  return accept.split(',').some((part) => part.split(';')[0]!.trim().toLowerCase() === 'text/csv');
}

export function registerAuditRoutes(
  app: TypedApp,
  { database, audit, clock, config, runWrite }: ModuleDeps,
): void {
  let signingKey: KeyObject | null = null;
  // Loaded on first use: a server that never checkpoints never creates a development key file.
  const key = () => {
    signingKey ??= loadSigningKey(config.auditSigningKey, config.dataDir, config.env);
    return signingKey;
  };

  app.get(
    '/audit-events',
    {
      schema: {
        tags,
        summary: 'The audit trail in my areas, newest first (JSON pages, or CSV with format=csv)',
        querystring: auditEventListQuery,
        response: { 200: pageResponse(auditEventSchema) },
      },
    },
    async (request, reply) => {
      const actor = requirePermission(request.ctx, 'audit.read');
      const q = request.query;
      const beforeSeq = seqCursor(q.cursor);

      if (wantsCsv(q.format, request.headers.accept)) {
        const beyondCap = await filteredEvents(database.db, actor, q, beforeSeq)
          .clearSelect()
          .select('e.seq')
          .orderBy('e.seq', 'desc')
          .offset(CSV_EXPORT_CAP)
          .limit(1)
          .executeTakeFirst();
        if (beyondCap) reply.header('x-export-truncated', 'true');
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-events.csv"')
          .header('cache-control', 'no-store');
        // A stream bypasses the JSON serializer; the typed reply only knows the JSON page.
        return (reply as FastifyReply).send(Readable.from(csvExport(database.db, actor, q, beforeSeq)));
      }

      const rows = await filteredEvents(database.db, actor, q, beforeSeq)
        .orderBy('e.seq', 'desc')
        .limit(q.limit + 1)
        .execute();
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      return {
        items: items.map(eventDto),
        nextCursor: more ? encodeCursor([items[items.length - 1]!.seq]) : null,
      };
    },
  );

  /** Keyset batches, so memory stays flat whatever the export size and PGlite's session is shared between batches. */
  async function* csvExport(
    db: Queryable,
    actor: Actor,
    q: AuditEventListQuery,
    beforeSeq: number | null,
  ): AsyncGenerator<string> {
    yield csvLine(CSV_COLUMNS);
    let remaining = CSV_EXPORT_CAP;
    let cursor = beforeSeq;
    while (remaining > 0) {
      const rows = await filteredEvents(db, actor, q, cursor)
        .orderBy('e.seq', 'desc')
        .limit(Math.min(CSV_BATCH, remaining))
        .execute();
      if (rows.length === 0) return;
      let chunk = '';
      for (const row of rows) {
        const dto = eventDto(row);
        chunk += csvLine(CSV_COLUMNS.map((c) => dto[c]));
      }
      yield chunk;
      remaining -= rows.length;
      cursor = rows[rows.length - 1]!.seq;
      if (rows.length < CSV_BATCH) return;
    }
  }

  app.post(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the whole hash chain and check every signed checkpoint',
        body: verifyBody,
        response: { 200: verifyResultSchema },
      },
    },
    async (request, reply) => {
      requirePermission(request.ctx, 'audit.verify');
      const given = request.body?.publicKeys;
      const publicKeys = given
        ? given.map((k, i) => {
            try {
              return normalisePublicKey(k);
            } catch {
              throw problems.validation([
                {
                  path: `body.publicKeys.${i}`,
                  code: 'invalid_key',
                  message: 'not a public key (base64 SPKI DER or PEM)',
                },
              ]);
            }
          })
        : [publicKeyOf(key())];
      // Outside the write transaction: a long walk must not hold the embedded database's only
      // session; between batches other requests go on. Only the outcome is written.
      const result = await verifyChain(database.db, { publicKeys });
      return runWrite(request, reply, request.ctx, async (tx) => {
        await audit.record(tx, request.ctx, {
          action: 'audit.verified',
          entityType: 'audit_chain',
          meta: { ...result, trustedKeys: publicKeys },
        });
        return { status: 200, body: result };
      });
    },
  );

  app.get(
    '/audit/checkpoints',
    {
      schema: {
        tags,
        summary: 'Signed checkpoints of the chain head, newest first',
        querystring: checkpointListQuery,
        response: { 200: pageResponse(checkpointSchema) },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'audit.read');
      const q = request.query;
      const after = decodeCursor(q.cursor, 2);
      if (
        after &&
        (typeof after[0] !== 'number' || typeof after[1] !== 'string' || !UUID_PATTERN.test(after[1]))
      ) {
        throw problems.invalidCursor();
      }
      let query = database.db.selectFrom('audit_checkpoints').selectAll();
      if (after) query = query.where(sql<boolean>`(seq, id) < (${after[0]}::bigint, ${after[1]}::uuid)`);
      const rows = await query
        .orderBy('seq', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit + 1)
        .execute();
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      const last = items[items.length - 1];
      return {
        items: items.map((r) =>
          checkpointDto({
            id: r.id,
            seq: r.seq,
            hash: r.hash,
            signedAt: r.signed_at,
            publicKey: r.public_key,
            signature: r.signature,
          }),
        ),
        nextCursor: more && last ? encodeCursor([last.seq, last.id]) : null,
      };
    },
  );

  app.post(
    '/audit/checkpoints',
    {
      schema: {
        tags,
        summary: 'Sign the current chain head (publish the result outside this system)',
        body: z.object({}).strict().nullish(),
        response: { 201: checkpointSchema },
      },
    },
    async (request, reply) => {
      requirePermission(request.ctx, 'audit.verify');
      const signing = key();
      return runWrite(request, reply, request.ctx, async (tx) => ({
        status: 201,
        body: checkpointDto(await writeCheckpoint(tx, request.ctx, audit, signing, clock)),
      }));
    },
  );
}
