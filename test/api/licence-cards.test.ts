/**
 * Licence cards: the signed token of the QR code, the public verification (valid, suspended, forged,
 * unknown), the record of each check, the card PDF (one credit-card-size page) and the card's JSON
 * preview, whose verification URL is the one the PDF's QR code holds.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_HEIGHT, CARD_WIDTH, cardVerifyUrl } from '../../src/server/modules/licence-cards/card.pdf.ts';
import { holderDisplay, isValidOn, originOf } from '../../src/server/modules/licence-cards/routes.ts';
import { signLicenceToken, verifyLicenceToken } from '../../src/server/modules/licence-cards/token.ts';
import { loadSigningKey } from '../../src/server/platform/audit/checkpoint.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { qrTextOfCardPdf } from '../support/card-qr.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';

let t: TestApp;
let dataDir: string;
let admin: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-cards-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  await installTestProfile(t.database, [COMMUNITY_PERMIT]);
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const post = async (url: string, payload?: object, headers = admin) => {
  const res = await t.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};

let n = 0;
/** An active licence of a newly registered person in Obuasi. */
async function licence(): Promise<{ id: string; number: string; validTo: string }> {
  const person = await post('/api/v1/people', {
    givenName: 'ama',
    familyName: `Cardholder${++n}`,
    sex: 'female',
    phone: `+23324${String(1000000 + n)}`,
    areaId: t.fx.areas.obuasi.id,
    checkDuplicates: false,
  });
  const a = await post('/api/v1/licence-applications', {
    tierCode: 'community_permit',
    holderKind: 'person',
    holderId: person.id,
    requestedAreaHectares: 1,
  });
  await post(`/api/v1/licence-applications/${a.id}/submit`);
  await post(`/api/v1/licence-applications/${a.id}/review`);
  await post(`/api/v1/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  await payFee(t.app, admin, a.id);
  return post(`/api/v1/licence-applications/${a.id}/issue`);
}

const key = () => loadSigningKey(null, dataDir, 'test');
const tokenFor = (l: { id: string; number: string; validTo: string }) =>
  signLicenceToken(key(), { v: 1, l: l.id, n: l.number, e: l.validTo });
const verify = (token: string) => t.app.inject({ method: 'GET', url: `/api/v1/verify/${token}` });
const checks = async (licenceId: string) =>
  Number(
    (
      await sql<{
        n: number;
      }>`SELECT count(*) AS n FROM licence_checks WHERE licence_id = ${licenceId}`.execute(t.database.db)
    ).rows[0]!.n,
  );

describe('licence card token', () => {
  it('round-trips, and refuses changed payloads, other keys and garbage', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const payload = { v: 1 as const, l: uuidv7(), n: 'GH-AS-CP-2026-000001-X', e: '2027-03-01' };
    const token = signLicenceToken(privateKey, payload);
    expect(token.length).toBeLessThan(250);
    expect(verifyLicenceToken(publicKey, token)).toEqual({ ok: true, payload });
    expect(verifyLicenceToken(privateKey, token)).toEqual({ ok: true, payload });

    const [, sig] = token.split('.');
    const changed = Buffer.from(JSON.stringify({ ...payload, e: '2099-12-31' })).toString('base64url');
    expect(verifyLicenceToken(publicKey, `${changed}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(verifyLicenceToken(publicKey, signLicenceToken(other, payload))).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    for (const bad of ['', 'abc', 'a.b.c', 'a+b.c', `${changed}.`]) {
      expect(verifyLicenceToken(publicKey, bad)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('shows a person as initial and family name, and checks validity by day', () => {
    const none = { given_name: null, family_name: null, enterprise_name: null, unit_name: null };
    expect(holderDisplay({ ...none, given_name: 'ama', family_name: 'Mensah' })).toBe('A. Mensah');
    expect(holderDisplay({ ...none, enterprise_name: 'Obuasi Miners Co-op' })).toBe('Obuasi Miners Co-op');
    const l = { status: 'active', valid_from: '2026-03-02', valid_to: '2027-03-01' };
    expect(isValidOn(l, '2026-03-02')).toBe(true);
    expect(isValidOn(l, '2027-03-01')).toBe(true);
    expect(isValidOn(l, '2027-03-02')).toBe(false);
    expect(isValidOn(l, '2026-03-01')).toBe(false);
    expect(isValidOn({ ...l, status: 'suspended' }, '2026-06-01')).toBe(false);
  });

  it('builds the QR URL from the origin of the request', () => {
    expect(cardVerifyUrl('https://asm.example.gov', 'abc.def')).toBe(
      'https://asm.example.gov/verify/abc.def',
    );
    expect(cardVerifyUrl('http://localhost:3000/', 'abc.def')).toBe('http://localhost:3000/verify/abc.def');
    expect(originOf({ protocol: 'http', host: 'localhost:3000' })).toBe('http://localhost:3000');
  });
});

describe('GET /api/v1/verify/:token', () => {
  it('answers without sign-in with non-sensitive facts, records each check, and follows suspension', async () => {
    const l = await licence();
    const token = tokenFor(l);
    const res = await verify(token);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      valid: true,
      status: 'active',
      number: l.number,
      tierCode: 'community_permit',
      validFrom: '2026-03-02',
      validTo: l.validTo,
      holderDisplay: `A. Cardholder${n}`,
      areaName: 'Obuasi (test)',
    });
    expect(res.body).not.toMatch(/phone|birth|\+23324|holderId|sex/i);
    expect(await checks(l.id)).toBe(1);

    await post(`/api/v1/licences/${l.id}/suspend`, { reason: 'Unpaid fee' });
    const after = await verify(token);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ valid: false, status: 'suspended' });
    expect(await checks(l.id)).toBe(2);
    const outcomes = await sql<{
      outcome: string;
    }>`SELECT outcome FROM licence_checks WHERE licence_id = ${l.id} ORDER BY checked_at, outcome DESC`.execute(
      t.database.db,
    );
    expect(outcomes.rows.map((r) => r.outcome).sort()).toEqual(['invalid', 'valid']);
  });

  it('refuses forged, foreign-key and malformed tokens alike, writing nothing', async () => {
    const l = await licence();
    const [, sig] = tokenFor(l).split('.');
    const forgedBody = Buffer.from(JSON.stringify({ v: 1, l: l.id, n: l.number, e: '2099-12-31' })).toString(
      'base64url',
    );
    const other = generateKeyPairSync('ed25519').privateKey;
    for (const bad of [
      `${forgedBody}.${sig}`,
      signLicenceToken(other, { v: 1, l: l.id, n: l.number, e: l.validTo }),
      'not-a-token',
    ]) {
      const res = await verify(bad);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe('verify.invalid_token');
    }
    expect(await checks(l.id)).toBe(0);
  });

  it('answers 404 for a well-signed token of a licence that does not exist', async () => {
    const res = await verify(
      tokenFor({ id: uuidv7(), number: 'GH-AS-CP-2026-999999-X', validTo: '2027-01-01' }),
    );
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().code).toBe('resource.not_found');
  });
});

describe('GET /api/v1/licences/:id/card.pdf', () => {
  it('is a one-page credit-card-size PDF', async () => {
    const l = await licence();
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/licences/${l.id}/card.pdf`,
      headers: { ...admin, host: 'asm.example.gov' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const doc = await PDFDocument.load(res.rawPayload);
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect(width).toBeCloseTo(CARD_WIDTH, 1);
    expect(height).toBeCloseTo(CARD_HEIGHT, 1);
    expect(width).toBeCloseTo((85.6 / 25.4) * 72, 1);
    expect(height).toBeCloseTo((54 / 25.4) * 72, 1);
  });

  it('needs sign-in and is not found outside the jurisdiction', async () => {
    const l = await licence();
    const anon = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${l.id}/card.pdf` });
    expect(anon.statusCode).toBe(401);
    const bibiani = await t.login('bibianiAdmin');
    const out = await t.app.inject({
      method: 'GET',
      url: `/api/v1/licences/${l.id}/card.pdf`,
      headers: bibiani,
    });
    expect(out.statusCode, out.body).toBe(404);
  });
});

describe('GET /api/v1/licences/:id/card', () => {
  it('gives the printed facts and the same verification URL as the QR code of the PDF', async () => {
    const l = await licence();
    const headers = { ...admin, host: 'asm.example.gov' };
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${l.id}/card`, headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const card = res.json();
    expect(card).toEqual({
      licenceId: l.id,
      number: l.number,
      tierCode: 'community_permit',
      status: 'active',
      holderDisplay: `A. Cardholder${n}`,
      validFrom: '2026-03-02',
      validTo: l.validTo,
      areaName: 'Obuasi (test)',
      verifyUrl: `http://asm.example.gov/verify/${tokenFor(l)}`,
    });
    expect(res.body).not.toMatch(/phone|birth|\+23324|holderId|sex/i);
    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${l.id}/card.pdf`, headers });
    expect(await qrTextOfCardPdf(pdf.rawPayload)).toBe(card.verifyUrl);
    // The URL opens a check that says valid.
    const check = await verify(card.verifyUrl.replace(/^.*\/verify\//, ''));
    expect(check.json()).toMatchObject({ valid: true, number: l.number });
  });

  it('needs sign-in and is not found outside the jurisdiction', async () => {
    const l = await licence();
    const anon = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${l.id}/card` });
    expect(anon.statusCode).toBe(401);
    const bibiani = await t.login('bibianiAdmin');
    const out = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${l.id}/card`, headers: bibiani });
    expect(out.statusCode, out.body).toBe(404);
    expect(out.json().code).toBe('resource.not_found');
  });
});
