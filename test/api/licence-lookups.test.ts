/**
 * Finding licences and applications: by holder (a person's or enterprise's page) and by the start of
 * a licence number (the officer reading a card aloud), always inside the caller's areas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { installTestProfile, testTier } from '../support/licence-profile.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Record<string, string>>> = {};
/** A free tier: issuing needs no fee payment, so these tests do not depend on the fees module. */
const FREE_PERMIT = {
  ...testTier('free_permit', 'district', ['person', 'enterprise'], 2),
  fee: { amountMinor: 0, currency: 'GHS' },
};

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [FREE_PERMIT]);
  for (const u of ['admin', 'obuasiOfficer', 'bibianiAdmin'] as const) h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function post(url: string, payload?: object) {
  const res = await call('POST', url, h.admin!, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
async function person(area: AreaKey): Promise<string> {
  return (
    await post('/api/v1/people', {
      givenName: 'Kofi',
      familyName: `Lookup${++n}`,
      sex: 'male',
      areaId: t.fx.areas[area].id,
      checkDuplicates: false,
    })
  ).id;
}

/** Takes a new application of the holder all the way to an issued licence. */
async function licenceOf(holderId: string) {
  const a = await post('/api/v1/licence-applications', {
    tierCode: 'free_permit',
    holderKind: 'person',
    holderId,
    requestedAreaHectares: 1,
  });
  await post(`/api/v1/licence-applications/${a.id}/submit`);
  await post(`/api/v1/licence-applications/${a.id}/review`);
  await post(`/api/v1/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  return post(`/api/v1/licence-applications/${a.id}/issue`);
}

describe('by holder', () => {
  it("lists one holder's licences and applications only", async () => {
    const [ama, kwame] = [await person('obuasi'), await person('obuasi')];
    const mine = await licenceOf(ama);
    await licenceOf(kwame);
    const list = await call('GET', `/api/v1/licences?holderKind=person&holderId=${ama}`, h.obuasiOfficer!);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((l: { id: string }) => l.id)).toEqual([mine.id]);
    const apps = await call(
      'GET',
      `/api/v1/licence-applications?holderKind=person&holderId=${ama}`,
      h.obuasiOfficer!,
    );
    expect(apps.json().items.map((a: { holderId: string }) => a.holderId)).toEqual([ama]);
  });

  it('needs holderKind and holderId together', async () => {
    const res = await call('GET', `/api/v1/licences?holderId=${await person('obuasi')}`, h.obuasiOfficer!);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('query.holderKind');
  });

  it("shows nothing of a holder outside the caller's areas", async () => {
    const holder = await person('obuasi');
    await licenceOf(holder);
    const res = await call('GET', `/api/v1/licences?holderKind=person&holderId=${holder}`, h.bibianiAdmin!);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([]);
  });
});

describe('by number', () => {
  it('finds a licence by its whole number, by a prefix, in any case', async () => {
    const l = await licenceOf(await person('obuasi'));
    for (const term of [l.number, l.number.slice(0, -2), l.number.toLowerCase()]) {
      const res = await call('GET', `/api/v1/licences?number=${encodeURIComponent(term)}`, h.obuasiOfficer!);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items.map((x: { id: string }) => x.id)).toContain(l.id);
    }
  });

  it('treats % and _ as themselves, not as wildcards', async () => {
    await licenceOf(await person('obuasi'));
    for (const term of ['%%', 'G_']) {
      const res = await call('GET', `/api/v1/licences?number=${encodeURIComponent(term)}`, h.admin!);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items).toEqual([]);
    }
  });

  it("does not find a licence outside the caller's areas", async () => {
    const l = await licenceOf(await person('obuasi'));
    const res = await call('GET', `/api/v1/licences?number=${encodeURIComponent(l.number)}`, h.bibianiAdmin!);
    expect(res.json().items).toEqual([]);
  });
});

describe('history', () => {
  it('tells the life of a licence from its application, with reasons, oldest first', async () => {
    const l = await licenceOf(await person('obuasi'));
    await post(`/api/v1/licences/${l.id}/suspend`, { reason: 'Unsafe pit walls' });
    await post(`/api/v1/licences/${l.id}/reinstate`, {});
    const res = await call('GET', `/api/v1/licences/${l.id}/events`, h.obuasiOfficer!);
    expect(res.statusCode, res.body).toBe(200);
    const steps = res
      .json()
      .items.map((e: { fromStatus: string | null; toStatus: string }) => [e.fromStatus, e.toStatus]);
    expect(steps).toEqual([
      [null, 'draft'],
      ['draft', 'submitted'],
      ['submitted', 'under_review'],
      ['under_review', 'approved'],
      ['approved', 'issued'],
      [null, 'active'],
      ['active', 'suspended'],
      ['suspended', 'active'],
    ]);
    expect(res.json().items[6].reason).toBe('Unsafe pit walls');
    const app = await call('GET', `/api/v1/licence-applications/${l.applicationId}/events`, h.obuasiOfficer!);
    // The application's history goes on with the licence it produced.
    expect(app.json().items).toHaveLength(8);
  });

  it("is not found outside the caller's areas", async () => {
    const l = await licenceOf(await person('obuasi'));
    const res = await call('GET', `/api/v1/licences/${l.id}/events`, h.bibianiAdmin!);
    expect(res.statusCode).toBe(404);
  });
});
