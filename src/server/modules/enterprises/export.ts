import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { type EnterpriseListQuery, REGISTRY_CSV_EXPORT_CAP } from '../../../shared/schemas/enterprises.ts';
import { requirePermission, scopePaths } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import { sendCsvExport } from '../../platform/http/csv-reply.ts';
import { pathOf } from '../admin-areas/repo.ts';
import { type CsvChunk, type CsvExtent, csvLine } from '../audit/export.ts';
import * as repo from './repo.ts';

/**
 * The enterprises list as CSV (GET /enterprises?format=csv): the same filter and order as the JSON
 * pages, the whole set in keyset batches, within the caller's jurisdiction.
 */

export const ENTERPRISE_CSV_COLUMNS = [
  'id',
  'reference',
  'name',
  'form',
  'status',
  'areaId',
  'registrationAuthority',
  'registrationNumber',
  'registrationDate',
  'paymentAccountKind',
  'paymentAccountProvider',
  'paymentAccount',
  'benefitSharingRules',
  'createdAt',
  'updatedAt',
] as const;

/** Rows per keyset batch of the enterprises CSV. */
export const ENTERPRISE_CSV_BATCH = 2_000;

export type EnterpriseExportFilter = Pick<EnterpriseListQuery, 'q' | 'form' | 'areaId'>;

async function repoFilter(db: Queryable, actor: Actor, f: EnterpriseExportFilter) {
  return {
    scopePaths: scopePaths(actor, 'registry.read'),
    q: f.q,
    form: f.form,
    // An unknown area matches nothing rather than being an error, as in the list.
    areaPath: f.areaId ? ((await pathOf(db, f.areaId)) ?? '/nowhere/') : undefined,
  };
}

/** How many rows the CSV of this filter will hold, capped. */
export async function countEnterpriseExport(
  db: Queryable,
  actor: Actor,
  f: EnterpriseExportFilter,
  cap = REGISTRY_CSV_EXPORT_CAP,
): Promise<CsvExtent> {
  const n = await repo.countEnterprises(db, await repoFilter(db, actor, f), cap);
  return { rows: Math.min(n, cap), truncated: n > cap };
}

export async function* enterpriseCsvChunks(
  db: Queryable,
  actor: Actor,
  f: EnterpriseExportFilter,
  { batchSize = ENTERPRISE_CSV_BATCH, cap = REGISTRY_CSV_EXPORT_CAP } = {},
): AsyncGenerator<CsvChunk> {
  const base = await repoFilter(db, actor, f);
  yield { text: csvLine(ENTERPRISE_CSV_COLUMNS), rows: 0 };
  let remaining = cap;
  let after: repo.Keyset | undefined;
  while (remaining > 0) {
    const limit = Math.min(batchSize, remaining);
    // listEnterprises fetches one row more than the limit, to tell whether more follow.
    const fetched = await repo.listEnterprises(db, { ...base, after, limit });
    const rows = fetched.slice(0, limit);
    if (rows.length === 0) return;
    let text = '';
    for (const e of rows) {
      text += csvLine([
        e.id,
        e.reference,
        e.name,
        e.form,
        e.status,
        e.area_id,
        e.registration?.authority,
        e.registration?.number,
        e.registration?.date,
        e.payment_account?.kind,
        e.payment_account?.provider,
        e.payment_account?.account,
        e.benefit_sharing_rules,
        e.created_at.toISOString(),
        e.updated_at.toISOString(),
      ]);
    }
    yield { text, rows: rows.length };
    remaining -= rows.length;
    if (fetched.length <= limit) return;
    const last = rows[rows.length - 1]!;
    after = { name: last.name, id: last.id };
  }
}

/** Answers GET /enterprises?format=csv: the bulk read recorded as enterprise.exported, then the stream. */
export async function sendEnterprisesCsv(
  db: Kysely<DB>,
  audit: AuditLog,
  ctx: RequestContext,
  query: EnterpriseListQuery,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const actor = requirePermission(ctx, 'registry.read');
  const filter = { q: query.q, form: query.form, areaId: query.areaId };
  return sendCsvExport(db, audit, ctx, reply, {
    action: 'enterprise.exported',
    entityType: 'enterprise',
    areaId: actor.homeAreaId,
    fileName: 'enterprises.csv',
    filter,
    extent: await countEnterpriseExport(db, actor, filter),
    chunks: enterpriseCsvChunks(db, actor, filter),
  });
}
