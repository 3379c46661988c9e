/**
 * The logbook entry screen, as a district officer types a paper logbook: the page its QR code opens,
 * a refused period (not a Monday), a saved week, then a correction of that week that the officer
 * confirms, read back through the API. The licence is seeded through the API; the page passes axe.
 */
import type { APIRequestContext } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, DISTRICT_OFFICER, expectAccessible, newContext, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;
/** Ghana (profiles/ghana/profile.json): the district tier reports weekly. */
const COMMUNITY = 'artisanal_community_permit';

let seq = 0;
async function post<T>(request: APIRequestContext, path: string, data?: unknown): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { 'idempotency-key': `logbook-${Date.now()}-${++seq}` },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const run = Date.now().toString(36);
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
/** The Monday of this week (Ghana keeps UTC), and the Tuesday after it. */
const today = new Date(`${dayOf(new Date())}T00:00:00Z`);
const monday = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * 86_400_000);
const tuesday = new Date(monday.getTime() + 86_400_000);

let licence = { id: '', number: '' };

describe('logbook entry screen', () => {
  beforeAll(async () => {
    const context = await newContext(session.browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, DISTRICT_OFFICER);
    const districtArea = (await (await page.request.get('/api/v1/me')).json()).grants[0].areaId;
    await context.close();

    const admin = await newContext(session.browser, baseUrl);
    const p = await admin.newPage();
    await signIn(p, ADMIN);
    const r = p.request;
    const person = await post<{ id: string }>(r, '/people', {
      givenName: 'Abena',
      familyName: `Logbook${run}`,
      sex: 'female',
      birthDate: '1988-03-01',
      areaId: districtArea,
      checkDuplicates: false,
      idDocument: { type: 'ghana_card', number: `GHA-LOG-${run}` },
    });
    const a = await post<{ id: string }>(r, '/licence-applications', {
      tierCode: COMMUNITY,
      holderKind: 'person',
      holderId: person.id,
      requestedAreaHectares: 1,
    });
    await post(r, `/licence-applications/${a.id}/submit`);
    await post(r, `/licence-applications/${a.id}/review`);
    await post(r, `/licence-applications/${a.id}/decision`, { outcome: 'approve' });
    const fee = (await (await r.get(`/api/v1/licence-applications/${a.id}/payments`)).json()) as {
      balanceMinor: number;
      currency: string;
    };
    if (fee.balanceMinor > 0)
      await post(r, `/licence-applications/${a.id}/payments`, {
        amountMinor: fee.balanceMinor,
        currency: fee.currency,
        method: 'cash',
        reference: `LOG-${a.id.slice(-8)}`,
      });
    licence = await post<{ id: string; number: string }>(r, `/licence-applications/${a.id}/issue`);
    await admin.close();
  });

  it('saves a week typed from paper, refuses a misaligned period, and corrects the week on confirmation', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto(`/licensing/licences/${licence.id}/logbook`);
      await page.getByRole('heading', { level: 1, name: 'Logbook entry' }).waitFor();
      await page.getByText(`Licence ${licence.number}`).waitFor();
      await expectAccessible(page, 'logbook entry');

      await page.getByLabel(/^Period starting/).fill(dayOf(tuesday));
      await page.getByLabel(/^Ore mined/).fill('1.5');
      await page.getByLabel(/^Unit of ore/).selectOption('t');
      await page.getByLabel(/^Mineral produced/).fill('12.5');
      await page.getByLabel(/^Women working/).fill('3');
      await page.getByLabel(/^Men working/).fill('5');
      await page.getByLabel(/^Mercury used/).fill('0');
      // Costs in the country's currency (the profile's, from /client-config), not a default.
      await page.getByLabel('Operating costs (GHS)').fill('450.50');
      await page.getByRole('button', { name: 'Save the period' }).click();
      await page.getByText(/must start on the first day of a reporting period/).waitFor();

      await page.getByLabel(/^Period starting/).fill(dayOf(monday));
      await page.getByRole('button', { name: 'Save the period' }).click();
      await page
        .getByRole('status')
        .getByText(`Saved: the period from ${dayOf(monday)}`)
        .waitFor();

      // Other figures for the same week: the screen asks before replacing what is on file.
      await page.getByLabel(/^Mineral produced/).fill('14');
      await page.getByRole('button', { name: 'Save the period' }).click();
      const ask = page.getByRole('alert').filter({ hasText: 'already reported with other figures' });
      await ask.waitFor();
      await expectAccessible(page, 'logbook entry, period already reported');
      await ask.getByRole('button', { name: 'Replace the figures' }).click();
      await page
        .getByRole('status')
        .getByText(`Saved: the period from ${dayOf(monday)}`)
        .waitFor();

      const list = (await (await page.request.get(`/api/v1/logbooks?licenceId=${licence.id}`)).json()) as {
        items: {
          periodStart: string;
          mineralMassMg: number;
          oreMinedKg: number;
          version: number;
          source: string;
          operatingCosts: { amountMinor: number; currency: string } | null;
        }[];
      };
      expect(list.items).toEqual([
        expect.objectContaining({
          periodStart: dayOf(monday),
          mineralMassMg: 14_000,
          oreMinedKg: 1500,
          version: 2,
          source: 'officer_from_paper',
          operatingCosts: { amountMinor: 45_050, currency: 'GHS' },
        }),
      ]);
    }));
});
