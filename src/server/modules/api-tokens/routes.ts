import { sql } from 'kysely';
import { z } from 'zod';
import { uuidSchema, uuidv7 } from '../../../shared/ids.ts';
import { TOKEN_SCOPES } from '../../../shared/permissions.ts';
import { apiTokenSchema, createApiTokenBody } from '../../../shared/schemas/accounts.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import {
  assertCanWrite,
  requirePermission,
  scopePaths,
  subtreePatterns,
} from '../../platform/access/access.ts';
import { newApiToken, tokenHash } from '../../platform/auth/tokens.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { SECRET_ROUTE } from '../../platform/http/compression.ts';
import { decodeCursor, encodeCursor, pageResponse } from '../../platform/http/pagination.ts';
import { pathOf } from '../admin-areas/repo.ts';
import { findRole } from '../roles/repo.ts';

const tags = ['accounts'];

type Row = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  role_code: string;
  area_id: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};
const toDto = (t: Row) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  roleCode: t.role_code,
  areaId: t.area_id,
  createdBy: t.created_by,
  createdAt: t.created_at.toISOString(),
  expiresAt: t.expires_at?.toISOString() ?? null,
  revokedAt: t.revoked_at?.toISOString() ?? null,
  lastUsedAt: t.last_used_at?.toISOString() ?? null,
});
const COLUMNS = [
  'id',
  'name',
  'prefix',
  'scopes',
  'role_code',
  'area_id',
  'created_by',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

function findToken(db: Queryable, id: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('admin_areas', 'admin_areas.id', 'api_tokens.area_id')
    .select(COLUMNS.map((c) => `api_tokens.${c}` as const))
    .select('admin_areas.path as area_path')
    .where('api_tokens.id', '=', id)
    .executeTakeFirst();
}

/**
 * Machine credentials for buying-station devices and the SMS gateway. The secret is shown once, at
 * creation; its scopes are limited to TOKEN_SCOPES and to the permissions of the token's role.
 */
export function registerTokenRoutes(app: TypedApp, { database, audit, clock, runWrite }: ModuleDeps): void {
  app.get(
    '/api-tokens',
    {
      schema: {
        tags,
        summary: 'Machine tokens of my areas (secrets are never shown again)',
        querystring: z
          .object({
            limit: z.coerce.number().int().min(1).max(500).default(50),
            cursor: z.string().max(500).optional(),
          })
          .strict(),
        response: { 200: pageResponse(apiTokenSchema) },
      },
    },
    async (request) => {
      const actor = requirePermission(request.ctx, 'tokens.manage');
      const after = decodeCursor(request.query.cursor, 1);
      let q = database.db
        .selectFrom('api_tokens')
        .innerJoin('admin_areas', 'admin_areas.id', 'api_tokens.area_id')
        .select(COLUMNS.map((c) => `api_tokens.${c}` as const))
        .where(
          sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(scopePaths(actor, 'tokens.manage')))})`,
        )
        .orderBy('api_tokens.id')
        .limit(request.query.limit + 1);
      if (after) q = q.where('api_tokens.id', '>', String(after[0]));
      const rows = await q.execute();
      const more = rows.length > request.query.limit;
      const items = rows.slice(0, request.query.limit);
      return {
        items: items.map(toDto),
        nextCursor: more ? encodeCursor([items[items.length - 1]!.id]) : null,
      };
    },
  );

  app.post(
    '/api-tokens',
    {
      ...SECRET_ROUTE,
      schema: {
        tags,
        summary: 'Create a machine token; the secret is in this answer only',
        body: createApiTokenBody,
        response: { 201: apiTokenSchema.extend({ token: z.string() }) },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const body = request.body;
        const areaPath = await pathOf(tx, body.areaId);
        if (!areaPath)
          throw problems.validation([
            { path: 'body.areaId', code: 'unknown_area', message: 'No such admin area.' },
          ]);
        assertCanWrite(request.ctx, 'tokens.manage', {
          entityType: 'api_token',
          entityId: null,
          areaId: body.areaId,
          areaPath,
        });
        const role = await findRole(tx, body.roleCode);
        if (!role)
          throw problems.validation([
            { path: 'body.roleCode', code: 'unknown_role', message: 'No such role.' },
          ]);
        const bad = body.scopes.filter(
          (s) => !(TOKEN_SCOPES as readonly string[]).includes(s) || !role.permissions.includes(s),
        );
        if (bad.length) {
          throw problems.validation(
            bad.map((s) => ({
              path: 'body.scopes',
              code: 'scope_not_allowed',
              message: `${s} cannot be given to this token.`,
            })),
          );
        }
        const { token, prefix } = newApiToken();
        const id = body.id ?? uuidv7();
        await tx
          .insertInto('api_tokens')
          .values({
            id,
            name: body.name,
            token_hash: tokenHash(token),
            prefix,
            scopes: [...new Set(body.scopes)],
            role_code: role.code,
            area_id: body.areaId,
            created_by: request.ctx.actor!.id,
            created_at: clock.now(),
            expires_at: body.expiresAt ? new Date(body.expiresAt) : null,
          })
          .execute();
        const created = toDto((await findToken(tx, id))!);
        await audit.record(tx, request.ctx, {
          action: 'api_token.created',
          entityType: 'api_token',
          entityId: id,
          areaId: body.areaId,
          after: created,
        });
        // The secret is not stored in the idempotency record either: a replay answers without it.
        return {
          status: 201,
          body: { ...created, token },
          replayBody: { ...created, token: '' },
          headers: { location: `/api/v1/api-tokens/${id}` },
        };
      }),
  );

  app.post(
    '/api-tokens/:id/revoke',
    {
      schema: {
        tags,
        summary: 'Revoke a machine token now',
        params: z.object({ id: uuidSchema }),
        response: { 200: apiTokenSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const t = await findToken(tx, request.params.id);
        if (!t) throw problems.notFound('API token');
        const target = { entityType: 'api_token', entityId: t.id, areaId: t.area_id, areaPath: t.area_path };
        assertCanWrite(request.ctx, 'tokens.manage', target);
        if (!t.revoked_at) {
          await tx
            .updateTable('api_tokens')
            .set({ revoked_at: clock.now() })
            .where('id', '=', t.id)
            .execute();
          await audit.record(tx, request.ctx, {
            action: 'api_token.revoked',
            entityType: 'api_token',
            entityId: t.id,
            areaId: t.area_id,
          });
        }
        return { status: 200, body: toDto((await findToken(tx, t.id))!) };
      }),
  );
}
