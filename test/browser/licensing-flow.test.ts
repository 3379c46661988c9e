/**
 * The main licensing flow in the browser, as a district officer does it: a miner is registered on
 * the registry screen and applies from their page through the form, the application is submitted, reviewed against the tier's checklist, approved and
 * issued; the licence's card is previewed and its QR code, read back from the screenshot, opens the
 * public check, which says "valid". Every licensing screen passes axe-core.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { decodeQrPng, qrTextOfCardPdf } from '../support/card-qr.ts';
import { browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;
/** Ghana's district-level tier (profiles/ghana/profile.json): at most 2 ha, four requirements. */
const TIER = 'artisanal_community_permit';

let n = 0;
/** A person registered through the API in the officer's district, as the registry screen would. */
async function registerPerson(page: Page): Promise<{ id: string; familyName: string }> {
  const me = await (await page.request.get('/api/v1/me')).json();
  const familyName = `Flowtest${Date.now().toString(36)}${++n}`;
  const res = await page.request.post('/api/v1/people', {
    headers: { 'idempotency-key': `person-${familyName}` },
    data: {
      givenName: 'Esi',
      familyName,
      sex: 'female',
      areaId: me.grants[0].areaId,
      checkDuplicates: false,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return { id: (await res.json()).id, familyName };
}

/**
 * Registers a miner on the registry screen, in the officer's district, and opens their page.
 * A unique family name keeps the duplicate check quiet.
 */
async function registerPersonOnScreen(page: Page): Promise<{ id: string; familyName: string }> {
  const familyName = `Flowtest${Date.now().toString(36)}${++n}`;
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Miners and workers' })
    .click();
  await page.getByRole('link', { name: 'Register a miner' }).click();
  await page.getByRole('heading', { level: 1, name: 'Register a miner' }).waitFor();
  await page.getByLabel('Given name').fill('Esi');
  await page.getByLabel('Family name').fill(familyName);
  await page.getByLabel('Sex').selectOption({ label: 'Female' });
  await page.getByLabel('Date of birth').fill('1994-07-21');
  const area = page.getByRole('group', { name: /Area of residence/ });
  await area.getByLabel('Region').selectOption({ label: 'Ashanti Region' });
  await area.getByLabel('District').selectOption({ label: 'Ashanti Demo District 1' });
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await page.waitForURL((url) => /\/registry\/people\/[0-9a-f-]{36}$/.test(url.pathname));
  await page.getByRole('heading', { level: 1, name: `Esi ${familyName}` }).waitFor();
  return { id: page.url().split('/').pop()!, familyName };
}

/** Fills the application form for a person found by name, then submits it. */
async function applyFor(page: Page, familyName: string, hectares: string): Promise<string> {
  await page.goto('/licensing/applications/new');
  await page.getByRole('heading', { level: 1, name: 'New licence application' }).waitFor();
  await page.getByLabel('Search by name').fill(familyName);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(`Choose Esi ${familyName}`) }).click();
  await page.getByText(`Esi ${familyName}`).first().waitFor();
  await page.getByLabel('Licence tier').selectOption(TIER);
  await page.getByLabel('Requested area (hectares)').fill(hectares);
  await page.getByRole('button', { name: 'Submit the application' }).click();
  await page.waitForURL(/\/licensing\/applications\/[0-9a-f-]{36}$/);
  await page.getByText('The application was submitted and its fee assessed.').waitFor();
  return page.url().split('/').pop()!;
}

async function reviewAndTickAll(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start the review' }).click();
  await page.getByText('The review has started.', { exact: false }).waitFor();
  const items = page.locator('form.checklist-item');
  const count = await items.count();
  expect(count).toBe(4);
  for (let i = 0; i < count; i++) {
    const item = items.nth(i);
    await item.getByRole('checkbox').check();
    await item.getByLabel('Note').fill(`Seen on ${i + 1}`);
    await item.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => item.getByText('Recorded as met.').count()).toBe(1);
  }
  await page.getByText('Met: 4 of 4.').waitFor();
}

/** Records the whole fee in cash, as the office does before issuing. */
async function payFee(page: Page, reference: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Record a payment' });
  await form.getByLabel('Reference').fill(reference);
  await form.getByRole('button', { name: 'Record the payment' }).click();
  await page.getByText('Paid in full').waitFor();
}

let licenceUrl = '';

describe('licensing main flow', () => {
  it('applies, submits, reviews, approves, issues, prints the card and verifies its QR code', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Applications queue' }).waitFor();
      const person = await registerPersonOnScreen(page);
      await expectAccessible(page, "the new miner's page");

      // From the miner's page to the form: tiers the holder may hold, with their facts; the tier's
      // maximum area is enforced.
      await page.getByRole('link', { name: 'Apply for a licence' }).click();
      await page.waitForURL((url) => url.pathname === '/licensing/applications/new');
      expect(new URL(page.url()).searchParams.get('holderId')).toBe(person.id);
      await page.getByRole('heading', { level: 1, name: 'New licence application' }).waitFor();
      await page.getByText(`Esi ${person.familyName}`).first().waitFor();
      // The tiers come with the holder's eligibility, after the form: wait for them before reading.
      await page.getByLabel('Licence tier').locator(`option[value="${TIER}"]`).waitFor({ state: 'attached' });
      const tiers = await page
        .getByLabel('Licence tier')
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(tiers).toContain(TIER);
      expect(tiers).not.toContain('washing_plant_unit'); // for enterprises and production units only
      await page.getByLabel('Licence tier').selectOption(TIER);
      await page.getByRole('heading', { name: 'Requirements' }).waitFor();
      await page
        .getByText(/GH(S|₵)\s?100\.00|100\.00\s?GH/)
        .first()
        .waitFor();
      await page.getByLabel('Requested area (hectares)').fill('5');
      await page.getByRole('button', { name: 'Submit the application' }).click();
      await page.getByText('Enter 2 or less.').waitFor();
      await expectAccessible(page, 'application form with an error');

      const id = await applyFor(page, person.familyName, '1.5');
      await expectAccessible(page, 'submitted application');

      // The office queue lists it, with its wait against the service standard.
      await page.goto('/licensing/queue');
      await page.getByRole('heading', { level: 1, name: 'Applications queue' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: person.familyName });
      await row.waitFor();
      await expect(row.textContent()).resolves.toMatch(/0 days of 14 days/);
      await expectAccessible(page, 'queue');
      await row.getByRole('link').first().click();
      await page.waitForURL(new RegExp(`/licensing/applications/${id}$`));

      await reviewAndTickAll(page);
      await expectAccessible(page, 'application under review');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('The application was approved.', { exact: false }).waitFor();
      // The fee: the balance is prefilled; the receipt is listed once recorded.
      await expect(page.getByLabel('Amount (GHS)').inputValue()).resolves.toBe('100.00');
      await payFee(page, `RB-${person.familyName}`);
      await page.getByRole('link', { name: /^Receipt / }).waitFor();
      await expectAccessible(page, 'approved application with its fee paid');
      await page.getByRole('button', { name: 'Issue the licence' }).click();
      await page.waitForURL(/\/licensing\/licences\/[0-9a-f-]{36}$/);
      await page.getByText('The licence was issued.').waitFor();
      licenceUrl = new URL(page.url()).pathname;
      const licenceId = licenceUrl.split('/').pop()!;
      const number = (await page.locator('dl.facts dd').first().textContent())!.trim();
      expect(number).toMatch(/^GH-AS-ACP-\d{4}-\d{6}-[0-9A-Z]$/);
      await expectAccessible(page, 'licence');

      // The card on screen: its QR code, read from a screenshot as a phone would read it.
      await page.getByRole('button', { name: 'Print card' }).click();
      const card = page.locator('figure.licence-card');
      await card.getByRole('img', { name: /QR code/ }).waitFor();
      const box = (await card.boundingBox())!;
      expect(box.width / box.height).toBeCloseTo(85.6 / 54, 1);
      const shot = await card.screenshot();
      if (process.env.LICENCE_CARD_SHOT) writeFileSync(process.env.LICENCE_CARD_SHOT, shot);
      const decoded = decodeQrPng(shot);
      expect(decoded).toMatch(new RegExp(`^${baseUrl}/verify/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
      await expectAccessible(page, 'licence card preview');

      // The same URL as the JSON endpoint and as the QR code drawn in the PDF.
      const json = await (await page.request.get(`/api/v1/licences/${licenceId}/card`)).json();
      expect(json.verifyUrl).toBe(decoded);
      const pdfHref = await page.getByRole('link', { name: 'Download the card (PDF)' }).getAttribute('href');
      const pdf = await page.request.get(pdfHref!);
      expect(pdf.headers()['content-type']).toMatch(/application\/pdf/);
      expect(await qrTextOfCardPdf(await pdf.body())).toBe(decoded);

      // The licence list finds it by the beginning of its number.
      await page.goto(`/licensing/licences?number=${encodeURIComponent(number.slice(0, -2))}`);
      await page.getByRole('heading', { level: 1, name: 'Licences' }).waitFor();
      await page.getByRole('table').getByRole('link', { name: number }).waitFor();
      await expectAccessible(page, 'licences');

      // Anyone who scans the card sees that it is valid.
      await page.goto(decoded!);
      await page.getByText('Valid today').waitFor();
      await page.getByText(number).waitFor();
    }));

  it('changes a draft within the tier maximum, refuses a rejection without a reason, and a second active licence', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const person = await registerPerson(page);
      await applyFor(page, person.familyName, '1');
      await reviewAndTickAll(page);
      await page.getByRole('button', { name: 'Approve' }).click();
      await payFee(page, `RB-${person.familyName}-1`);
      await page.getByRole('button', { name: 'Issue the licence' }).click();
      await page.waitForURL(/\/licensing\/licences\//);

      // A second application for the same tier is approved, but cannot be issued.
      const second = await applyFor(page, person.familyName, '2');
      await page.getByRole('button', { name: 'Start the review' }).click();
      await page.getByRole('button', { name: 'Approve' }).click();
      await payFee(page, `RB-${person.familyName}-2`);
      await page.getByRole('button', { name: 'Issue the licence' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /already has an active licence of this tier/ })
        .waitFor();
      await expectAccessible(page, 'application with a refusal');

      // A third starts as a draft, is changed (within the tier's maximum), submitted, then rejected:
      // first without a reason (refused beside the field), then with one.
      await page.goto(`/licensing/applications/new?holderKind=person&holderId=${person.id}`);
      await page.getByText(`Esi ${person.familyName}`).first().waitFor();
      await page.getByLabel('Licence tier').selectOption(TIER);
      await page.getByLabel('Requested area (hectares)').fill('0.5');
      await page.getByRole('button', { name: 'Save as draft' }).click();
      await page.getByText('The draft was saved.').waitFor();
      const draft = page.getByRole('form', { name: 'Change the draft' });
      await draft.getByLabel('Requested area (hectares)').fill('3');
      await draft.getByRole('button', { name: 'Save the changes' }).click();
      await draft.getByText('Enter 2 or less.').waitFor();
      await draft.getByLabel('Requested area (hectares)').fill('1.25');
      await draft.getByRole('button', { name: 'Save the changes' }).click();
      await page.getByRole('definition').filter({ hasText: '1.25 hectares' }).waitFor();
      await expectAccessible(page, 'draft application');
      await page.getByRole('button', { name: 'Submit the application' }).click();
      await page.getByText('The application was submitted and its fee assessed.').waitFor();
      await page.getByRole('button', { name: 'Start the review' }).click();
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByText('Give the reason for the rejection.').waitFor();
      expect(await page.getByLabel('Reason for a rejection').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Reason for a rejection').fill('Plot outside the community scheme block');
      await page.getByRole('button', { name: 'Reject' }).click();
      await page.getByText('The application was rejected.', { exact: false }).waitFor();
      await page.getByText('Plot outside the community scheme block').first().waitFor();
      expect(second).not.toBe('');
    }));

  it('suspends and reinstates the licence, and fits a 360 px wide screen', () =>
    withPage(async (page) => {
      expect(licenceUrl).not.toBe('');
      await signIn(page, DISTRICT_OFFICER);
      for (const path of [
        '/licensing/queue',
        '/licensing/applications/new',
        '/licensing/licences',
        licenceUrl,
      ]) {
        await page.goto(path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(
          360,
        );
        await expectAccessible(page, `${path} at 360 px`);
      }
      await page.getByRole('button', { name: 'Suspend the licence' }).click();
      await page.getByText('Give the reason', { exact: false }).waitFor();
      await page.getByLabel('Reason').fill('Unpaid fee');
      await page.getByRole('button', { name: 'Suspend the licence' }).click();
      await page.getByText('The licence was suspended.').waitFor();
      await page.getByLabel('What to do').selectOption('reinstate');
      await page.getByRole('button', { name: 'Reinstate the licence' }).click();
      await page.getByText('The licence was reinstated.').waitFor();
      await page.getByRole('button', { name: 'Print card' }).click();
      await page.locator('figure.licence-card svg').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    }, 360));
});
