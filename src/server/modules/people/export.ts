import type { FastifyReply } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { REGISTRY_CSV_EXPORT_CAP } from '../../../shared/schemas/enterprises.ts';
import type { PersonListQuery } from '../../../shared/schemas/people.ts';
import { requirePermission, subtreePatterns } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import { sendCsvExport } from '../../platform/http/csv-reply.ts';
import { type CsvChunk, type CsvExtent, csvLine } from '../audit/export.ts';
import { listPeople, type PersonFilter, peopleDb } from './repo.ts';
import { personFilter } from './service.ts';

/**
 * The people list as CSV (GET /people?format=csv): the same filter and order as the JSON pages
 * (newest first, or best match first for q), the whole set in keyset batches, within the caller's
 * jurisdiction. The vulnerable-group attributes (person_sensitive) are never part of it: they are
 * read one person at a time, each read audited. Nor are identity document numbers: a file of
 * thousands of them is worth stealing, and the type (has a Ghana Card or not) is what planning needs.
 */

export const PERSON_CSV_COLUMNS = [
  'id',
  'reference',
  'givenName',
  'familyName',
  'otherNames',
  'sex',
  'birthDate',
  'birthYear',
  'ageBand',
  'phone',
  'idDocumentType',
  'areaId',
  'createdAt',
  'updatedAt',
] as const;

/** Rows per keyset batch of the people CSV. */
export const PERSON_CSV_BATCH = 2_000;

export type PersonExportFilter = Pick<PersonListQuery, 'q' | 'areaId' | 'sex'>;

/**
 * How many rows the CSV of this filter will hold, capped: the people whose full name is one of the
 * names person_names_like finds for q, or whose reference or phone is exactly q (the two parts of
 * listPeople).
 */
export async function countPersonExport(
  db: Queryable,
  actor: Actor,
  f: PersonExportFilter,
  cap = REGISTRY_CSV_EXPORT_CAP,
): Promise<CsvExtent> {
  const base = await personFilter(db, actor, f);
  let q = peopleDb(db)
    .selectFrom('people')
    .innerJoin('admin_areas', 'admin_areas.id', 'people.area_id')
    .select('people.id')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(base.scopePaths))})`);
  if (base.areaPath) q = q.where(sql<boolean>`admin_areas.path LIKE ${subtreePatterns([base.areaPath])[0]}`);
  if (base.sex) q = q.where('people.sex', '=', base.sex);
  if (base.q) {
    const { text, reference, phone } = base.q;
    q = q.where(
      sql<boolean>`(lower(people.given_name || ' ' || people.family_name) IN
        (SELECT name FROM person_names_like(${text.toLowerCase()}))
        OR people.reference = ${reference ?? ''} OR people.phone = ${phone ?? ''})`,
    );
  }
  const r = await peopleDb(db)
    .selectFrom(q.limit(cap + 1).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(r.n);
  return { rows: Math.min(n, cap), truncated: n > cap };
}

export async function* personCsvChunks(
  db: Queryable,
  actor: Actor,
  f: PersonExportFilter,
  { batchSize = PERSON_CSV_BATCH, cap = REGISTRY_CSV_EXPORT_CAP } = {},
): AsyncGenerator<CsvChunk> {
  const base = await personFilter(db, actor, f);
  yield { text: csvLine(PERSON_CSV_COLUMNS), rows: 0 };
  let remaining = cap;
  let after: PersonFilter['after'];
  while (remaining > 0) {
    const limit = Math.min(batchSize, remaining);
    // listPeople fetches one row more than the limit, to tell whether more follow.
    const fetched = await listPeople(db, { ...base, after, limit });
    const rows = fetched.slice(0, limit);
    if (rows.length === 0) return;
    let text = '';
    for (const p of rows) {
      text += csvLine([
        p.id,
        p.reference,
        p.given_name,
        p.family_name,
        p.other_names,
        p.sex,
        p.birth_date,
        p.birth_year,
        p.age_band,
        p.phone,
        p.id_document?.type,
        p.area_id,
        p.created_at.toISOString(),
        p.updated_at.toISOString(),
      ]);
    }
    yield { text, rows: rows.length };
    remaining -= rows.length;
    if (fetched.length <= limit) return;
    const last = rows[rows.length - 1]!;
    after = { score: base.q ? Number(last.score) : null, id: last.id };
  }
}

/** Answers GET /people?format=csv: the bulk read recorded as person.exported, then the stream. */
export async function sendPeopleCsv(
  db: Kysely<DB>,
  audit: AuditLog,
  ctx: RequestContext,
  query: PersonListQuery,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const actor = requirePermission(ctx, 'registry.read');
  const filter = { q: query.q, areaId: query.areaId, sex: query.sex };
  return sendCsvExport(db, audit, ctx, reply, {
    action: 'person.exported',
    entityType: 'person',
    areaId: actor.homeAreaId,
    fileName: 'people.csv',
    filter,
    extent: await countPersonExport(db, actor, filter),
    chunks: personCsvChunks(db, actor, filter),
  });
}
