import { sql } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Actor, Grant } from '../context.ts';
import type { Database } from '../db/database.ts';
import { AppError, problems } from '../errors.ts';
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

/** A credential resolved from the database, kept so that the next request needs no query. */
interface Resolved {
  actor: Actor;
  kind: 'session' | 'token';
  /** Absolute end: the session's 12-hour limit or the token's expiry (Infinity when none). */
  endsAtMs: number;
  /** Sessions: last activity as this process knows it, for the idle limit. */
  lastSeenMs: number;
  /** When last_seen_at / last_used_at was last written. */
  touchedMs: number;
}

/**
 * Resolved credentials by token hash. Anything that can change who a caller is (an account
 * disabled, a session ended, an assignment or role changed, a token revoked) clears it: this
 * process after each committed write, other processes through the `openasm_auth` notification that
 * triggers on those tables send when such a change commits (migration 0002).
 */
export class CredentialCache {
  private entries = new Map<string, Resolved>();
  constructor(private readonly max = 20_000) {}
  get(key: string): Resolved | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: Resolved): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  clear(): void {
    this.entries.clear();
  }
  get size(): number {
    return this.entries.size;
  }
}

/**
 * Resolves the caller from a session token (cookie or Bearer) or an API token (Bearer oat_…), with
 * its grants: one query the first time, none after while the credential cache holds it.
 */
export function createAuthenticator({
  database,
  clock,
  policy,
  cache = new CredentialCache(),
}: {
  database: Database;
  clock: Clock;
  policy: SessionPolicy;
  cache?: CredentialCache;
}) {
  async function sessionFromDb(hash: Buffer): Promise<Resolved | AppError> {
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
      WHERE s.token_hash = ${hash}`.execute(database.db);
    const s = row.rows[0];
    if (!s || s.revoked_at || s.status !== 'active') return problems.sessionExpired();
    return {
      kind: 'session',
      actor: {
        kind: 'user',
        id: s.user_id,
        homeAreaId: s.area_id,
        grants: toGrants(s.grants ?? []),
        sessionId: s.session_id,
      },
      endsAtMs: s.expires_at.getTime(),
      lastSeenMs: s.last_seen_at.getTime(),
      touchedMs: s.last_seen_at.getTime(),
    };
  }

  async function tokenFromDb(hash: Buffer): Promise<Resolved | AppError> {
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
    }>`
      SELECT t.id, t.area_id, ar.path AS area_path, t.role_code, t.scopes, r.permissions, t.expires_at,
             t.revoked_at, t.last_used_at
      FROM api_tokens t JOIN roles r ON r.code = t.role_code JOIN admin_areas ar ON ar.id = t.area_id
      WHERE t.token_hash = ${hash}`.execute(database.db);
    const t = row.rows[0];
    if (!t || t.revoked_at) return problems.invalidToken();
    const grant: GrantRow = {
      role_code: t.role_code,
      area_id: t.area_id,
      area_path: t.area_path,
      permissions: t.permissions,
    };
    return {
      kind: 'token',
      actor: { kind: 'token', id: t.id, homeAreaId: t.area_id, grants: toGrants([grant], t.scopes) },
      endsAtMs: t.expires_at ? t.expires_at.getTime() : Number.POSITIVE_INFINITY,
      lastSeenMs: Number.NaN,
      touchedMs: t.last_used_at ? t.last_used_at.getTime() : 0,
    };
  }

  return async function authenticate(
    headers: { authorization?: string | undefined },
    cookieValue: string | undefined,
  ): Promise<Authentication> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    const secret = bearer ?? cookieValue;
    if (!secret) return { actor: null, problem: null };
    if (secret.length > 200) return { actor: null, problem: problems.invalidToken() };
    const isToken = isApiToken(secret);
    const hash = tokenHash(secret);
    const key = hash.toString('base64');
    const now = clock.now().getTime();

    let resolved = cache.get(key);
    // This process may not have seen recent use on another server: re-read before calling it idle.
    if (resolved && resolved.kind === 'session' && now - resolved.lastSeenMs > policy.idleMs) {
      cache.delete(key);
      resolved = undefined;
    }
    if (!resolved) {
      const fromDb = isToken ? await tokenFromDb(hash) : await sessionFromDb(hash);
      if (fromDb instanceof AppError) return { actor: null, problem: fromDb };
      resolved = fromDb;
      cache.set(key, resolved);
    }
    const expired =
      now >= resolved.endsAtMs || (resolved.kind === 'session' && now - resolved.lastSeenMs > policy.idleMs);
    if (expired) {
      cache.delete(key);
      return {
        actor: null,
        problem: resolved.kind === 'session' ? problems.sessionExpired() : problems.invalidToken(),
      };
    }
    if (now - resolved.touchedMs > TOUCH_INTERVAL_MS) {
      resolved.touchedMs = now;
      const at = new Date(now);
      if (resolved.kind === 'session') {
        await database.db
          .updateTable('sessions')
          .set({ last_seen_at: at })
          .where('id', '=', resolved.actor.sessionId!)
          .execute();
      } else {
        await database.db
          .updateTable('api_tokens')
          .set({ last_used_at: at })
          .where('id', '=', resolved.actor.id)
          .execute();
      }
    }
    resolved.lastSeenMs = now;
    return { actor: resolved.actor };
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
