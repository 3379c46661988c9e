import { sql } from 'kysely';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { scopePaths, subtreePatterns } from '../../platform/access/access.ts';
import type { Actor } from '../../platform/context.ts';
import type { AuditEventRow, Queryable } from '../../platform/db/schema.ts';

/**
 * The audit trail as CSV, shared by the synchronous export (GET /audit-events?format=csv) and the
 * background export task ('export.audit'), so both produce the same bytes for the same filter.
 * The generic CSV helpers live here too because the audit export was their first user; the users
 * export imports them from here.
 */

/** Rows per CSV export: enough for any investigation, bounded so one request cannot dump the table. */
export const CSV_EXPORT_CAP = 100_000;
/** Rows per keyset batch of a CSV export. */
export const CSV_BATCH = 5_000;

/** One piece of a CSV export: the text and how many data rows it holds (0 for the header). */
export interface CsvChunk {
  text: string;
  rows: number;
}

/** How many rows an export will hold, capped, and whether the cap cut it short. */
export interface CsvExtent {
  rows: number;
  truncated: boolean;
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // A cell starting with = + - @ runs as a formula when the export is opened in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** format=csv, or no format and an Accept header naming text/csv. */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  if (!accept) return false;
  return accept.split(',').some((part) => part.split(';')[0]!.trim().toLowerCase() === 'text/csv');
}

/** The text of an export's chunks, for a response stream. */
export async function* csvText(chunks: AsyncIterable<CsvChunk>): AsyncGenerator<string> {
  for await (const chunk of chunks) yield chunk.text;
}

/** The filter fields of the audit trail: the list query and the export task share them. */
export const auditEventFilter = z.object({
  entityType: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
  actorId: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  areaId: uuidSchema.optional().describe('Events recorded against exactly this area.'),
  from: z.iso.datetime({ offset: true }).optional().describe('occurredAt at or after this instant.'),
  to: z.iso.datetime({ offset: true }).optional().describe('occurredAt strictly before this instant.'),
});
export type AuditEventFilter = z.infer<typeof auditEventFilter>;

export function eventDto(r: AuditEventRow) {
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
export function filteredEvents(db: Queryable, actor: Actor, q: AuditEventFilter, beforeSeq: number | null) {
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

export const AUDIT_CSV_COLUMNS = [
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

/** Rows the export of this filter will hold: one bounded count, never more than the cap + 1. */
export async function countAuditExport(
  db: Queryable,
  actor: Actor,
  q: AuditEventFilter,
  beforeSeq: number | null,
): Promise<CsvExtent> {
  const inner = filteredEvents(db, actor, q, beforeSeq)
    .clearSelect()
    .select('e.seq')
    .limit(CSV_EXPORT_CAP + 1);
  const r = await db
    .selectFrom(inner.as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(r.n);
  return { rows: Math.min(n, CSV_EXPORT_CAP), truncated: n > CSV_EXPORT_CAP };
}

/**
 * The header, then one chunk per keyset batch, newest first: memory stays flat whatever the export
 * size, and PGlite's single session is free between batches for other requests.
 */
export async function* auditCsvChunks(
  db: Queryable,
  actor: Actor,
  q: AuditEventFilter,
  beforeSeq: number | null,
  batchSize = CSV_BATCH,
): AsyncGenerator<CsvChunk> {
  yield { text: csvLine(AUDIT_CSV_COLUMNS), rows: 0 };
  let remaining = CSV_EXPORT_CAP;
  let cursor = beforeSeq;
  while (remaining > 0) {
    const rows = await filteredEvents(db, actor, q, cursor)
      .orderBy('e.seq', 'desc')
      .limit(Math.min(batchSize, remaining))
      .execute();
    if (rows.length === 0) return;
    let text = '';
    for (const row of rows) {
      const dto = eventDto(row);
      text += csvLine(AUDIT_CSV_COLUMNS.map((c) => dto[c]));
    }
    yield { text, rows: rows.length };
    remaining -= rows.length;
    cursor = rows[rows.length - 1]!.seq;
    if (rows.length < batchSize) return;
  }
}
