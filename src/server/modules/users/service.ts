import { sql } from 'kysely';
import { UUID_PATTERN, uuidv7 } from '../../../shared/ids.ts';
import type { Permission } from '../../../shared/permissions.ts';
import {
  type CreateUserInput,
  type UpdateUserInput,
  USER_CSV_EXPORT_CAP,
  type UserDto,
  type UserListFilter,
  type UserSort,
} from '../../../shared/schemas/accounts.ts';
import {
  AccessDenied,
  assertCanRead,
  assertCanWrite,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { hashPassword } from '../../platform/auth/passwords.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.ts';
import { pathOf } from '../admin-areas/repo.ts';
import { type CsvChunk, type CsvExtent, csvLine } from '../audit/export.ts';
import { findRole } from '../roles/repo.ts';
import * as repo from './repo.ts';

type Assignment = { id: string; user_id: string; role_code: string; area_id: string };

function toDto(
  u: repo.UserWithArea | (Omit<repo.UserWithArea, 'area_path'> & { area_path?: string }),
  assignments: Assignment[],
): UserDto {
  return {
    id: u.id,
    name: u.name,
    phone: u.phone,
    email: u.email,
    status: u.status,
    areaId: u.area_id,
    preferredLanguage: u.preferred_language,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
    version: u.version,
    assignments: assignments.map((a) => ({ id: a.id, roleCode: a.role_code, areaId: a.area_id })),
  };
}

/** The permissions an actor holds at an area: the union of its grants whose subtree contains it. */
function permissionsAt(actor: Actor, areaPath: string): Set<string> | 'all' {
  if (actor.kind === 'system') return 'all';
  const out = new Set<string>();
  for (const g of actor.grants)
    if (areaPath.startsWith(g.areaPath)) for (const p of g.permissions) out.add(p);
  return out;
}

const target = (id: string | null, areaId: string, areaPath: string) => ({
  entityType: 'user',
  entityId: id,
  areaId,
  areaPath,
});

const CREATED_AT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A page cursor carries the sort it was made under, the last row's sort key and its id. A cursor
 * from another sort (or from before sorting existed) would silently skip or repeat rows, so it is
 * refused instead.
 */
export function userCursor(cursor: string | undefined, sort: UserSort): repo.UserKeyset | undefined {
  const decoded = decodeCursor(cursor, 3);
  if (decoded === null) return undefined;
  const [madeUnder, key, id] = decoded;
  if (madeUnder !== sort || typeof key !== 'string' || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
    throw problems.invalidCursor();
  }
  if ((sort === 'createdAt' || sort === '-createdAt') && !CREATED_AT_KEY.test(key)) {
    throw problems.invalidCursor();
  }
  return { key, id };
}

/** The repository filter for an actor's view of the accounts: jurisdiction first, then the query. */
async function repoFilter(db: Queryable, actor: Actor, filter: Omit<UserListFilter, 'sort'>) {
  return {
    scopePaths: scopePaths(actor, 'users.read'),
    q: filter.q,
    status: filter.status,
    // An unknown area matches nothing rather than being an error, as in the list.
    areaPath: filter.areaId ? ((await pathOf(db, filter.areaId)) ?? '/nowhere/') : undefined,
  };
}

export const USER_CSV_COLUMNS = [
  'id',
  'name',
  'phone',
  'email',
  'status',
  'areaId',
  'preferredLanguage',
  'roles',
  'createdAt',
] as const;

/** Rows per keyset batch of the accounts CSV. */
export const USER_CSV_BATCH = 2_000;

/** How many rows the accounts CSV of this filter will hold, capped. */
export async function countUserExport(
  db: Queryable,
  actor: Actor,
  filter: UserListFilter,
): Promise<CsvExtent> {
  const n = await repo.countUsers(db, await repoFilter(db, actor, filter), USER_CSV_EXPORT_CAP);
  return { rows: Math.min(n, USER_CSV_EXPORT_CAP), truncated: n > USER_CSV_EXPORT_CAP };
}

/**
 * The accounts CSV: the header, then one chunk per keyset batch in the list's order, within the
 * actor's jurisdiction. Shared by GET /users?format=csv and the 'export.users' task, so both give
 * the same bytes. roles lists each assignment as role@AREA-CODE, separated by "; ".
 */
export async function* userCsvChunks(
  db: Queryable,
  actor: Actor,
  filter: UserListFilter,
  { after, batchSize = USER_CSV_BATCH }: { after?: repo.UserKeyset | undefined; batchSize?: number } = {},
): AsyncGenerator<CsvChunk> {
  const base = await repoFilter(db, actor, filter);
  yield { text: csvLine(USER_CSV_COLUMNS), rows: 0 };
  let remaining = USER_CSV_EXPORT_CAP;
  let cursor = after;
  while (remaining > 0) {
    const limit = Math.min(batchSize, remaining);
    // listUsers fetches one row more than the limit, to tell whether more follow.
    const fetched = await repo.listUsers(db, { ...base, sort: filter.sort, after: cursor, limit });
    const rows = fetched.slice(0, limit);
    if (rows.length === 0) return;
    const roles = await repo.roleLabelsOf(
      db,
      rows.map((u) => u.id),
    );
    let text = '';
    for (const u of rows) {
      text += csvLine([
        u.id,
        u.name,
        u.phone,
        u.email,
        u.status,
        u.area_id,
        u.preferred_language,
        (roles.get(u.id) ?? []).join('; '),
        u.created_at.toISOString(),
      ]);
    }
    yield { text, rows: rows.length };
    remaining -= rows.length;
    if (fetched.length <= limit) return;
    const last = rows[rows.length - 1]!;
    cursor = { key: last.sort_key, id: last.id };
  }
}

export function createUserService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function areaPathOrFail(db: Queryable, areaId: string, field: string): Promise<string> {
    const path = await pathOf(db, areaId);
    if (!path)
      throw problems.validation([{ path: field, code: 'unknown_area', message: 'No such admin area.' }]);
    return path;
  }

  /**
   * Granting a role is itself a use of power: the caller must manage users in that area and hold
   * every permission of the role there. No one can hand out more than they have.
   */
  async function checkAssignment(
    db: Queryable,
    ctx: RequestContext,
    roleCode: string,
    areaId: string,
    field: string,
  ) {
    const role = await findRole(db, roleCode);
    if (!role)
      throw problems.validation([
        { path: `${field}.roleCode`, code: 'unknown_role', message: 'No such role.' },
      ]);
    const areaPath = await areaPathOrFail(db, areaId, `${field}.areaId`);
    assertCanWrite(ctx, 'users.manage', target(null, areaId, areaPath));
    const held = permissionsAt(ctx.actor!, areaPath);
    if (held !== 'all' && !role.permissions.every((p) => held.has(p))) {
      throw new AccessDenied(
        new AppError(
          403,
          'access.role_escalation',
          'You cannot grant a role with permissions you do not hold there.',
        ),
        'users.manage',
        { entityType: 'role', entityId: roleCode, areaId },
      );
    }
    return { role, areaPath };
  }

  async function load(db: Queryable, id: string): Promise<UserDto> {
    const u = await repo.findUserWithAssignments(db, id);
    if (!u) throw problems.notFound('User');
    return toDto(u, u.assignments);
  }

  async function loadForWrite(
    tx: Tx,
    ctx: RequestContext,
    id: string,
    permission: Permission = 'users.manage',
  ) {
    const u = await repo.findUser(tx, id);
    if (!u) throw problems.notFound('User');
    // Outside the caller's areas a write answers 403, as the access policy says (reads answer 404).
    assertCanWrite(ctx, permission, target(u.id, u.area_id, u.area_path));
    return u;
  }

  return {
    async list(
      db: Queryable,
      ctx: RequestContext,
      query: UserListFilter & { limit: number; cursor?: string | undefined },
    ): Promise<Page<UserDto>> {
      const actor = requirePermission(ctx, 'users.read');
      const after = userCursor(query.cursor, query.sort);
      const rows = await repo.listUsers(db, {
        ...(await repoFilter(db, actor, query)),
        sort: query.sort,
        after,
        limit: query.limit,
      });
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const assignments = await repo.assignmentsOf(
        db,
        page.map((u) => u.id),
      );
      const last = page[page.length - 1];
      return {
        items: page.map((u) =>
          toDto(
            u,
            assignments.filter((a) => a.user_id === u.id),
          ),
        ),
        nextCursor: more && last ? encodeCursor([query.sort, last.sort_key, last.id]) : null,
      };
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<UserDto> {
      requirePermission(ctx, 'users.read');
      const u = await repo.findUserWithAssignments(db, id);
      if (!u) throw problems.notFound('User');
      assertCanRead(ctx, 'users.read', target(u.id, u.area_id, u.area_path));
      return toDto(u, u.assignments);
    },

    async create(
      tx: Tx,
      ctx: RequestContext,
      input: CreateUserInput,
    ): Promise<{ user: UserDto; created: boolean }> {
      const areaPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
      assertCanWrite(ctx, 'users.manage', target(input.id ?? null, input.areaId, areaPath));
      if (input.id) {
        const existing = await repo.findUser(tx, input.id);
        if (existing) {
          // A record made offline and sent twice: the second send changes nothing.
          if (
            existing.phone === input.phone &&
            existing.name === input.name &&
            existing.area_id === input.areaId
          ) {
            return { user: await load(tx, input.id), created: false };
          }
          throw problems.conflict('resource.id_conflict', 'Another record already has this id.');
        }
      }
      if (await repo.findByPhone(tx, input.phone)) {
        throw problems.conflict('user.phone_taken', 'An account with this phone number already exists.', {
          errors: [{ path: 'body.phone', code: 'phone_taken', message: 'Already used by another account.' }],
        });
      }
      const assignments = [];
      for (const [i, a] of input.assignments.entries()) {
        await checkAssignment(tx, ctx, a.roleCode, a.areaId, `body.assignments.${i}`);
        assignments.push({ id: uuidv7(), role_code: a.roleCode, area_id: a.areaId });
      }
      const id = input.id ?? uuidv7();
      const now = clock.now();
      await tx
        .insertInto('users')
        .values({
          id,
          name: input.name,
          phone: input.phone,
          email: input.email ?? null,
          password_hash: input.password ? await hashPassword(input.password) : null,
          area_id: input.areaId,
          preferred_language: input.preferredLanguage ?? 'en',
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const a of assignments)
        await tx
          .insertInto('user_assignments')
          .values({ ...a, user_id: id, created_at: now })
          .execute();
      const user = await load(tx, id);
      await audit.record(tx, ctx, {
        action: 'user.created',
        entityType: 'user',
        entityId: id,
        areaId: input.areaId,
        after: user,
      });
      return { user, created: true };
    },

    async update(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdateUserInput,
      checkVersion: (v: number) => void,
    ): Promise<UserDto> {
      const u = await loadForWrite(tx, ctx, id);
      checkVersion(u.version);
      if (input.areaId && input.areaId !== u.area_id) {
        const newPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
        assertCanWrite(ctx, 'users.manage', target(id, input.areaId, newPath));
      }
      const before = await load(tx, id);
      await tx
        .updateTable('users')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(input.preferredLanguage !== undefined ? { preferred_language: input.preferredLanguage } : {}),
          ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
          updated_at: clock.now(),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      const after = await load(tx, id);
      await audit.record(tx, ctx, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        areaId: after.areaId,
        before,
        after,
      });
      return after;
    },

    /** Disabling revokes every open session of the account in the same transaction. */
    async setStatus(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      status: 'active' | 'disabled',
    ): Promise<UserDto> {
      const u = await loadForWrite(tx, ctx, id);
      if (status === 'disabled' && ctx.actor?.kind === 'user' && ctx.actor.id === id) {
        throw problems.conflict('user.cannot_disable_self', 'You cannot disable your own account.');
      }
      if (u.status === status) return load(tx, id);
      const now = clock.now();
      await tx
        .updateTable('users')
        .set({
          status,
          disabled_at: status === 'disabled' ? now : null,
          updated_at: now,
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      let revoked = 0;
      if (status === 'disabled') {
        const r = await tx
          .updateTable('sessions')
          .set({ revoked_at: now, revoked_reason: 'account_disabled' })
          .where('user_id', '=', id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        revoked = Number(r.numUpdatedRows);
      }
      const after = await load(tx, id);
      await audit.record(tx, ctx, {
        action: status === 'disabled' ? 'user.disabled' : 'user.enabled',
        entityType: 'user',
        entityId: id,
        areaId: u.area_id,
        before: { status: u.status },
        after: { status },
        meta: status === 'disabled' ? { sessionsRevoked: revoked } : undefined,
      });
      return after;
    },

    async addAssignment(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      roleCode: string,
      areaId: string,
    ): Promise<UserDto> {
      const u = await loadForWrite(tx, ctx, id);
      await checkAssignment(tx, ctx, roleCode, areaId, 'body');
      const inserted = await tx
        .insertInto('user_assignments')
        .values({ id: uuidv7(), user_id: id, role_code: roleCode, area_id: areaId, created_at: clock.now() })
        .onConflict((oc) => oc.columns(['user_id', 'role_code', 'area_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        await tx
          .updateTable('users')
          .set({ version: sql`version + 1`, updated_at: clock.now() })
          .where('id', '=', id)
          .execute();
        await audit.record(tx, ctx, {
          action: 'user.assignment_added',
          entityType: 'user',
          entityId: id,
          areaId: u.area_id,
          after: { assignmentId: inserted.id, roleCode, areaId },
        });
      }
      return load(tx, id);
    },

    async removeAssignment(tx: Tx, ctx: RequestContext, id: string, assignmentId: string): Promise<UserDto> {
      const u = await loadForWrite(tx, ctx, id);
      const a = await tx
        .selectFrom('user_assignments')
        .selectAll()
        .where('id', '=', assignmentId)
        .where('user_id', '=', id)
        .executeTakeFirst();
      if (!a) throw problems.notFound('Assignment');
      await checkAssignment(tx, ctx, a.role_code, a.area_id, 'path');
      await tx.deleteFrom('user_assignments').where('id', '=', assignmentId).execute();
      await tx
        .updateTable('users')
        .set({ version: sql`version + 1`, updated_at: clock.now() })
        .where('id', '=', id)
        .execute();
      await audit.record(tx, ctx, {
        action: 'user.assignment_removed',
        entityType: 'user',
        entityId: id,
        areaId: u.area_id,
        before: { assignmentId, roleCode: a.role_code, areaId: a.area_id },
      });
      return load(tx, id);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
