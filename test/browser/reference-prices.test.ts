/**
 * Reference prices on screen. The demo loads one illustrative price of gold a day for the last 90
 * days (src/server/demo/reference-prices-seed.ts): the page opens on them, newest first, 30 at a time
 * with "load more", and charts the period. The national supervisor, who manages due diligence over
 * the whole country, sets today's price and sees it at the top of the list and as the chart's latest
 * point; a price that is no amount is refused beside its field. An auditor and a district officer
 * (who manages incidents in a district only) get no form, and the server refuses the district officer
 * too. Every state passes axe-core, and the page is used at 360 px.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { AUDITOR, browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const { withPage } = browserForFile(baseUrl);
/** Kwame Boateng, national supervisor of Ghana (src/server/demo/seed.ts). */
const NATIONAL_SUPERVISOR = '+233200000002';
const FORM = "Set a day's price";

const run = Date.now().toString(36);
/** Ghana counts its days in Africa/Accra, which is UTC all year. */
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) =>
  new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
/** As the interface writes them ('en'), whatever the browser's region. */
const ghs = (minor: number) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: 'GHS' }).format(minor / 100);
const dayText = (day: string) =>
  new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );

const table = (page: Page) => page.getByRole('table', { name: 'Reference prices, newest day first' });
/** Body rows: the header row is the first. */
const rowCount = async (page: Page) => (await table(page).getByRole('row').count()) - 1;

async function openPrices(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Reference prices' })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Reference prices' }).waitFor();
  await table(page).getByRole('row').nth(1).waitFor();
}

describe('reference prices', () => {
  it('lists and charts the demo prices, and a national officer sets the day’s price', () =>
    withPage(async (page) => {
      await signIn(page, NATIONAL_SUPERVISOR);
      await openPrices(page);
      // Gold over the last 90 days, named in the address.
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual({
        mineral: 'gold',
        from: daysAgo(89),
        to: today,
      });
      await table(page).getByRole('row').filter({ hasText: 'Illustrative (demo)' }).first().waitFor();
      await expect(rowCount(page)).resolves.toBe(30);
      const more = page.getByRole('button', { name: 'Load more' });
      await more.click();
      await expect.poll(() => rowCount(page)).toBe(60);
      await more.click();
      await expect.poll(() => rowCount(page)).toBe(90);
      await expect(more.count()).resolves.toBe(0);
      await table(page)
        .getByRole('row')
        .last()
        .getByText(dayText(daysAgo(89)))
        .waitFor();
      const chart = page.getByRole('img', { name: /^Reference price per gram of fine mineral \(Gold\)/ });
      await expect(chart.getAttribute('data-points')).resolves.toBe('90');
      await expectAccessible(page, 'reference prices');

      await page.locator('summary', { hasText: FORM }).click();
      const form = page.getByRole('form', { name: FORM });
      // Today in the country, its currency.
      await expect(form.getByLabel('Day').inputValue()).resolves.toBe(today);
      await expect(form.getByLabel('Currency').inputValue()).resolves.toBe('GHS');
      await form.getByLabel('Price per gram of fine mineral').fill('1 455.55');
      await form.getByLabel('Source').fill(`Bank of Ghana fixing, browser test ${run}`);
      await expectAccessible(page, 'reference prices with the form open');
      await form.getByRole('button', { name: 'Save the price' }).click();
      await form.getByText(`The reference price of ${dayText(today)} was saved: ${ghs(145_555)}.`).waitFor();

      // At the top of the list (replacing the demo's price of the day) and the chart's latest point.
      const first = table(page).getByRole('row').nth(1);
      await first.filter({ hasText: `Bank of Ghana fixing, browser test ${run}` }).waitFor();
      await expect(first.textContent()).resolves.toContain(ghs(145_555));
      await expect(first.textContent()).resolves.toContain(dayText(today));
      await expect
        .poll(() => chart.getAttribute('aria-label'))
        .toContain(`latest ${ghs(145_555)} on ${dayText(today)}`);
      await expect(page.locator('.price-chart dl').textContent()).resolves.toContain(`Latest${ghs(145_555)}`);
      await expect(chart.getAttribute('data-points')).resolves.toBe('90');

      // A week: seven days, all on one page.
      const filters = page.getByRole('search', { name: 'Choose the mineral and the dates' });
      await filters.getByLabel('From').fill(daysAgo(6));
      await filters.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => chart.getAttribute('data-points')).toBe('7');
      await expect.poll(() => rowCount(page)).toBe(7);
      await expect(page.getByRole('button', { name: 'Load more' }).count()).resolves.toBe(0);
      // A period ending before it starts is refused where it is typed.
      await filters.getByLabel('To').fill(daysAgo(10));
      await filters.getByRole('button', { name: 'Search' }).click();
      await filters.getByText('The last day must not be before the first.').waitFor();
      expect(new URL(page.url()).searchParams.get('to')).toBe(today);
    }));

  it('shows what is wrong with a price beside its field', () =>
    withPage(async (page) => {
      await signIn(page, NATIONAL_SUPERVISOR);
      await openPrices(page);
      await page.locator('summary', { hasText: FORM }).click();
      const form = page.getByRole('form', { name: FORM });
      const price = form.getByLabel('Price per gram of fine mineral');
      const expected = 'Enter a price above zero in GHS, with at most 2 decimals, such as 1250.00.';
      for (const wrong of ['14O0', '0', '1400.505']) {
        await price.fill(wrong);
        await form.getByLabel('Source').fill('Bank of Ghana fixing');
        await form.getByRole('button', { name: 'Save the price' }).click();
        await form.getByText(expected).waitFor();
        await expect(price.getAttribute('aria-invalid')).resolves.toBe('true');
        // The field is focused, so what needs correcting is where the user is.
        await expect(price.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      }
      await form.getByText('Some fields need correcting', { exact: false }).waitFor();
      await expectAccessible(page, 'the price form refused');
      // Nothing was saved: the list still starts with the price of another source.
      await expect(form.getByText('was saved').count()).resolves.toBe(0);
    }));

  it('offers no form to a role that may not set prices, and the server refuses it too', () =>
    withPage(async (page) => {
      // The auditor reads custody records and manages nothing.
      await signIn(page, AUDITOR);
      await openPrices(page);
      await page
        .getByText('Reference prices are set by a national officer who manages due diligence.')
        .waitFor();
      await expect(page.locator('summary', { hasText: FORM }).count()).resolves.toBe(0);
      await expect(page.getByRole('form', { name: FORM }).count()).resolves.toBe(0);

      // A district officer manages incidents, in a district: prices are the whole country's.
      await page.context().clearCookies();
      await signIn(page, DISTRICT_OFFICER);
      await openPrices(page);
      await page
        .getByText('Reference prices are set by a national officer who manages due diligence.')
        .waitFor();
      await expect(page.locator('summary', { hasText: FORM }).count()).resolves.toBe(0);
      const refused = await page.request.post('/api/v1/custody/reference-prices', {
        headers: { 'idempotency-key': `reference-prices-${run}` },
        data: {
          country: 'GH',
          mineral: 'gold',
          day: today,
          priceMinor: 140_000,
          currency: 'GHS',
          source: 'District try',
        },
      });
      expect(refused.status()).toBe(403);
      await expectAccessible(page, 'reference prices without the form');
    }));

  it('works on a 360 px screen', () =>
    withPage(async (page) => {
      await signIn(page, NATIONAL_SUPERVISOR);
      await page.goto('/custody/reference-prices');
      await page.getByRole('heading', { level: 1, name: 'Reference prices' }).waitFor();
      await table(page).getByRole('row').nth(1).waitFor();
      await page.locator('summary', { hasText: FORM }).click();
      await page.getByRole('img', { name: /^Reference price per gram/ }).waitFor();
      // On failure, the first elements reaching past the right edge say where to look.
      const { overflow, past } = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        past: Array.from(document.querySelectorAll('main *'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
      }));
      expect(overflow, `the page is wider than the screen: ${past.join(', ')}`).toBeLessThanOrEqual(0);
      const chartWidth = await page
        .locator('.price-chart svg')
        .evaluate((svg) => svg.getBoundingClientRect().width);
      expect(chartWidth).toBeGreaterThan(250);
      await expectAccessible(page, 'reference prices at 360 px');
    }, 360));
});
