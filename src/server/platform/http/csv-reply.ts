import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { type CsvChunk, type CsvExtent, csvText } from '../../modules/audit/export.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { RequestContext } from '../context.ts';
import type { DB } from '../db/schema.ts';

export interface CsvExport {
  /** The audit action recorded for the bulk read, such as 'person.exported'. */
  action: string;
  entityType: string;
  /** The area the read is recorded against: the caller's home area. */
  areaId: string | null;
  fileName: string;
  /** What was asked for, kept in the audit event. */
  filter: Record<string, unknown>;
  extent: CsvExtent;
  chunks: AsyncIterable<CsvChunk>;
}

/**
 * Sends a list as a CSV stream. Bulk reads of the registry are themselves recorded, with the filter
 * and the size, before the first byte leaves; a cut at the cap is said in X-Export-Truncated.
 */
export async function sendCsvExport(
  db: Kysely<DB>,
  audit: AuditLog,
  ctx: RequestContext,
  reply: FastifyReply,
  e: CsvExport,
): Promise<FastifyReply> {
  await db.transaction().execute((tx) =>
    audit.record(tx, ctx, {
      action: e.action,
      entityType: e.entityType,
      areaId: e.areaId,
      meta: { format: 'csv', filter: e.filter, ...e.extent },
    }),
  );
  if (e.extent.truncated) reply.header('x-export-truncated', 'true');
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${e.fileName}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(csvText(e.chunks)));
}
