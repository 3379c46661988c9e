import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  feeAccountSchema,
  feePaymentSchema,
  recordPaymentBody,
} from '../../../shared/schemas/licence-fees.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { renderReceipt } from './receipt.pdf.ts';
import { createFeeService } from './service.ts';

const tags = ['licensing'];
const idParams = z.object({ id: uuidSchema });

/** Licence fee payments against an application, its balance, and a receipt per payment. */
export function registerLicenceFeeRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createFeeService({ audit, clock });

  app.get(
    '/licence-applications/:id/payments',
    {
      schema: {
        tags,
        summary: 'The fee of an application: assessed, paid, balance due, and the payments',
        params: idParams,
        response: { 200: feeAccountSchema },
      },
    },
    async (request) => service.account(database.db, request.ctx, request.params.id),
  );

  app.post(
    '/licence-applications/:id/payments',
    {
      schema: {
        tags,
        summary:
          'Record a fee payment (cash, mobile money or bank); a reference is counted once, over-payment is refused',
        params: idParams,
        body: recordPaymentBody,
        response: { 201: feePaymentSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const p = await service.record(tx, request.ctx, request.params.id, request.body);
        return {
          status: 201,
          body: p,
          headers: {
            location: `/api/v1/licence-applications/${p.applicationId}/payments/${p.id}/receipt.pdf`,
          },
        };
      }),
  );

  app.get(
    '/licence-applications/:id/payments/:paymentId/receipt.pdf',
    {
      schema: {
        tags,
        summary: 'The receipt of one payment, as a PDF',
        params: z.object({ id: uuidSchema, paymentId: uuidSchema }),
      },
    },
    async (request, reply) => {
      const { facts, locale } = await service.receipt(
        database.db,
        request.ctx,
        request.params.id,
        request.params.paymentId,
      );
      const pdf = await renderReceipt(facts, locale);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="receipt-${facts.receiptNumber}.pdf"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf));
    },
  );
}
