import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { UUID_PATTERN } from '../../../shared/ids.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission } from '../../platform/access/access.ts';
import {
  type Checkpoint,
  checkpointStatement,
  loadSigningKey,
  normalisePublicKey,
  publicKeyOf,
  writeCheckpoint,
} from '../../platform/audit/checkpoint.ts';
import { verifyChain } from '../../platform/audit/verify.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, pageQuerySchema, pageResponse } from '../../platform/http/pagination.ts';
import {
  auditCsvChunks,
  auditEventFilter,
  CSV_EXPORT_CAP,
  countAuditExport,
  csvText,
  eventDto,
  filteredEvents,
  wantsCsv,
} from './export.ts';

const tags = ['audit'];

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

const auditEventListQuery = auditEventFilter
  .extend({
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

function seqCursor(cursor: string | undefined): number | null {
  const key = decodeCursor(cursor, 1);
  if (key === null) return null;
  const seq = key[0];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw problems.invalidCursor();
  return seq;
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
        const { truncated } = await countAuditExport(database.db, actor, q, beforeSeq);
        if (truncated) reply.header('x-export-truncated', 'true');
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-events.csv"')
          .header('cache-control', 'no-store');
        // A stream bypasses the JSON serializer; the typed reply only knows the JSON page.
        return (reply as FastifyReply).send(
          Readable.from(csvText(auditCsvChunks(database.db, actor, q, beforeSeq))),
        );
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
