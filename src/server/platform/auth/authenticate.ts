import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Actor, Grant } from '../context.ts';
import type { Database } from '../db/database.ts';
import { type AppError, problems } from '../errors.ts';
import { isApiToken, tokenHash } from './tokens.ts';

export const SESSION_COOKIE = 'openasm_session';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export type Authentication = { actor: Actor } | { actor: null; problem: AppError | null };

interface GrantRow {
  role_code: string;
  area_id: string;
  area_path: string;
  permissions: string[];
}

function toGrants(rows: GrantRow[], restrictTo?: readonly string[]): Grant[] {
  return rows.map((r) => ({
    roleCode: r.role_code,
    areaId: r.area_id,
    areaPath: r.area_path,
    permissions: new Set(restrictTo ? r.permissions.filter((p) => restrictTo.includes(p)) : r.permissions),
  }));
}

/** Last-seen is written at most this often, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Resolves the caller from a session token (cookie or Bearer) or an API token (Bearer oat_…), with
 * its grants, in one query. A disabled account or a revoked session stops working on the next
 * request: nothing is cached.
 */
export function createAuthenticator({
  database,
  clock,
  policy,
}: {
  database: Database;
  clock: Clock;
  policy: SessionPolicy;
}) {
  async function fromSession(secret: string): Promise<Authentication> {
    const now = clock.now();
    const row = await sql<{
      session_id: string;
      user_id: string;
      area_id: string;
      status: string;
      last_seen_at: Date;
      expires_at: Date;
      revoked_at: Date | null;
      grants: GrantRow[] | null;
    }>`
      SELECT s.id AS session_id, u.id AS user_id, u.area_id, u.status, s.last_seen_at, s.expires_at, s.revoked_at,
        (SELECT json_agg(json_build_object('role_code', a.role_code, 'area_id', a.area_id,
                 'area_path', ar.path, 'permissions', r.permissions))
           FROM user_assignments a JOIN roles r ON r.code = a.role_code JOIN admin_areas ar ON ar.id = a.area_id
          WHERE a.user_id = u.id) AS grants
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = ${tokenHash(secret)}`.execute(database.db);
    const s = row.rows[0];
    if (!s) return { actor: null, problem: problems.sessionExpired() };
    if (s.revoked_at || s.status !== 'active') return { actor: null, problem: problems.sessionExpired() };
    const idleFor = now.getTime() - s.last_seen_at.getTime();
    if (idleFor > policy.idleMs || now.getTime() >= s.expires_at.getTime()) {
      return { actor: null, problem: problems.sessionExpired() };
    }
    if (idleFor > TOUCH_INTERVAL_MS) {
      await database.db
        .updateTable('sessions')
        .set({ last_seen_at: now })
        .where('id', '=', s.session_id)
        .execute();
    }
    return {
      actor: {
        kind: 'user',
        id: s.user_id,
        homeAreaId: s.area_id,
        grants: toGrants(s.grants ?? []),
        sessionId: s.session_id,
      },
    };
  }

  async function fromApiToken(secret: string): Promise<Authentication> {
    const now = clock.now();
    const row = await sql<{
      id: string;
      area_id: string;
      area_path: string;
      role_code: string;
      scopes: string[];
      permissions: string[];
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
      creator_status: string;
    }>`
      SELECT t.id, t.area_id, ar.path AS area_path, t.role_code, t.scopes, r.permissions, t.expires_at,
             t.revoked_at, t.last_used_at, u.status AS creator_status
      FROM api_tokens t JOIN roles r ON r.code = t.role_code JOIN admin_areas ar ON ar.id = t.area_id
      JOIN users u ON u.id = t.created_by
      WHERE t.token_hash = ${tokenHash(secret)}`.execute(database.db);
    const t = row.rows[0];
    if (!t || t.revoked_at || (t.expires_at && t.expires_at <= now)) {
      return { actor: null, problem: problems.invalidToken() };
    }
    if (!t.last_used_at || now.getTime() - t.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      await database.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', t.id).execute();
    }
    const grant: GrantRow = {
      role_code: t.role_code,
      area_id: t.area_id,
      area_path: t.area_path,
      permissions: t.permissions,
    };
    return { actor: { kind: 'token', id: t.id, homeAreaId: t.area_id, grants: toGrants([grant], t.scopes) } };
  }

  return async function authenticate(
    headers: {
      authorization?: string | undefined;
      cookie?: string | undefined;
    },
    cookieValue: string | undefined,
  ): Promise<Authentication> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    const secret = bearer ?? cookieValue;
    if (!secret) return { actor: null, problem: null };
    if (secret.length > 200) return { actor: null, problem: problems.invalidToken() };
    return isApiToken(secret) ? fromApiToken(secret) : fromSession(secret);
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
