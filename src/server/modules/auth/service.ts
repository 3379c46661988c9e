import { sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { SessionPolicy } from '../../platform/auth/authenticate.ts';
import { verifyPassword } from '../../platform/auth/passwords.ts';
import { newSessionToken, tokenHash } from '../../platform/auth/tokens.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/schema.ts';
import { type AppError, problems } from '../../platform/errors.ts';

/**
 * Throttling windows. Failures, not attempts, count: a miner's officer who types the password
 * right is never slowed down by a colleague's typos at the same office address.
 */
export const THROTTLE = {
  windowMs: 15 * 60_000,
  perAccount: 5,
  perAddress: 30,
} as const;

export type LoginOutcome =
  | { ok: true; token: string; expiresAt: Date; userId: string; sessionId: string }
  | { ok: false; problem: AppError };

async function recentFailures(
  tx: Tx,
  kind: 'account' | 'address',
  key: string,
  since: Date,
): Promise<number> {
  // Failures since the later of the window start and the last success.
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM login_attempts
    WHERE kind = ${kind} AND key = ${key} AND NOT succeeded AND at > ${since}
      AND at > coalesce((SELECT max(at) FROM login_attempts
                          WHERE kind = ${kind} AND key = ${key} AND succeeded), '-infinity')`.execute(tx);
  return r.rows[0]?.n ?? 0;
}

export function createAuthService({
  audit,
  clock,
  policy,
}: {
  audit: AuditLog;
  clock: Clock;
  policy: SessionPolicy;
}) {
  return {
    /**
     * Checks the password and opens a session. A failure is recorded (attempt + audit event) and
     * committed, then reported: the caller returns the problem after the transaction ends.
     */
    async login(tx: Tx, ctx: RequestContext, phone: string, password: string): Promise<LoginOutcome> {
      const now = clock.now();
      const since = new Date(now.getTime() - THROTTLE.windowMs);
      const address = ctx.ip ?? 'unknown';
      const [byAccount, byAddress] = [
        await recentFailures(tx, 'account', phone, since),
        await recentFailures(tx, 'address', address, since),
      ];
      const retryAfterSeconds = Math.ceil(THROTTLE.windowMs / 1000);
      if (byAccount >= THROTTLE.perAccount || byAddress >= THROTTLE.perAddress) {
        await audit.record(tx, ctx, {
          action: 'auth.login_throttled',
          entityType: 'user',
          meta: { reason: byAccount >= THROTTLE.perAccount ? 'account' : 'address' },
        });
        return { ok: false, problem: problems.throttled(retryAfterSeconds) };
      }
      const user = await tx
        .selectFrom('users')
        .select(['id', 'password_hash', 'status', 'area_id'])
        .where('phone', '=', phone)
        .executeTakeFirst();
      const passwordOk = await verifyPassword(user?.password_hash ?? null, password);
      const succeeded = Boolean(user && passwordOk && user.status === 'active');
      await tx
        .insertInto('login_attempts')
        .values([
          { kind: 'account', key: phone, at: now, succeeded },
          { kind: 'address', key: address, at: now, succeeded },
        ])
        .execute();
      if (!user || !passwordOk) {
        await audit.record(tx, ctx, {
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          areaId: user?.area_id ?? null,
          meta: { reason: user ? 'wrong_password' : 'unknown_account' },
        });
        return { ok: false, problem: problems.invalidCredentials() };
      }
      if (user.status !== 'active') {
        await audit.record(tx, ctx, {
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user.id,
          areaId: user.area_id,
          meta: { reason: 'account_disabled' },
        });
        return { ok: false, problem: problems.accountDisabled() };
      }
      const token = newSessionToken();
      const sessionId = uuidv7();
      const expiresAt = new Date(now.getTime() + policy.absoluteMs);
      await tx
        .insertInto('sessions')
        .values({
          id: sessionId,
          user_id: user.id,
          token_hash: tokenHash(token),
          created_at: now,
          last_seen_at: now,
          expires_at: expiresAt,
          ip: ctx.ip,
          user_agent: ctx.userAgent,
        })
        .execute();
      await audit.record(
        tx,
        { ...ctx, actor: { kind: 'user', id: user.id, homeAreaId: user.area_id, grants: [] } },
        {
          action: 'auth.login',
          entityType: 'session',
          entityId: sessionId,
          areaId: user.area_id,
        },
      );
      return { ok: true, token, expiresAt, userId: user.id, sessionId };
    },

    async logout(tx: Tx, ctx: RequestContext): Promise<void> {
      const actor = ctx.actor;
      if (actor?.kind !== 'user' || !actor.sessionId) throw problems.unauthenticated();
      await tx
        .updateTable('sessions')
        .set({ revoked_at: clock.now(), revoked_reason: 'signed_out' })
        .where('id', '=', actor.sessionId)
        .where('revoked_at', 'is', null)
        .execute();
      await audit.record(tx, ctx, {
        action: 'auth.logout',
        entityType: 'session',
        entityId: actor.sessionId,
        areaId: actor.homeAreaId,
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
