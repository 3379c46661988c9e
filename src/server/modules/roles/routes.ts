import { sql } from 'kysely';
import { z } from 'zod';
import { isPermission, PERMISSIONS } from '../../../shared/permissions.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { AccessDenied, requirePermission, scopePaths } from '../../platform/access/access.ts';
import { problems } from '../../platform/errors.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { findRole, listRoles } from './repo.ts';

const roleSchema = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string(),
  permissions: z.array(z.string()),
  isSystem: z.boolean(),
  version: z.number().int(),
});

const toDto = (r: Awaited<ReturnType<typeof listRoles>>[number]) => ({
  code: r.code,
  name: r.name,
  description: r.description,
  permissions: [...r.permissions].sort(),
  isSystem: r.is_system,
  version: r.version,
});

const tags = ['accounts'];

export function registerRoleRoutes(app: TypedApp, { database, audit, clock, runWrite }: ModuleDeps): void {
  app.get(
    '/roles',
    {
      schema: {
        tags,
        summary: 'Roles and the permissions each grants',
        response: { 200: z.object({ items: z.array(roleSchema), permissions: z.array(z.string()) }) },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'roles.read');
      return { items: (await listRoles(database.db)).map(toDto), permissions: [...PERMISSIONS] };
    },
  );

  // Roles apply everywhere, so changing one needs roles.manage at a country root.
  app.patch(
    '/roles/:code',
    {
      schema: {
        tags,
        summary: "Change a role's name, description or permissions (If-Match required)",
        params: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]*$/) }),
        body: z
          .object({
            name: z.string().trim().min(1).max(100).optional(),
            description: z.string().trim().max(500).optional(),
            permissions: z.array(z.string()).max(200).optional(),
          })
          .strict(),
        response: { 200: roleSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const actor = requirePermission(request.ctx, 'roles.manage');
        if (
          actor.kind !== 'system' &&
          !scopePaths(actor, 'roles.manage').some((p) => p.split('/').length === 3)
        ) {
          throw new AccessDenied(problems.forbidden(), 'roles.manage', {
            entityType: 'role',
            entityId: request.params.code,
            areaId: null,
          });
        }
        const role = await findRole(tx, request.params.code);
        if (!role) throw problems.notFound('Role');
        requireIfMatch(request, role.version);
        const unknown = (request.body.permissions ?? []).filter((p) => !isPermission(p));
        if (unknown.length) {
          throw problems.validation(
            unknown.map((p) => ({
              path: 'body.permissions',
              code: 'unknown_permission',
              message: `${p} is not a permission.`,
            })),
          );
        }
        await tx
          .updateTable('roles')
          .set({
            ...(request.body.name !== undefined ? { name: request.body.name } : {}),
            ...(request.body.description !== undefined ? { description: request.body.description } : {}),
            ...(request.body.permissions !== undefined
              ? { permissions: [...new Set(request.body.permissions)] }
              : {}),
            updated_at: clock.now(),
            version: sql`version + 1`,
          })
          .where('code', '=', role.code)
          .execute();
        const after = (await findRole(tx, role.code))!;
        await audit.record(tx, request.ctx, {
          action: 'role.updated',
          entityType: 'role',
          entityId: role.code,
          before: toDto(role),
          after: toDto(after),
        });
        return { status: 200, body: toDto(after), headers: { etag: etagOf(after.version) } };
      }),
  );
}
