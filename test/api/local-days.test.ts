/**
 * Which day it is: the country profile's time zone decides (architecture, "Data conventions"), not
 * UTC. The fixture country GH is given Pacific/Kiritimati (UTC+14) or Pacific/Pago_Pago (UTC−11), so
 * that at the instants used here the local date and the UTC date differ: the first day of a licence
 * at issue, the expiry sweep, the public verification, the public register, the renewal window and
 * the expiry reminders all follow the local date.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLicenceToken } from '../../src/server/modules/licence-cards/token.ts';
import { expireLicences, sendExpiryReminders } from '../../src/server/modules/licensing/jobs.ts';
import { validTo } from '../../src/server/modules/licensing/workflow.ts';
import { loadSigningKey } from '../../src/server/platform/audit/checkpoint.ts';
import {
  addDays,
  countryToday,
  daysBetween,
  localDate,
  localDateSql,
} from '../../src/server/platform/calendar.ts';
import type { NotificationMessage, Notifier } from '../../src/server/platform/notify/notifier.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { UserKey } from '../support/fixtures.ts';
import { installTestProfile, testTier } from '../support/licence-profile.ts';

const KIRITIMATI = 'Pacific/Kiritimati'; // UTC+14, no daylight saving
const PAGO_PAGO = 'Pacific/Pago_Pago'; // UTC−11, no daylight saving

let t: TestApp;
let dataDir: string;

/** Fee 0 (nothing to pay before issue), no conditions, 12 months. */
const PERMIT = {
  ...testTier('community_permit', 'district', ['person'], 2),
  fee: { amountMinor: 0, currency: 'GHS' },
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-local-days-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  await installTestProfile(t.database, [PERMIT]);
});
afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Gives GH's profile a time zone (null: none, as the test profiles have). */
async function zone(timeZone: string | null) {
  await t.database.asOwner((c) =>
    c.query(
      timeZone === null
        ? `UPDATE country_profiles SET document = document - 'timeZone' WHERE country = 'GH'`
        : `UPDATE country_profiles SET document = jsonb_set(document, '{timeZone}', to_jsonb($1::text)) WHERE country = 'GH'`,
      timeZone === null ? [] : [timeZone],
    ),
  );
}

const at = (iso: string) => t.clock.set(new Date(iso));

/** Sessions signed in again whenever the clock has moved (tests jump months). */
const sessions: Partial<Record<UserKey, { headers: Record<string, string>; at: number }>> = {};
async function as(user: UserKey): Promise<Record<string, string>> {
  const now = t.clock.now().getTime();
  const s = sessions[user];
  if (!s || s.at !== now) sessions[user] = { headers: await t.login(user), at: now };
  return sessions[user]!.headers;
}

async function post(url: string, payload?: object) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers: await as('admin'),
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
/** A licence issued now to a new person of Obuasi (with a phone, for reminders). */
async function licence(): Promise<{ id: string; number: string; validFrom: string; validTo: string }> {
  const person = await post('/api/v1/people', {
    givenName: 'Akosua',
    familyName: `Localday${++n}`,
    sex: 'female',
    phone: `+23326${String(1000000 + n)}`,
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
  return post(`/api/v1/licence-applications/${a.id}/issue`);
}

/** Sets a licence's last day directly (the dates the boundaries are tested on). */
async function endsOn(id: string, day: string) {
  await sql`UPDATE licences SET valid_to = ${day}::date, status = 'active' WHERE id = ${id}`.execute(
    t.database.db,
  );
}

const statusOf = async (id: string) =>
  (await sql<{ status: string }>`SELECT status FROM licences WHERE id = ${id}`.execute(t.database.db))
    .rows[0]!.status;

const verify = async (l: { id: string; number: string; validTo: string }) => {
  const token = signLicenceToken(loadSigningKey(null, dataDir, 'test'), {
    v: 1,
    l: l.id,
    n: l.number,
    e: l.validTo,
  });
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/verify/${token}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { valid: boolean; status: string };
};

const inRegister = async (number: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/public/licences?number=${number}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as { number: string }[]).some((i) => i.number === number);
};

describe('calendar', () => {
  /** Zones without daylight saving (over 2000–2040) and their fixed offset in minutes. */
  const FIXED: [string, number][] = [
    ['UTC', 0],
    ['Africa/Accra', 0],
    ['Africa/Kinshasa', 60],
    ['Africa/Nairobi', 180],
    ['Asia/Kolkata', 330],
    [KIRITIMATI, 14 * 60],
    [PAGO_PAGO, -11 * 60],
  ];
  const instant = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 11, 31) })
    .map((ms) => new Date(ms));

  it('gives the date of an instant in a zone as fixed-offset arithmetic does (property)', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...FIXED), (d, [zone, offset]) => {
        // Independently: shift by the offset, then read the civil date from its parts.
        const shifted = new Date(d.getTime() + offset * 60_000);
        const expected = [
          String(shifted.getUTCFullYear()).padStart(4, '0'),
          String(shifted.getUTCMonth() + 1).padStart(2, '0'),
          String(shifted.getUTCDate()).padStart(2, '0'),
        ].join('-');
        expect(localDate(d, zone)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the database on the date in a zone, daylight saving included (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        instant,
        fc.constantFrom(
          KIRITIMATI,
          PAGO_PAGO,
          'Africa/Kinshasa',
          'Europe/Paris',
          'America/New_York',
          'Australia/Lord_Howe',
        ),
        async (d, zoneName) => {
          const { rows } = await sql<{ day: string }>`
            SELECT ${localDateSql(d, sql`${zoneName}::text`)}::text AS day`.execute(t.database.db);
          expect(rows[0]!.day).toBe(localDate(d, zoneName));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('adds and counts whole days across months and years (property)', () => {
    const day = fc
      .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 11, 31) })
      .map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: -1000, max: 1000 }), (d, k) => {
        const later = addDays(d, k);
        expect(later).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(daysBetween(d, later)).toBe(k);
        expect(addDays(later, -k)).toBe(d);
      }),
    );
  });

  it("reads the country's zone from its profile, UTC without one", async () => {
    const instantNow = new Date('2026-03-02T11:00:00Z');
    await zone(null);
    expect(await countryToday(t.database.db, 'GH', instantNow)).toBe('2026-03-02');
    expect(await countryToday(t.database.db, 'ZZ', instantNow)).toBe('2026-03-02');
    await zone(KIRITIMATI);
    expect(await countryToday(t.database.db, 'GH', instantNow)).toBe('2026-03-03');
    await zone(PAGO_PAGO);
    expect(await countryToday(t.database.db, 'GH', new Date('2026-03-02T10:59:59Z'))).toBe('2026-03-01');
  });
});

describe('licences in a country east of UTC (UTC+14)', () => {
  it('start on the local date at issue, also in the licence number', async () => {
    await zone(KIRITIMATI);
    at('2026-03-02T11:00:00Z'); // 01:00 on 3 March in Kiritimati
    const l = await licence();
    expect(l.validFrom).toBe('2026-03-03');
    expect(l.validTo).toBe(validTo('2026-03-03', 12));
    // Listed at once: its first day has begun where it was issued.
    expect(await inRegister(l.number)).toBe(true);
    expect(await verify(l)).toMatchObject({ valid: true, status: 'active' });

    at('2026-12-31T10:00:00Z'); // midnight, 1 January 2027 there
    const newYear = await licence();
    expect(newYear.validFrom).toBe('2027-01-01');
    expect(newYear.number).toMatch(/^GH-AS-CP-2027-/);
  });

  it('expire when the local day after valid_to begins, not when the UTC one does', async () => {
    await zone(KIRITIMATI);
    at('2026-04-01T08:00:00Z');
    const l = await licence();
    await endsOn(l.id, '2026-05-10');
    const card = { ...l, validTo: '2026-05-10' };
    // 23:59:59 on 10 May in Kiritimati: still its last day.
    at('2026-05-10T09:59:59Z');
    expect(await verify(card)).toMatchObject({ valid: true, status: 'active' });
    expect(await inRegister(l.number)).toBe(true);
    await expireLicences(t.database.db, t.clock);
    expect(await statusOf(l.id)).toBe('active');
    // Midnight: 11 May there, still 10 May in UTC.
    at('2026-05-10T10:00:00Z');
    expect(await verify(card)).toMatchObject({ valid: false, status: 'expired' });
    expect(await inRegister(l.number)).toBe(false);
    await expireLicences(t.database.db, t.clock);
    expect(await statusOf(l.id)).toBe('expired');
  });

  it('open the renewal window 90 local days before the last day', async () => {
    await zone(KIRITIMATI);
    at('2026-04-01T08:00:00Z');
    const l = await licence();
    await endsOn(l.id, '2026-09-30');
    // 2 July is 90 days before 30 September; it begins at 10:00 UTC on 1 July.
    expect(addDays('2026-09-30', -90)).toBe('2026-07-02');
    at('2026-07-01T09:59:59Z');
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/licences/${l.id}/renew`,
      headers: await as('admin'),
    });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json()).toMatchObject({ code: 'licensing.renewal_too_early' });
    at('2026-07-01T10:00:00Z');
    const renewal = await post(`/api/v1/licences/${l.id}/renew`);
    expect(renewal).toMatchObject({ kind: 'renewal', status: 'draft' });
  });

  it('remind in local days before the last day', async () => {
    await zone(KIRITIMATI);
    at('2026-04-01T08:00:00Z');
    const l = await licence();
    await endsOn(l.id, '2026-06-20');
    const sent: NotificationMessage[] = [];
    const notifier: Notifier = {
      async send(m) {
        sent.push(m);
      },
    };
    // 10:00 UTC on 12 June is midnight on 13 June there: 7 days left (8 by the UTC date).
    at('2026-06-12T10:00:00Z');
    await sendExpiryReminders(t.database.db, t.clock, notifier);
    const mine = sent.filter((m) => m.params.licenceNumber === l.number);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.params).toMatchObject({ daysBefore: 7, daysLeft: 7, validTo: '2026-06-20' });
  });
});

describe('licences in a country west of UTC (UTC−11)', () => {
  it('start on the local date at issue', async () => {
    await zone(PAGO_PAGO);
    at('2026-03-02T08:00:00Z'); // 21:00 on 1 March in Pago Pago
    const l = await licence();
    expect(l.validFrom).toBe('2026-03-01');
    expect(l.validTo).toBe(validTo('2026-03-01', 12));
  });

  it('stay valid until the local day after valid_to begins, though the UTC one has', async () => {
    await zone(PAGO_PAGO);
    at('2026-04-01T08:00:00Z');
    const l = await licence();
    await endsOn(l.id, '2026-05-10');
    const card = { ...l, validTo: '2026-05-10' };
    // 11 May in UTC, still 10 May (23:59:59) in Pago Pago.
    at('2026-05-11T10:59:59Z');
    expect(await verify(card)).toMatchObject({ valid: true, status: 'active' });
    expect(await inRegister(l.number)).toBe(true);
    await expireLicences(t.database.db, t.clock);
    expect(await statusOf(l.id)).toBe('active');
    at('2026-05-11T11:00:00Z');
    expect(await verify(card)).toMatchObject({ valid: false, status: 'expired' });
    expect(await inRegister(l.number)).toBe(false);
    await expireLicences(t.database.db, t.clock);
    expect(await statusOf(l.id)).toBe('expired');
  });

  it('renew a lapsed licence from the local date, not backdated and not a day ahead', async () => {
    await zone(PAGO_PAGO);
    at('2026-04-01T08:00:00Z');
    const l = await licence();
    await endsOn(l.id, '2026-05-10');
    await sql`UPDATE licences SET status = 'expired' WHERE id = ${l.id}`.execute(t.database.db);
    // 2 June in UTC, 1 June in Pago Pago.
    at('2026-06-02T08:00:00Z');
    const renewal = await post(`/api/v1/licences/${l.id}/renew`);
    await post(`/api/v1/licence-applications/${renewal.id}/submit`);
    await post(`/api/v1/licence-applications/${renewal.id}/review`);
    await post(`/api/v1/licence-applications/${renewal.id}/decision`, { outcome: 'approve' });
    const renewed = await post(`/api/v1/licence-applications/${renewal.id}/issue`);
    expect(renewed).toMatchObject({ id: l.id, status: 'active', validTo: validTo('2026-06-01', 12) });
  });

  it('end an enterprise membership on the local date when no end date is given', async () => {
    await zone(PAGO_PAGO);
    at('2026-05-11T08:00:00Z'); // 21:00 on 10 May in Pago Pago
    const e = await post('/api/v1/enterprises', {
      name: 'Pago Local Day Cooperative',
      form: 'association',
      areaId: t.fx.areas.obuasi.id,
    });
    const withMember = await post(`/api/v1/enterprises/${e.id}/members`, {
      memberName: 'Afua Local',
      sex: 'female',
      role: 'member',
      startDate: '2026-05-01',
    });
    const member = withMember.members[0] as { id: string };
    const ended = await post(`/api/v1/enterprises/${e.id}/members/${member.id}/end`, {});
    expect(ended.members[0]).toMatchObject({ id: member.id, endDate: '2026-05-10' });
  });

  it('are counted in UTC again when the profile names no zone', async () => {
    await zone(null);
    at('2026-03-02T08:00:00Z');
    const l = await licence();
    expect(l.validFrom).toBe('2026-03-02');
  });
});
