/**
 * Licensing: applications from draft to decision and issue, licences suspended, reinstated and
 * revoked; the level rule, jurisdiction, duplicate active licences, and the pure state machine.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licensingDb } from '../../src/server/modules/licensing/repo.ts';
import {
  ALLOWED_APPLICATION_STEPS,
  ALLOWED_LICENCE_STEPS,
  APPLICATION_ACTIONS,
  type ApplicationStatus,
  LICENCE_ACTIONS,
  type LicenceStatus,
  nextApplicationStatus,
  nextLicenceStatus,
  validTo,
} from '../../src/server/modules/licensing/workflow.ts';
import { AppError } from '../../src/server/platform/errors.ts';
import { isValidReference } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile, testTier } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Record<string, string>>> = {};

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [
    COMMUNITY_PERMIT,
    testTier('small_scale_licence', 'country', ['person', 'enterprise'], 10),
    testTier('plant_licence', 'region', ['production_unit'], 1),
  ]);
  for (const u of [
    'admin',
    'obuasiOfficer',
    'obuasiAdmin',
    'bibianiAdmin',
    'ashantiOfficer',
    'supervisor',
    'agent',
  ] as const)
    h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

let n = 0;
async function person(area: AreaKey = 'obuasi'): Promise<string> {
  const res = await call('POST', '/api/v1/people', h.admin!, {
    givenName: 'Ama',
    familyName: `Licensee${++n}`,
    sex: 'female',
    areaId: t.fx.areas[area].id,
    checkDuplicates: false,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function draft(holderId: string, headers = h.obuasiOfficer!, body: object = {}) {
  const res = await call('POST', '/api/v1/licence-applications', headers, {
    tierCode: 'community_permit',
    holderKind: 'person',
    holderId,
    requestedAreaHectares: 1.5,
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** An application taken to approval by the admin. */
async function approved(holderId: string, tierCode = 'community_permit') {
  const a = await draft(holderId, h.admin!, { tierCode });
  for (const [path, payload] of [
    ['submit', undefined],
    ['review', undefined],
    ['decision', { outcome: 'approve' }],
  ] as const) {
    const res = await call('POST', `/api/v1/licence-applications/${a.id}/${path}`, h.admin!, payload);
    expect(res.statusCode, res.body).toBe(200);
  }
  await payFee(t.app, h.admin!, a.id);
  return a.id as string;
}

const counts = async () => {
  const db = licensingDb(t.database.db);
  const one = async (table: 'licence_applications' | 'licences' | 'licence_events') =>
    Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const audit = Number(
    (
      await t.database.db
        .selectFrom('audit_events')
        .select(sql<number>`count(*)`.as('n'))
        .where('action', 'like', 'licen%')
        .executeTakeFirstOrThrow()
    ).n,
  );
  return {
    apps: await one('licence_applications'),
    licences: await one('licences'),
    events: await one('licence_events'),
    audit,
  };
};

describe('licence applications', () => {
  it('goes from draft to an issued licence, with fee, checklist, events and audit', async () => {
    const holder = await person();
    const a = await draft(holder);
    expect(a).toMatchObject({
      status: 'draft',
      areaId: t.fx.areas.obuasi.id,
      version: 1,
      feeAssessedMinor: null,
    });
    expect(isValidReference(a.reference)).toBe(true);

    const patched = await call(
      'PATCH',
      `/api/v1/licence-applications/${a.id}`,
      { ...h.obuasiOfficer!, 'if-match': '"v1"' },
      {
        requestedAreaHectares: 2,
      },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().requestedAreaHectares).toBe(2);

    const submitted = await call('POST', `/api/v1/licence-applications/${a.id}/submit`, h.obuasiOfficer!);
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted', feeAssessedMinor: 10000, currency: 'GHS' });

    expect(
      (await call('POST', `/api/v1/licence-applications/${a.id}/review`, h.obuasiOfficer!)).statusCode,
    ).toBe(200);
    const check = await call('POST', `/api/v1/licence-applications/${a.id}/checklist`, h.obuasiOfficer!, {
      code: 'national_id',
      met: true,
      note: 'Ghana Card seen',
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json().checklist).toEqual({ national_id: { met: true, note: 'Ghana Card seen' } });
    const decided = await call('POST', `/api/v1/licence-applications/${a.id}/decision`, h.obuasiOfficer!, {
      outcome: 'approve',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'approved', decidedBy: t.fx.users.obuasiOfficer.id });

    await payFee(t.app, h.obuasiOfficer!, a.id);
    const issued = await call('POST', `/api/v1/licence-applications/${a.id}/issue`, h.obuasiOfficer!);
    expect(issued.statusCode, issued.body).toBe(201);
    const licence = issued.json();
    expect(licence).toMatchObject({
      status: 'active',
      validFrom: '2026-03-02',
      validTo: '2027-03-01',
      holderId: holder,
    });
    expect(licence.number).toMatch(/^GH-AS-CP-2026-\d{6}-[0-9A-Z*]$/);
    expect(isValidReference(licence.number)).toBe(true);

    const again = await call('POST', `/api/v1/licence-applications/${a.id}/issue`, h.obuasiOfficer!);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'licensing.invalid_transition',
      from: 'issued',
      to: 'issued',
    });

    const read = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(read.json()).toMatchObject({ status: 'issued', licenceId: licence.id });

    for (const [action, reason, status] of [
      ['suspend', 'Mercury found on site', 'suspended'],
      ['reinstate', undefined, 'active'],
      ['revoke', 'Repeated violations', 'revoked'],
    ] as const) {
      const res = await call(
        'POST',
        `/api/v1/licences/${licence.id}/${action}`,
        h.obuasiOfficer!,
        reason ? { reason } : {},
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe(status);
    }
    const events = await licensingDb(t.database.db)
      .selectFrom('licence_events')
      .select(['from_status', 'to_status'])
      .where('application_id', '=', a.id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(events.map((e) => `${e.from_status}>${e.to_status}`)).toEqual([
      'null>draft',
      'draft>submitted',
      'submitted>under_review',
      'under_review>approved',
      'approved>issued',
      'null>active',
      'active>suspended',
      'suspended>active',
      'active>revoked',
    ]);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', 'in', [a.id, licence.id])
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => e.action)).toEqual([
      'licence_application.created',
      'licence_application.updated',
      'licence_application.submitted',
      'licence_application.review_started',
      'licence_application.checklist_updated',
      'licence_application.approved',
      'licence_fee.payment_recorded',
      'licence_application.issued',
      'licence.issued',
      'licence.suspended',
      'licence.reinstated',
      'licence.revoked',
    ]);

    const list = await call('GET', '/api/v1/licences?status=revoked', h.obuasiOfficer!);
    expect(list.json().items.map((l: { id: string }) => l.id)).toContain(licence.id);
  });

  it('refuses a rejection without a reason, and keeps the reason of one', async () => {
    const a = await draft(await person());
    await call('POST', `/api/v1/licence-applications/${a.id}/submit`, h.obuasiOfficer!);
    await call('POST', `/api/v1/licence-applications/${a.id}/review`, h.obuasiOfficer!);
    const bare = await call('POST', `/api/v1/licence-applications/${a.id}/decision`, h.obuasiOfficer!, {
      outcome: 'reject',
    });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().errors[0].path).toBe('body.reason');
    const rejected = await call('POST', `/api/v1/licence-applications/${a.id}/decision`, h.obuasiOfficer!, {
      outcome: 'reject',
      reason: 'Inside a forest reserve',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', decisionReason: 'Inside a forest reserve' });
    const issue = await call('POST', `/api/v1/licence-applications/${a.id}/issue`, h.obuasiOfficer!);
    expect(issue.statusCode).toBe(409);
    expect(issue.json()).toMatchObject({ code: 'licensing.invalid_transition', from: 'rejected' });
  });

  it('refuses an invalid transition, an area above the tier maximum and a holder kind the tier excludes', async () => {
    const holder = await person();
    const a = await draft(holder);
    const before = await counts();
    const review = await call('POST', `/api/v1/licence-applications/${a.id}/review`, h.obuasiOfficer!);
    expect(review.statusCode).toBe(409);
    expect(review.json()).toMatchObject({
      code: 'licensing.invalid_transition',
      from: 'draft',
      to: 'under_review',
    });

    const big = await call('POST', '/api/v1/licence-applications', h.obuasiOfficer!, {
      tierCode: 'community_permit',
      holderKind: 'person',
      holderId: holder,
      requestedAreaHectares: 2.5,
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().errors).toEqual([
      expect.objectContaining({ path: 'body.requestedAreaHectares', code: 'above_tier_maximum' }),
    ]);

    const kind = await call('POST', '/api/v1/licence-applications', h.obuasiOfficer!, {
      tierCode: 'plant_licence',
      holderKind: 'person',
      holderId: holder,
      requestedAreaHectares: 0.5,
    });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().errors[0]).toMatchObject({ path: 'body.holderKind', code: 'not_allowed_for_tier' });

    const unknown = await call('POST', '/api/v1/licence-applications', h.obuasiOfficer!, {
      tierCode: 'no_such_tier',
      holderKind: 'person',
      holderId: holder,
      requestedAreaHectares: 0.5,
    });
    expect(unknown.json().errors[0]).toMatchObject({ path: 'body.tierCode', code: 'unknown_tier' });

    const stale = await call(
      'PATCH',
      `/api/v1/licence-applications/${a.id}`,
      { ...h.obuasiOfficer!, 'if-match': '"v9"' },
      {
        requestedAreaHectares: 1,
      },
    );
    expect(stale.statusCode).toBe(412);
    expect(await counts()).toEqual(before);
  });

  it('lets only deciders at the tier issuing level or above decide', async () => {
    // A country-level tier: the district and regional officers may not decide it, the supervisor may.
    const a = await draft(await person(), h.obuasiOfficer!, {
      tierCode: 'small_scale_licence',
      requestedAreaHectares: 5,
    });
    expect(
      (await call('POST', `/api/v1/licence-applications/${a.id}/submit`, h.obuasiOfficer!)).statusCode,
    ).toBe(200);
    const before = await counts();
    for (const u of ['obuasiOfficer', 'ashantiOfficer'] as const) {
      const res = await call('POST', `/api/v1/licence-applications/${a.id}/review`, h[u]!);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json()).toMatchObject({ code: 'licensing.level_not_allowed', issuingLevel: 'country' });
    }
    const denied = await t.database.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', a.id)
      .where('action', '=', 'access.denied')
      .execute();
    expect(denied.length).toBe(2);
    expect((await counts()).apps).toBe(before.apps);
    expect((await counts()).events).toBe(before.events);
    const ok = await call('POST', `/api/v1/licence-applications/${a.id}/review`, h.supervisor!);
    expect(ok.statusCode, ok.body).toBe(200);

    // A district-level tier: the regional officer of the district's region may decide it.
    const b = await draft(await person());
    await call('POST', `/api/v1/licence-applications/${b.id}/submit`, h.obuasiOfficer!);
    expect(
      (await call('POST', `/api/v1/licence-applications/${b.id}/review`, h.ashantiOfficer!)).statusCode,
    ).toBe(200);

    // Apply but not decide: the agent holds licensing.read only.
    const agent = await call('POST', `/api/v1/licence-applications/${b.id}/decision`, h.agent!, {
      outcome: 'approve',
    });
    expect(agent.statusCode).toBe(403);
    expect(agent.json().code).toBe('access.forbidden');
  });

  it('keeps applications within the jurisdiction: 404 to read, 403 to decide outside', async () => {
    const a = await draft(await person('bibiani'), h.bibianiAdmin!);
    await call('POST', `/api/v1/licence-applications/${a.id}/submit`, h.bibianiAdmin!);
    const read = await call('GET', `/api/v1/licence-applications/${a.id}`, h.obuasiOfficer!);
    expect(read.statusCode).toBe(404);
    expect(read.json().code).toBe('resource.not_found');
    const before = await counts();
    const review = await call('POST', `/api/v1/licence-applications/${a.id}/review`, h.obuasiOfficer!);
    expect(review.statusCode).toBe(403);
    expect(review.json().code).toBe('access.outside_jurisdiction');
    const list = await call('GET', '/api/v1/licence-applications?limit=500', h.obuasiOfficer!);
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(a.id);
    // No application for a holder outside the caller's areas.
    const foreign = await call('POST', '/api/v1/licence-applications', h.obuasiOfficer!, {
      tierCode: 'community_permit',
      holderKind: 'person',
      holderId: await person('bibiani'),
      requestedAreaHectares: 1,
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('access.outside_jurisdiction');
    const after = await counts();
    expect(after.apps).toBe(before.apps);
    expect(after.events).toBe(before.events);
  });

  it('refuses a second active licence of the same tier, also in the database', async () => {
    const holder = await person();
    const first = await approved(holder);
    const second = await approved(holder);
    const issued = await call('POST', `/api/v1/licence-applications/${first}/issue`, h.admin!);
    expect(issued.statusCode, issued.body).toBe(201);
    const before = await counts();
    const dup = await call('POST', `/api/v1/licence-applications/${second}/issue`, h.admin!);
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({
      code: 'licensing.duplicate_active_licence',
      licenceId: issued.json().id,
    });
    expect(await counts()).toEqual(before);
    expect((await call('GET', `/api/v1/licence-applications/${second}`, h.admin!)).json().status).toBe(
      'approved',
    );

    // The partial unique index holds even if the service check is bypassed.
    const row = await licensingDb(t.database.db)
      .selectFrom('licences')
      .selectAll()
      .where('id', '=', issued.json().id)
      .executeTakeFirstOrThrow();
    await expect(
      licensingDb(t.database.db)
        .insertInto('licences')
        .values({
          ...row,
          id: '01900000-0000-7000-8000-000000000001',
          number: 'GH-AS-CP-2026-999999-X',
          application_id: second,
        })
        .execute(),
    ).rejects.toThrow();

    // Once the first is suspended, the second can be issued; the first may not then come back.
    await call('POST', `/api/v1/licences/${issued.json().id}/suspend`, h.admin!, { reason: 'Audit' });
    expect((await call('POST', `/api/v1/licence-applications/${second}/issue`, h.admin!)).statusCode).toBe(
      201,
    );
    const back = await call('POST', `/api/v1/licences/${issued.json().id}/reinstate`, h.admin!, {});
    expect(back.statusCode).toBe(409);
    expect(back.json().code).toBe('licensing.duplicate_active_licence');
  });
});

describe('licensing state machine', () => {
  it('computes the last day of validity', () => {
    expect(validTo('2026-03-02', 12)).toBe('2027-03-01');
    expect(validTo('2026-01-31', 1)).toBe('2026-02-27');
    expect(validTo('2026-01-01', 24)).toBe('2027-12-31');
  });

  it('never leaves the transition tables, and issues at most once per application', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...APPLICATION_ACTIONS, ...LICENCE_ACTIONS), { maxLength: 40 }),
        (actions) => {
          let app: ApplicationStatus = 'draft';
          let licence: LicenceStatus | null = null;
          let issued = 0;
          for (const action of actions) {
            try {
              if ((APPLICATION_ACTIONS as readonly string[]).includes(action)) {
                const to = nextApplicationStatus(
                  app,
                  action as (typeof APPLICATION_ACTIONS)[number],
                  'a reason',
                );
                expect(ALLOWED_APPLICATION_STEPS.has(`${app}>${to}`)).toBe(true);
                if (to === 'issued') {
                  issued++;
                  licence = 'active';
                }
                app = to;
              } else {
                if (licence === null) continue;
                const to = nextLicenceStatus(licence, action as (typeof LICENCE_ACTIONS)[number], 'a reason');
                expect(ALLOWED_LICENCE_STEPS.has(`${licence}>${to}`)).toBe(true);
                licence = to;
              }
            } catch (e) {
              expect(e).toBeInstanceOf(AppError);
              expect((e as AppError).code).toBe('licensing.invalid_transition');
            }
          }
          expect(issued).toBeLessThanOrEqual(1);
          if (licence !== null) expect(app).toBe('issued');
        },
      ),
    );
  });
});
