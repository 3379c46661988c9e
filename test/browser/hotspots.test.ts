/**
 * Mining activity to reach: the national administrator opens the screen from the navigation and sees
 * the shipped Ghana detections (loaded by the demo seed) by district, worded for outreach, with the
 * data credited; a district officer sees only their district. Every screen passes axe.
 */
import { describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const { withPage } = browserForFile(baseUrl);

describe('mining activity to reach', () => {
  it('lists detections outside licensed areas by district, for outreach, with the data credited', async () => {
    await withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Mining activity to reach' }).first().click();
      await page.waitForURL(/\/cadastre\/hotspots$/);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Mining activity to reach',
      );
      const districts = page.locator('table[aria-labelledby="hotspots-districts"] tbody tr');
      await districts.first().waitFor();
      expect(await districts.count()).toBeGreaterThan(1);
      const places = page.locator('table[aria-labelledby="hotspots-places"] tbody tr');
      expect(await places.count()).toBe(100);
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text).toContain('offer training and support');
      expect(text).toContain('Earth Genome, mining-detector (earthrise-media), Ghana 2024 (CC BY 4.0)');
      expect(text).not.toMatch(/illegal|enforce|raid|arrest/i);
      await page.getByRole('region', { name: 'Map of the places to reach' }).waitFor();
      await expectAccessible(page, 'mining activity to reach');

      await page.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => places.count()).toBe(200);

      const csv = page.getByRole('link', { name: 'Download the list (CSV)' });
      const href = (await csv.getAttribute('href'))!;
      const res = await page.request.get(href);
      expect(res.status()).toBe(200);
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).toBe(
        'featureId,externalRef,areaCode,areaName,detectedHectares,outsideHectares,longitude,latitude',
      );
      expect(lines.length).toBeGreaterThan(200);
    });
  });

  it("shows a district officer their own district's detections only", async () => {
    await withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto('/cadastre/hotspots');
      await page.getByRole('heading', { level: 1, name: 'Mining activity to reach' }).waitFor();
      await page
        .getByText(/places to reach/)
        .first()
        .waitFor();
      const districts = page.locator('table[aria-labelledby="hotspots-districts"] tbody tr');
      expect(await districts.count()).toBeLessThanOrEqual(1);
      // What the screen shows comes from the officer's own district alone.
      const layers = await (await page.request.get('/api/v1/cadastre/layers?kind=activity_detection')).json();
      const res = await page.request.get(`/api/v1/cadastre/hotspots?layerId=${layers.items[0].id}&limit=500`);
      const body = (await res.json()) as { items: { areaId: string }[]; districts: unknown[] };
      expect(body.districts.length).toBeLessThanOrEqual(1);
      expect(new Set(body.items.map((h) => h.areaId)).size).toBeLessThanOrEqual(1);
      await expectAccessible(page, 'mining activity to reach (district)');
    }, 360);
  });
});
