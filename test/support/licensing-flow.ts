/**
 * NOTE TO EVERY TEST THAT ISSUES A LICENCE: since licence fees (migration 0011), a licence is issued
 * only once the fee assessed at submission is paid (409 licensing.fee_unpaid otherwise; a tier whose
 * fee is 0 needs no payment). Call payFee(app, headers, applicationId) after submit and before
 * issue: it records one payment of the whole balance, with a unique reference.
 */
import type { FastifyInstance } from 'fastify';

let references = 0;

/** Pays what is left of an application's fee (nothing when it is 0 or already paid); returns the payment. */
export async function payFee(
  app: FastifyInstance,
  headers: Record<string, string>,
  applicationId: string,
  method: 'cash' | 'mobile_money' | 'bank' = 'cash',
): Promise<{ id: string; receiptNumber: string } | null> {
  const account = await app.inject({
    method: 'GET',
    url: `/api/v1/licence-applications/${applicationId}/payments`,
    headers,
  });
  if (account.statusCode !== 200) throw new Error(`fee account: ${account.statusCode} ${account.body}`);
  const { balanceMinor, currency } = account.json() as { balanceMinor: number; currency: string | null };
  if (balanceMinor === 0 || currency === null) return null;
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/licence-applications/${applicationId}/payments`,
    headers,
    payload: {
      amountMinor: balanceMinor,
      currency,
      method,
      reference: `TEST-${process.pid}-${++references}-${applicationId.slice(-12)}`,
    },
  });
  if (res.statusCode !== 201) throw new Error(`fee payment: ${res.statusCode} ${res.body}`);
  return res.json();
}
