/**
 * The applied area on the review map (issue 5): a district officer draws an application's area by
 * clicking its corners on the map, sees at once which right it overlaps and by how much, saves it,
 * and finds the stored check after a reload; the corners can also be typed (the way for a keyboard
 * or a narrow phone). A title over the west half of the district is loaded for the test.
 */
import type { APIRequestContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, browserForFile, DISTRICT_OFFICER, expectAccessible, newContext, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;
/** Ghana's district-level tier (profiles/ghana/profile.json). */
const TIER = 'artisanal_community_permit';
const TITLE = `West half test title ${Date.now().toString(36)}`;

type Box = [number, number, number, number];
let districtArea = '';
let districtView: Box;
let n = 0;

const rect = ([w, s, e, north]: Box) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, north],
      [w, north],
      [w, s],
    ],
  ],
});

/** A draft application of a new person in the officer's district. */
async function draftApplication(request: APIRequestContext): Promise<string> {
  const familyName = `Areatest${Date.now().toString(36)}${++n}`;
  const person = await request.post('/api/v1/people', {
    headers: { 'idempotency-key': `person-${familyName}` },
    data: { givenName: 'Adwoa', familyName, sex: 'female', areaId: districtArea, checkDuplicates: false },
  });
  expect(person.status(), await person.text()).toBe(201);
  const res = await request.post('/api/v1/licence-applications', {
    headers: { 'idempotency-key': `application-${familyName}` },
    data: {
      tierCode: TIER,
      holderKind: 'person',
      holderId: (await person.json()).id,
      requestedAreaHectares: 1,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).id;
}

/**
 * Clicks the map canvas at fractions of its size. Each click is placed relative to the canvas as it
 * is then: the first one focuses the canvas, which may scroll the page.
 */
async function clickMap(page: Page, points: [number, number][]) {
  const canvas = page.locator('.application-area canvas.maplibregl-canvas');
  await canvas.waitFor();
  for (const [fx, fy] of points) {
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * fx, y: box.height * fy } });
  }
}

describe('the applied area on the review map', () => {
  beforeAll(async () => {
    const officer = await newContext(session.browser, baseUrl);
    const page = await officer.newPage();
    await signIn(page, DISTRICT_OFFICER);
    districtArea = (await (await page.request.get('/api/v1/me')).json()).grants[0].areaId;
    // The map opens on the district when no area is drawn: the title is placed from that view.
    const probe = await draftApplication(page.request);
    districtView = (await (await page.request.get(`/api/v1/licence-applications/${probe}/area`)).json()).view;
    expect(districtView).toHaveLength(4);
    await officer.close();

    const admin = await newContext(session.browser, baseUrl);
    const p = await admin.newPage();
    await signIn(p, ADMIN);
    const layer = await p.request.post('/api/v1/cadastre/layers', {
      data: { country: 'GH', kind: 'lsm_title', name: `Browser test titles ${TITLE}` },
    });
    expect(layer.status(), await layer.text()).toBe(201);
    const [w, s, e, north] = districtView;
    const imported = await p.request.post(`/api/v1/cadastre/layers/${(await layer.json()).id}/import`, {
      data: {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { externalRef: 'BT-1', name: TITLE, status: 'active' },
            geometry: rect([w, s, (w + e) / 2, north]),
          },
        ],
      },
    });
    expect(imported.status(), await imported.text()).toBe(200);
    await admin.close();
  });

  it('draws an area by clicking its corners, sees its conflicts, saves it and finds the check again', async () => {
    await withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const id = await draftApplication(page.request);
      await page.goto(`/licensing/applications/${id}`);
      const section = page.locator('section.application-area');
      await section.getByRole('heading', { name: 'Area on the map' }).waitFor();
      await section.getByText('No area has been drawn yet.').waitFor();

      await section.getByRole('button', { name: 'Draw the area' }).click();
      // A square astride the middle of the district: its west half lies on the title.
      await clickMap(page, [
        [0.4, 0.4],
        [0.6, 0.4],
        [0.6, 0.6],
        [0.4, 0.6],
      ]);
      await section.getByText('4 corners placed.').waitFor();
      await section.getByRole('button', { name: 'Remove the last corner' }).click();
      await section.getByText('3 corners placed.').waitFor();
      await clickMap(page, [[0.4, 0.6]]);
      await section.getByText('4 corners placed.').waitFor();
      await section.getByRole('button', { name: 'Check this area' }).click();

      await section.getByRole('heading', { name: /Check of the drawing \(not saved yet\)/ }).waitFor();
      const row = section.locator('.area-check table tbody tr', { hasText: TITLE });
      await row.waitFor();
      expect(await row.locator('td').first().textContent()).toBe('Large-scale mining titles');
      const share = Number.parseFloat((await row.locator('td').nth(4).textContent())!.replace(',', '.'));
      expect(share).toBeGreaterThan(20);
      expect(share).toBeLessThan(80);
      const rule = section.locator('.area-rules li', { hasText: 'No overlap with an active right' });
      await expect(rule.getAttribute('class')).resolves.toBe('failed');
      expect(await rule.textContent()).toContain('overlap licences or titles in force');
      // The legend names the overlapped features' layer and the free part.
      const legend = (await section.locator('.area-map-legend').textContent()) ?? '';
      expect(legend).toContain('Overlapped rights and protected areas');
      expect(legend).toContain('Free part');
      await expectAccessible(page, 'application area (checked drawing)');

      await section.getByRole('button', { name: 'Save this area' }).click();
      await page.getByText('The area was saved with its check.').waitFor();
      await section.getByRole('heading', { name: /Check against the cadastre/ }).waitFor();

      // The stored area and its check come back after a reload, and the hectares follow the drawing.
      await page.reload();
      await section.getByRole('heading', { name: /Check against the cadastre/ }).waitFor();
      await section.locator('.area-check table tbody tr', { hasText: TITLE }).waitFor();
      const stored = await (await page.request.get(`/api/v1/licence-applications/${id}`)).json();
      expect(stored.hasArea).toBe(true);
      expect(stored.requestedAreaHectares).toBeGreaterThan(1);
      expect(stored.areaCheck.overlaps.map((o: { name: string }) => o.name)).toContain(TITLE);
      await section.getByRole('button', { name: 'Draw again' }).waitFor();
      await expectAccessible(page, 'application area (stored)');
    });
  });

  it('takes typed corners on a narrow screen, and says what is wrong with a bad line', async () => {
    await withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const id = await draftApplication(page.request);
      await page.goto(`/licensing/applications/${id}`);
      const section = page.locator('section.application-area');
      await section.getByText('Type the corners or load a file instead').click();
      const corners = section.getByLabel('Corners, one per line');

      await corners.fill('-1.9, 6.4\n-1.89, abc\n-1.89, 6.41');
      await section.getByRole('button', { name: 'Check these corners' }).click();
      await section.getByRole('alert').filter({ hasText: 'Line 2' }).waitFor();

      // A small square in the east quarter of the district, clear of the test title.
      const [w, s, e, north] = districtView;
      const x = w + (e - w) * 0.8;
      const y = s + (north - s) * 0.5;
      const d = 0.001;
      await corners.fill(`${x}, ${y}\n${x + d}, ${y}\n${x + d}, ${y + d}\n${x}, ${y + d}`);
      await section.getByRole('button', { name: 'Check these corners' }).click();
      await section.getByRole('heading', { name: /Check of the drawing/ }).waitFor();
      const text = (await section.locator('.area-check').textContent()) ?? '';
      expect(text).not.toContain(TITLE);
      expect(text).toMatch(/Applied area 1[.,]\d+ ha/);
      await expectAccessible(page, 'application area (typed corners, 360 px)');
    }, 360);
  });
});
