/**
 * Cadastre layers: the national administrator opens the screen from the navigation, creates a
 * layer, imports a GeoJSON file with one invalid feature (refused whole, the problem shown in
 * English words, nothing loaded), then again skipping it (loaded, counted, in the legend), and a CSV
 * with a typo (refused at its line). The screen passes axe and fits a 360 px phone.
 */
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const { withPage } = browserForFile(baseUrl);

const square = (w: number, s: number, size: number) => [
  [
    [w, s],
    [w + size, s],
    [w + size, s + size],
    [w, s + size],
    [w, s],
  ],
];
/** Near Obuasi (Ashanti): one good square, and a bow tie whose edges cross. */
const GEOJSON = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { ref: 'FR-1', name: 'Good reserve' },
      geometry: { type: 'Polygon', coordinates: square(-1.7, 6.2, 0.02) },
    },
    {
      type: 'Feature',
      properties: { ref: 'FR-2', name: 'Crossed reserve' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [-1.6, 6.2],
            [-1.58, 6.22],
            [-1.58, 6.2],
            [-1.6, 6.22],
            [-1.6, 6.2],
          ],
        ],
      },
    },
  ],
});

const featureCount = (page: Page, name: string) =>
  page
    .locator('tr', { has: page.getByRole('rowheader', { name, exact: true }) })
    .locator('td.num')
    .textContent();

async function importFile(page: Page, name: string, mimeType: string, text: string) {
  await page.getByLabel('File to import').setInputFiles({ name, mimeType, buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

describe('cadastre layers', () => {
  it('creates a layer and imports into it: all or nothing, then skipping the invalid feature', async () => {
    await withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Cadastre layers' }).first().click();
      await page.waitForURL(/\/cadastre\/layers$/);
      await page.getByRole('heading', { level: 1, name: 'Cadastre layers' }).waitFor();
      // The demo's satellite detections are already a layer of the country.
      await page.getByRole('rowheader').first().waitFor();

      const name = `Forest reserves ${Date.now()}`;
      await page.getByLabel('Kind of layer').selectOption({ label: 'Protected and exclusion areas' });
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel(/^Source/).fill('Forestry Commission, 2025');
      await page.getByLabel(/^Data licence/).fill('CC BY 4.0');
      await page.getByRole('button', { name: 'Create the layer' }).click();
      await page.getByText(`Layer “${name}” created.`).waitFor();
      await page.getByRole('heading', { name: `Import into “${name}”` }).waitFor();
      await expect.poll(() => featureCount(page, name)).toBe('0');

      await importFile(page, 'reserves.geojson', 'application/geo+json', GEOJSON);
      const alert = page.getByRole('alert').filter({ hasText: 'Nothing was loaded' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain('1 feature cannot be loaded');
      const problems = page.getByRole('table', { name: 'Why features cannot be loaded' });
      const row = problems.locator('tbody tr').first();
      expect(await row.locator('th').textContent()).toBe('2');
      expect(await row.textContent()).toContain('FR-2');
      expect(await row.textContent()).toContain('The boundary crosses or touches itself.');
      expect(await row.textContent()).toContain('geometry.coordinates[0]');
      expect(await featureCount(page, name)).toBe('0');
      await expectAccessible(page, 'cadastre layers, import refused');

      await page.getByLabel('Skip invalid features and load the valid ones').check();
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const done = page.getByRole('status').filter({ hasText: 'Import done' });
      await done.waitFor();
      expect(await done.textContent()).toBe('Import done: 1 feature loaded (0 repaired), 1 skipped.');
      await expect.poll(() => featureCount(page, name)).toBe('1');
      const legend = page.locator('.area-map-legend');
      await legend.getByText(`${name} (Protected and exclusion areas)`).waitFor();

      // Switched off, the layer leaves the map and its legend.
      await page.getByLabel(`Show ${name} on the map`).uncheck();
      await expect.poll(() => legend.getByText(`${name} (Protected and exclusion areas)`).count()).toBe(0);
      await page.getByLabel(`Show ${name} on the map`).check();
      await legend.getByText(`${name} (Protected and exclusion areas)`).waitFor();

      // A CSV with a typo on line 3 is refused at that line, and nothing more is loaded.
      await importFile(page, 'corners.csv', 'text/csv', 'lon,lat\n-1.5,6.2\n-1.48,6.2O\n-1.48,6.22\n');
      const csvAlert = page.getByRole('alert').filter({ hasText: 'line of the file cannot be read' });
      await csvAlert.waitFor();
      const csvRow = page
        .getByRole('table', { name: 'Lines that cannot be read' })
        .locator('tbody tr')
        .first();
      expect(await csvRow.locator('th').textContent()).toBe('3');
      expect(await csvRow.textContent()).toContain('The value is not a number.');
      expect(await featureCount(page, name)).toBe('1');

      const exportLink = page.getByRole('link', { name: `GeoJSON ${name}` });
      const res = await page.request.get((await exportLink.getAttribute('href'))!);
      expect(res.status()).toBe(200);
      expect(
        (await res.json()).features.map(
          (f: { properties: { externalRef: string } }) => f.properties.externalRef,
        ),
      ).toEqual(['FR-1']);
      await expectAccessible(page, 'cadastre layers');
    });
  });

  it('fits a 360 px phone screen', async () => {
    await withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto('/cadastre/layers');
      await page.getByRole('heading', { level: 1, name: 'Cadastre layers' }).waitFor();
      await page.getByRole('rowheader').first().waitFor();
      await page.getByRole('button', { name: 'Create the layer' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // The import panel too: the file picker and its options wrap.
      await page
        .getByRole('button', { name: /^Import ./ })
        .first()
        .click();
      await page.getByRole('heading', { name: /^Import into/ }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await expectAccessible(page, 'cadastre layers at 360 px');
    }, 360);
  });
});
