import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { labelSheetQuery, MAX_LABELS } from '../../../shared/schemas/custody-extras.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { originOf } from '../licence-cards/routes.ts';
import { renderLotLabel, renderLotLabelSheet } from './label.pdf.ts';
import { labelFacts, parseLotIds } from './labels.ts';

/** Printable lot labels: the tag with its check character, the facts, and a QR code to the lot's page. */
export function registerCustodyLabelRoutes(app: TypedApp, { database }: ModuleDeps): void {
  const db = database.db;
  const pdf = (bytes: Uint8Array, filename: string) => ({
    bytes: Buffer.from(bytes),
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });

  app.get(
    '/lots/:id/label.pdf',
    {
      schema: {
        tags: ['custody'],
        summary: 'The label of a lot: 100 × 60 mm PDF with its tag, mass, fineness, origin and a QR code',
        params: z.object({ id: uuidSchema }),
      },
    },
    async (request, reply) => {
      const [facts] = await labelFacts(db, request.ctx, [request.params.id], originOf(request));
      const out = pdf(await renderLotLabel(facts!), `lot-${facts!.tag}.pdf`);
      return reply.headers(out.headers).send(out.bytes);
    },
  );

  app.get(
    '/lots/labels.pdf',
    {
      schema: {
        tags: ['custody'],
        summary: `Labels of several lots on A4 sheets, eight to a page (ids=a,b,c; at most ${MAX_LABELS})`,
        querystring: labelSheetQuery,
      },
    },
    async (request, reply) => {
      const ids = parseLotIds(request.query.ids);
      const facts = await labelFacts(db, request.ctx, ids, originOf(request));
      const out = pdf(await renderLotLabelSheet(facts), 'lot-labels.pdf');
      return reply.headers(out.headers).send(out.bytes);
    },
  );
}
