/**
 * Licence rights: the encumbrance register (mortgage, lien, charge) and transfers, only where the
 * tier grants them; transfers to eligible holders in the officer's areas, refused while encumbered
 * without the creditor's consent; the next tier with what the registry says of its requirements;
 * and A4 sheets of cards.
 */
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A4_HEIGHT, A4_WIDTH } from '../../src/server/modules/licence-cards/sheet.pdf.ts';
import {
  ageOn,
  deriveRequirement,
  type HolderFacts,
} from '../../src/server/modules/licence-rights/requirements.ts';
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

const SUPPORT = [{ kind: 'training', names: { en: 'Site plan clinic at the district office' } }];

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [
    {
      ...COMMUNITY_PERMIT,
      nextTier: 'transferable_permit',
      incentives: [{ code: 'training', names: { en: 'Training' } }],
    },
    {
      ...TRANSFERABLE_PERMIT,
      requirements: [
        { code: 'national_id', names: { en: 'ID' } },
        { code: 'minimum_age_18', names: { en: 'Adult' } },
        { code: 'site_plan', names: { en: 'Site plan' }, support: SUPPORT },
      ],
      incentives: [{ code: 'training', names: { en: 'Training' } }, ...TRANSFERABLE_PERMIT.incentives],
    },
    testTier('plant_licence', 'district', ['production_unit'], 1),
  ]);
  for (const u of [
    'admin',
    'obuasiOfficer',
    'obuasiAdmin',
    'bibianiAdmin',
    'ashantiOfficer',
    'agent',
  ] as const)
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

async function post(url: string, payload?: object) {
  const res = await call('POST', url, h.admin!, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
async function person(area: AreaKey = 'obuasi', extra: object = {}): Promise<string> {
  return (
    await post('/api/v1/people', {
      givenName: 'yaw',
      familyName: `Holder${++n}`,
      sex: 'male',
      areaId: t.fx.areas[area].id,
      checkDuplicates: false,
      ...extra,
    })
  ).id;
}

async function licence(
  tierCode = 'transferable_permit',
  holder?: { kind: 'person' | 'enterprise' | 'production_unit'; id: string },
): Promise<{ id: string; number: string; holderId: string }> {
  const h0 = holder ?? { kind: 'person' as const, id: await person() };
  const a = await post('/api/v1/licence-applications', {
    tierCode,
    holderKind: h0.kind,
    holderId: h0.id,
    requestedAreaHectares: 1,
  });
  await post(`/api/v1/licence-applications/${a.id}/submit`);
  await post(`/api/v1/licence-applications/${a.id}/review`);
  await post(`/api/v1/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  await payFee(t.app, h.admin!, a.id);
  return post(`/api/v1/licence-applications/${a.id}/issue`);
}

const mortgage = (over: object = {}) => ({
  kind: 'mortgage',
  creditorName: 'Ashanti Rural Bank',
  amountMinor: 5_000_000,
  currency: 'GHS',
  reference: 'ARB-LN-2026-0042',
  documentsNote: 'Loan agreement filed at Obuasi office, shelf 3',
  ...over,
});

const counts = async () => {
  const one = async (table: string) =>
    Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.database.db))
        .rows[0]!.n,
    );
  return { transfers: await one('licence_transfers'), encumbrances: await one('licence_encumbrances') };
};

describe('encumbrances', () => {
  it('registers, lists and releases a mortgage; a release happens once', async () => {
    const l = await licence();
    const res = await call('POST', `/api/v1/licences/${l.id}/encumbrances`, h.obuasiOfficer!, mortgage());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      kind: 'mortgage',
      creditorName: 'Ashanti Rural Bank',
      amountMinor: 5_000_000,
      active: true,
      registeredBy: t.fx.users.obuasiOfficer.id,
      releasedAt: null,
    });
    const list = await call('GET', `/api/v1/licences/${l.id}/encumbrances`, h.agent!);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);

    const eid = res.json().id;
    const released = await call(
      'POST',
      `/api/v1/licences/${l.id}/encumbrances/${eid}/release`,
      h.obuasiOfficer!,
      { note: 'Loan repaid' },
    );
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({ active: false, releaseNote: 'Loan repaid' });
    const twice = await call(
      'POST',
      `/api/v1/licences/${l.id}/encumbrances/${eid}/release`,
      h.obuasiOfficer!,
      {},
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('licensing.encumbrance_released');

    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', l.id)
      .where('action', 'like', 'licence.encumbrance_%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'licence.encumbrance_registered',
      'licence.encumbrance_released',
    ]);
  });

  it('only where the tier grants mortgage_right, on an active licence, in the caller’s areas', async () => {
    const plain = await licence('community_permit');
    const before = await counts();
    const refused = await call(
      'POST',
      `/api/v1/licences/${plain.id}/encumbrances`,
      h.obuasiOfficer!,
      mortgage(),
    );
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'licensing.right_not_granted', right: 'mortgage_right' });

    const l = await licence();
    const outside = await call('POST', `/api/v1/licences/${l.id}/encumbrances`, h.bibianiAdmin!, mortgage());
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    expect((await call('GET', `/api/v1/licences/${l.id}/encumbrances`, h.bibianiAdmin!)).statusCode).toBe(
      404,
    );
    const agent = await call('POST', `/api/v1/licences/${l.id}/encumbrances`, h.agent!, mortgage());
    expect(agent.statusCode).toBe(403);

    await post(`/api/v1/licences/${l.id}/suspend`, { reason: 'Inspection' });
    const suspended = await call(
      'POST',
      `/api/v1/licences/${l.id}/encumbrances`,
      h.obuasiOfficer!,
      mortgage(),
    );
    expect(suspended.statusCode).toBe(409);
    expect(suspended.json()).toMatchObject({ code: 'licensing.licence_not_active', status: 'suspended' });
    const bad = await call('POST', `/api/v1/licences/${plain.id}/encumbrances`, h.obuasiOfficer!, {
      ...mortgage(),
      kind: 'pledge',
    });
    expect(bad.statusCode).toBe(400);
    expect((await counts()).encumbrances).toBe(before.encumbrances);
  });
});

describe('transfers', () => {
  it('moves the licence to a new holder, with history, event and audit', async () => {
    const l = await licence();
    const to = await person();
    const res = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'person',
      toHolderId: to,
      reason: 'Sale of the claim',
      consideration: { amountMinor: 2_500_000, currency: 'GHS' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().transfer).toMatchObject({
      fromHolderKind: 'person',
      fromHolderId: l.holderId,
      toHolderId: to,
      consideration: { amountMinor: 2_500_000, currency: 'GHS' },
      creditorConsent: false,
    });
    expect(res.json().licence).toMatchObject({ id: l.id, holderId: to, status: 'active', number: l.number });
    const list = await call('GET', `/api/v1/licences/${l.id}/transfers`, h.agent!);
    expect(list.json().items).toHaveLength(1);
    // The former holder may now take a new licence of the tier; the new one may not.
    const events = await sql<{ reason: string }>`
      SELECT reason FROM licence_events WHERE licence_id = ${l.id} ORDER BY at, id`.execute(t.database.db);
    expect(events.rows.at(-1)!.reason).toContain('Sale of the claim');
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'before', 'after'])
      .where('entity_id', '=', l.id)
      .where('action', '=', 'licence.transferred')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ holderId: l.holderId });
    expect(audit[0]!.after).toMatchObject({ holderId: to });
  });

  it('refuses a tier without transfer_right, an inactive licence, and ineligible holders', async () => {
    const plain = await licence('community_permit');
    const body = async () => ({ toHolderKind: 'person', toHolderId: await person(), reason: 'Sale' });
    const before = await counts();
    const noRight = await call(
      'POST',
      `/api/v1/licences/${plain.id}/transfers`,
      h.obuasiOfficer!,
      await body(),
    );
    expect(noRight.statusCode).toBe(409);
    expect(noRight.json()).toMatchObject({ code: 'licensing.right_not_granted', right: 'transfer_right' });

    const l = await licence();
    const unit = await post('/api/v1/production-units', {
      kind: 'pit',
      name: 'Pit 7',
      areaId: t.fx.areas.obuasi.id,
    });
    const kind = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'production_unit',
      toHolderId: unit.id,
      reason: 'Sale',
    });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().errors[0]).toMatchObject({ path: 'body.toHolderKind', code: 'not_allowed_for_tier' });

    const self = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'person',
      toHolderId: l.holderId,
      reason: 'Sale',
    });
    expect(self.json().errors[0].code).toBe('same_holder');

    const unknown = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'person',
      toHolderId: '01900000-0000-7000-8000-000000000009',
      reason: 'Sale',
    });
    expect(unknown.json().errors[0].code).toBe('unknown_holder');

    // A holder outside the officer's district.
    const far = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'person',
      toHolderId: await person('bibiani'),
      reason: 'Sale',
    });
    expect(far.statusCode).toBe(403);
    expect(far.json().code).toBe('access.outside_jurisdiction');

    // A holder who already holds an active licence of the tier.
    const other = await licence();
    const dup = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      toHolderKind: 'person',
      toHolderId: other.holderId,
      reason: 'Sale',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'licensing.duplicate_active_licence', licenceId: other.id });

    // Another district's officer may not transfer it.
    const outside = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.bibianiAdmin!, await body());
    expect(outside.statusCode).toBe(403);
    expect((await call('GET', `/api/v1/licences/${l.id}/transfers`, h.bibianiAdmin!)).statusCode).toBe(404);

    await post(`/api/v1/licences/${l.id}/revoke`, { reason: 'Abandoned' });
    const revoked = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, await body());
    expect(revoked.statusCode).toBe(409);
    expect(revoked.json()).toMatchObject({ code: 'licensing.licence_not_active', status: 'revoked' });
    expect((await counts()).transfers).toBe(before.transfers);
    expect((await call('GET', `/api/v1/licences/${l.id}`, h.obuasiOfficer!)).json().holderId).toBe(
      l.holderId,
    );
  });

  it('needs the creditor’s consent, with a note, while an encumbrance is active', async () => {
    const l = await licence();
    const e = await call('POST', `/api/v1/licences/${l.id}/encumbrances`, h.obuasiOfficer!, mortgage());
    const to = await person();
    const body = { toHolderKind: 'person', toHolderId: to, reason: 'Sale' };
    const refused = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, body);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'licensing.encumbered', encumbrances: [e.json().id] });
    const noNote = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, {
      ...body,
      creditorConsent: true,
    });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.json().errors[0]).toMatchObject({ path: 'body.consentNote', code: 'required' });

    const key = { 'idempotency-key': `transfer-${l.id}` };
    const consent = {
      ...body,
      creditorConsent: true,
      consentNote: 'Bank letter of 1 March 2026, ref ARB/42',
    };
    const ok = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, consent, key);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().transfer).toMatchObject({ creditorConsent: true, consentNote: consent.consentNote });
    const replay = await call('POST', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!, consent, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(ok.json());
    expect(
      (await call('GET', `/api/v1/licences/${l.id}/transfers`, h.obuasiOfficer!)).json().items,
    ).toHaveLength(1);
    // The mortgage stays on the licence: it follows the licence, not the holder.
    expect(
      (await call('GET', `/api/v1/licences/${l.id}/encumbrances`, h.obuasiOfficer!)).json().items[0].active,
    ).toBe(true);
  });
});

describe('next tier', () => {
  it('lists the requirements of the next tier as met, missing or to check, with support and incentives', async () => {
    const holder = await person('obuasi', {
      birthDate: '1990-05-04',
      idDocument: { type: 'ghana_card', number: 'GHA-123456789-0' },
    });
    const l = await licence('community_permit', { kind: 'person', id: holder });
    const res = await call('GET', `/api/v1/licences/${l.id}/next-tier`, h.agent!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      tierCode: 'community_permit',
      nextTier: {
        code: 'transferable_permit',
        holderKindAllowed: true,
        fee: { amountMinor: 10000, currency: 'GHS' },
        requirements: [
          { code: 'national_id', status: 'met', source: 'registry', support: [] },
          { code: 'minimum_age_18', status: 'met', source: 'registry' },
          { code: 'site_plan', status: 'to_check', source: null, support: SUPPORT },
        ],
        incentivesGained: [{ code: 'transfer_right' }, { code: 'mortgage_right' }],
      },
    });

    const young = await person('obuasi', { birthYear: 2010 });
    const l2 = await licence('community_permit', { kind: 'person', id: young });
    const r2 = (await call('GET', `/api/v1/licences/${l2.id}/next-tier`, h.obuasiOfficer!)).json();
    expect(r2.nextTier.requirements.slice(0, 2)).toMatchObject([
      { code: 'national_id', status: 'missing' },
      { code: 'minimum_age_18', status: 'missing' },
    ]);

    const last = await call('GET', `/api/v1/licences/${(await licence()).id}/next-tier`, h.obuasiOfficer!);
    expect(last.json()).toMatchObject({ tierCode: 'transferable_permit', nextTier: null });
    expect((await call('GET', `/api/v1/licences/${l.id}/next-tier`, h.bibianiAdmin!)).statusCode).toBe(404);
  });

  it('derives requirements from the registry by the documented table', () => {
    const base: HolderFacts = {
      kind: 'person',
      hasIdDocument: false,
      birthDate: null,
      birthYear: null,
      ageBand: null,
      currentMembers: 0,
      hasBenefitSharingRules: false,
      form: null,
      hasRegistration: false,
    };
    const today = '2026-03-02';
    expect(ageOn('2008-03-02', today)).toBe(18);
    expect(ageOn('2008-03-03', today)).toBe(17);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    const age = (f: Partial<HolderFacts>) => deriveRequirement('minimum_age_18', { ...base, ...f }, today);
    expect(age({ birthDate: '2008-03-02' })).toBe('met');
    expect(age({ birthDate: '2008-03-03' })).toBe('missing');
    expect(age({ birthYear: 2007 })).toBe('met');
    expect(age({ birthYear: 2008 })).toBe('to_check');
    expect(age({ birthYear: 2009 })).toBe('missing');
    expect(age({ ageBand: '<18' })).toBe('missing');
    expect(age({ ageBand: '18-24' })).toBe('met');
    expect(age({})).toBe('to_check');
    expect(deriveRequirement('identity_document', { ...base, hasIdDocument: true }, today)).toBe('met');
    expect(deriveRequirement('national_id', base, today)).toBe('missing');
    const ent = { ...base, kind: 'enterprise' as const };
    expect(deriveRequirement('member_register', ent, today)).toBe('missing');
    expect(deriveRequirement('member_register', { ...ent, currentMembers: 3 }, today)).toBe('met');
    expect(deriveRequirement('benefit_sharing_rules', { ...ent, hasBenefitSharingRules: true }, today)).toBe(
      'met',
    );
    expect(
      deriveRequirement('registered_company', { ...ent, form: 'company', hasRegistration: true }, today),
    ).toBe('met');
    expect(deriveRequirement('registered_company', { ...ent, form: 'cooperative' }, today)).toBe('missing');
    expect(deriveRequirement('national_id', ent, today)).toBe('to_check');
    expect(deriveRequirement('site_plan', base, today)).toBe('to_check');
    expect(deriveRequirement('national_id', { ...base, kind: 'production_unit' }, today)).toBe('to_check');
  });
});

describe('A4 sheet of cards', () => {
  it('puts 23 cards on three A4 pages, and refuses a licence outside the caller’s areas', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await licence('community_permit')).id);
    const res = await call('GET', `/api/v1/licences/cards.pdf?ids=${ids.join(',')}`, h.obuasiOfficer!);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const doc = await PDFDocument.load(res.rawPayload);
    expect(doc.getPageCount()).toBe(3);
    const { width, height } = doc.getPage(0).getSize();
    expect(width).toBeCloseTo(A4_WIDTH, 1);
    expect(height).toBeCloseTo(A4_HEIGHT, 1);

    const bibiani = await licence('community_permit', { kind: 'person', id: await person('bibiani') });
    const mixed = await call(
      'GET',
      `/api/v1/licences/cards.pdf?ids=${ids[0]},${bibiani.id}`,
      h.obuasiOfficer!,
    );
    expect(mixed.statusCode).toBe(404);
    expect(mixed.json().code).toBe('resource.not_found');
    const unknown = await call(
      'GET',
      `/api/v1/licences/cards.pdf?ids=${ids[0]},01900000-0000-7000-8000-000000000009`,
      h.obuasiOfficer!,
    );
    expect(unknown.statusCode).toBe(404);
    const noRole = await call('GET', `/api/v1/licences/cards.pdf?ids=${ids[0]}`, h.bibianiAdmin!);
    expect(noRole.statusCode).toBe(404);
    const bad = await call('GET', '/api/v1/licences/cards.pdf?ids=abc', h.obuasiOfficer!);
    expect(bad.statusCode).toBe(400);
    const many = Array.from(
      { length: 201 },
      (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const tooMany = await call('GET', `/api/v1/licences/cards.pdf?ids=${many.join(',')}`, h.obuasiOfficer!);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].code).toBe('too_many');
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/licences/cards.pdf?ids=${ids[0]}` });
    expect(anonymous.statusCode).toBe(401);
  });
});
