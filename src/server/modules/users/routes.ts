import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  assignmentInput,
  createUserBody,
  updateUserBody,
  userListQuery,
  userSchema,
} from '../../../shared/schemas/accounts.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission } from '../../platform/access/access.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { csvText, wantsCsv } from '../audit/export.ts';
import { countUserExport, createUserService, userCsvChunks, userCursor } from './service.ts';

const idParams = z.object({ id: uuidSchema });
const tags = ['accounts'];

export function registerUserRoutes(app: TypedApp, { database, audit, clock, runWrite }: ModuleDeps): void {
  const users = createUserService({ audit, clock });
  const withEtag = (user: z.infer<typeof userSchema>, status = 200) => ({
    status,
    body: user,
    headers: { etag: etagOf(user.version) },
  });

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'Accounts in my areas, sorted (JSON pages, or CSV with format=csv)',
        querystring: userListQuery,
        response: { 200: pageResponse(userSchema) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (!wantsCsv(q.format, request.headers.accept)) return users.list(database.db, request.ctx, q);

      const actor = requirePermission(request.ctx, 'users.read');
      const after = userCursor(q.cursor, q.sort);
      const filter = { q: q.q, status: q.status, areaId: q.areaId, sort: q.sort };
      const extent = await countUserExport(database.db, actor, filter);
      // Names and phone numbers in bulk: the read itself is recorded, with what was asked for,
      // before the first byte leaves.
      await database.db.transaction().execute((tx) =>
        audit.record(tx, request.ctx, {
          action: 'user.exported',
          entityType: 'user',
          areaId: actor.homeAreaId,
          meta: { format: 'csv', filter, ...(after ? { after } : {}), ...extent },
        }),
      );
      if (extent.truncated) reply.header('x-export-truncated', 'true');
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="users.csv"')
        .header('cache-control', 'no-store');
      // A stream bypasses the JSON serializer; the typed reply only knows the JSON page.
      return (reply as FastifyReply).send(
        Readable.from(csvText(userCsvChunks(database.db, actor, filter, { after }))),
      );
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create an account, optionally with its role assignments',
        body: createUserBody,
        response: { 200: userSchema, 201: userSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { user, created } = await users.create(tx, request.ctx, request.body);
        return {
          ...withEtag(user, created ? 201 : 200),
          headers: { etag: etagOf(user.version), location: `/api/v1/users/${user.id}` },
        };
      }),
  );

  app.get(
    '/users/:id',
    { schema: { tags, summary: 'One account', params: idParams, response: { 200: userSchema } } },
    async (request, reply) => {
      const user = await users.get(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(user.version));
      return user;
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change an account (send If-Match with its ETag)',
        params: idParams,
        body: updateUserBody,
        response: { 200: userSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await users.update(tx, request.ctx, request.params.id, request.body, (v) =>
            requireIfMatch(request, v),
          ),
        ),
      ),
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'disable' ? 'Disable an account and end its sessions now' : 'Enable an account again',
          params: idParams,
          response: { 200: userSchema },
        },
      },
      (request, reply) =>
        runWrite(request, reply, request.ctx, async (tx) =>
          withEtag(await users.setStatus(tx, request.ctx, request.params.id, status)),
        ),
    );
  }

  app.post(
    '/users/:id/assignments',
    {
      schema: {
        tags,
        summary: 'Give an account a role in an area',
        params: idParams,
        body: assignmentInput,
        response: { 200: userSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await users.addAssignment(
            tx,
            request.ctx,
            request.params.id,
            request.body.roleCode,
            request.body.areaId,
          ),
        ),
      ),
  );

  app.delete(
    '/users/:id/assignments/:assignmentId',
    {
      schema: {
        tags,
        summary: 'Take a role assignment away',
        params: z.object({ id: uuidSchema, assignmentId: uuidSchema }),
        response: { 200: userSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await users.removeAssignment(tx, request.ctx, request.params.id, request.params.assignmentId),
        ),
      ),
  );
}
