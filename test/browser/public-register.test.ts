/**
 * The public register page: opens without sign-in, lists the demo licences (the demo seed pays their
 * fees and issues them), filters by area, offers the filtered list as CSV, and is accessible.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectAccessible, launch, newContext } from './browser.ts';

let browser: Browser;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('public licence register', () => {
  it('lists active licences without sign-in, filters them, and links the CSV of the filter', async () => {
    const context = await newContext(browser, baseUrl, 360);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto('/register');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
        'Public register of mining licences',
      );
      const rows = page.locator('table tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBeGreaterThan(0);
      await expectAccessible(page, 'register');

      await page.getByLabel('Area', { exact: true }).fill('gh-zz-none');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/area=GH-ZZ-NONE/);
      const csv = page.getByRole('link', { name: 'Download the list (CSV)' });
      await expect.poll(() => csv.getAttribute('href')).toBe('/api/v1/public/licences.csv?area=GH-ZZ-NONE');

      const all = await page.request.get('/api/v1/public/licences.csv');
      expect(all.status()).toBe(200);
      expect((await all.text()).split('\r\n')[0]).toBe(
        'number,tier_code,tier_name,holder,area_name,area_code,country,valid_from,valid_to',
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
