import { sql } from 'kysely';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { Queryable, User } from '../../platform/db/schema.ts';

export type UserWithArea = User & { area_path: string };

export function findUser(db: Queryable, id: string): Promise<UserWithArea | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('admin_areas', 'admin_areas.id', 'users.area_id')
    .selectAll('users')
    .select('admin_areas.path as area_path')
    .where('users.id', '=', id)
    .executeTakeFirst();
}

export type UserWithAssignments = UserWithArea & {
  assignments: { id: string; user_id: string; role_code: string; area_id: string }[];
};

/** The account, its office's path and its assignments in one round trip (the common read). */
export async function findUserWithAssignments(
  db: Queryable,
  id: string,
): Promise<UserWithAssignments | undefined> {
  const row = await db
    .selectFrom('users')
    .innerJoin('admin_areas', 'admin_areas.id', 'users.area_id')
    .selectAll('users')
    .select('admin_areas.path as area_path')
    .select(
      sql<UserWithAssignments['assignments']>`coalesce((
        SELECT json_agg(json_build_object('id', a.id, 'user_id', a.user_id, 'role_code', a.role_code,
                 'area_id', a.area_id) ORDER BY a.created_at, a.id)
          FROM user_assignments a WHERE a.user_id = users.id), '[]'::json)`.as('assignments'),
    )
    .where('users.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  // timestamps come back as Date from both drivers; json_agg rows as plain objects.
  return row as UserWithAssignments;
}

export function findByPhone(db: Queryable, phone: string) {
  return db.selectFrom('users').select(['id']).where('phone', '=', phone).executeTakeFirst();
}

export function assignmentsOf(db: Queryable, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('user_assignments')
    .select(['id', 'user_id', 'role_code', 'area_id'])
    .where('user_id', 'in', userIds)
    .orderBy('created_at')
    .execute();
}

export interface UserFilter {
  scopePaths: string[];
  q?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  areaPath?: string | undefined;
  afterId?: string | undefined;
  limit: number;
}

/** Users whose office lies inside one of the scope paths, by id (creation order). */
export function listUsers(db: Queryable, f: UserFilter) {
  let q = db
    .selectFrom('users')
    .innerJoin('admin_areas', 'admin_areas.id', 'users.area_id')
    .selectAll('users')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`)
    .orderBy('users.id')
    .limit(f.limit + 1);
  if (f.areaPath) q = q.where(sql<boolean>`admin_areas.path LIKE ${subtreePatterns([f.areaPath])[0]}`);
  if (f.status) q = q.where('users.status', '=', f.status);
  if (f.q) {
    const term = f.q;
    q = q.where((eb) =>
      eb.or([
        eb('users.name', 'ilike', `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
        eb('users.phone', '=', term),
        sql<boolean>`similarity(users.name, ${term}) > 0.3`,
      ]),
    );
  }
  if (f.afterId) q = q.where('users.id', '>', f.afterId);
  return q.execute();
}
