import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

/**
 * The registry's lists and edit screens, driven as a district officer would: the production units
 * list with its search, changing a unit and an enterprise (errors beside the fields, a change made
 * meanwhile by someone else), and the people list as CSV with the current filter.
 */
const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

/** The officer's demo district, read from the demo cooperative there. */
async function demoDistrictId(page: Page): Promise<string> {
  const res = await page.request.get('/api/v1/enterprises?q=Small-Scale%20Miners%20Cooperative');
  expect(res.status()).toBe(200);
  const { items } = (await res.json()) as { items: { areaId: string }[] };
  expect(items.length).toBeGreaterThan(0);
  return items[0]!.areaId;
}

async function create<T>(page: Page, url: string, data: object): Promise<T> {
  const res = await page.request.post(url, {
    headers: { 'idempotency-key': crypto.randomUUID() },
    data,
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as T;
}

describe('production units', () => {
  it('lists units with a search by name, and changes a unit with errors beside the fields', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const areaId = await demoDistrictId(page);
      const unit = await create<{ id: string; reference: string }>(page, '/api/v1/production-units', {
        kind: 'shaft',
        name: 'Nsuta Hilltop Shaft',
        areaId,
        equipment: [{ item: 'Winch', count: 1 }],
      });

      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Production units' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Production units' }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, 'production units');
      // A typo in the name still finds it.
      await page.getByLabel('Name or reference').fill('nsuta hiltop');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/[?&]q=nsuta/);
      const table = page.getByRole('table', { name: 'Registered production units' });
      await table.getByRole('link', { name: 'Nsuta Hilltop Shaft' }).waitFor();
      await table.getByText(unit.reference).waitFor();
      // Other units with names close enough may be listed too (other tests add some): ours is there once.
      await expect(table.getByRole('row').filter({ hasText: unit.reference }).count()).resolves.toBe(1);
      await page.getByLabel('Kind').selectOption({ label: 'Pit' });
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByText('No production unit matches.').waitFor();

      await page.goto(`/registry/production-units/${unit.id}`);
      await page.getByRole('heading', { level: 1, name: 'Nsuta Hilltop Shaft' }).waitFor();
      await page.getByRole('link', { name: 'Change the record' }).click();
      await page.getByRole('heading', { level: 1, name: /Change the production unit/ }).waitFor();
      await page.waitForLoadState('networkidle');
      await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(
        'Nsuta Hilltop Shaft',
      );
      await expect(page.getByLabel('Item 1', { exact: true }).inputValue()).resolves.toBe('Winch');
      await expectAccessible(page, 'change a production unit');

      // A latitude out of range: the error is beside the field, nothing is sent.
      await page.getByLabel('Latitude').fill('95');
      await page.getByLabel('Longitude').fill('-1.9');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await expect(page.getByLabel('Latitude').getAttribute('aria-invalid')).resolves.toBe('true');
      await expectAccessible(page, 'change a production unit, with errors');

      await page.getByLabel('Latitude').fill('6.21');
      await page.getByLabel('Name', { exact: true }).fill('Nsuta Hilltop Shaft No. 2');
      await page.getByLabel('Number of item 1').fill('2');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await page.waitForURL(new RegExp(`/registry/production-units/${unit.id}$`));
      await page.getByText('The production unit was changed.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Nsuta Hilltop Shaft No. 2' }).waitFor();
      await page.getByText('Winch: 2').waitFor();
      const saved = await (await page.request.get(`/api/v1/production-units/${unit.id}`)).json();
      expect(saved).toMatchObject({
        name: 'Nsuta Hilltop Shaft No. 2',
        location: { type: 'Point', coordinates: [-1.9, 6.21] },
        equipment: [{ item: 'Winch', count: 2 }],
        version: 2,
      });
    }));
});

describe('enterprises', () => {
  it('changes an enterprise: errors beside the fields, a change made meanwhile, then saved', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const areaId = await demoDistrictId(page);
      const enterprise = await create<{ id: string }>(page, '/api/v1/enterprises', {
        name: 'Nsuta Gold Diggers Association',
        form: 'association',
        areaId,
      });
      await page.goto(`/registry/enterprises/${enterprise.id}`);
      await page.getByRole('heading', { level: 1, name: 'Nsuta Gold Diggers Association' }).waitFor();
      await page.getByRole('link', { name: 'Change the record' }).click();
      await page.getByRole('heading', { level: 1, name: /Change the enterprise/ }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, 'change an enterprise');

      await page.getByLabel('Registration number').fill('AS-2026-0099');
      await page.getByLabel('Kind of account').selectOption({ label: 'Mobile money' });
      await page.getByLabel('Mobile money operator').fill('MTN');
      await page.getByLabel('Mobile money number').fill('not a number');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      // The registration needs its authority, the number must be a phone: both beside their fields.
      await expect(page.getByLabel('Registered with').getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.getByLabel('Mobile money number').getAttribute('aria-invalid')).resolves.toBe('true');
      await expectAccessible(page, 'change an enterprise, with errors');
      await page.getByLabel('Registered with').fill('Registrar-General');
      await page.getByLabel('Mobile money number').fill('+233 24 765 4321');

      // Someone else changes the enterprise meanwhile: the save is refused (If-Match), and says so.
      const current = await page.request.get(`/api/v1/enterprises/${enterprise.id}`);
      const meanwhile = await page.request.patch(`/api/v1/enterprises/${enterprise.id}`, {
        headers: { 'if-match': current.headers().etag! },
        data: { benefitSharingRules: 'Equal shares after costs.' },
      });
      expect(meanwhile.status()).toBe(200);
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await page.getByText('Someone changed this record after you opened it.', { exact: false }).waitFor();

      // Read again, the values typed are still there: saving now applies them.
      await page.getByLabel('Name', { exact: true }).fill('Nsuta Gold Diggers Cooperative Society');
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await page.waitForURL(new RegExp(`/registry/enterprises/${enterprise.id}$`));
      await page.getByText('The enterprise was changed.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Nsuta Gold Diggers Cooperative Society' }).waitFor();
      await page.getByText('AS-2026-0099').first().waitFor();
      const saved = await (await page.request.get(`/api/v1/enterprises/${enterprise.id}`)).json();
      expect(saved).toMatchObject({
        name: 'Nsuta Gold Diggers Cooperative Society',
        registration: { authority: 'Registrar-General', number: 'AS-2026-0099' },
        paymentAccount: { kind: 'mobile_money', provider: 'MTN', account: '+233247654321' },
        benefitSharingRules: 'Equal shares after costs.',
        version: 3,
      });
    }));
});

describe('people as CSV', () => {
  it('downloads the people list with the current filter', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto('/registry/people');
      await page.getByRole('heading', { level: 1, name: 'Miners and workers' }).waitFor();
      await page.getByLabel('Sex').selectOption({ label: 'Female' });
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/[?&]sex=female/);
      const link = page.getByRole('link', { name: 'Download CSV' });
      // The link follows the filter once the list has re-rendered from the new URL.
      await expect.poll(() => link.getAttribute('href')).toMatch(/^\/api\/v1\/people\?.*sex=female/);
      const href = (await link.getAttribute('href'))!;
      expect(href).toContain('format=csv');
      await expect(link.getAttribute('download')).resolves.toBe('people.csv');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('people.csv');
      const res = await page.request.get(href);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toMatch(/^text\/csv/);
      const lines = (await res.text()).split('\r\n').filter((l) => l !== '');
      expect(lines[0]).toBe(
        'id,reference,givenName,familyName,otherNames,sex,birthDate,birthYear,ageBand,phone,idDocumentType,areaId,createdAt,updatedAt',
      );
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines.slice(1)) expect(line.split(',')[5]).toBe('female');
      await expectAccessible(page, 'people with the CSV link');
    }));
});
