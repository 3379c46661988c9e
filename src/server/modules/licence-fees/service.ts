import { uuidv7, withCheckCharacter } from '../../../shared/ids.ts';
import type {
  FeeAccountDto,
  FeePaymentDto,
  RecordPaymentInput,
} from '../../../shared/schemas/licence-fees.ts';
import { assertCanRead, assertCanWrite, requireActor } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { type DocumentLocale, documentLocale, tierName } from '../../platform/documents/language.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { holderDisplay } from '../licence-cards/routes.ts';
import * as licensing from '../licensing/repo.ts';
import { balanceAfterPayment, balanceOf } from './balance.ts';
import type { ReceiptFacts } from './receipt.pdf.ts';
import * as repo from './repo.ts';

/** Statuses in which a fee is assessed and not yet settled by issue or closed by rejection. */
const PAYABLE = new Set(['submitted', 'under_review', 'approved']);

const iso = (d: Date | string) => new Date(d).toISOString();

function toPaymentDto(p: repo.PaymentRow): FeePaymentDto {
  return {
    id: p.id,
    receiptNumber: p.receipt_number,
    applicationId: p.application_id,
    amountMinor: Number(p.amount_minor),
    currency: p.currency,
    method: p.method,
    reference: p.reference,
    payerName: p.payer_name,
    paidAt: iso(p.paid_at),
    balanceAfterMinor: Number(p.balance_after_minor),
    recordedBy: p.recorded_by,
    recordedAt: iso(p.recorded_at),
  };
}

const target = (a: licensing.ApplicationRow) => ({
  entityType: 'Licence application',
  entityId: a.id,
  areaId: a.area_id,
  areaPath: a.area_path,
});

export function createFeeService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function load(db: Queryable, id: string) {
    const a = await licensing.findApplication(db, id);
    if (!a) throw problems.notFound('Licence application');
    return a;
  }

  async function account(db: Queryable, a: licensing.ApplicationRow): Promise<FeeAccountDto> {
    const payments = (await repo.paymentsOf(db, a.id)).map(toPaymentDto);
    const paid = payments.reduce((sum, p) => sum + p.amountMinor, 0);
    const assessed = a.fee_assessed_minor === null ? null : Number(a.fee_assessed_minor);
    return {
      applicationId: a.id,
      assessedMinor: assessed,
      currency: a.currency,
      paidMinor: paid,
      balanceMinor: balanceOf(assessed, paid),
      payments,
    };
  }

  return {
    async account(db: Queryable, ctx: RequestContext, applicationId: string): Promise<FeeAccountDto> {
      const a = await load(db, applicationId);
      assertCanRead(ctx, 'licensing.read', target(a));
      return account(db, a);
    },

    async record(
      tx: Tx,
      ctx: RequestContext,
      applicationId: string,
      input: RecordPaymentInput,
    ): Promise<FeePaymentDto> {
      const first = await load(tx, applicationId);
      assertCanWrite(ctx, 'fees.record', target(first));
      // Two payments to one application (or the same payment sent twice at once) go one after the
      // other, so the second sees the first: no over-payment and no reference counted twice.
      await repo.lockApplication(tx, applicationId);
      const a = await load(tx, applicationId);
      if (!PAYABLE.has(a.status) || a.fee_assessed_minor === null || a.currency === null) {
        throw problems.conflict('fees.not_payable', 'Fees are paid between submission and issue.', {
          status: a.status,
        });
      }
      if (input.currency !== a.currency) {
        throw new AppError(400, 'fees.currency_mismatch', `The fee is assessed in ${a.currency}.`, {
          currency: a.currency,
        });
      }
      const paidAt = input.paidAt ? new Date(input.paidAt) : clock.now();
      if (paidAt.getTime() > clock.now().getTime() + 5 * 60_000) {
        throw problems.validation([
          { path: 'body.paidAt', code: 'in_future', message: 'A payment cannot be dated in the future.' },
        ]);
      }
      const same = await repo.paymentByReference(tx, input.method, input.reference);
      if (same) {
        throw problems.conflict(
          'fees.duplicate_reference',
          'This payment reference has already been recorded.',
          { receiptNumber: same.receipt_number },
        );
      }
      const balanceAfter = balanceAfterPayment(
        Number(a.fee_assessed_minor),
        await repo.paidMinor(tx, a.id),
        input.amountMinor,
      );
      const id = uuidv7();
      const n = await repo.nextReceiptNumber(tx);
      const actor = requireActor(ctx);
      await repo
        .feesDb(tx)
        .insertInto('licence_fee_payments')
        .values({
          id,
          receipt_number: withCheckCharacter(`RC-${String(n).padStart(6, '0')}`),
          application_id: a.id,
          amount_minor: input.amountMinor,
          currency: a.currency,
          method: input.method,
          reference: input.reference,
          payer_name: input.payerName ?? null,
          paid_at: paidAt,
          balance_after_minor: balanceAfter,
          recorded_by: actor.kind === 'user' ? actor.id : null,
          recorded_at: clock.now(),
        })
        .execute();
      const payment = toPaymentDto(
        (await repo
          .feesDb(tx)
          .selectFrom('licence_fee_payments')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst())!,
      );
      await audit.record(tx, ctx, {
        action: 'licence_fee.payment_recorded',
        entityType: 'licence_application',
        entityId: a.id,
        areaId: a.area_id,
        after: payment,
      });
      return payment;
    },

    /**
     * A payment with what its receipt prints, and the country's language to print it in (read access
     * to the application checked).
     */
    async receipt(
      db: Queryable,
      ctx: RequestContext,
      applicationId: string,
      paymentId: string,
    ): Promise<{ facts: ReceiptFacts; locale: DocumentLocale }> {
      const a = await load(db, applicationId);
      assertCanRead(ctx, 'licensing.read', target(a));
      const row = (await repo.paymentsOf(db, a.id)).find((p) => p.id === paymentId);
      if (!row) throw problems.notFound('Payment');
      const p = toPaymentDto(row);
      const c = (await repo.receiptContext(db, a.id, p.recordedBy))!;
      const profile = await licensing.profileOf(db, c.country);
      const locale = documentLocale(profile);
      const facts: ReceiptFacts = {
        receiptNumber: p.receiptNumber,
        office: c.office,
        applicationReference: c.application_reference,
        tierName: tierName(profile, c.tier_code, locale.language),
        payer: p.payerName ?? holderDisplay(c),
        amountMinor: p.amountMinor,
        currency: p.currency,
        method: p.method,
        reference: p.reference,
        paidAt: p.paidAt,
        balanceAfterMinor: p.balanceAfterMinor,
        officer: c.officer ?? 'system',
        recordedAt: p.recordedAt,
      };
      return { facts, locale };
    },
  };
}
