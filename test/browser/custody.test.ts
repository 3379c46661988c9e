/**
 * The chain of custody in the browser, as a district officer records it: two lots produced at a
 * site, both sold to a buying station, the sales confirmed by the other side (the administrator: the
 * officer who recorded a sale may not confirm it, so is offered no Confirm button), merged, sold to an
 * exporter and exported under a permit; the trace then lists both origins with their shares of the
 * mass and draws the graph. Every screen passes axe-core, and the lot page is used at 360 px.
 */
import type { APIRequestContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, DISTRICT_OFFICER, expectAccessible, newContext, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

const run = Date.now().toString(36);
let seq = 0;
async function post<T>(request: APIRequestContext, path: string, data: unknown): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { 'idempotency-key': `custody-${run}-${++seq}` },
    data,
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
  return (await res.json()) as T;
}

const names = {
  miner: `Miner ${run}`,
  station: `Station ${run}`,
  exporter: `Exporter ${run}`,
  site: `Custody pit ${run}`,
};
let siteId = '';
let exportedLotUrl = '';

/** Records production on the form and answers the new lot's page address and tag. */
async function recordProduction(page: Page, grams: string): Promise<{ url: string; tag: string }> {
  await page.goto('/custody/lots');
  await page.getByRole('heading', { level: 1, name: 'Lots' }).waitFor();
  await page.getByRole('link', { name: 'Record production' }).click();
  await page.getByRole('heading', { level: 1, name: 'Record production' }).waitFor();
  await page.getByLabel('Produced by').selectOption({ label: `${names.miner} (Miner)` });
  await page.getByLabel('Site (production unit)').selectOption(siteId);
  await page.getByLabel('Mass (grams)').fill(grams);
  await page.getByRole('button', { name: 'Record the lot' }).click();
  await page.waitForURL((url) => /\/custody\/lots\/[0-9a-f-]{36}$/.test(url.pathname));
  await page.getByText('The lot was recorded.', { exact: false }).waitFor();
  const tag = (await page.getByTestId('lot-tag').textContent())!.trim();
  expect(tag).toMatch(/^GH-LOT-[0-9A-Z]{6}-[0-9A-Z]$/);
  return { url: new URL(page.url()).pathname, tag };
}

/** Opens one of the lot's action panels and answers its form. */
async function action(page: Page, title: string) {
  await page.locator('summary', { hasText: title }).click();
  return page.getByRole('form', { name: title });
}

async function sell(page: Page, lotUrl: string, buyerLabel: string, price: string): Promise<void> {
  await page.goto(lotUrl);
  await page.getByRole('heading', { level: 1, name: /^Lot/ }).waitFor();
  const form = await action(page, 'Sell or hand over');
  await form.getByLabel('Buyer').selectOption({ label: buyerLabel });
  await form.getByLabel('Price').fill(price);
  await form.getByLabel('Place').fill('Obuasi market');
  await form.getByRole('button', { name: 'Add a document' }).click();
  await form.getByLabel('Document 1: kind').fill('receipt');
  await form.getByLabel('Document 1: reference').fill(`R-${run}-${++seq}`);
  await form.getByRole('button', { name: 'Record the sale' }).click();
  await page.getByText('The sale was recorded.', { exact: false }).waitFor();
}

describe('chain of custody', () => {
  beforeAll(async () => {
    const context = await newContext(session.browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, DISTRICT_OFFICER);
    const r = page.request;
    const areaId = (await (await r.get('/api/v1/me')).json()).grants[0].areaId as string;
    siteId = (await post<{ id: string }>(r, '/production-units', { kind: 'pit', name: names.site, areaId }))
      .id;
    await post(r, '/custody/actors', { kind: 'miner', name: names.miner, areaId });
    await post(r, '/custody/actors', { kind: 'buying_station', name: names.station, areaId });
    await post(r, '/custody/actors', { kind: 'exporter', name: names.exporter, areaId });
    await context.close();
  });

  it('records a lot from site to export and views its trace', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Custody actors' }).click();
      await page.getByRole('heading', { level: 1, name: 'Custody actors' }).waitFor();
      await page.getByRole('row').filter({ hasText: names.station }).waitFor();
      // One more registered on screen, in the officer's own district (the area chosen already).
      await page.locator('summary', { hasText: 'Register an actor' }).click();
      const create = page.getByRole('form', { name: 'Register an actor' });
      await create.getByLabel('Kind of actor').selectOption({ label: 'Trader' });
      await create.getByLabel('Name').fill(`Trader ${run}`);
      await expectAccessible(page, 'custody actors with the form open');
      await create.getByRole('button', { name: 'Register the actor' }).click();
      await page.getByText(`Trader ${run} was registered.`).waitFor();
      await page
        .getByRole('row')
        .filter({ hasText: `Trader ${run}` })
        .waitFor();

      const a = await recordProduction(page, '12.5');
      await expect(page.locator('dl.facts').textContent()).resolves.toContain('12.5 g');
      await expectAccessible(page, 'a new lot with its actions');
      const b = await recordProduction(page, '7,25');
      await expect(page.locator('dl.facts').textContent()).resolves.toContain('7.25 g');

      // The list finds both by holder and status.
      await page.goto('/custody/lots');
      const filters = page.getByRole('search', { name: 'Filter the lots' });
      await filters.getByLabel('Holder').selectOption({ label: `${names.miner} (Miner)` });
      await filters.getByLabel('Status').selectOption({ label: 'Open' });
      await filters.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('table').getByRole('link', { name: a.tag }).waitFor();
      await page.getByRole('table').getByRole('link', { name: b.tag }).waitFor();
      await expectAccessible(page, 'lots');

      // Both sold to the buying station; the sale waits for the buyer's confirmation.
      const station = `${names.station} (Buying station)`;
      await sell(page, a.url, station, '1500');
      await sell(page, b.url, station, '870.50');
      const history = page.getByRole('region', { name: 'History' });
      await history.getByText('Not confirmed yet: the buyer has to confirm it.').waitFor();
      await expectAccessible(page, 'a lot with an unconfirmed sale');
      // The officer who recorded the sale is not the other side: no Confirm button for them.
      await expect(history.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(0);

      // The other side (here the administrator) confirms both on screen.
      const other = await newContext(session.browser, baseUrl);
      try {
        const admin = await other.newPage();
        await signIn(admin, ADMIN);
        for (const lot of [a, b]) {
          await admin.goto(lot.url);
          const h = admin.getByRole('region', { name: 'History' });
          await h.getByRole('button', { name: 'Confirm' }).click();
          await h.getByText('Confirmed by the other side', { exact: false }).waitFor();
        }
      } finally {
        await other.close();
      }

      // Merged at the station: 12.5 g + 7.25 g.
      await page.goto(b.url);
      await page.getByText('Confirmed by the other side', { exact: false }).waitFor();
      const merge = await action(page, 'Merge with other lots');
      await merge.getByRole('checkbox', { name: new RegExp(a.tag) }).check();
      await merge.getByText('Merged lot: 19.75 g from 2 lots').waitFor();
      await merge.getByRole('button', { name: 'Merge the lots' }).click();
      await page.getByText('The lots were merged into this new lot.').waitFor();
      const merged = new URL(page.url()).pathname;
      expect(merged).not.toBe(b.url);
      await expect(page.locator('dl.facts').textContent()).resolves.toContain('19.75 g');

      // Sold to the exporter, then exported under a permit.
      await sell(page, merged, `${names.exporter} (Exporter)`, '9000');
      const exportForm = await action(page, 'Export');
      await exportForm.getByLabel('Export permit').fill(`EXP-${run}`);
      await exportForm.getByLabel('Destination country').fill('ae');
      await exportForm.getByRole('button', { name: 'Record the export' }).click();
      await page.getByText('The export was recorded.').waitFor();
      await page.getByRole('heading', { level: 1, name: /Lot\s+Exported/ }).waitFor();
      await page.getByText(`Permit EXP-${run}, to AE`).waitFor();
      exportedLotUrl = merged;

      // The trace: both origins with their exact shares (12.5 / 19.75 and 7.25 / 19.75), and the graph.
      const upstream = page.getByRole('region', { name: 'Where it came from' });
      const rowA = upstream.getByRole('row').filter({ hasText: a.tag });
      const rowB = upstream.getByRole('row').filter({ hasText: b.tag });
      await expect(rowA.textContent()).resolves.toMatch(/63\.29\s?%/);
      await expect(rowA.textContent()).resolves.toContain('12.5 g');
      await expect(rowB.textContent()).resolves.toMatch(/36\.71\s?%/);
      await expect(rowB.textContent()).resolves.toContain('7.25 g');
      await expect(rowA.getByRole('link', { name: names.site }).count()).resolves.toBe(1);
      const graph = upstream.getByRole('img', { name: /Graph of 3 lots and 2 links/ });
      await graph.waitFor();
      await expect(graph.locator('g.trace-node').count()).resolves.toBe(3);
      await expect(graph.locator('path[marker-end]').count()).resolves.toBe(2);
      // Origins stand left of the lot made from them.
      const xOf = async (tag: string) =>
        (await graph.locator('g.trace-node', { hasText: tag }).boundingBox())!.x;
      expect(await xOf(a.tag)).toBeLessThan(await xOf((await page.getByTestId('lot-tag').textContent())!));
      await expectAccessible(page, 'an exported lot with its trace');

      // Downstream from an origin: its mineral is now in the exported lot.
      await page.goto(a.url);
      const downstream = page.getByRole('region', { name: 'Where it went' });
      await downstream
        .getByRole('row')
        .filter({ hasText: 'Exported' })
        .filter({ hasText: '12.5 g' })
        .waitFor();
    }));

  it('shows a lot, its history and its trace on a 360 px screen', () =>
    withPage(async (page) => {
      expect(exportedLotUrl, 'the flow above ran first').not.toBe('');
      await signIn(page, DISTRICT_OFFICER);
      await page.goto(exportedLotUrl);
      await page.getByRole('region', { name: 'Where it came from' }).getByRole('img').waitFor();
      await page.getByRole('region', { name: 'History' }).getByText('Export', { exact: true }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // For a look at the screen: CUSTODY_SHOT=/tmp/lot.png
      if (process.env.CUSTODY_SHOT) await page.screenshot({ path: process.env.CUSTODY_SHOT, fullPage: true });
      await expectAccessible(page, 'an exported lot at 360 px');
      await page.goto('/custody/lots/new');
      await page.getByRole('heading', { level: 1, name: 'Record production' }).waitFor();
      await expectAccessible(page, 'the production form at 360 px');
    }, 360));
});
