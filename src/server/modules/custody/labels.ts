import { sql } from 'kysely';
import { UUID_PATTERN } from '../../../shared/ids.ts';
import { MAX_LABELS } from '../../../shared/schemas/custody-extras.ts';
import { assertCanRead, requirePermission } from '../../platform/access/access.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { documentLocale } from '../../platform/documents/language.ts';
import { problems } from '../../platform/errors.ts';
import { profileOf } from '../licensing/repo.ts';
import { type LabelFacts, lotPageUrl } from './label.pdf.ts';

interface LabelRow {
  id: string;
  tag: string;
  country: string;
  mineral: string;
  form: string;
  mass_mg: number;
  fineness_ptt: number | null;
  holder_name: string;
  area_id: string;
  area_path: string;
  site_name: string | null;
  made_at: Date;
}

async function labelRows(db: Queryable, ids: readonly string[]): Promise<LabelRow[]> {
  const r = await sql<LabelRow>`
    SELECT l.id, l.tag, l.country, l.mineral, l.form, l.mass_mg, l.fineness_ptt, a.name AS holder_name,
           a.area_id, ar.path AS area_path, pu.name AS site_name, e.occurred_at AS made_at
      FROM lots l
      JOIN custody_actors a ON a.id = l.holder_actor_id
      JOIN admin_areas ar ON ar.id = a.area_id
      JOIN custody_events e ON e.id = l.created_by_event
      LEFT JOIN production_units pu ON pu.id = l.origin_site_id
     WHERE l.id = ANY(${sql.val(ids)}::uuid[])`.execute(db);
  return r.rows;
}

/**
 * The sites a lot made by a split, merge or processing comes from: how many, and the name when there
 * is one. The same walk as the upstream trace (custody_event lots back to production).
 */
async function upstreamSites(db: Queryable, lotId: string): Promise<{ n: number; name: string | null }> {
  const r = await sql<{ n: number; name: string | null }>`
    WITH RECURSIVE up (id) AS (
      SELECT ${lotId}::uuid
      UNION
      SELECT i.id FROM up JOIN lots o ON o.id = up.id JOIN lots i ON i.consumed_by_event = o.created_by_event
    )
    SELECT count(DISTINCT l.origin_site_id)::int AS n, min(pu.name) AS name
      FROM up JOIN lots l ON l.id = up.id LEFT JOIN production_units pu ON pu.id = l.origin_site_id`.execute(
    db,
  );
  return r.rows[0] ?? { n: 0, name: null };
}

/** The ids of ?ids=a,b,c: UUIDs, each once, in the order given, at most MAX_LABELS. */
export function parseLotIds(raw: string): string[] {
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (ids.length === 0 || ids.some((id) => !UUID_PATTERN.test(id)))
    throw problems.validation([
      { path: 'query.ids', code: 'invalid', message: 'Give lot ids, comma-separated.' },
    ]);
  if (ids.length > MAX_LABELS)
    throw problems.validation([
      { path: 'query.ids', code: 'too_many', message: `At most ${MAX_LABELS} lots per sheet.` },
    ]);
  return ids;
}

/**
 * What the labels of some lots print, each in its country's language. The caller needs custody.read
 * in every lot's area (the holder's); one lot missing or out of reach answers 404 for the request,
 * as reading that lot would.
 */
export async function labelFacts(
  db: Queryable,
  ctx: RequestContext,
  ids: readonly string[],
  origin: string,
): Promise<LabelFacts[]> {
  requirePermission(ctx, 'custody.read');
  const rows = new Map((await labelRows(db, ids)).map((r) => [r.id, r]));
  for (const id of ids) {
    const row = rows.get(id);
    if (!row) throw problems.notFound('Lot');
    assertCanRead(ctx, 'custody.read', {
      entityType: 'Lot',
      entityId: row.id,
      areaId: row.area_id,
      areaPath: row.area_path,
    });
  }
  const countries = [...new Set([...rows.values()].map((r) => r.country))];
  const locales = new Map(
    await Promise.all(countries.map(async (c) => [c, documentLocale(await profileOf(db, c))] as const)),
  );
  return Promise.all(
    ids.map(async (id) => {
      const row = rows.get(id)!;
      const { language, timeZone } = locales.get(row.country)!;
      let place: LabelFacts['origin'];
      if (row.site_name !== null) place = { name: row.site_name };
      else {
        const up = await upstreamSites(db, id);
        place = up.n === 1 && up.name !== null ? { name: up.name } : { count: up.n };
      }
      return {
        language,
        timeZone,
        tag: row.tag,
        mineral: row.mineral,
        form: row.form,
        massMg: Number(row.mass_mg),
        finenessPtt: row.fineness_ptt,
        holderName: row.holder_name,
        origin: place,
        madeAt: new Date(row.made_at),
        qrText: lotPageUrl(origin, id),
      };
    }),
  );
}
