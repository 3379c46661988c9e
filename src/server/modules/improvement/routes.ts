import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  actionSchema,
  assessmentListQuery,
  assessmentSchema,
  assessmentSummarySchema,
  createActionBody,
  createAssessmentBody,
  standardQuery,
  standardResponse,
  subjectParams,
  subjectSchema,
  updateActionBody,
} from '../../../shared/schemas/improvement.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { createImprovementService } from './service.ts';

const tags = ['improvement'];
const idParams = z.object({ id: uuidSchema });

/** The improvement standard: assessments, the level they reach, progress and improvement plans. */
export function registerImprovementRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createImprovementService({ audit, clock });
  const db = database.db;

  app.get(
    '/improvement/standard',
    {
      schema: {
        tags,
        summary: "A country's improvement standard: levels, modules, requirements with their deadlines",
        querystring: standardQuery,
        response: { 200: standardResponse },
      },
    },
    async (request) => service.standard(db, request.ctx, request.query.country),
  );

  app.post(
    '/improvement/assessments',
    {
      schema: {
        tags,
        summary:
          'Record a self-assessment (improvement.assess) or a verification with evidence (improvement.verify); the level is computed',
        body: createAssessmentBody,
        response: { 200: assessmentSchema, 201: assessmentSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { assessment, created } = await service.record(tx, request.ctx, request.body);
        return {
          status: created ? 201 : 200,
          body: assessment,
          headers: { location: `/api/v1/improvement/assessments/${assessment.id}` },
        };
      }),
  );
  app.get(
    '/improvement/assessments',
    {
      schema: {
        tags,
        summary: 'Assessments in your areas, newest recorded first',
        querystring: assessmentListQuery,
        response: { 200: pageResponse(assessmentSummarySchema) },
      },
    },
    async (request) => service.assessments(db, request.ctx, request.query),
  );
  app.get(
    '/improvement/assessments/:id',
    {
      schema: {
        tags,
        summary: 'One assessment with its answers and evidence',
        params: idParams,
        response: { 200: assessmentSchema },
      },
    },
    async (request) => service.assessment(db, request.ctx, request.params.id),
  );

  app.get(
    '/improvement/subjects/:kind/:id',
    {
      schema: {
        tags,
        summary:
          'Where a person, enterprise or production unit stands: verified and self-assessed level, progress over time, plan',
        params: subjectParams,
        response: { 200: subjectSchema },
      },
    },
    async (request) => service.subject(db, request.ctx, request.params.kind, request.params.id),
  );

  app.post(
    '/improvement/subjects/:kind/:id/actions',
    {
      schema: {
        tags,
        summary: 'Add an action to the improvement plan: what, for which requirement, who, by when',
        params: subjectParams,
        body: createActionBody,
        response: { 200: actionSchema, 201: actionSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { action, created } = await service.addAction(
          tx,
          request.ctx,
          request.params.kind,
          request.params.id,
          request.body,
        );
        return { status: created ? 201 : 200, body: action, headers: { etag: etagOf(action.version) } };
      }),
  );
  app.patch(
    '/improvement/actions/:id',
    {
      schema: {
        tags,
        summary: 'Mark a plan action done, dropped (with the reason) or open again; needs If-Match',
        params: idParams,
        body: updateActionBody,
        response: { 200: actionSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const action = await service.updateAction(tx, request.ctx, request.params.id, request.body, (v) =>
          requireIfMatch(request, v),
        );
        return { status: 200, body: action, headers: { etag: etagOf(action.version) } };
      }),
  );
}
