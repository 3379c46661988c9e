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

export type UserSort = 'name' | '-name' | 'createdAt' | '-createdAt';

/**
 * Where a page starts: the sort key of the last row already seen and its id. For createdAt the key
 * is the timestamp as text with microseconds (see SORT_KEY), since a JS Date would drop them and
 * the next page would repeat or skip rows created within the same millisecond.
 */
export interface UserKeyset {
  key: string;
  id: string;
}

export interface UserFilter {
  scopePaths: string[];
  q?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  areaPath?: string | undefined;
  sort: UserSort;
  after?: UserKeyset | undefined;
  limit: number;
}

/** created_at in UTC with all six fractional digits: exact, and parsed back by ::timestamptz. */
const CREATED_AT_KEY = sql<string>`to_char(users.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Accounts whose office lies inside one of the scope paths, filtered; no order, no limit. */
function filteredUsers(db: Queryable, f: Omit<UserFilter, 'sort' | 'after' | 'limit'>) {
  let q = db
    .selectFrom('users')
    .innerJoin('admin_areas', 'admin_areas.id', 'users.area_id')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`);
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
  return q;
}

/**
 * One page of accounts in the requested order, with each row's sort key for the next cursor. The
 * keyset is a row comparison on (sort column, id), so ties on name or creation time are broken by
 * id and every row appears exactly once across pages; both use the database's own collation.
 */
export function listUsers(db: Queryable, f: UserFilter) {
  const desc = f.sort.startsWith('-');
  const byName = f.sort === 'name' || f.sort === '-name';
  const dir = desc ? 'desc' : 'asc';
  let q = filteredUsers(db, f)
    .selectAll('users')
    .select(byName ? sql<string>`users.name`.as('sort_key') : CREATED_AT_KEY.as('sort_key'));
  if (f.after) {
    const op = sql.raw(desc ? '<' : '>');
    q = q.where(
      byName
        ? sql<boolean>`(users.name, users.id) ${op} (${f.after.key}, ${f.after.id}::uuid)`
        : sql<boolean>`(users.created_at, users.id) ${op} (${f.after.key}::timestamptz, ${f.after.id}::uuid)`,
    );
  }
  return q
    .orderBy(byName ? 'users.name' : 'users.created_at', dir)
    .orderBy('users.id', dir)
    .limit(f.limit + 1)
    .execute();
}

/** How many accounts match, counting no further than `cap` + 1 (enough to say "truncated"). */
export async function countUsers(
  db: Queryable,
  f: Omit<UserFilter, 'sort' | 'after' | 'limit'>,
  cap: number,
): Promise<number> {
  const inner = filteredUsers(db, f)
    .select('users.id')
    .limit(cap + 1);
  const r = await db
    .selectFrom(inner.as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Each account's role assignments as "role@AREA-CODE", in the order they were given. */
export async function roleLabelsOf(db: Queryable, userIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('user_assignments as a')
    .innerJoin('admin_areas as ar', 'ar.id', 'a.area_id')
    .select(['a.user_id', 'a.role_code', 'ar.code as area_code'])
    .where('a.user_id', 'in', userIds)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
  for (const r of rows) {
    const labels = out.get(r.user_id) ?? [];
    labels.push(`${r.role_code}@${r.area_code}`);
    out.set(r.user_id, labels);
  }
  return out;
}
