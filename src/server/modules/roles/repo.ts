import { DEFAULT_ROLES } from '../../../shared/permissions.ts';
import type { Queryable } from '../../platform/db/schema.ts';

/** Adds the default roles that are missing; never overwrites a role an administrator edited. */
export async function ensureDefaultRoles(db: Queryable): Promise<string[]> {
  const added: string[] = [];
  for (const role of DEFAULT_ROLES) {
    const r = await db
      .insertInto('roles')
      .values({
        code: role.code,
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        is_system: true,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .executeTakeFirst();
    if (r) added.push(r.code);
  }
  return added;
}

export function listRoles(db: Queryable) {
  return db.selectFrom('roles').selectAll().orderBy('code').execute();
}

export function findRole(db: Queryable, code: string) {
  return db.selectFrom('roles').selectAll().where('code', '=', code).executeTakeFirst();
}
