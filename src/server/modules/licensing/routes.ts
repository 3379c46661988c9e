import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { applicationAreaSchema } from '../../../shared/schemas/application-area.ts';
import {
  applicationListQuery,
  checklistBody,
  createApplicationBody,
  decisionBody,
  licenceApplicationSchema,
  licenceEventsResponse,
  licenceListQuery,
  licenceSchema,
  reasonBody,
  setAreaBody,
  updateApplicationBody,
} from '../../../shared/schemas/licensing.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { applicationAreaView } from './area-view.ts';
import { registerLicenceLifecycleRoutes } from './lifecycle-routes.ts';
import { createLicensingService } from './service.ts';

const idParams = z.object({ id: uuidSchema });
const tags = ['licensing'];

/** Licence applications (draft → submitted → under review → decided → issued) and licences. */
export function registerLicensingRoutes(app: TypedApp, deps: ModuleDeps): void {
  const { database, audit, clock, runWrite } = deps;
  const service = createLicensingService({ audit, clock });
  const withEtag = <T extends { version: number }>(body: T, status = 200, location?: string) => ({
    status,
    body,
    headers: { etag: etagOf(body.version), ...(location ? { location } : {}) },
  });

  app.get(
    '/licence-applications',
    {
      schema: {
        tags,
        summary: 'Licence applications in my areas, oldest first (filter by status and tier)',
        querystring: applicationListQuery,
        response: { 200: pageResponse(licenceApplicationSchema) },
      },
    },
    async (request) => service.list(database.db, request.ctx, request.query),
  );

  app.post(
    '/licence-applications',
    {
      schema: {
        tags,
        summary: 'Start a licence application (a draft) for a person, enterprise or production unit',
        body: createApplicationBody,
        response: { 201: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const a = await service.create(tx, request.ctx, request.body);
        return withEtag(a, 201, `/api/v1/licence-applications/${a.id}`);
      }),
  );

  app.get(
    '/licence-applications/:id',
    {
      schema: {
        tags,
        summary: 'One licence application',
        params: idParams,
        response: { 200: licenceApplicationSchema },
      },
    },
    async (request, reply) => {
      const a = await service.get(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(a.version));
      return a;
    },
  );

  app.patch(
    '/licence-applications/:id',
    {
      schema: {
        tags,
        summary: 'Change a draft application (send If-Match)',
        params: idParams,
        body: updateApplicationBody,
        response: { 200: licenceApplicationSchema },
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

  app.put(
    '/licence-applications/:id/area',
    {
      schema: {
        tags,
        summary:
          'Draw or replace the applied area (GeoJSON polygon) before the decision: checked against the cadastre at once',
        params: idParams,
        body: setAreaBody,
        response: { 200: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.setArea(tx, request.ctx, request.params.id, request.body)),
      ),
  );

  app.get(
    '/licence-applications/:id/area',
    {
      schema: {
        tags,
        summary:
          'The applied area, its last check and the cadastre around it (the overlapped features first), for the review map',
        params: idParams,
        response: { 200: applicationAreaSchema },
      },
    },
    async (request) =>
      applicationAreaView(database.db, await service.get(database.db, request.ctx, request.params.id)),
  );

  app.post(
    '/licence-applications/:id/submit',
    {
      schema: {
        tags,
        summary: 'Submit a draft: the fee of the tier is assessed',
        params: idParams,
        response: { 200: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.submit(tx, request.ctx, request.params.id)),
      ),
  );

  app.post(
    '/licence-applications/:id/review',
    {
      schema: {
        tags,
        summary: 'Start the review of a submitted application',
        params: idParams,
        response: { 200: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.review(tx, request.ctx, request.params.id)),
      ),
  );

  app.post(
    '/licence-applications/:id/checklist',
    {
      schema: {
        tags,
        summary: 'Mark a requirement of the tier as met or not, during review',
        params: idParams,
        body: checklistBody,
        response: { 200: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.checklist(tx, request.ctx, request.params.id, request.body)),
      ),
  );

  app.post(
    '/licence-applications/:id/decision',
    {
      schema: {
        tags,
        summary: 'Approve or reject an application under review (a rejection needs a reason)',
        params: idParams,
        body: decisionBody,
        response: { 200: licenceApplicationSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(await service.decide(tx, request.ctx, request.params.id, request.body)),
      ),
  );

  app.post(
    '/licence-applications/:id/issue',
    {
      schema: {
        tags,
        summary: 'Issue the licence of an approved application (once)',
        params: idParams,
        response: { 201: licenceSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const l = await service.issue(tx, request.ctx, request.params.id);
        return withEtag(l, 201, `/api/v1/licences/${l.id}`);
      }),
  );

  app.get(
    '/licence-applications/:id/events',
    {
      schema: {
        tags,
        summary: 'The history of an application and of the licence it produced: each step, by whom, why',
        params: idParams,
        response: { 200: licenceEventsResponse },
      },
    },
    async (request) => ({
      items: await service.applicationEvents(database.db, request.ctx, request.params.id),
    }),
  );

  app.get(
    '/licences/:id/events',
    {
      schema: {
        tags,
        summary: 'The history of a licence, from its application through issue, renewals and sanctions',
        params: idParams,
        response: { 200: licenceEventsResponse },
      },
    },
    async (request) => ({ items: await service.licenceEvents(database.db, request.ctx, request.params.id) }),
  );

  app.get(
    '/licences',
    {
      schema: {
        tags,
        summary: 'Licences in my areas, oldest first (filter by status and tier)',
        querystring: licenceListQuery,
        response: { 200: pageResponse(licenceSchema) },
      },
    },
    async (request) => service.listLicences(database.db, request.ctx, request.query),
  );

  app.get(
    '/licences/:id',
    {
      schema: { tags, summary: 'One licence', params: idParams, response: { 200: licenceSchema } },
    },
    async (request, reply) => {
      const l = await service.getLicence(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(l.version));
      return l;
    },
  );

  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    app.post(
      `/licences/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'reinstate'
              ? 'Reinstate a suspended licence'
              : `${action === 'suspend' ? 'Suspend' : 'Revoke'} a licence (a reason is required)`,
          params: idParams,
          body: reasonBody.optional(),
          response: { 200: licenceSchema },
        },
      },
      (request, reply) =>
        runWrite(request, reply, request.ctx, async (tx) =>
          withEtag(
            await service.changeLicence(tx, request.ctx, request.params.id, action, request.body?.reason),
          ),
        ),
    );
  }

  registerLicenceLifecycleRoutes(app, deps);
}
