import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

/**
 * The registry screens, driven as a district officer would: register a miner (and meet the
 * duplicate warning), open the record, register an enterprise, add a member, register its pit.
 */
const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

/** Chooses the officer's demo district in an area group. */
async function chooseDistrict(page: Page, group: string): Promise<void> {
  const area = page.getByRole('group', { name: new RegExp(group) });
  await area.getByLabel('Region').selectOption({ label: 'Ashanti Region' });
  await area.getByLabel('District').selectOption({ label: 'Ashanti Demo District 1' });
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('people', () => {
  it('registers a miner, lists their applications, warns of a near-duplicate with a link to it, registers anyway when told, corrects the record', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Miners and workers' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Miners and workers' }).waitFor();
      await page.getByRole('link', { name: 'Register a miner' }).click();
      await page.getByRole('heading', { level: 1, name: 'Register a miner' }).waitFor();
      await page.waitForLoadState('networkidle');

      // Empty form: errors beside the fields, before any round trip.
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await expect(page.locator('[aria-invalid="true"]').count()).resolves.toBeGreaterThan(0);
      await expectAccessible(page, 'register a miner, with errors');

      await page.getByLabel('Given name').fill('Abena');
      await page.getByLabel('Family name').fill('Kyei');
      await page.getByLabel('Sex').selectOption({ label: 'Female' });
      await page.getByRole('radio', { name: 'Year only' }).check();
      await page.getByLabel('Year of birth').fill('1991');
      await page.getByLabel(/Phone number/).fill('+233 24 111 2233');
      await chooseDistrict(page, 'Area of residence');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.waitForURL(/\/registry\/people\/[0-9a-f-]{36}$/);
      const firstUrl = page.url();
      await page.getByText('The person was registered.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Abena Kyei' }).waitFor();
      await page.getByText('+233241112233').waitFor();
      await page.getByRole('link', { name: 'Apply for a licence' }).first().waitFor();
      expect(
        await page.getByRole('link', { name: 'Apply for a licence' }).first().getAttribute('href'),
      ).toMatch(/\/licensing\/applications\/new\?holderKind=person&holderId=[0-9a-f-]{36}/);
      // The person's applications are listed with a link to each.
      const personId = firstUrl.split('/').pop()!;
      const applied = await page.request.post('/api/v1/licence-applications', {
        headers: { 'idempotency-key': `apply-${personId}` },
        data: {
          tierCode: 'artisanal_community_permit',
          holderKind: 'person',
          holderId: personId,
          requestedAreaHectares: 1,
        },
      });
      expect(applied.status()).toBe(201);
      const application = (await applied.json()) as { id: string; reference: string };
      await page.reload();
      const link = page.getByRole('link', { name: application.reference });
      expect(await link.getAttribute('href')).toBe(`/licensing/applications/${application.id}`);
      await page.getByText('Artisanal mining permit (community mining scheme)').first().waitFor();

      // Vulnerable-group attributes: only on an explicit request.
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByText('Nothing has been recorded for this person.').waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, 'person page');

      // Same phone, name misspelt: the server warns and nothing is written.
      await page.goto('/registry/people/new');
      await page.getByLabel('Given name').fill('Abena');
      await page.getByLabel('Family name').fill('Kyie');
      await page.getByLabel('Sex').selectOption({ label: 'Female' });
      await page.getByLabel('Date of birth').fill('1991-03-02');
      await page.getByLabel(/Phone number/).fill('+233241112233');
      await chooseDistrict(page, 'Area of residence');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.getByRole('heading', { name: 'This person may already be registered' }).waitFor();
      const match = page.getByRole('link', { name: /Abena Kyei/ });
      expect(new URL((await match.getAttribute('href'))!, baseUrl).href).toBe(firstUrl);
      await page.getByText('same phone number').waitFor();
      await expectAccessible(page, 'duplicate warning');
      await page.getByRole('button', { name: 'This is a different person: register anyway' }).click();
      await page.waitForURL((url) => /\/registry\/people\/[0-9a-f-]{36}$/.test(url.pathname));
      expect(page.url()).not.toBe(firstUrl);
      await page.getByRole('heading', { level: 1, name: 'Abena Kyie' }).waitFor();

      // A correction sends only what changed, with the version it was read at.
      await page.getByText('Correct the record').click();
      const correction = page.getByRole('form', { name: 'Correct the record' });
      await correction.getByLabel('Other names').waitFor();
      await expectAccessible(page, 'correct the record');
      await correction.getByLabel('Other names').fill('Serwaa');
      await correction.getByRole('button', { name: 'Save the correction' }).click();
      await page.getByText('The record was corrected.').waitFor();
      await page.getByText('Serwaa').first().waitFor();
    }));

  it('finds a miner despite a typo; the registry screens fit a 360 px screen', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto('/registry/people');
      await page.getByRole('heading', { level: 1, name: 'Miners and workers' }).waitFor();
      await page.getByLabel('Name, reference or phone').fill('Akua Owsu');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/q=Akua/);
      await page.getByRole('table').getByRole('link', { name: 'Akua Owusu' }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Akua Owusu' }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(360);
      await expectAccessible(page, 'person page at 360 px');
      await page.goto('/registry/people');
      await page.getByRole('table').getByText('Akua Owusu').first().waitFor();
      expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(360);
      await expectAccessible(page, 'people list at 360 px');
      await page.goto('/registry/people/new');
      await page.getByRole('heading', { level: 1, name: 'Register a miner' }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(360);
      await page.goto('/registry/enterprises');
      await page
        .getByRole('link', { name: 'Ashanti Demo District 1 Small-Scale Miners Cooperative' })
        .click();
      await page.getByRole('table', { name: /Members of/ }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll(page)).toBeLessThanOrEqual(360);
      await expectAccessible(page, 'enterprise page at 360 px');
    }, 360));
});

describe('enterprises', () => {
  it('registers an enterprise, adds a registered miner as chair, ends a membership and registers its pit', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto('/registry/enterprises');
      await page.getByRole('heading', { level: 1, name: 'Enterprises' }).waitFor();
      await page
        .getByRole('table')
        .getByText('Ashanti Demo District 1 Small-Scale Miners Cooperative')
        .waitFor();
      await expectAccessible(page, 'enterprises');
      await page.getByRole('link', { name: 'Register an enterprise' }).click();
      await page.getByRole('heading', { level: 1, name: 'Register an enterprise' }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, 'register an enterprise');

      await page.getByLabel('Name', { exact: true }).fill('Obuasi Women Miners Group');
      await page.getByLabel('Legal form').selectOption({ label: 'Association' });
      await chooseDistrict(page, '^Area$');
      await page.getByLabel('Registered with').fill('Registrar-General');
      await page.getByLabel('Registration number').fill('CS-2026-0042');
      await page.getByLabel('Kind of account').selectOption({ label: 'Mobile money' });
      await page.getByLabel('Mobile money operator').fill('MTN');
      await page.getByLabel('Mobile money number').fill('+233241234567');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.waitForURL(/\/registry\/enterprises\/[0-9a-f-]{36}$/);
      await page.getByText('The enterprise was registered.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Obuasi Women Miners Group' }).waitFor();

      // A member found in the people registry, as chair.
      const add = page.getByRole('form', { name: 'Add a member' });
      await add.getByLabel(/Find in the registry/).fill('Afua Mensah');
      await add.getByRole('button', { name: 'Find', exact: true }).click();
      await add.getByRole('button', { name: /Choose Afua Mensah/ }).click();
      await add.getByText('Linked to Afua Mensah').waitFor();
      await add.getByLabel('Role').selectOption({ label: 'Chair' });
      await add.getByRole('button', { name: 'Add the member' }).click();
      await page.getByText('The member was added.').waitFor();
      const members = page.getByRole('table', { name: /Members of/ });
      await members.getByRole('link', { name: 'Afua Mensah' }).waitFor();

      // A worker not in the registry, then the end of that membership.
      await add.getByLabel('Name', { exact: true }).fill('Kwame Nti');
      await add.getByLabel('Sex').selectOption({ label: 'Male' });
      await add.getByLabel('Role').selectOption({ label: 'Worker' });
      await add.getByRole('button', { name: 'Add the member' }).click();
      await members.getByRole('rowheader', { name: 'Kwame Nti' }).waitFor();
      const figure = (label: string) => page.locator('.figures li', { hasText: label }).textContent();
      await expect(figure('Women among leaders')).resolves.toMatch(/^100 %/);
      await expect(figure('Women among members')).resolves.toMatch(/^50 %/);
      await expectAccessible(page, 'enterprise page');
      await members.getByRole('button', { name: 'End Kwame Nti' }).click();
      await members.getByRole('button', { name: 'Confirm the end Kwame Nti' }).click();
      await page.getByText('The membership of Kwame Nti was ended.').waitFor();

      // Its pit, from the enterprise page: the operator is already chosen.
      await page.getByRole('link', { name: 'Register a production unit' }).click();
      await page.getByRole('heading', { level: 1, name: 'Register a production unit' }).waitFor();
      await page.getByText('Obuasi Women Miners Group').waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, 'register a production unit');
      await page.getByLabel('Kind').selectOption({ label: 'Pit' });
      await page.getByLabel('Name', { exact: true }).fill('Obuasi women pit 1');
      await chooseDistrict(page, '^Area$');
      await page.getByLabel('Latitude').fill('6.2');
      await page.getByLabel('Longitude').fill('-1.66');
      await page.getByLabel('Item 1', { exact: true }).fill('Water pump');
      await page.getByLabel('Number of item 1').fill('2');
      await page.getByRole('button', { name: 'Register', exact: true }).click();
      await page.waitForURL(/\/registry\/production-units\/[0-9a-f-]{36}$/);
      await page.getByRole('heading', { level: 1, name: 'Obuasi women pit 1' }).waitFor();
      await page.getByText('Water pump: 2').waitFor();
      await page.getByRole('link', { name: 'Obuasi Women Miners Group' }).click();
      await page.getByRole('heading', { level: 1, name: 'Obuasi Women Miners Group' }).waitFor();
      await page.getByRole('link', { name: 'Obuasi women pit 1' }).waitFor();
    }));
});
