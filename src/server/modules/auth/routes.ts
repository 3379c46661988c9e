import { z } from 'zod';
import { loginBody, loginResponse, meSchema } from '../../../shared/schemas/accounts.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requireActor } from '../../platform/access/access.ts';
import { SESSION_COOKIE } from '../../platform/auth/authenticate.ts';
import type { Actor } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { SECRET_ROUTE } from '../../platform/http/compression.ts';
import { createAuthService } from './service.ts';

async function describe(db: Queryable, actor: Actor): Promise<z.infer<typeof meSchema>> {
  const user =
    actor.kind === 'user'
      ? await db
          .selectFrom('users')
          .select(['name', 'phone', 'preferred_language', 'area_id'])
          .where('id', '=', actor.id)
          .executeTakeFirst()
      : undefined;
  const assignments =
    actor.kind === 'user'
      ? await db
          .selectFrom('user_assignments')
          .select(['id', 'role_code', 'area_id'])
          .where('user_id', '=', actor.id)
          .execute()
      : [];
  return {
    kind: actor.kind,
    id: actor.id,
    name: user?.name ?? null,
    phone: user?.phone ?? null,
    preferredLanguage: user?.preferred_language ?? null,
    areaId: user?.area_id ?? actor.homeAreaId,
    grants: actor.grants.map((g) => ({
      assignmentId: assignments.find((a) => a.role_code === g.roleCode && a.area_id === g.areaId)?.id ?? null,
      roleCode: g.roleCode,
      areaId: g.areaId,
      areaPath: g.areaPath,
      permissions: [...g.permissions].sort(),
    })),
  };
}

export function registerAuthRoutes(
  app: TypedApp,
  { database, audit, clock, config, runWrite, authenticate }: ModuleDeps,
): void {
  const service = createAuthService({ audit, clock, policy: config.session });
  const secureCookie = config.env === 'production';

  // Sign-in is the one POST without Idempotency-Key replay: a replay would have to store the
  // session token at rest to return it again.
  app.post(
    '/auth/login',
    {
      ...SECRET_ROUTE,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with phone number and password; opens a session',
        security: [],
        body: loginBody,
        response: { 200: loginResponse },
      },
    },
    async (request, reply) => {
      const outcome = await database.db
        .transaction()
        .execute((tx) => service.login(tx, request.ctx, request.body.phone, request.body.password));
      if (!outcome.ok) throw outcome.problem;
      const auth = await authenticate({ authorization: `Bearer ${outcome.token}` }, undefined);
      if (!auth.actor) throw new Error('a new session could not be read back');
      reply.setCookie(SESSION_COOKIE, outcome.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        expires: outcome.expiresAt,
      });
      return {
        token: outcome.token,
        expiresAt: outcome.expiresAt.toISOString(),
        me: await describe(database.db, auth.actor),
      };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out: ends this session', response: { 204: z.null() } } },
    async (request, reply) => {
      requireActor(request.ctx);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return runWrite(request, reply, request.ctx, async (tx) => {
        await service.logout(tx, request.ctx);
        return { status: 204, body: null };
      });
    },
  );

  app.get(
    '/me',
    {
      schema: { tags: ['auth'], summary: 'Who I am: account, roles and areas', response: { 200: meSchema } },
    },
    async (request) => describe(database.db, requireActor(request.ctx)),
  );
}
