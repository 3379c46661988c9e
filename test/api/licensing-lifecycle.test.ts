/**
 * The licence lifecycle: progressive conditions attached at issue, met and waived; renewal of the
 * same licence (window, pending, refused states, overdue conditions); the nightly expiry sweep; the
 * office queue against a fixed clock; expiry reminders and overdue-queue notices through the outbox.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expireLicences,
  notifyOverdueQueues,
  sendExpiryReminders,
} from '../../src/server/modules/licensing/jobs.ts';
import {
  addDays,
  effectiveStatus,
  queueTiming,
  renewalWindow,
  renewedValidTo,
} from '../../src/server/modules/licensing/lifecycle.ts';
import { validTo } from '../../src/server/modules/licensing/workflow.ts';
import {
  createLogNotifier,
  maskPhone,
  type NotificationMessage,
  type Notifier,
} from '../../src/server/platform/notify/notifier.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { installTestProfile, testTier } from '../support/licence-profile.ts';

let t: TestApp;
/** Sessions by user, signed in again when the clock has moved (a session lasts hours, tests jump years). */
const sessions: Partial<Record<UserKey, { headers: Record<string, string>; at: number }>> = {};
async function as(user: UserKey): Promise<Record<string, string>> {
  const now = t.clock.now().getTime();
  const s = sessions[user];
  if (!s || now < s.at || now - s.at > 10 * 60_000)
    sessions[user] = { headers: await t.login(user), at: now };
  return sessions[user]!.headers;
}

/** Fee 0 (no payment to record before issue), two progressive conditions, a 30-day standard. */
const PERMIT = {
  ...testTier('community_permit', 'district', ['person', 'enterprise'], 2),
  fee: { amountMinor: 0, currency: 'GHS' },
  conditions: [
    { code: 'mercury_free_training', names: { en: 'Mercury-free training' }, dueMonths: 6 },
    { code: 'improvement_level_1', names: { en: 'Improvement level 1' }, dueMonths: 9, improvementLevel: 1 },
  ],
};
/** No conditions and a 10-day service standard. */
const QUICK = {
  ...testTier('quick_permit', 'district', ['person', 'enterprise'], 2),
  fee: { amountMinor: 0, currency: 'GHS' },
  serviceStandardDays: 10,
};

const T0 = '2026-03-02T08:00:00Z';
const at = (iso: string) => t.clock.set(new Date(iso));

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [PERMIT, QUICK] as ReturnType<typeof testTier>[]);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => at(T0));

type Method = 'GET' | 'POST' | 'PATCH';
const call = async (method: Method, url: string, who: UserKey | Record<string, string>, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: typeof who === 'string' ? await as(who) : who,
    ...(payload ? { payload } : {}),
  });

async function ok(method: Method, url: string, payload?: object, who: UserKey = 'admin') {
  const res = await call(method, url, who, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
async function person(area: AreaKey = 'obuasi', phone?: string): Promise<string> {
  const p = await ok('POST', '/api/v1/people', {
    givenName: 'Abena',
    familyName: `Lifecycle${++n}`,
    sex: 'female',
    areaId: t.fx.areas[area].id,
    checkDuplicates: false,
    ...(phone ? { phone } : {}),
  });
  return p.id;
}

/** An application taken to `stage` by the admin. */
async function application(
  holderId: string,
  stage: 'draft' | 'submitted' | 'approved',
  tierCode = 'community_permit',
  holderKind = 'person',
) {
  const a = await ok('POST', '/api/v1/licence-applications', {
    tierCode,
    holderKind,
    holderId,
    requestedAreaHectares: 1,
  });
  if (stage === 'draft') return a.id as string;
  await ok('POST', `/api/v1/licence-applications/${a.id}/submit`);
  if (stage === 'submitted') return a.id as string;
  await ok('POST', `/api/v1/licence-applications/${a.id}/review`);
  await ok('POST', `/api/v1/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  return a.id as string;
}

async function licence(holderId?: string, tierCode = 'community_permit', holderKind = 'person') {
  const app = await application(holderId ?? (await person()), 'approved', tierCode, holderKind);
  return ok('POST', `/api/v1/licence-applications/${app}/issue`);
}

/** Takes a (renewal) application from draft to issued. */
async function throughWorkflow(applicationId: string) {
  await ok('POST', `/api/v1/licence-applications/${applicationId}/submit`);
  await ok('POST', `/api/v1/licence-applications/${applicationId}/review`);
  await ok('POST', `/api/v1/licence-applications/${applicationId}/decision`, { outcome: 'approve' });
  return ok('POST', `/api/v1/licence-applications/${applicationId}/issue`);
}

async function closeConditions(licenceId: string) {
  const list = await ok('GET', `/api/v1/licences/${licenceId}/conditions`);
  for (const c of list.items)
    if (c.status === 'open')
      await ok('POST', `/api/v1/licences/${licenceId}/conditions/${c.id}/met`, { evidenceNote: 'Seen' });
}

const statusOf = async (id: string) =>
  (
    await sql<{ status: string; valid_to: string }>`
      SELECT status, valid_to::text AS valid_to FROM licences WHERE id = ${id}`.execute(t.database.db)
  ).rows[0]!;

/** A notifier that keeps what it is given. */
function capture(): Notifier & { sent: NotificationMessage[] } {
  const sent: NotificationMessage[] = [];
  return { sent, send: async (m) => void sent.push(m) };
}

describe('progressive conditions', () => {
  it('are attached at issue from the tier, due valid_from + dueMonths', async () => {
    const l = await licence();
    expect(l).toMatchObject({ validFrom: '2026-03-02', validTo: '2027-03-01' });
    const list = await ok('GET', `/api/v1/licences/${l.id}/conditions`, undefined, 'obuasiOfficer');
    expect(list.overdue).toBe(0);
    expect(
      list.items.map((c: { code: string; dueDate: string; status: string; overdue: boolean }) => [
        c.code,
        c.dueDate,
        c.status,
        c.overdue,
      ]),
    ).toEqual([
      ['mercury_free_training', '2026-09-02', 'open', false],
      ['improvement_level_1', '2026-12-02', 'open', false],
    ]);
    expect(list.items[1].improvementLevel).toBe(1);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', l.id)
      .where('action', '=', 'licence.conditions_attached')
      .execute();
    expect(audit).toHaveLength(1);
    // Later, unmet: flagged overdue.
    at('2026-09-03T08:00:00Z');
    const later = await ok('GET', `/api/v1/licences/${l.id}/conditions`);
    expect(later.overdue).toBe(1);
    expect(later.items[0]).toMatchObject({ code: 'mercury_free_training', overdue: true });
  });

  it('are met with evidence or waived with a reason, once, by a decider of the area', async () => {
    const l = await licence();
    const [first, second] = (await ok('GET', `/api/v1/licences/${l.id}/conditions`)).items;
    const base = `/api/v1/licences/${l.id}/conditions`;

    const met = await call('POST', `${base}/${first.id}/met`, 'obuasiOfficer', {
      evidenceNote: 'Certificate',
    });
    expect(met.statusCode, met.body).toBe(200);
    expect(met.json()).toMatchObject({
      status: 'met',
      evidenceNote: 'Certificate',
      decidedBy: t.fx.users.obuasiOfficer.id,
      overdue: false,
      version: 2,
    });
    const again = await call('POST', `${base}/${first.id}/waive`, 'obuasiOfficer', { reason: 'x' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'licensing.condition_closed', status: 'met' });

    const noReason = await call('POST', `${base}/${second.id}/waive`, 'obuasiOfficer', { reason: '  ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().code).toBe('request.validation_failed');
    const missing = await call('POST', `${base}/${second.id}/waive`, 'obuasiOfficer', {});
    expect(missing.statusCode).toBe(400);

    // Outside the area: 403 to write, 404 to read; without licensing.decide: 403.
    const outside = await call('POST', `${base}/${second.id}/waive`, 'bibianiAdmin', { reason: 'No' });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    const hidden = await call('GET', base, 'bibianiAdmin');
    expect(hidden.statusCode).toBe(404);
    const agent = await call('POST', `${base}/${second.id}/waive`, 'agent', { reason: 'No' });
    expect(agent.statusCode).toBe(403);
    expect(agent.json().code).toBe('access.forbidden');
    expect((await call('GET', base, 'agent')).statusCode).toBe(200);

    const waived = await call('POST', `${base}/${second.id}/waive`, 'ashantiOfficer', {
      reason: 'Standard not yet published',
    });
    expect(waived.statusCode, waived.body).toBe(200);
    expect(waived.json()).toMatchObject({ status: 'waived', evidenceNote: 'Standard not yet published' });
    const actions = (
      await t.database.db
        .selectFrom('audit_events')
        .select('action')
        .where('entity_id', 'in', [first.id, second.id])
        .orderBy('seq')
        .execute()
    ).map((r) => r.action);
    expect(actions).toEqual(['licence_condition.met', 'licence_condition.waived']);
  });

  it('can be added by an officer, with a unique code', async () => {
    const l = await licence();
    const body = { code: 'fence_pits', description: 'Fence the open pits', dueDate: '2026-06-30' };
    const added = await call('POST', `/api/v1/licences/${l.id}/conditions`, 'obuasiOfficer', body);
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ ...body, status: 'open', improvementLevel: null });
    const dup = await call('POST', `/api/v1/licences/${l.id}/conditions`, 'obuasiOfficer', body);
    expect(dup.statusCode).toBe(400);
    const bad = await call('POST', `/api/v1/licences/${l.id}/conditions`, 'obuasiOfficer', {
      ...body,
      code: 'other',
      dueDate: '2026-02-30',
    });
    expect(bad.statusCode).toBe(400);
    const list = await ok('GET', `/api/v1/licences/${l.id}/conditions`);
    expect(list.items.map((c: { code: string }) => c.code)).toEqual([
      'fence_pits',
      'mercury_free_training',
      'improvement_level_1',
    ]);
  });
});

describe('renewal', () => {
  it('extends the same licence after the workflow, once overdue conditions are closed', async () => {
    const l = await licence();
    const early = await call('POST', `/api/v1/licences/${l.id}/renew`, 'obuasiOfficer');
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'licensing.renewal_too_early', validTo: '2027-03-01' });

    at('2027-01-15T09:00:00Z');
    const key = { ...(await as('obuasiOfficer')), 'idempotency-key': `renew-${l.id}` };
    const res = await call('POST', `/api/v1/licences/${l.id}/renew`, key);
    expect(res.statusCode, res.body).toBe(201);
    const renewal = res.json();
    expect(renewal).toMatchObject({
      kind: 'renewal',
      status: 'draft',
      licenceId: l.id,
      tierCode: 'community_permit',
      holderId: l.holderId,
      areaId: l.areaId,
    });
    // The same key replays the same answer; a new request finds the renewal pending.
    const replay = await call('POST', `/api/v1/licences/${l.id}/renew`, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(renewal.id);
    const pending = await call('POST', `/api/v1/licences/${l.id}/renew`, 'obuasiOfficer');
    expect(pending.statusCode).toBe(409);
    expect(pending.json()).toMatchObject({ code: 'licensing.renewal_pending', applicationId: renewal.id });
    const open = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM licence_applications WHERE renews_licence_id = ${l.id}`.execute(
      t.database.db,
    );
    expect(open.rows[0]!.n).toBe(1);
    // The database holds the rule too.
    await expect(
      sql`UPDATE licence_applications SET renews_licence_id = ${l.id}, kind = 'renewal'
           WHERE id = ${await application(await person(), 'draft')}`.execute(t.database.db),
    ).rejects.toThrow();

    // A renewal keeps its tier.
    const patched = await call(
      'PATCH',
      `/api/v1/licence-applications/${renewal.id}`,
      { ...(await as('obuasiOfficer')), 'if-match': '"v1"' },
      { tierCode: 'quick_permit' },
    );
    expect(patched.statusCode).toBe(400);

    await ok('POST', `/api/v1/licence-applications/${renewal.id}/submit`);
    await ok('POST', `/api/v1/licence-applications/${renewal.id}/review`);
    const refused = await call('POST', `/api/v1/licence-applications/${renewal.id}/decision`, 'admin', {
      outcome: 'approve',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('licensing.conditions_unmet');
    expect(refused.json().conditions.map((c: { code: string }) => c.code)).toEqual([
      'mercury_free_training',
      'improvement_level_1',
    ]);
    expect((await ok('GET', `/api/v1/licence-applications/${renewal.id}`)).status).toBe('under_review');

    await closeConditions(l.id);
    await ok('POST', `/api/v1/licence-applications/${renewal.id}/decision`, { outcome: 'approve' });
    const issued = await call('POST', `/api/v1/licence-applications/${renewal.id}/issue`, 'obuasiOfficer');
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json()).toMatchObject({
      id: l.id,
      number: l.number,
      status: 'active',
      validFrom: '2026-03-02',
      validTo: '2028-03-01',
      version: l.version + 1,
    });
    const events = await sql<{ from_status: string; to_status: string; action: string | null }>`
      SELECT from_status, to_status, action FROM licence_events
       WHERE licence_id = ${l.id} AND action = 'renewed'`.execute(t.database.db);
    expect(events.rows).toEqual([{ from_status: 'active', to_status: 'active', action: 'renewed' }]);
    const renewedAudit = await t.database.db
      .selectFrom('audit_events')
      .select(['action', 'after'])
      .where('entity_id', '=', l.id)
      .where('action', '=', 'licence.renewed')
      .execute();
    expect(renewedAudit).toHaveLength(1);
    expect((await ok('GET', `/api/v1/licence-applications/${renewal.id}`)).status).toBe('issued');
    // The next period has not come near its end.
    expect((await call('POST', `/api/v1/licences/${l.id}/renew`, 'obuasiOfficer')).json().code).toBe(
      'licensing.renewal_too_early',
    );
  });

  it('brings an expired licence back from today, until 180 days after its end', async () => {
    const l = await licence(undefined, 'quick_permit');
    const late = await licence(undefined, 'quick_permit');
    at('2027-04-01T06:00:00Z');
    await expireLicences(t.database.db, t.clock);
    expect((await statusOf(l.id)).status).toBe('expired');
    const renewal = await ok('POST', `/api/v1/licences/${l.id}/renew`, undefined, 'obuasiOfficer');
    const renewed = await throughWorkflow(renewal.id);
    expect(renewed).toMatchObject({ id: l.id, status: 'active', validTo: validTo('2027-04-01', 12) });

    at('2027-08-29T06:00:00Z'); // 181 days after 2027-03-01
    const tooLate = await call('POST', `/api/v1/licences/${late.id}/renew`, 'obuasiOfficer');
    expect(tooLate.statusCode).toBe(409);
    expect(tooLate.json().code).toBe('licensing.renewal_too_late');
    at('2027-08-28T06:00:00Z'); // 180 days: still open
    expect((await call('POST', `/api/v1/licences/${late.id}/renew`, 'obuasiOfficer')).statusCode).toBe(201);
  });

  it('is refused for suspended and revoked licences, outside the area and without licensing.apply', async () => {
    const suspended = await licence(undefined, 'quick_permit');
    const revoked = await licence(undefined, 'quick_permit');
    await ok('POST', `/api/v1/licences/${suspended.id}/suspend`, { reason: 'Inspection' });
    await ok('POST', `/api/v1/licences/${revoked.id}/revoke`, { reason: 'Violations' });
    at('2027-02-15T09:00:00Z');
    for (const [l, from] of [
      [suspended, 'suspended'],
      [revoked, 'revoked'],
    ] as const) {
      const res = await call('POST', `/api/v1/licences/${l.id}/renew`, 'obuasiOfficer');
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'licensing.invalid_transition', from });
    }
    const active = await licence(undefined, 'quick_permit');
    at('2027-02-16T09:00:00Z');
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM licence_applications`.execute(
      t.database.db,
    );
    const outside = await call('POST', `/api/v1/licences/${active.id}/renew`, 'bibianiAdmin');
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    const noApply = await call('POST', `/api/v1/licences/${active.id}/renew`, 'ashantiOfficer');
    expect(noApply.statusCode).toBe(403);
    expect(noApply.json().code).toBe('access.forbidden');
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM licence_applications`.execute(
      t.database.db,
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // A licence suspended after its renewal was approved is not extended at issue.
    const a = await licence(undefined, 'quick_permit');
    at('2028-01-10T09:00:00Z');
    const renewal = await ok('POST', `/api/v1/licences/${a.id}/renew`);
    await ok('POST', `/api/v1/licence-applications/${renewal.id}/submit`);
    await ok('POST', `/api/v1/licence-applications/${renewal.id}/review`);
    await ok('POST', `/api/v1/licence-applications/${renewal.id}/decision`, { outcome: 'approve' });
    await ok('POST', `/api/v1/licences/${a.id}/suspend`, { reason: 'Inspection' });
    const issue = await call('POST', `/api/v1/licence-applications/${renewal.id}/issue`, 'admin');
    expect(issue.statusCode).toBe(409);
    expect(issue.json().code).toBe('licensing.invalid_transition');
    expect(await statusOf(a.id)).toEqual({ status: 'suspended', valid_to: a.validTo });
  });
});

describe('expiry sweep', () => {
  it('expires active licences past their last day, in batches, with events and audit, once', async () => {
    at('2030-01-01T08:00:00Z');
    await expireLicences(t.database.db, t.clock); // whatever earlier tests left
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await licence(undefined, 'quick_permit')).id);
    const stillValid = (await licence(undefined, 'quick_permit')).id;
    // valid_to of the five: 2030-12-31; the sixth is renewed past it.
    await sql`UPDATE licences SET valid_to = '2031-06-30' WHERE id = ${stillValid}`.execute(t.database.db);

    at('2030-12-31T23:59:00Z'); // the last day: still active
    expect(await expireLicences(t.database.db, t.clock, undefined, 2)).toEqual({ expired: 0 });
    expect(effectiveStatus('active', '2030-12-31', '2030-12-31')).toBe('active');

    const card = await ok('GET', `/api/v1/licences/${ids[0]}/card`);
    const token = (card.verifyUrl as string).replace(/^.*\/verify\//, '');

    at('2031-01-01T00:10:00Z');
    expect(effectiveStatus('active', '2030-12-31', '2031-01-01')).toBe('expired');
    // Past its last day and not yet swept: the public check does not call it active.
    const check = await t.app.inject({ method: 'GET', url: `/api/v1/verify/${token}` });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json()).toMatchObject({ valid: false, status: 'expired', validTo: '2030-12-31' });
    expect(await expireLicences(t.database.db, t.clock, undefined, 2)).toEqual({ expired: 5 });
    for (const id of ids) expect((await statusOf(id)).status).toBe('expired');
    expect((await statusOf(stillValid)).status).toBe('active');
    const events = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM licence_events
       WHERE licence_id = ANY(${ids}::uuid[]) AND from_status = 'active' AND to_status = 'expired'
         AND actor_id = 'system'`.execute(t.database.db);
    expect(events.rows[0]!.n).toBe(5);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select(['actor_kind', 'entity_id'])
      .where('action', '=', 'licence.expired')
      .where('entity_id', 'in', ids)
      .execute();
    expect(audit).toHaveLength(5);
    expect(audit.every((a) => a.actor_kind === 'system')).toBe(true);
    // Idempotent: nothing more to do.
    expect(await expireLicences(t.database.db, t.clock)).toEqual({ expired: 0 });
    const list = await ok('GET', `/api/v1/licences/${ids[0]}`);
    expect(list).toMatchObject({ status: 'expired', version: 2 });
  });
});

describe('office queue', () => {
  it('lists waiting applications oldest first with days waited, overdue flags, filters and pages', async () => {
    // Everything earlier tests left in the queue is decided, so the queue holds only these.
    await sql`UPDATE licence_applications SET status = 'rejected', decision_reason = 'cleanup'
               WHERE status IN ('submitted', 'under_review')`.execute(t.database.db);
    const submitted: { id: string; at: string; tier: string }[] = [];
    for (const [when, tier, area] of [
      ['2026-05-01T10:00:00Z', 'quick_permit', 'obuasi'],
      ['2026-05-03T10:00:00Z', 'community_permit', 'obuasi'],
      ['2026-05-10T12:00:00Z', 'quick_permit', 'amansie'],
      ['2026-05-20T10:00:00Z', 'quick_permit', 'obuasi'],
      ['2026-05-04T10:00:00Z', 'quick_permit', 'bibiani'],
    ] as const) {
      at(when);
      submitted.push({ id: await application(await person(area), 'submitted', tier), at: when, tier });
    }
    await ok('POST', `/api/v1/licence-applications/${submitted[1]!.id}/review`);
    at('2026-05-21T11:00:00Z');
    const res = await call('GET', '/api/v1/licence-queue', 'obuasiOfficer');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    // Obuasi only (the district officer's area), oldest submitted first.
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([
      submitted[0]!.id,
      submitted[1]!.id,
      submitted[3]!.id,
    ]);
    expect(
      body.items.map((i: LicenceQueueItem) => [
        i.waitingDays,
        i.serviceStandardDays,
        i.overdue,
        i.daysOverdue,
        i.status,
      ]),
    ).toEqual(
      [
        [20, 10, true, 10],
        [18, 30, false, 0],
        [1, 10, false, 0],
      ].map((r, k) => [...r, k === 1 ? 'under_review' : 'submitted']),
    );
    expect(body.counts).toEqual({ total: 3, overdue: 1 });

    const overdueOnly = await ok('GET', '/api/v1/licence-queue?overdue=true', undefined, 'obuasiOfficer');
    expect(overdueOnly.items.map((i: { id: string }) => i.id)).toEqual([submitted[0]!.id]);
    const byTier = await ok(
      'GET',
      '/api/v1/licence-queue?tierCode=quick_permit&status=submitted',
      undefined,
      'obuasiOfficer',
    );
    expect(byTier.counts).toEqual({ total: 2, overdue: 1 });

    // The regional officer sees Ashanti's three districts' waiting applications, page by page.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null; counts: { total: number } } =
        await ok(
          'GET',
          `/api/v1/licence-queue?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          'ashantiOfficer',
        );
      expect(page.counts.total).toBe(4);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([submitted[0]!.id, submitted[1]!.id, submitted[2]!.id, submitted[3]!.id]);

    expect((await call('GET', '/api/v1/licence-queue', 'agent')).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/licence-queue?cursor=nonsense', 'admin')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/licence-queue', 'monitor')).statusCode).toBe(403);
  });

  it('counts whole days waited and overdue as an independent date computation does (property)', async () => {
    await sql`UPDATE licence_applications SET status = 'rejected', decision_reason = 'cleanup'
               WHERE status IN ('submitted', 'under_review')`.execute(t.database.db);
    const base = Date.parse('2026-07-01T00:00:00Z');
    const offsets = [0, 3_600_000, 13 * 3_600_000 + 17_000, 86_400_000 - 1, 2 * 86_400_000 + 5];
    const subs: { id: string; at: number; standard: number }[] = [];
    for (const [k, off] of offsets.entries()) {
      t.clock.set(new Date(base + off));
      const tier = k % 2 === 0 ? 'quick_permit' : 'community_permit';
      subs.push({
        id: await application(await person(), 'submitted', tier),
        at: base + off,
        standard: tier === 'quick_permit' ? 10 : 30,
      });
    }
    /** Whole days by counting 24-hour steps: no division, no flooring. */
    const wholeDays = (from: number, to: number) => {
      let days = 0;
      while (from + (days + 1) * 86_400_000 <= to) days++;
      return days;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 45 }),
        fc.constantFrom(-1, 0, 1, 3_600_000, 43_200_000),
        fc.nat({ max: offsets.length - 1 }),
        async (days, delta, anchor) => {
          const now = Math.max(
            base + offsets[offsets.length - 1]!,
            subs[anchor]!.at + days * 86_400_000 + delta,
          );
          t.clock.set(new Date(now));
          const q = await ok('GET', '/api/v1/licence-queue?limit=100', undefined, 'obuasiOfficer');
          const overdueIds = new Set(
            (
              await ok('GET', '/api/v1/licence-queue?limit=100&overdue=true', undefined, 'obuasiOfficer')
            ).items.map((i: { id: string }) => i.id),
          );
          let overdue = 0;
          for (const s of subs) {
            const item = q.items.find((i: { id: string }) => i.id === s.id) as LicenceQueueItem;
            const waited = wholeDays(s.at, now);
            expect(item.waitingDays).toBe(waited);
            expect(item.overdue).toBe(waited > s.standard);
            expect(item.daysOverdue).toBe(Math.max(0, waited - s.standard));
            expect(overdueIds.has(s.id)).toBe(item.overdue);
            expect(queueTiming(new Date(s.at), new Date(now), s.standard).waitingDays).toBe(waited);
            if (item.overdue) overdue++;
          }
          expect(q.counts).toEqual({ total: subs.length, overdue });
        },
      ),
      { numRuns: 25 },
    );
  });
});

interface LicenceQueueItem {
  id: string;
  status: string;
  waitingDays: number;
  serviceStandardDays: number | null;
  overdue: boolean;
  daysOverdue: number;
}

describe('notifications', () => {
  it('reminds holders 30 and 7 days before the end, once each, on the chair phone for an enterprise', async () => {
    at('2032-01-01T08:00:00Z');
    await expireLicences(t.database.db, t.clock);
    const phone = '+233241234567';
    const holder = await person('obuasi', phone);
    const l = await licence(holder, 'quick_permit'); // valid to 2032-12-31
    const chair = await person('obuasi', '+233247654321');
    const ent = await ok('POST', '/api/v1/enterprises', {
      name: 'Lifecycle Cooperative',
      form: 'cooperative',
      areaId: t.fx.areas.obuasi.id,
    });
    await ok('POST', `/api/v1/enterprises/${ent.id}/members`, {
      personId: chair,
      memberName: 'Chair Person',
      sex: 'female',
      role: 'chair',
      startDate: '2031-01-01',
    });
    const el = await licence(ent.id, 'quick_permit', 'enterprise');

    const notifier = capture();
    at('2032-11-30T08:00:00Z'); // 31 days before: nothing yet
    expect(await sendExpiryReminders(t.database.db, t.clock, notifier)).toMatchObject({ queued: 0, sent: 0 });
    at('2032-12-01T08:00:00Z'); // 30 days before
    expect(await sendExpiryReminders(t.database.db, t.clock, notifier)).toEqual({
      queued: 2,
      sent: 2,
      failed: 0,
    });
    expect(await sendExpiryReminders(t.database.db, t.clock, notifier)).toEqual({
      queued: 0,
      sent: 0,
      failed: 0,
    });
    at('2032-12-02T08:00:00Z');
    expect((await sendExpiryReminders(t.database.db, t.clock, notifier)).queued).toBe(0);
    const byHolder = new Map(notifier.sent.map((m) => [m.to.id, m]));
    expect(byHolder.get(holder)).toMatchObject({
      channel: 'sms',
      to: { kind: 'person', id: holder },
      phone,
      template: 'licence.expiry_reminder',
      params: { licenceNumber: l.number, validTo: '2032-12-31', daysBefore: 30, daysLeft: 30 },
      locale: 'en',
    });
    expect(byHolder.get(ent.id)).toMatchObject({
      to: { kind: 'enterprise', id: ent.id },
      phone: '+233247654321',
      params: { licenceNumber: el.number, daysBefore: 30 },
    });
    at('2032-12-25T08:00:00Z'); // 6 days left: the 7-day reminder, once
    expect((await sendExpiryReminders(t.database.db, t.clock, notifier)).queued).toBe(2);
    expect((await sendExpiryReminders(t.database.db, t.clock, notifier)).queued).toBe(0);
    expect(notifier.sent).toHaveLength(4);
    expect(notifier.sent.slice(2).map((m) => m.params.daysBefore)).toEqual([7, 7]);
    const rows = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM notifications WHERE template = 'licence.expiry_reminder'
       GROUP BY status`.execute(t.database.db);
    expect(rows.rows).toEqual([{ status: 'sent', n: 4 }]);
  });

  it('records a failed delivery and never sends it twice', async () => {
    at('2033-01-01T08:00:00Z');
    await expireLicences(t.database.db, t.clock);
    await licence(await person('obuasi', '+233241110000'), 'quick_permit'); // to 2033-12-31
    at('2033-12-20T08:00:00Z');
    const failing: Notifier = {
      send: async () => {
        throw new Error('gateway down');
      },
    };
    expect(await sendExpiryReminders(t.database.db, t.clock, failing)).toEqual({
      queued: 1,
      sent: 0,
      failed: 1,
    });
    const again = capture();
    expect(await sendExpiryReminders(t.database.db, t.clock, again)).toEqual({
      queued: 0,
      sent: 0,
      failed: 0,
    });
    const row = await sql<{ status: string; error: string }>`
      SELECT status, error FROM notifications WHERE params ->> 'validTo' = '2033-12-31'`.execute(
      t.database.db,
    );
    expect(row.rows).toEqual([{ status: 'failed', error: 'gateway down' }]);
  });

  it('tells supervisors above the area of overdue applications, once per user and day', async () => {
    await sql`UPDATE licence_applications SET status = 'rejected', decision_reason = 'cleanup'
               WHERE status IN ('submitted', 'under_review')`.execute(t.database.db);
    at('2034-03-01T08:00:00Z');
    await application(await person('obuasi'), 'submitted', 'quick_permit');
    await application(await person('amansie'), 'submitted', 'quick_permit');
    await application(await person('bibiani'), 'submitted', 'quick_permit');
    await application(await person('obuasi'), 'submitted', 'community_permit'); // 30 days: not overdue
    const notifier = capture();
    at('2034-03-11T09:00:00Z'); // 10 days: on the limit
    expect((await notifyOverdueQueues(t.database.db, t.clock, notifier)).queued).toBe(0);
    at('2034-03-12T09:00:00Z');
    const first = await notifyOverdueQueues(t.database.db, t.clock, notifier);
    const counts = Object.fromEntries(notifier.sent.map((m) => [m.to.id, m.params.count]));
    expect(counts).toEqual({
      [t.fx.users.admin.id]: 3,
      [t.fx.users.supervisor.id]: 3,
      [t.fx.users.ashantiOfficer.id]: 2,
    });
    expect(first).toEqual({ queued: 3, sent: 3, failed: 0 });
    expect(notifier.sent[0]).toMatchObject({
      channel: 'sms',
      template: 'licensing.queue_overdue',
      to: { kind: 'user' },
      params: { date: '2034-03-12' },
    });
    // The regional officer's count agrees with the queue he sees.
    const q = await ok('GET', '/api/v1/licence-queue?overdue=true', undefined, 'ashantiOfficer');
    expect(q.counts.overdue).toBe(2);
    at('2034-03-12T17:00:00Z');
    expect((await notifyOverdueQueues(t.database.db, t.clock, notifier)).queued).toBe(0);
    at('2034-03-13T09:00:00Z');
    expect((await notifyOverdueQueues(t.database.db, t.clock, notifier)).queued).toBe(3);
    expect(notifier.sent).toHaveLength(6);
  });

  it('logs messages as JSON lines without the phone number in clear', async () => {
    const lines: string[] = [];
    await createLogNotifier((l) => lines.push(l)).send({
      channel: 'sms',
      to: { kind: 'person', id: '0190b8c4-0000-7000-8000-000000000000' },
      phone: '+233241234567',
      template: 'licence.expiry_reminder',
      params: { daysBefore: 7 },
      locale: 'en',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('241234567');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      phone: '+23324*****67',
      template: 'licence.expiry_reminder',
    });
    expect(maskPhone(null)).toBeNull();
  });
});

describe('lifecycle dates', () => {
  const date = fc
    .date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2040-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it('opens renewal 90 days before the last day and closes it 180 days after (property)', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -400, max: 400 }), (end, shift) => {
        const today = addDays(end, shift);
        const expected = shift < -90 ? 'too_early' : shift > 180 ? 'too_late' : 'open';
        expect(renewalWindow(end, today)).toBe(expected);
      }),
    );
  });

  it('starts the renewed period the day after the old one, or today when it had lapsed (property)', () => {
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: -90, max: 180 }),
        fc.integer({ min: 1, max: 60 }),
        (end, shift, months) => {
          const today = addDays(end, shift);
          const renewed = renewedValidTo(end, today, months);
          const start = shift >= 1 ? today : addDays(end, 1);
          expect(renewed).toBe(validTo(start, months));
          expect(renewed > end).toBe(true);
          expect(renewed >= today).toBe(true);
        },
      ),
    );
  });
});
