/**
 * Licence fees: payments against the fee assessed at submission, the balance, receipts with a check
 * character, no issue before the fee is paid, no reference counted twice (also when two requests come
 * at once or an Idempotency-Key is replayed), no over-payment, and the balance arithmetic as a property.
 */
import { inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFeesAndRightsDemo } from '../../src/server/demo/fees-rights-seed.ts';
import { balanceAfterPayment, balanceOf } from '../../src/server/modules/licence-fees/balance.ts';
import { formatReceiptMoney } from '../../src/server/modules/licence-fees/receipt.pdf.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import { AppError } from '../../src/server/platform/errors.ts';
import { isValidReference } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import {
  COMMUNITY_PERMIT,
  installTestProfile,
  TRANSFERABLE_PERMIT,
  testTier,
} from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Record<string, string>>> = {};

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [
    COMMUNITY_PERMIT,
    TRANSFERABLE_PERMIT,
    { ...testTier('free_permit', 'district', ['person'], 2), fee: { amountMinor: 0, currency: 'GHS' } },
  ]);
  for (const u of ['admin', 'obuasiOfficer', 'obuasiAdmin', 'bibianiAdmin', 'agent', 'auditor'] as const)
    h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const call = (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: object,
  extra: Record<string, string> = {},
) => t.app.inject({ method, url, headers: { ...headers, ...extra }, ...(payload ? { payload } : {}) });

let n = 0;
async function application(
  stage: 'draft' | 'submitted' | 'approved' = 'approved',
  { area = 'obuasi' as AreaKey, tierCode = 'community_permit' } = {},
): Promise<string> {
  const person = await call('POST', '/api/v1/people', h.admin!, {
    givenName: 'kofi',
    familyName: `Payer${++n}`,
    sex: 'male',
    areaId: t.fx.areas[area].id,
    checkDuplicates: false,
  });
  expect(person.statusCode, person.body).toBe(201);
  const a = await call('POST', '/api/v1/licence-applications', h.admin!, {
    tierCode,
    holderKind: 'person',
    holderId: person.json().id,
    requestedAreaHectares: 1,
  });
  expect(a.statusCode, a.body).toBe(201);
  const id = a.json().id as string;
  const steps: [string, object?][] =
    stage === 'draft'
      ? []
      : stage === 'submitted'
        ? [['submit']]
        : [['submit'], ['review'], ['decision', { outcome: 'approve' }]];
  for (const [step, payload] of steps) {
    const res = await call('POST', `/api/v1/licence-applications/${id}/${step}`, h.admin!, payload);
    expect(res.statusCode, res.body).toBe(200);
  }
  return id;
}

let refs = 0;
const payment = (over: object = {}) => ({
  amountMinor: 4000,
  currency: 'GHS',
  method: 'mobile_money',
  reference: `MM-${++refs}-${Date.now()}`,
  paidAt: '2026-03-01T10:00:00Z',
  ...over,
});
const pay = (id: string, body: object, headers = h.obuasiOfficer!, extra: Record<string, string> = {}) =>
  call('POST', `/api/v1/licence-applications/${id}/payments`, headers, body, extra);
const account = async (id: string, headers = h.obuasiOfficer!) => {
  const res = await call('GET', `/api/v1/licence-applications/${id}/payments`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const paymentCount = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM licence_fee_payments`.execute(t.database.db)).rows[0]!
      .n,
  );

/** The text drawn on the pages of a pdf-lib PDF: its hex-encoded strings, decoded. */
async function pdfText(bytes: Buffer): Promise<string> {
  const raw = bytes.toString('latin1');
  let text = '';
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let body: string;
    try {
      body = inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      body = m[1]!;
    }
    for (const s of body.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g))
      text += `${Buffer.from(s[1]!, 'hex').toString('latin1')}\n`;
  }
  return text;
}

describe('demo data', () => {
  // First in the file: the demo seed does nothing once any payment exists.
  it('pays the fees of issued demo licences and mortgages a licence of an enterprise, once', async () => {
    const enterprise = await call('POST', '/api/v1/enterprises', h.admin!, {
      name: 'Demo Cooperative',
      form: 'cooperative',
      areaId: t.fx.areas.obuasi.id,
    });
    expect(enterprise.statusCode, enterprise.body).toBe(201);
    // As the licensing demo leaves them: issued, fee assessed, nothing paid.
    const a = await application('approved');
    const b = await application('approved');
    await sql`UPDATE licence_applications SET status = 'issued' WHERE id IN (${a}, ${b})`.execute(
      t.database.db,
    );
    const seed = () =>
      seedFeesAndRightsDemo(
        t.database,
        { audit: createAuditLog({ clock: t.clock }), clock: t.clock },
        systemContext('test'),
      );
    expect(await seed()).toBe(3 + 1 + 1);
    for (const id of [a, b]) expect(await account(id)).toMatchObject({ paidMinor: 10000, balanceMinor: 0 });
    expect((await account(a)).payments.map((p: { method: string }) => p.method)).toEqual([
      'cash',
      'mobile_money',
    ]);
    const mortgaged = await sql<{ holder_id: string; tier_code: string; kind: string }>`
      SELECT l.holder_id, l.tier_code, e.kind FROM licence_encumbrances e JOIN licences l ON l.id = e.licence_id`.execute(
      t.database.db,
    );
    expect(mortgaged.rows).toEqual([
      { holder_id: enterprise.json().id, tier_code: 'transferable_permit', kind: 'mortgage' },
    ]);
    const payments = await paymentCount();
    expect(await seed()).toBe(0);
    expect(await paymentCount()).toBe(payments);
  });
});

describe('licence fee payments', () => {
  it('records payments to the balance, with receipts, and issues only once the fee is paid', async () => {
    const id = await application();
    const before = await account(id);
    expect(before).toMatchObject({
      assessedMinor: 10000,
      currency: 'GHS',
      paidMinor: 0,
      balanceMinor: 10000,
    });

    const refused = await call('POST', `/api/v1/licence-applications/${id}/issue`, h.obuasiOfficer!);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'licensing.fee_unpaid',
      balanceMinor: 10000,
      currency: 'GHS',
    });

    const first = await pay(id, payment({ method: 'cash', reference: 'CASH-0001', payerName: 'Ama Payer' }));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      amountMinor: 4000,
      method: 'cash',
      reference: 'CASH-0001',
      balanceAfterMinor: 6000,
      recordedBy: t.fx.users.obuasiOfficer.id,
    });
    expect(isValidReference(first.json().receiptNumber)).toBe(true);
    expect(first.json().receiptNumber).toMatch(/^RC-\d{6}-[0-9A-Z*]$/);
    expect(first.headers.location).toBe(
      `/api/v1/licence-applications/${id}/payments/${first.json().id}/receipt.pdf`,
    );

    // Still short: no licence yet.
    const stillShort = await call('POST', `/api/v1/licence-applications/${id}/issue`, h.obuasiOfficer!);
    expect(stillShort.json()).toMatchObject({ code: 'licensing.fee_unpaid', balanceMinor: 6000 });

    const second = await pay(id, payment({ amountMinor: 6000 }), h.obuasiAdmin!);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().balanceAfterMinor).toBe(0);
    expect(await account(id)).toMatchObject({ paidMinor: 10000, balanceMinor: 0 });
    expect((await account(id)).payments.map((p: { amountMinor: number }) => p.amountMinor)).toEqual([
      4000, 6000,
    ]);

    const issued = await call('POST', `/api/v1/licence-applications/${id}/issue`, h.obuasiOfficer!);
    expect(issued.statusCode, issued.body).toBe(201);

    // Audited, with the area of the application.
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'area_id'])
      .where('entity_id', '=', id)
      .where('action', '=', 'licence_fee.payment_recorded')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.area_id).toBe(t.fx.areas.obuasi.id);

    // The receipt: one A6 page with the receipt number, office, payer, amount, method, balance, officer.
    const pdf = await call(
      'GET',
      `/api/v1/licence-applications/${id}/payments/${first.json().id}/receipt.pdf`,
      h.auditor!,
    );
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const doc = await PDFDocument.load(pdf.rawPayload);
    expect(doc.getPageCount()).toBe(1);
    const text = await pdfText(pdf.rawPayload);
    for (const expected of [
      first.json().receiptNumber,
      'Obuasi (test)',
      'Ama Payer',
      'GHS 40.00',
      'Cash - CASH-0001',
      'GHS 60.00',
      'Obuasi',
    ])
      expect(text).toContain(expected);
    // Without a payer name, the holder as the card shows them.
    const text2 = await pdfText(
      (
        await call(
          'GET',
          `/api/v1/licence-applications/${id}/payments/${second.json().id}/receipt.pdf`,
          h.obuasiOfficer!,
        )
      ).rawPayload,
    );
    expect(text2).toContain(`K. Payer${n}`);
    expect(text2).toContain('GHS 0.00');
  });

  it('needs no payment for a tier whose fee is 0', async () => {
    const id = await application('approved', { tierCode: 'free_permit' });
    expect(await account(id)).toMatchObject({ assessedMinor: 0, balanceMinor: 0 });
    expect(await payFee(t.app, h.obuasiOfficer!, id)).toBeNull();
    const issued = await call('POST', `/api/v1/licence-applications/${id}/issue`, h.obuasiOfficer!);
    expect(issued.statusCode, issued.body).toBe(201);
  });

  it('refuses an over-payment, a wrong currency, a draft, an issued application and a future date', async () => {
    const id = await application('submitted');
    const before = await paymentCount();
    const over = await pay(id, payment({ amountMinor: 10001 }));
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'fees.overpayment', balanceMinor: 10000 });
    const currency = await pay(id, payment({ currency: 'USD' }));
    expect(currency.statusCode).toBe(400);
    expect(currency.json()).toMatchObject({ code: 'fees.currency_mismatch', currency: 'GHS' });
    const future = await pay(id, payment({ paidAt: '2026-03-09T10:00:00Z' }));
    expect(future.statusCode).toBe(400);
    expect(future.json().errors[0]).toMatchObject({ path: 'body.paidAt', code: 'in_future' });
    for (const bad of [{ amountMinor: 0 }, { amountMinor: 1.5 }, { method: 'cheque' }, { reference: '' }]) {
      const res = await pay(id, payment(bad));
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().code).toBe('request.validation_failed');
    }
    const draft = await pay(await application('draft'), payment());
    expect(draft.statusCode).toBe(409);
    expect(draft.json()).toMatchObject({ code: 'fees.not_payable', status: 'draft' });
    expect(await paymentCount()).toBe(before);

    const issued = await application();
    await payFee(t.app, h.admin!, issued);
    await call('POST', `/api/v1/licence-applications/${issued}/issue`, h.admin!);
    const after = await pay(issued, payment({ amountMinor: 1 }));
    expect(after.statusCode).toBe(409);
    expect(after.json()).toMatchObject({ code: 'fees.not_payable', status: 'issued' });
  });

  it('counts a payment reference once per method, across applications', async () => {
    const a = await application('submitted');
    const b = await application('submitted');
    const body = payment({ amountMinor: 1000, reference: 'MP260301.1000.A12345' });
    expect((await pay(a, body)).statusCode).toBe(201);
    const again = await pay(b, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('fees.duplicate_reference');
    expect(again.json().receiptNumber).toMatch(/^RC-/);
    // The same number from another channel is another payment.
    expect((await pay(b, { ...body, method: 'cash' })).statusCode).toBe(201);
    // The database holds the rule too, whatever the service checks.
    await expect(
      sql`INSERT INTO licence_fee_payments (id, receipt_number, application_id, amount_minor, currency, method,
            reference, paid_at, balance_after_minor)
          VALUES (gen_random_uuid(), 'RC-X', ${b}, 1, 'GHS', 'mobile_money', 'MP260301.1000.A12345', now(), 0)`.execute(
        t.database.db,
      ),
    ).rejects.toThrow();
  });

  it('never double-counts a replayed Idempotency-Key, nor two requests at once with one reference', async () => {
    const id = await application('submitted');
    const body = payment({ amountMinor: 2500 });
    const key = { 'idempotency-key': `fee-${id}` };
    const one = await pay(id, body, h.obuasiOfficer!, key);
    const two = await pay(id, body, h.obuasiOfficer!, key);
    expect(one.statusCode, one.body).toBe(201);
    expect(two.statusCode).toBe(201);
    expect(two.json()).toEqual(one.json());
    expect(await account(id)).toMatchObject({ paidMinor: 2500, balanceMinor: 7500 });

    const same = payment({ amountMinor: 1000 });
    const racing = await Promise.all([pay(id, same), pay(id, same), pay(id, same, h.obuasiAdmin!)]);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    for (const r of racing.filter((x) => x.statusCode === 409))
      expect(r.json().code).toBe('fees.duplicate_reference');
    expect(await account(id)).toMatchObject({ paidMinor: 3500, balanceMinor: 6500 });

    // Different references at once never add up to more than the fee.
    const rest = await Promise.all([
      pay(id, payment({ amountMinor: 6500 })),
      pay(id, payment({ amountMinor: 6500 })),
    ]);
    expect(rest.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(rest.find((r) => r.statusCode === 409)!.json().code).toBe('fees.overpayment');
    expect(await account(id)).toMatchObject({ paidMinor: 10000, balanceMinor: 0 });
  });

  it('keeps to the jurisdiction and the permission', async () => {
    const id = await application('submitted');
    const outside = await pay(id, payment(), h.bibianiAdmin!);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    const unseen = await call('GET', `/api/v1/licence-applications/${id}/payments`, h.bibianiAdmin!);
    expect(unseen.statusCode).toBe(404);
    const agent = await pay(id, payment(), h.agent!);
    expect(agent.statusCode).toBe(403);
    expect(agent.json().code).toBe('access.forbidden');
    const paid = await pay(id, payment({ amountMinor: 100 }));
    const receipt = `/api/v1/licence-applications/${id}/payments/${paid.json().id}/receipt.pdf`;
    expect((await call('GET', receipt, h.bibianiAdmin!)).statusCode).toBe(404);
    // A payment id of another application is not found through this one.
    const other = await application('submitted');
    expect(
      (
        await call(
          'GET',
          `/api/v1/licence-applications/${other}/payments/${paid.json().id}/receipt.pdf`,
          h.obuasiOfficer!,
        )
      ).statusCode,
    ).toBe(404);
    expect((await account(id)).paidMinor).toBe(100);
  });
});

describe('fee balance arithmetic', () => {
  it('after any sequence of payments equals assessed − accepted sum and never goes below 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 1, max: 2e12 }), { maxLength: 30 }),
        (assessed, amounts) => {
          let paid = 0;
          for (const amount of amounts) {
            try {
              const after = balanceAfterPayment(assessed, paid, amount);
              paid += amount;
              expect(after).toBe(assessed - paid);
            } catch (e) {
              expect(e).toBeInstanceOf(AppError);
              expect((e as AppError).code).toBe('fees.overpayment');
              expect(paid + amount).toBeGreaterThan(assessed);
            }
            expect(balanceOf(assessed, paid)).toBe(assessed - paid);
            expect(balanceOf(assessed, paid)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });

  it('formats receipt money in the currency’s own minor units', () => {
    expect(formatReceiptMoney(123456, 'GHS')).toBe('GHS 1,234.56');
    expect(formatReceiptMoney(5000, 'CDF')).toBe('CDF 50.00');
    expect(formatReceiptMoney(700, 'XOF')).toBe('XOF 700');
  });
});
