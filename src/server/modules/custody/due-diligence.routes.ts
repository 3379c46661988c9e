import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  type ExporterReportDto,
  eligibilityQuery,
  eligibilitySchema,
  exporterReportPdfQuery,
  exporterReportQuery,
  exporterReportSchema,
  type LotReportDto,
  lotReportPdfQuery,
  lotReportQuery,
  lotReportSchema,
} from '../../../shared/schemas/due-diligence.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import type { RequestContext } from '../../platform/context.ts';
import { renderExporterReport, renderLotReport } from './due-diligence.pdf.ts';
import { createDueDiligenceService } from './due-diligence.ts';

const tags = ['custody'];
const idParams = z.object({ id: uuidSchema });

/**
 * Due-diligence reports for buyers and the export authority, as JSON and PDF (the same content and
 * content hash), and a lot's eligibility for a kind of buyer. Every report read is audited.
 */
export function registerDueDiligenceRoutes(app: TypedApp, { database, audit, clock }: ModuleDeps): void {
  const service = createDueDiligenceService({ audit, clock });
  const db = database.db;
  const audited = async <R extends LotReportDto | ExporterReportDto>(
    ctx: RequestContext,
    report: R,
    format: 'json' | 'pdf',
  ): Promise<R> => {
    await db.transaction().execute((tx) => service.recordRead(tx, ctx, report, format));
    return report;
  };
  const pdfHeaders = (filename: string) => ({
    'content-type': 'application/pdf',
    'content-disposition': `inline; filename="${filename}"`,
    'cache-control': 'no-store',
  });

  app.get(
    '/lots/:id/due-diligence',
    {
      schema: {
        tags,
        summary:
          'Due-diligence report of a lot: origins with licence and improvement level, chain, flags, incidents, verdict, eligibility, content hash',
        params: idParams,
        querystring: lotReportQuery,
        response: { 200: lotReportSchema },
      },
    },
    async (request, reply) => {
      const report = await service.lotReport(db, request.ctx, request.params.id, request.query.buyerKind);
      reply.header('cache-control', 'no-store');
      return audited(request.ctx, report, 'json');
    },
  );
  app.get(
    '/lots/:id/due-diligence.pdf',
    {
      schema: {
        tags,
        summary: 'The due-diligence report of a lot as a PDF, with the content hash of its JSON',
        params: idParams,
        querystring: lotReportPdfQuery,
      },
    },
    async (request, reply) => {
      const report = await service.lotReport(db, request.ctx, request.params.id, request.query.buyerKind);
      const print = await service.printOf(db, report.country, request.query.language);
      const bytes = await renderLotReport(report, print);
      await audited(request.ctx, report, 'pdf');
      return reply.headers(pdfHeaders(`due-diligence-${report.lot.tag}.pdf`)).send(Buffer.from(bytes));
    },
  );
  app.get(
    '/lots/:id/eligibility',
    {
      schema: {
        tags,
        summary:
          "Whether a kind of buyer may take the lot under the country's rules, and why not (informs; refuses nothing)",
        params: idParams,
        querystring: eligibilityQuery,
        response: { 200: eligibilitySchema },
      },
    },
    async (request) => service.eligibility(db, request.ctx, request.params.id, request.query.buyerKind),
  );

  app.get(
    '/custody/actors/:id/due-diligence',
    {
      schema: {
        tags,
        summary:
          'Due-diligence report of an exporter over a period (last 90 days by default): origins by site, exported lots, flags, incidents, eligibility',
        params: idParams,
        querystring: exporterReportQuery,
        response: { 200: exporterReportSchema },
      },
    },
    async (request, reply) => {
      const report = await service.exporterReport(db, request.ctx, request.params.id, request.query);
      reply.header('cache-control', 'no-store');
      return audited(request.ctx, report, 'json');
    },
  );
  app.get(
    '/custody/actors/:id/due-diligence.pdf',
    {
      schema: {
        tags,
        summary: 'The due-diligence report of an exporter as a PDF, with the content hash of its JSON',
        params: idParams,
        querystring: exporterReportPdfQuery,
      },
    },
    async (request, reply) => {
      const report = await service.exporterReport(db, request.ctx, request.params.id, request.query);
      const print = await service.printOf(db, report.country, request.query.language);
      const bytes = await renderExporterReport(report, print);
      await audited(request.ctx, report, 'pdf');
      const name = `due-diligence-exporter-${report.period.from}-${report.period.to}.pdf`;
      return reply.headers(pdfHeaders(name)).send(Buffer.from(bytes));
    },
  );
}
