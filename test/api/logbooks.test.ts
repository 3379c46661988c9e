import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mercuryUseReported } from '../../src/server/modules/logbooks/mercury.ts';
import { periodOf, periodsBetween } from '../../src/server/modules/logbooks/periods.ts';
import { documentDate } from '../../src/server/platform/documents/language.ts';
import type { LogbookReportDto } from '../../src/shared/schemas/logbooks.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { qrTextOfCardPdf } from '../support/card-qr.ts';
import { parseCsv } from '../support/csv.ts';
import type { AreaKey, UserKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile, testTier } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';
import { pdfTextLines } from '../support/pdf-text.ts';

/** A tier whose holders report every week (the community permit reports monthly). */
const WEEKLY_PERMIT = {
  ...testTier('weekly_permit', 'district', ['person', 'enterprise'], 2),
  reportingDuty: { frequency: 'weekly', report: 'weekly_logbook' },
};

let t: TestApp;
let weekly: { id: string; number: string; holder: string };
let monthly: { id: string; number: string; holder: string };
let unit: string;

/** Signs in afresh: moving the clock by weeks ends earlier sessions. */
const as = (user: UserKey) => t.login(user);
const at = (iso: string) => t.clock.set(new Date(iso));

async function call(user: UserKey, method: 'GET' | 'POST', url: string, payload?: object, extra = {}) {
  return t.app.inject({
    method,
    url,
    headers: { ...(await as(user)), ...extra },
    ...(payload ? { payload } : {}),
  });
}

async function adminPost(url: string, payload?: object) {
  const res = await call('admin', 'POST', url, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let holders = 0;
async function issueLicence(area: AreaKey, tierCode: string) {
  const familyName = `Logbook${++holders}`;
  const person = await adminPost('/api/v1/people', {
    givenName: 'Ama',
    familyName,
    sex: 'female',
    areaId: t.fx.areas[area].id,
    checkDuplicates: false,
  });
  const application = await adminPost('/api/v1/licence-applications', {
    tierCode,
    holderKind: 'person',
    holderId: person.id,
    requestedAreaHectares: 1,
  });
  await adminPost(`/api/v1/licence-applications/${application.id}/submit`);
  await adminPost(`/api/v1/licence-applications/${application.id}/review`);
  await adminPost(`/api/v1/licence-applications/${application.id}/decision`, { outcome: 'approve' });
  await payFee(t.app, await as('admin'), application.id);
  const licence = await adminPost(`/api/v1/licence-applications/${application.id}/issue`);
  return { id: licence.id as string, number: licence.number as string, holder: person.id as string };
}

const report = (overrides: object = {}) => ({
  licenceId: weekly.id,
  periodStart: '2026-01-05',
  oreMined: { amount: 1.25, unit: 't' },
  mineralMassMg: 12_500,
  finenessPtt: 8_500,
  workers: { women: 3, men: 5, otherOrUnknown: 1, youth: 2 },
  equipmentBought: ['sluice box'],
  operatingCosts: { amountMinor: 45_000, currency: 'GHS' },
  mercuryUsedMg: 0,
  source: 'phone',
  ...overrides,
});

const auditCount = async (action: string) =>
  Number(
    (
      await t.database.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', action)
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [WEEKLY_PERMIT, COMMUNITY_PERMIT], {
    logbook: { period: 'weekly', dueDays: 3 },
  });
  // Licences from Monday 5 January 2026, so that weeks before "now" are owed.
  at('2026-01-05T08:00:00Z');
  weekly = await issueLicence('obuasi', 'weekly_permit');
  monthly = await issueLicence('obuasi', 'community_permit');
  const u = await adminPost('/api/v1/production-units', {
    kind: 'pit',
    name: 'Logbook pit',
    areaId: t.fx.areas.amansie.id,
  });
  unit = u.id;
}, 60_000);
afterAll(() => t.close());

describe('periods', () => {
  it('weeks run Monday to Sunday, months and quarters start on the 1st', () => {
    expect(periodOf('weekly', '2026-01-08')).toEqual({ start: '2026-01-05', end: '2026-01-11' });
    expect(periodOf('weekly', '2026-01-04')).toEqual({ start: '2025-12-29', end: '2026-01-04' });
    expect(periodOf('monthly', '2024-02-15')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(periodOf('quarterly', '2026-12-31')).toEqual({ start: '2026-10-01', end: '2026-12-31' });
    expect(periodsBetween('weekly', '2026-01-05', '2026-01-26').map((p) => p.start)).toEqual([
      '2026-01-05',
      '2026-01-12',
      '2026-01-19',
      '2026-01-26',
    ]);
  });
});

describe('POST /logbooks', () => {
  let created: LogbookReportDto;

  it('records a week of a licence, with ore in tonnes kept as kilograms', async () => {
    at('2026-01-12T09:00:00Z');
    const res = await call('obuasiOfficer', 'POST', '/api/v1/logbooks', report());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.etag).toBe('"v1"');
    created = res.json();
    expect(created).toMatchObject({
      subjectKind: 'licence',
      licenceId: weekly.id,
      areaId: t.fx.areas.obuasi.id,
      periodKind: 'weekly',
      periodStart: '2026-01-05',
      periodEnd: '2026-01-11',
      // The profile gives 3 days to report.
      dueOn: '2026-01-14',
      oreMinedKg: 1250,
      oreUnit: 't',
      mineralMassMg: 12_500,
      workers: { women: 3, men: 5, otherOrUnknown: 1, youth: 2 },
      mercuryUsedMg: 0,
      submittedLate: false,
      submittedBy: t.fx.users.obuasiOfficer.id,
      version: 1,
    });
    const read = await call('auditor', 'GET', `/api/v1/logbooks/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"v1"');
    expect(read.json()).toEqual(created);
  });

  it('the same figures sent again (the paper copy typed later) change nothing', async () => {
    const audits = await auditCount('logbook.submitted');
    const again = await call(
      'obuasiAdmin',
      'POST',
      '/api/v1/logbooks',
      report({ source: 'officer_from_paper' }),
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(created);
    expect(await auditCount('logbook.submitted')).toBe(audits);
  });

  it('other figures for the same period correct the report with If-Match, never a second report', async () => {
    const corrected = report({ mineralMassMg: 15_000, mercuryUsedMg: null });
    const bare = await call('obuasiOfficer', 'POST', '/api/v1/logbooks', corrected);
    expect(bare.statusCode).toBe(428);
    expect(bare.json().code).toBe('precondition.required');
    const stale = await call('obuasiOfficer', 'POST', '/api/v1/logbooks', corrected, { 'if-match': '"v7"' });
    expect(stale.statusCode).toBe(412);
    const ok = await call('obuasiOfficer', 'POST', '/api/v1/logbooks', corrected, { 'if-match': '"v1"' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    expect(ok.json()).toMatchObject({
      id: created.id,
      mineralMassMg: 15_000,
      mercuryUsedMg: null,
      version: 2,
      // Lateness is judged on the first submission.
      submittedAt: created.submittedAt,
    });
    expect(await auditCount('logbook.corrected')).toBe(1);

    const list = await call('supervisor', 'GET', `/api/v1/logbooks?licenceId=${weekly.id}`);
    const items = list.json().items as LogbookReportDto[];
    expect(items.map((i) => i.id)).toEqual([created.id]);
    expect(items.reduce((sum, i) => sum + i.mineralMassMg, 0)).toBe(15_000);
  });

  it('two phones sending the first report of a period at once make one report', async () => {
    at('2026-01-13T09:00:00Z');
    const headers = await as('obuasiOfficer');
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/logbooks',
        headers,
        payload: report({ productionUnitId: undefined, licenceId: monthly.id, periodStart: '2026-01-01' }),
      });
    const answers = await Promise.all([send(), send()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 201]);
    expect(answers[0]!.json().id).toBe(answers[1]!.json().id);
    const list = await call('obuasiOfficer', 'GET', `/api/v1/logbooks?licenceId=${monthly.id}`);
    expect(list.json().items).toHaveLength(1);
    expect(list.json().items[0].periodKind).toBe('monthly');
  });

  it('refuses what cannot be a report, each with its code', async () => {
    at('2026-01-13T09:00:00Z');
    const refused = async (body: object, status: number, code: string) => {
      const res = await call('obuasiOfficer', 'POST', '/api/v1/logbooks', body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().code).toBe(code);
      return res.json();
    };
    // A Tuesday is not the start of a week; the answer says which day is.
    const tuesday = await refused(report({ periodStart: '2026-01-06' }), 422, 'logbook.period_misaligned');
    expect(tuesday).toMatchObject({ periodKind: 'weekly', expectedStart: '2026-01-05' });
    // The monthly tier's periods start on the 1st.
    const month = await refused(
      report({ licenceId: monthly.id, periodStart: '2026-01-05' }),
      422,
      'logbook.period_misaligned',
    );
    expect(month.expectedStart).toBe('2026-01-01');
    await refused(report({ periodStart: '2026-01-19' }), 422, 'logbook.future_period');
    await refused(report({ periodStart: '2025-12-29' }), 422, 'logbook.outside_licence');
    await refused(report({ productionUnitId: unit }), 422, 'logbook.one_subject');
    await refused(report({ licenceId: undefined }), 422, 'logbook.one_subject');
    await refused(
      report({ licenceId: '01900000-0000-7000-8000-000000000000' }),
      422,
      'logbook.unknown_subject',
    );
    await refused(
      report({ workers: { women: 1, men: 1, otherOrUnknown: 0, youth: 3 } }),
      422,
      'logbook.youth_exceeds_workers',
    );
    const negative = await refused(report({ mineralMassMg: -1 }), 400, 'request.validation_failed');
    expect(negative.errors[0].path).toBe('body.mineralMassMg');
    const mercury = await refused(report({ mercuryUsedMg: -5 }), 400, 'request.validation_failed');
    expect(mercury.errors[0].path).toBe('body.mercuryUsedMg');
    await refused(report({ oreMined: { amount: 2.5, unit: 'kg' } }), 400, 'request.validation_failed');
    await refused(report({ oreMined: { amount: 1.0004, unit: 't' } }), 400, 'request.validation_failed');
    await refused(report({ finenessPtt: 10_001 }), 400, 'request.validation_failed');
    // Nothing of the refused sends was stored.
    const list = await call('obuasiOfficer', 'GET', `/api/v1/logbooks?licenceId=${weekly.id}`);
    expect(list.json().items).toHaveLength(1);
  });

  it('a production unit reports on the profile period', async () => {
    at('2026-01-12T10:00:00Z');
    const res = await call(
      'admin',
      'POST',
      '/api/v1/logbooks',
      report({ licenceId: undefined, productionUnitId: unit }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      subjectKind: 'production_unit',
      productionUnitId: unit,
      areaId: t.fx.areas.amansie.id,
      periodKind: 'weekly',
    });
  });
});

describe('GET /logbooks', () => {
  it('pages through the reports, latest period first, and filters by area and period', async () => {
    at('2026-01-13T09:00:00Z');
    const seen: LogbookReportDto[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'supervisor',
        'GET',
        `/api/v1/logbooks?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.json().items);
      cursor = page.json().nextCursor;
    } while (cursor);
    // The weekly licence's week, the monthly licence's January, the unit's week: each once.
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.id)).size).toBe(3);
    const starts = seen.map((r) => r.periodStart);
    expect(starts).toEqual([...starts].sort().reverse());

    const amansie = await call('supervisor', 'GET', `/api/v1/logbooks?areaId=${t.fx.areas.amansie.id}`);
    expect(amansie.json().items.map((r: LogbookReportDto) => r.productionUnitId)).toEqual([unit]);
    const january5 = await call('supervisor', 'GET', '/api/v1/logbooks?from=2026-01-05&to=2026-01-05');
    expect(january5.json().items).toHaveLength(2);
  });
});

describe('jurisdiction', () => {
  it("another district's office can neither record, read nor list the licence's reports", async () => {
    at('2026-01-13T09:00:00Z');
    const write = await call(
      'bibianiAdmin',
      'POST',
      '/api/v1/logbooks',
      report({ periodStart: '2026-01-12' }),
    );
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('access.outside_jurisdiction');
    const [first] = (await call('obuasiOfficer', 'GET', `/api/v1/logbooks?licenceId=${weekly.id}`)).json()
      .items;
    const read = await call('bibianiAdmin', 'GET', `/api/v1/logbooks/${first.id}`);
    expect(read.statusCode).toBe(404);
    const list = await call('bibianiAdmin', 'GET', `/api/v1/logbooks?licenceId=${weekly.id}`);
    expect(list.json().items).toEqual([]);
    const missing = await call(
      'bibianiAdmin',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.obuasi.id}`,
    );
    expect(missing.statusCode).toBe(404);
    const pdf = await call('bibianiAdmin', 'GET', `/api/v1/licences/${weekly.id}/logbook.pdf`);
    expect(pdf.statusCode).toBe(404);
  });

  it('roles without the logbook permissions are refused', async () => {
    const monitor = await call('monitor', 'GET', '/api/v1/logbooks');
    expect(monitor.statusCode).toBe(403);
    // A regional officer reads logbooks but does not record them.
    const regional = await call(
      'ashantiOfficer',
      'POST',
      '/api/v1/logbooks',
      report({ periodStart: '2026-01-12' }),
    );
    expect(regional.statusCode).toBe(403);
    expect(regional.json().code).toBe('access.forbidden');
  });
});

describe('GET /logbooks/missing', () => {
  beforeAll(async () => {
    // Week of 12 January (to the 18th), due on the 21st: reported on the 30th, late.
    at('2026-01-30T09:00:00Z');
    const late = await call(
      'obuasiOfficer',
      'POST',
      '/api/v1/logbooks',
      report({ periodStart: '2026-01-12' }),
    );
    expect(late.statusCode, late.body).toBe(201);
    expect(late.json().submittedLate).toBe(true);
  });

  it('lists missing and late reports of an office against the clock, with counts per district', async () => {
    // Monday 2 February 2026: weeks of 5, 12 and 19 January are due; the week of the 26th is not (5 Feb).
    at('2026-02-02T09:00:00Z');
    const res = await call(
      'ashantiOfficer',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.ashanti.id}&from=2026-01-05`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.asOf).toBe('2026-02-02');
    const rows = (
      body.items as { status: string; reference: string; periodStart: string; daysOverdue: number }[]
    ).map((i) => [i.status, i.reference, i.periodStart, i.daysOverdue]);
    const unitReference = (await call('admin', 'GET', `/api/v1/production-units/${unit}`)).json().reference;
    expect(rows).toEqual(
      expect.arrayContaining([
        ['late', weekly.number, '2026-01-12', 9],
        ['missing', weekly.number, '2026-01-19', 5],
        ['missing', unitReference, '2026-01-12', 12],
        ['missing', unitReference, '2026-01-19', 5],
      ]),
    );
    // The on-time week, the week not yet due and the monthly licence (January due on 3 February) are absent.
    expect(rows).toHaveLength(4);
    expect(body.byArea).toEqual([
      { areaId: t.fx.areas.amansie.id, areaName: 'Amansie (test)', missing: 2, late: 0 },
      { areaId: t.fx.areas.obuasi.id, areaName: 'Obuasi (test)', missing: 1, late: 1 },
    ]);

    // A district office sees its own district only.
    const district = await call(
      'obuasiOfficer',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.obuasi.id}&from=2026-01-05`,
    );
    expect(district.json().byArea).toEqual([
      { areaId: t.fx.areas.obuasi.id, areaName: 'Obuasi (test)', missing: 1, late: 1 },
    ]);

    // Two days later the monthly licence's January is overdue too.
    at('2026-02-04T09:00:00Z');
    const later = await call(
      'obuasiOfficer',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.obuasi.id}&from=2026-01-01`,
    );
    const monthlyRows = (later.json().items as { licenceId: string }[]).filter(
      (i) => i.licenceId === monthly.id,
    );
    // January was reported (the concurrent sends) on 13 January: on time, so not listed.
    expect(monthlyRows).toEqual([]);
  });

  it('exports the list as CSV and records the export', async () => {
    at('2026-02-02T09:00:00Z');
    const before = await auditCount('logbook.missing_exported');
    const res = await call(
      'obuasiOfficer',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.obuasi.id}&from=2026-01-05&format=csv`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = parseCsv(res.body);
    expect(header!.slice(0, 4)).toEqual(['status', 'subjectKind', 'reference', 'areaName']);
    expect(rows.map((r) => [r[0], r[2], r[5]])).toEqual([
      ['late', weekly.number, '2026-01-12'],
      ['missing', weekly.number, '2026-01-19'],
    ]);
    expect(await auditCount('logbook.missing_exported')).toBe(before + 1);
  });

  it('refuses a window longer than a year', async () => {
    const res = await call(
      'obuasiOfficer',
      'GET',
      `/api/v1/logbooks/missing?areaId=${t.fx.areas.obuasi.id}&from=2024-01-01&asOf=2026-02-02`,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('logbook.window_too_long');
  });
});

describe('GET /licences/:id/logbook.pdf', () => {
  it('prints a blank logbook: the holder, the licence, a row per week and a QR to the entry screen', async () => {
    at('2026-02-04T09:00:00Z');
    const res = await call('obuasiOfficer', 'GET', `/api/v1/licences/${weekly.id}/logbook.pdf?periods=10`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const bytes = new Uint8Array(res.rawPayload);
    const doc = await PDFDocument.load(bytes);
    // Eight rows to a page: ten weeks take two.
    expect(doc.getPageCount()).toBe(2);
    const text = await pdfTextLines(bytes);
    expect(text).toContain('PRODUCTION LOGBOOK');
    expect(text).toContain(`Licence ${weekly.number}`);
    expect(text).toContain(`Holder: Ama Logbook1`);
    expect(text).toContain('Mercury used (g)');
    // The first row is the current week (Monday 2 February), the last the tenth (6 to 12 April).
    expect(text).toContain(documentDate('en', '2026-02-02'));
    expect(text).toContain(`- ${documentDate('en', '2026-02-08')}`);
    expect(text).toContain(`- ${documentDate('en', '2026-04-12')}`);
    expect(text).not.toContain(`- ${documentDate('en', '2026-04-19')}`);
    expect(await qrTextOfCardPdf(bytes)).toMatch(new RegExp(`/licensing/licences/${weekly.id}/logbook$`));
  });

  it('prints monthly rows for a monthly tier, from a chosen month', async () => {
    const res = await call(
      'obuasiOfficer',
      'GET',
      `/api/v1/licences/${monthly.id}/logbook.pdf?periods=3&from=2026-03-15`,
    );
    expect(res.statusCode).toBe(200);
    const text = await pdfTextLines(new Uint8Array(res.rawPayload));
    expect(text).toContain('One row per month');
    expect(text.filter((l) => l.startsWith('- ')).length).toBe(3);
  });

  it('refuses more periods than a year of weeks', async () => {
    const res = await call('obuasiOfficer', 'GET', `/api/v1/licences/${weekly.id}/logbook.pdf?periods=53`);
    expect(res.statusCode).toBe(400);
  });
});

describe('mercury risk hook', () => {
  it('gives the flag evidence for a report of mercury used, with the custody actors of the holder', async () => {
    at('2026-02-04T09:00:00Z');
    const actor = await call('admin', 'POST', '/api/v1/custody/actors', {
      kind: 'miner',
      name: 'Ama Logbook1',
      areaId: t.fx.areas.obuasi.id,
      personId: weekly.holder,
    });
    expect(actor.statusCode, actor.body).toBe(201);
    const res = await call(
      'obuasiOfficer',
      'POST',
      '/api/v1/logbooks',
      report({ periodStart: '2026-01-26', mercuryUsedMg: 2_000 }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const dto = res.json() as LogbookReportDto;
    expect(await mercuryUseReported(t.database.db, dto)).toMatchObject({
      reason: 'mercury_use',
      reportId: dto.id,
      licenceId: weekly.id,
      mercuryUsedMg: 2_000,
      periodStart: '2026-01-26',
      custodyActorIds: [actor.json().id],
    });
    expect(await mercuryUseReported(t.database.db, { ...dto, mercuryUsedMg: 0 })).toBeNull();
    expect(await mercuryUseReported(t.database.db, { ...dto, mercuryUsedMg: null })).toBeNull();
    const audit = await t.database.db
      .selectFrom('audit_events')
      .select('meta')
      .where('entity_id', '=', dto.id)
      .executeTakeFirstOrThrow();
    expect(audit.meta).toMatchObject({ mercuryUseReported: true });

    // The report raised one mercury flag on the chain of custody; sending it again raises no second.
    const flags = async () =>
      (await call('admin', 'GET', '/api/v1/custody/flags?code=mercury_use')).json().items as {
        evidence: { reportId?: string };
      }[];
    const raised = (await flags()).filter((f) => f.evidence.reportId === dto.id);
    expect(raised).toHaveLength(1);
    const again = await call(
      'obuasiOfficer',
      'POST',
      '/api/v1/logbooks',
      report({ periodStart: '2026-01-26', mercuryUsedMg: 2_000 }),
    );
    expect(again.statusCode, again.body).toBe(200);
    expect((await flags()).filter((f) => f.evidence.reportId === dto.id)).toHaveLength(1);
  });
});
