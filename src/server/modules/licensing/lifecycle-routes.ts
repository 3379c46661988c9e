import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  addConditionBody,
  conditionMetBody,
  conditionWaiveBody,
  licenceConditionSchema,
  licenceConditionsResponse,
  licenceQueueQuery,
  licenceQueueResponse,
} from '../../../shared/schemas/licence-lifecycle.ts';
import { licenceApplicationSchema } from '../../../shared/schemas/licensing.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { etagOf } from '../../platform/http/write.ts';
import { createLifecycleService } from './lifecycle-service.ts';

const idParams = z.object({ id: uuidSchema });
const conditionParams = z.object({ id: uuidSchema, conditionId: uuidSchema });
const tags = ['licensing'];

/** Renewal, progressive conditions and the office queue of licence applications. */
export function registerLicenceLifecycleRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createLifecycleService({ audit, clock });
  const withEtag = <T extends { version: number }>(body: T, status = 200, location?: string) => ({
    status,
    body,
    headers: { etag: etagOf(body.version), ...(location ? { location } : {}) },
  });

  app.post(
    '/licences/:id/renew',
    {
      schema: {
        tags,
        summary:
          'Apply to renew a licence (from 90 days before it ends to 180 days after): a draft renewal application; issuing it extends the same licence',
        params: idParams,
        response: { 201: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const a = await service.renew(tx, request.ctx, request.params.id);
        return withEtag(a, 201, `/api/v1/licence-applications/${a.id}`);
      }),
  );

  app.get(
    '/licences/:id/conditions',
    {
      schema: {
        tags,
        summary: 'The progressive conditions of a licence, soonest due first (overdue ones flagged)',
        params: idParams,
        response: { 200: licenceConditionsResponse },
      },
    },
    async (request) => service.listConditions(database.db, request.ctx, request.params.id),
  );

  app.post(
    '/licences/:id/conditions',
    {
      schema: {
        tags,
        summary: 'Add a condition with a due date to a licence',
        params: idParams,
        body: addConditionBody,
        response: { 201: licenceConditionSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.addCondition(tx, request.ctx, request.params.id, request.body), 201),
      ),
  );

  app.post(
    '/licences/:id/conditions/:conditionId/met',
    {
      schema: {
        tags,
        summary: 'Mark an open condition met, with the evidence seen',
        params: conditionParams,
        body: conditionMetBody,
        response: { 200: licenceConditionSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await service.decideCondition(
            tx,
            request.ctx,
            request.params.id,
            request.params.conditionId,
            'met',
            request.body.evidenceNote,
          ),
        ),
      ),
  );

  app.post(
    '/licences/:id/conditions/:conditionId/waive',
    {
      schema: {
        tags,
        summary: 'Waive an open condition (a reason is required)',
        params: conditionParams,
        body: conditionWaiveBody,
        response: { 200: licenceConditionSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await service.decideCondition(
            tx,
            request.ctx,
            request.params.id,
            request.params.conditionId,
            'waived',
            request.body.reason,
          ),
        ),
      ),
  );

  app.get(
    '/licence-queue',
    {
      schema: {
        tags,
        summary:
          'The office queue: applications submitted or under review in my areas, oldest first, with days waited against the service standard',
        querystring: licenceQueueQuery,
        response: { 200: licenceQueueResponse },
      },
    },
    async (request) => service.queue(database.db, request.ctx, request.query),
  );
}
