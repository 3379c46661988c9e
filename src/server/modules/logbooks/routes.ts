import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  logbookBody,
  logbookListQuery,
  logbookPdfQuery,
  logbookReportSchema,
  missingQuery,
  missingSchema,
} from '../../../shared/schemas/logbooks.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { wantsCsv } from '../audit/export.ts';
import { flagMercuryUse } from '../custody/flags.ts';
import { originOf } from '../licence-cards/routes.ts';
import { blankLogbook, sendMissingCsv } from './documents.ts';
import { missingReports } from './missing.ts';
import { createLogbookService } from './service.ts';

const tags = ['logbooks'];
const idParams = z.object({ id: uuidSchema });

/** Production logbooks: period reports, the missing and late list of an office, the blank paper logbook. */
export function registerLogbookRoutes(app: TypedApp, { database, audit, clock, runWrite }: ModuleDeps): void {
  // Mercury reported in a logbook raises a risk flag on the chain of custody, in the report's transaction.
  const service = createLogbookService({
    audit,
    clock,
    onMercuryUse: async (tx, signal) => {
      await flagMercuryUse(
        tx,
        clock.now(),
        { id: signal.productionUnitId, country: signal.country, areaId: signal.areaId },
        { ...signal },
      );
    },
  });
  const db = database.db;

  app.post(
    '/logbooks',
    {
      schema: {
        tags,
        summary:
          "Report a period of a licence or production unit (201). The same figures again change nothing (200); other figures for a reported period correct it and need If-Match with the report's ETag",
        body: logbookBody,
        response: { 200: logbookReportSchema, 201: logbookReportSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { report, outcome } = await service.submit(tx, request.ctx, request.body, (version) =>
          requireIfMatch(request, version),
        );
        return {
          status: outcome === 'created' ? 201 : 200,
          body: report,
          headers: { etag: etagOf(report.version), location: `/api/v1/logbooks/${report.id}` },
        };
      }),
  );

  app.get(
    '/logbooks',
    {
      schema: {
        tags,
        summary:
          'Logbook reports in your areas, latest period first (by licence, unit or area; from/to on the period start)',
        querystring: logbookListQuery,
        response: { 200: pageResponse(logbookReportSchema) },
      },
    },
    async (request) => service.list(db, request.ctx, request.query),
  );

  app.get(
    '/logbooks/missing',
    {
      schema: {
        tags,
        summary:
          'Missing and late reports of an office: licences and units whose due date passed without a report, or who reported late; counts per area; CSV with format=csv',
        querystring: missingQuery,
        response: { 200: missingSchema },
      },
    },
    async (request, reply) => {
      const result = await missingReports(db, request.ctx, clock, request.query);
      if (!wantsCsv(request.query.format, request.headers.accept)) return result;
      // The typed reply only knows the JSON shape; the CSV is a stream of the same items.
      return sendMissingCsv(db, audit, request.ctx, reply as FastifyReply, request.query, result);
    },
  );

  app.get(
    '/logbooks/:id',
    {
      schema: {
        tags,
        summary: 'One logbook report',
        params: idParams,
        response: { 200: logbookReportSchema },
      },
    },
    async (request, reply) => {
      const report = await service.get(db, request.ctx, request.params.id);
      reply.header('etag', etagOf(report.version));
      return report;
    },
  );

  app.get(
    '/licences/:id/logbook.pdf',
    {
      schema: {
        tags,
        summary:
          "A blank paper logbook for the licence: A4 pages with a row per period (the tier's reporting period) and a QR code to the entry screen",
        params: idParams,
        querystring: logbookPdfQuery,
      },
    },
    async (request, reply) => {
      const { pdf, number } = await blankLogbook(db, request.ctx, clock, {
        licenceId: request.params.id,
        ...request.query,
        origin: originOf(request),
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="logbook-${number}.pdf"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf));
    },
  );
}
