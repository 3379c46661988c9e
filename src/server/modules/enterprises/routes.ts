import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  addMemberBody,
  createEnterpriseBody,
  createProductionUnitBody,
  endMemberBody,
  enterpriseDetailSchema,
  enterpriseListQuery,
  enterpriseSchema,
  formChangeSchema,
  productionUnitListQuery,
  productionUnitSchema,
  updateEnterpriseBody,
  updateProductionUnitBody,
} from '../../../shared/schemas/enterprises.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { wantsCsv } from '../audit/export.ts';
import { sendEnterprisesCsv } from './export.ts';
import { createEnterpriseService } from './service.ts';

const idParams = z.object({ id: uuidSchema });
const memberParams = z.object({ id: uuidSchema, memberId: uuidSchema });
const tags = ['registry'];

/** Enterprises (with members, leadership terms and form history) and production units. */
export function registerEnterpriseRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createEnterpriseService({ audit, clock });
  const withEtag = <T extends { version: number }>(body: T, status = 200, location?: string) => ({
    status,
    body,
    headers: { etag: etagOf(body.version), ...(location ? { location } : {}) },
  });

  app.get(
    '/enterprises',
    {
      schema: {
        tags,
        summary:
          'Enterprises in my areas, by name (search by name, filter by form and area; JSON pages, or CSV with format=csv)',
        querystring: enterpriseListQuery,
        response: { 200: pageResponse(enterpriseSchema) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (!wantsCsv(q.format, request.headers.accept)) return service.list(database.db, request.ctx, q);
      // A stream bypasses the JSON serializer; the typed reply only knows the JSON page.
      return sendEnterprisesCsv(database.db, audit, request.ctx, q, reply as FastifyReply);
    },
  );

  app.post(
    '/enterprises',
    {
      schema: {
        tags,
        summary: 'Register an enterprise (a repeat with the same client id changes nothing)',
        body: createEnterpriseBody,
        response: { 200: enterpriseDetailSchema, 201: enterpriseDetailSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { enterprise, created } = await service.create(tx, request.ctx, request.body);
        return withEtag(enterprise, created ? 201 : 200, `/api/v1/enterprises/${enterprise.id}`);
      }),
  );

  app.get(
    '/enterprises/:id',
    {
      schema: {
        tags,
        summary: 'One enterprise with its members and the share of women in membership and leadership',
        params: idParams,
        response: { 200: enterpriseDetailSchema },
      },
    },
    async (request, reply) => {
      const enterprise = await service.get(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(enterprise.version));
      return enterprise;
    },
  );

  app.patch(
    '/enterprises/:id',
    {
      schema: {
        tags,
        summary: 'Change an enterprise (send If-Match); a change of form is kept in its history',
        params: idParams,
        body: updateEnterpriseBody,
        response: { 200: enterpriseDetailSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await service.update(tx, request.ctx, request.params.id, request.body, (v) =>
            requireIfMatch(request, v),
          ),
        ),
      ),
  );

  app.get(
    '/enterprises/:id/history',
    {
      schema: {
        tags,
        summary: 'The changes of legal form of an enterprise, oldest first',
        params: idParams,
        response: { 200: z.object({ items: z.array(formChangeSchema) }) },
      },
    },
    async (request) => service.history(database.db, request.ctx, request.params.id),
  );

  app.post(
    '/enterprises/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a member, worker or leader (chair, treasurer, secretary: one open term per seat)',
        params: idParams,
        body: addMemberBody,
        response: { 200: enterpriseDetailSchema, 201: enterpriseDetailSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { enterprise, created } = await service.addMember(
          tx,
          request.ctx,
          request.params.id,
          request.body,
        );
        return withEtag(enterprise, created ? 201 : 200);
      }),
  );

  app.post(
    '/enterprises/:id/members/:memberId/end',
    {
      schema: {
        tags,
        summary: 'End a membership or a leadership term (the end date is its last day)',
        params: memberParams,
        body: endMemberBody,
        response: { 200: enterpriseDetailSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await service.endMember(
            tx,
            request.ctx,
            request.params.id,
            request.params.memberId,
            request.body?.endDate,
          ),
        ),
      ),
  );

  app.get(
    '/production-units',
    {
      schema: {
        tags,
        summary:
          'Production units in my areas, by name (search by name or reference, filter by kind, area, operator)',
        querystring: productionUnitListQuery,
        response: { 200: pageResponse(productionUnitSchema) },
      },
    },
    async (request) => service.listUnits(database.db, request.ctx, request.query),
  );

  app.post(
    '/production-units',
    {
      schema: {
        tags,
        summary: 'Register a pit, shaft, dredge, washing or processing plant',
        body: createProductionUnitBody,
        response: { 200: productionUnitSchema, 201: productionUnitSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { unit, created } = await service.createUnit(tx, request.ctx, request.body);
        return withEtag(unit, created ? 201 : 200, `/api/v1/production-units/${unit.id}`);
      }),
  );

  app.get(
    '/production-units/:id',
    {
      schema: {
        tags,
        summary: 'One production unit',
        params: idParams,
        response: { 200: productionUnitSchema },
      },
    },
    async (request, reply) => {
      const unit = await service.getUnit(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(unit.version));
      return unit;
    },
  );

  app.patch(
    '/production-units/:id',
    {
      schema: {
        tags,
        summary: 'Change a production unit (send If-Match)',
        params: idParams,
        body: updateProductionUnitBody,
        response: { 200: productionUnitSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await service.updateUnit(tx, request.ctx, request.params.id, request.body, (v) =>
            requireIfMatch(request, v),
          ),
        ),
      ),
  );
}
