/**
 * The licence page beyond issue, as the national administrator uses it: progressive conditions
 * (added, one overdue then waived, one marked met), the encumbrance register (a mortgage registered,
 * then released), a transfer to another holder with the creditor's consent, the supported step up to
 * the next tier (requirements met, missing and to check, with the support offered, and the link that
 * opens the application form on that tier), the history from the events endpoints, and the A4 sheet
 * of cards from the licences list. The licences are seeded through the API; every screen passes axe.
 */
import type { APIRequestContext } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, DISTRICT_OFFICER, expectAccessible, newContext, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;
/** Ghana (profiles/ghana/profile.json): the district tier leads to the small-scale licence. */
const COMMUNITY = 'artisanal_community_permit';
const SMALL_SCALE = 'small_scale_licence';

let seq = 0;
async function post<T>(request: APIRequestContext, path: string, data?: unknown): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { 'idempotency-key': `lifecycle-${Date.now()}-${++seq}` },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

interface Seeded {
  id: string;
  number: string;
  applicationId: string;
  familyName: string;
}

const run = Date.now().toString(36);
let districtArea = '';

async function person(request: APIRequestContext, label: string, withId: boolean) {
  const familyName = `Life${label}${run}`;
  const p = await post<{ id: string }>(request, '/people', {
    givenName: 'Ama',
    familyName,
    sex: 'female',
    birthDate: '1990-05-01',
    areaId: districtArea,
    checkDuplicates: false,
    ...(withId ? { idDocument: { type: 'ghana_card', number: `GHA-${run}-${label}` } } : {}),
  });
  return { id: p.id, familyName };
}

/** An application taken through the whole workflow by the API: submitted, reviewed, approved, paid, issued. */
async function issue(request: APIRequestContext, holderId: string, tierCode: string): Promise<string> {
  const a = await post<{ id: string }>(request, '/licence-applications', {
    tierCode,
    holderKind: 'person',
    holderId,
    requestedAreaHectares: 1,
  });
  await post(request, `/licence-applications/${a.id}/submit`);
  await post(request, `/licence-applications/${a.id}/review`);
  await post(request, `/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  const fee = (await (await request.get(`/api/v1/licence-applications/${a.id}/payments`)).json()) as {
    balanceMinor: number;
    currency: string;
  };
  await post(request, `/licence-applications/${a.id}/payments`, {
    amountMinor: fee.balanceMinor,
    currency: fee.currency,
    method: 'cash',
    reference: `RB-${a.id.slice(-8)}`,
  });
  const l = await post<{ id: string }>(request, `/licence-applications/${a.id}/issue`);
  return l.id;
}

async function licence(request: APIRequestContext, holder: { id: string; familyName: string }, tier: string) {
  const id = await issue(request, holder.id, tier);
  const l = (await (await request.get(`/api/v1/licences/${id}`)).json()) as {
    number: string;
    applicationId: string;
  };
  return { id, number: l.number, applicationId: l.applicationId, familyName: holder.familyName };
}

let community: Seeded;
let noId: Seeded;
let smallScale: Seeded;
let newHolder = { id: '', familyName: '' };

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('licence lifecycle and rights screens', () => {
  beforeAll(async () => {
    // The district the officer serves, for the people registered below.
    const context = await newContext(session.browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, DISTRICT_OFFICER);
    districtArea = (await (await page.request.get('/api/v1/me')).json()).grants[0].areaId;
    await context.close();

    const admin = await newContext(session.browser, baseUrl);
    const p = await admin.newPage();
    await signIn(p, ADMIN);
    const r = p.request;
    community = await licence(r, await person(r, 'Card', true), COMMUNITY);
    noId = await licence(r, await person(r, 'NoCard', false), COMMUNITY);
    smallScale = await licence(r, await person(r, 'Small', true), SMALL_SCALE);
    newHolder = await person(r, 'Buyer', true);
    await admin.close();
  });

  it('adds conditions, flags and waives an overdue one, marks one met, and lists the history', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto(`/licensing/licences/${community.id}`);
      await page.getByRole('heading', { level: 1, name: `Licence ${community.number}` }).waitFor();
      const conditions = page.getByRole('region', { name: 'Conditions', exact: true });
      // The tier's own conditions were set at issue (profiles/ghana: level 1 of the improvement standard).
      await conditions.getByText(/improvement level 1/).waitFor();

      const add = page.getByRole('form', { name: 'Add a condition' });
      await add.getByRole('button', { name: 'Add the condition' }).click();
      await add.getByText('Say what the holder must do.').waitFor();
      await add.getByLabel('What the holder must do').fill('Fence the open pits');
      await add.getByLabel('Due date').fill(inDays(60));
      await add.getByRole('button', { name: 'Add the condition' }).click();
      await conditions.getByText('The condition was added.').waitFor();
      await add.getByLabel('What the holder must do').fill('Submit the quarterly production return');
      await add.getByLabel('Due date').fill(inDays(-3));
      await add.getByRole('button', { name: 'Add the condition' }).click();
      const late = conditions.getByRole('listitem').filter({ hasText: 'quarterly production return' });
      await late.getByText('Overdue', { exact: true }).waitFor();
      await conditions.getByText('Conditions past their due date: 1.', { exact: false }).waitFor();
      await expectAccessible(page, 'licence with conditions');

      // Waived with a reason; the note is required first.
      await late.getByRole('button', { name: 'Waive' }).click();
      await late.getByText('Say what evidence was seen, or why the condition is waived.').waitFor();
      await late.getByLabel('Evidence seen, or why it is waived').fill('Mine closed for the rainy season');
      await late.getByRole('button', { name: 'Waive' }).click();
      await conditions.getByText('Waived: Submit the quarterly production return.').waitFor();
      await expect
        .poll(() => conditions.getByText('Conditions past their due date', { exact: false }).count())
        .toBe(0);

      const fence = conditions.getByRole('listitem').filter({ hasText: 'Fence the open pits' });
      await fence.getByLabel('Evidence seen, or why it is waived').fill('Fences seen on the visit of 3 May');
      await fence.getByRole('button', { name: 'Mark met' }).click();
      await conditions.getByText('Marked met: Fence the open pits.').waitFor();
      await fence.getByText('Evidence seen: Fences seen on the visit of 3 May').waitFor();
      await fence.getByText('Met', { exact: true }).waitFor();

      // A community permit grants neither transfer nor mortgage: no register, no transfer form.
      expect(await page.getByRole('heading', { name: 'Encumbrance register' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Transfers' }).count()).toBe(0);
      // Issued today: renewal opens later.
      await page.getByText(/^Renewal opens on /).waitFor();

      // The history from the events endpoint: every step of the workflow, oldest first.
      const history = page.getByRole('region', { name: 'History', exact: true });
      const steps = await history.locator('li strong').allTextContents();
      expect(steps).toEqual([
        'Application started',
        'Submitted, fee assessed',
        'Review started',
        'Approved',
        'Licence issued',
        'Licence in force',
      ]);
      await expectAccessible(page, 'licence after the conditions');

      await page.getByRole('link', { name: 'Open the application' }).click();
      await page.waitForURL(new RegExp(`/licensing/applications/${community.applicationId}$`));
      const appHistory = page.getByRole('region', { name: 'History', exact: true });
      await page.getByRole('heading', { level: 1, name: /^Application / }).waitFor();
      await expect
        .poll(async () => (await appHistory.locator('li strong').allTextContents()).slice(0, 5))
        .toEqual(steps.slice(0, 5));
    }));

  it('shows the next step up with met, missing and to check, the support, and opens the form on that tier', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto(`/licensing/licences/${noId.id}`);
      const panel = page.getByRole('region', { name: 'Next step up', exact: true });
      await panel.getByText('Small-scale mining licence').first().waitFor();
      const card = panel.getByRole('listitem').filter({ hasText: 'Ghana Card of the applicant' }).first();
      await card.getByText('Missing', { exact: true }).waitFor();
      await card.getByText('Support available:').waitFor();
      await card.getByText('registers applicants for the Ghana Card').waitFor();
      await panel.getByText('To check', { exact: true }).first().waitFor();
      await panel.getByRole('heading', { name: 'What it brings in addition' }).waitFor();
      await expectAccessible(page, 'next tier with a missing requirement');

      await page.goto(`/licensing/licences/${community.id}`);
      const met = page
        .getByRole('region', { name: 'Next step up', exact: true })
        .getByRole('listitem')
        .filter({ hasText: 'Ghana Card of the applicant' })
        .first();
      await met.getByText('Met', { exact: true }).waitFor();
      await met.getByText('(from the registry)').waitFor();
      const apply = page.getByRole('link', { name: 'Apply for Small-scale mining licence' });
      const href = (await apply.getAttribute('href'))!;
      expect(href).toContain(`tierCode=${SMALL_SCALE}`);
      expect(href).toContain('holderKind=person');
      await apply.click();
      await page.getByRole('heading', { level: 1, name: 'New licence application' }).waitFor();
      await expect.poll(() => page.getByLabel('Licence tier').inputValue()).toBe(SMALL_SCALE);
      await page.getByText(`Ama ${community.familyName}`).first().waitFor();
    }));

  it('registers a mortgage, transfers with the creditor consent, then releases it', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto(`/licensing/licences/${smallScale.id}`);
      const register = page.getByRole('region', { name: 'Encumbrance register', exact: true });
      await register.getByText('No mortgage, lien or charge is registered on this licence.').waitFor();
      const form = page.getByRole('form', { name: 'Register a mortgage, lien or charge' });
      await form.getByLabel('Kind').selectOption('mortgage');
      await form.getByLabel('Creditor').fill('Akuapem Rural Bank');
      await form.getByLabel('Amount secured').fill('5000.50');
      await expect(form.getByLabel('Currency').inputValue()).resolves.toBe('GHS');
      await form.getByLabel('Reference of the deed').fill('ARB-2026-0042');
      await form.getByRole('button', { name: 'Register the encumbrance' }).click();
      await register.getByText('The encumbrance of Akuapem Rural Bank was registered.').waitFor();
      const entry = register.getByRole('listitem').filter({ hasText: 'Akuapem Rural Bank' });
      await entry.getByText('Active', { exact: true }).waitFor();
      await entry.getByText(/5,000\.50/).waitFor();
      await expectAccessible(page, 'encumbrance register');

      // The transfer: the new holder is searched by name; the mortgage asks for the creditor's consent.
      const transfer = page.getByRole('form', { name: 'Transfer the licence to another holder' });
      await transfer.getByText('The licence is encumbered', { exact: false }).waitFor();
      await transfer.getByLabel('Search by name').fill(newHolder.familyName);
      await transfer.getByRole('button', { name: 'Search', exact: true }).click();
      await transfer.getByRole('button', { name: new RegExp(`Choose Ama ${newHolder.familyName}`) }).click();
      await transfer.getByLabel('Reason for the transfer').fill('Sold with the site');
      await transfer.getByRole('button', { name: 'Transfer the licence' }).click();
      await transfer.getByText("The transfer needs the creditors' consent.").waitFor();
      await transfer.getByLabel('The creditors consented to the transfer').check();
      await transfer.getByLabel('How the creditors consented').fill('Letter of the bank of 2 June');
      await transfer.getByRole('button', { name: 'Transfer the licence' }).click();
      await page.getByText('The licence was transferred to its new holder.').waitFor();
      const transfers = page.getByRole('region', { name: 'Transfers', exact: true });
      await transfers
        .getByRole('listitem')
        .filter({ hasText: newHolder.familyName })
        .getByText("with the creditors' consent")
        .waitFor();
      await page
        .locator('dl.facts')
        .getByRole('link', { name: new RegExp(newHolder.familyName) })
        .waitFor();
      const history = page.getByRole('region', { name: 'History', exact: true });
      await history.getByText('Change recorded').waitFor();

      await entry.getByRole('button', { name: 'Release the encumbrance of Akuapem Rural Bank' }).click();
      await register.getByText('The encumbrance of Akuapem Rural Bank was released.').waitFor();
      await entry.getByText('Released', { exact: true }).waitFor();
      await expect.poll(() => page.getByText('The licence is encumbered', { exact: false }).count()).toBe(0);
      await expectAccessible(page, 'licence after a transfer and a release');
    }));

  it('renews a licence about to end, and says when a renewal is already in progress', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      // The demo seed has licences ending within days: their renewal window is open.
      const all = (await (await page.request.get('/api/v1/licences?status=active&limit=500')).json()) as {
        items: { id: string; number: string; validTo: string }[];
      };
      const ending = all.items.find((l) => l.validTo <= inDays(60));
      expect(ending, 'a demo licence ending within 60 days').toBeDefined();
      await page.goto(`/licensing/licences/${ending!.id}`);
      await page.getByText(/^Renewal is open until /).waitFor();
      await expectAccessible(page, 'licence in its renewal window');
      await page.getByRole('button', { name: 'Renew the licence' }).click();
      await page.waitForURL(/\/licensing\/applications\/[0-9a-f-]{36}$/);
      await page.getByText('The renewal application was started as a draft.', { exact: false }).waitFor();
      await page.getByText('Renewal of licence').waitFor();
      await page.getByRole('link', { name: ending!.number }).waitFor();
      await expectAccessible(page, 'renewal application');
      const renewal = page.url();

      await page.goto(`/licensing/licences/${ending!.id}`);
      await page.getByRole('button', { name: 'Renew the licence' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'A renewal of this licence is already in progress.' })
        .waitFor();
      await page.getByRole('link', { name: 'Open the renewal in progress' }).click();
      await page.waitForURL(renewal);
    }));

  it('prints the chosen licences on an A4 sheet, and the licence page fits 360 px', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto('/licensing/licences');
      await page.getByRole('heading', { level: 1, name: 'Licences' }).waitFor();
      await page
        .getByRole('checkbox', { name: `Select licence ${community.number} for the card sheet` })
        .check();
      await page
        .getByRole('checkbox', { name: `Select licence ${smallScale.number} for the card sheet` })
        .check();
      await page.getByText('Selected for the card sheet: 2 of at most 200.').waitFor();
      const link = page.getByRole('link', { name: 'Print the cards on A4 (2)' });
      const href = (await link.getAttribute('href'))!;
      expect(href).toBe(`/api/v1/licences/cards.pdf?ids=${community.id},${smallScale.id}`);
      const pdf = await page.request.get(href);
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toMatch(/application\/pdf/);
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
      await expectAccessible(page, 'licences with a selection');

      await page.setViewportSize({ width: 360, height: 900 });
      for (const path of [
        '/licensing/licences',
        `/licensing/licences/${smallScale.id}`,
        `/licensing/licences/${community.id}`,
      ]) {
        await page.goto(path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(
          360,
        );
        await expectAccessible(page, `${path} at 360 px`);
      }
    }));
});
