/**
 * Due diligence on screen: a lot's page links to its report as PDF and JSON and tells whether an
 * exporter may take it under the country's rules (here a lot from an unlicensed, never verified
 * site: not eligible, with the reasons); the actors page links an exporter to its report. Both
 * screens pass axe-core.
 */
import type { APIRequestContext } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { browserForFile, DISTRICT_OFFICER, expectAccessible, newContext, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

const run = Date.now().toString(36);
let seq = 0;
async function post<T>(request: APIRequestContext, path: string, data: unknown): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { 'idempotency-key': `due-diligence-${run}-${++seq}` },
    data,
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(201);
  return (await res.json()) as T;
}

const exporterName = `DD exporter ${run}`;
let lot = { id: '', tag: '' };

describe('due diligence on screen', () => {
  beforeAll(async () => {
    const context = await newContext(session.browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, DISTRICT_OFFICER);
    const r = page.request;
    const areaId = (await (await r.get('/api/v1/me')).json()).grants[0].areaId as string;
    const site = await post<{ id: string }>(r, '/production-units', {
      kind: 'pit',
      name: `DD pit ${run}`,
      areaId,
    });
    const miner = await post<{ id: string }>(r, '/custody/actors', {
      kind: 'miner',
      name: `DD miner ${run}`,
      areaId,
    });
    await post(r, '/custody/actors', { kind: 'exporter', name: exporterName, areaId });
    const event = await post<{ lots: { lotId: string; tag: string; role: string }[] }>(r, '/lots', {
      holderActorId: miner.id,
      originSiteId: site.id,
      mineral: 'gold',
      form: 'ore',
      massMg: 4_000,
    });
    const out = event.lots.find((l) => l.role === 'output')!;
    lot = { id: out.lotId, tag: out.tag };
    await context.close();
  });

  it('links a lot to its report and says why an exporter may not take it', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto(`/custody/lots/${lot.id}`);
      await page.getByRole('heading', { level: 1, name: /^Lot/ }).waitFor();
      const pdf = page.getByRole('link', { name: 'Due-diligence report (PDF)' });
      await expect(pdf.getAttribute('href')).resolves.toBe(`/api/v1/lots/${lot.id}/due-diligence.pdf`);
      const json = page.getByRole('link', { name: 'Due-diligence report (JSON)' });
      await expect(json.getAttribute('href')).resolves.toBe(`/api/v1/lots/${lot.id}/due-diligence`);
      const eligibility = page.getByTestId('eligibility');
      await eligibility.getByText("Not eligible under the country's rules:").waitFor();
      await eligibility
        .getByText(`origin ${lot.tag} (DD pit ${run}) had no valid licence`, { exact: false })
        .waitFor();
      await expectAccessible(page, 'a lot with its due-diligence links');

      // The links answer with the signed-in session.
      const printed = await page.request.get(`/api/v1/lots/${lot.id}/due-diligence.pdf`);
      expect(printed.status()).toBe(200);
      expect(printed.headers()['content-type']).toMatch(/^application\/pdf/);
      const data = await page.request.get(`/api/v1/lots/${lot.id}/due-diligence`);
      expect((await data.json()).lot.tag).toBe(lot.tag);
    }));

  it('links an exporter to its report on the actors page', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto('/custody/actors');
      await page.getByRole('heading', { level: 1, name: 'Custody actors' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: exporterName });
      const link = row.getByRole('link', { name: `Due-diligence report of ${exporterName} (PDF)` });
      await link.waitFor();
      const href = (await link.getAttribute('href'))!;
      expect(href).toMatch(/^\/api\/v1\/custody\/actors\/[0-9a-f-]{36}\/due-diligence\.pdf$/);
      const res = await page.request.get(href);
      expect(res.status()).toBe(200);
      await expectAccessible(page, 'custody actors with report links');
    }));
});
