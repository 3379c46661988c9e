import { sql } from 'kysely';
import type { AdminArea, Queryable } from '../../platform/db/schema.ts';

export interface AreaInput {
  id: string;
  country: string;
  code: string;
  level: number;
  levelName: string;
  parentId: string | null;
  path: string;
  name: string;
  names: Record<string, string>;
  geometry: unknown | null;
  bbox: [number, number, number, number] | null;
  source: string | null;
  isDemo: boolean;
}

export function findById(db: Queryable, id: string): Promise<AdminArea | undefined> {
  return db.selectFrom('admin_areas').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findByCode(db: Queryable, code: string): Promise<AdminArea | undefined> {
  return db.selectFrom('admin_areas').selectAll().where('code', '=', code).executeTakeFirst();
}

/** The area's path, the key of every jurisdiction check. */
export async function pathOf(db: Queryable, id: string): Promise<string | null> {
  const row = await db.selectFrom('admin_areas').select('path').where('id', '=', id).executeTakeFirst();
  return row?.path ?? null;
}

const boxLiteral = (b: [number, number, number, number] | null) =>
  b ? `((${b[0]},${b[1]}),(${b[2]},${b[3]}))` : null;

/**
 * Inserts or updates by code; returns whether anything changed, so loading the same file twice
 * writes (and audits) nothing the second time.
 */
export async function upsertArea(
  db: Queryable,
  a: AreaInput,
): Promise<{ id: string; changed: boolean; before: AdminArea | undefined }> {
  const before = await findByCode(db, a.code);
  const geometry = a.geometry === null ? null : JSON.stringify(a.geometry);
  if (before) {
    const same =
      before.name === a.name &&
      before.level === a.level &&
      before.parent_id === a.parentId &&
      before.path === a.path &&
      before.source === a.source &&
      JSON.stringify(before.names) === JSON.stringify(a.names) &&
      JSON.stringify(before.geometry) === JSON.stringify(a.geometry);
    if (same) return { id: before.id, changed: false, before };
    await db
      .updateTable('admin_areas')
      .set({
        name: a.name,
        names: JSON.stringify(a.names),
        level: a.level,
        level_name: a.levelName,
        parent_id: a.parentId,
        path: a.path,
        geometry,
        bbox: boxLiteral(a.bbox),
        source: a.source,
        is_demo: a.isDemo,
        updated_at: new Date(),
        version: sql`version + 1`,
      })
      .where('id', '=', before.id)
      .execute();
    return { id: before.id, changed: true, before };
  }
  await db
    .insertInto('admin_areas')
    .values({
      id: a.id,
      country: a.country,
      code: a.code,
      level: a.level,
      level_name: a.levelName,
      parent_id: a.parentId,
      path: a.path,
      name: a.name,
      names: JSON.stringify(a.names),
      geometry,
      bbox: boxLiteral(a.bbox),
      source: a.source,
      is_demo: a.isDemo,
    })
    .execute();
  return { id: a.id, changed: true, before: undefined };
}

export interface AreaFilter {
  parentId?: string | undefined;
  level?: number | undefined;
  country?: string | undefined;
  q?: string | undefined;
  afterPath?: string | undefined;
  limit: number;
}

export function list(db: Queryable, f: AreaFilter) {
  let q = db
    .selectFrom('admin_areas')
    .select([
      'id',
      'country',
      'code',
      'level',
      'level_name',
      'parent_id',
      'path',
      'name',
      'names',
      'is_demo',
      'source',
    ])
    .orderBy('path')
    .limit(f.limit + 1);
  if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  if (f.level !== undefined) q = q.where('level', '=', f.level);
  if (f.country) q = q.where('country', '=', f.country);
  if (f.q) q = q.where('name', 'ilike', `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.afterPath) q = q.where('path', '>', f.afterPath);
  return q.execute();
}

export function geometries(
  db: Queryable,
  filter: { country?: string | undefined; level?: number | undefined },
) {
  let q = db
    .selectFrom('admin_areas')
    .select(['id', 'code', 'name', 'level', 'level_name', 'parent_id', 'is_demo', 'geometry'])
    .where('geometry', 'is not', null)
    .orderBy('path');
  if (filter.country) q = q.where('country', '=', filter.country);
  if (filter.level !== undefined) q = q.where('level', '=', filter.level);
  return q.execute();
}
