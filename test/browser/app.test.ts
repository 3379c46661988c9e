import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import {
  ADMIN,
  AUDITOR,
  browserForFile,
  DEMO_PASSWORD,
  DISTRICT_OFFICER,
  expectAccessible,
  signIn,
} from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

/** Counts distinct colours in a screenshot, decoded by the browser itself (no image library). */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 16) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  }, png.toString('base64'));
}

describe('sign-in page', () => {
  it('is accessible, works with the keyboard alone, and refuses a wrong password in plain words', () =>
    withPage(async (page) => {
      await page.goto('/sign-in');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('OpenASM');
      await expectAccessible(page, 'sign-in');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement?.tagName);
      expect(['SELECT', 'INPUT', 'A', 'BUTTON']).toContain(first);
      await page.getByLabel('Phone number').fill(ADMIN);
      await page.getByLabel('Password').fill('not the password');
      await page.getByLabel('Password').press('Enter');
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(
        /phone number or password is not right/i,
      );
      await page.getByLabel('Phone number').fill('0244');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(
        page
          .getByText(/country code/i)
          .first()
          .isVisible(),
      ).resolves.toBe(true);
    }));

  it('switches language, remembers it, and sets the page language', () =>
    withPage(async (page) => {
      await page.goto('/sign-in');
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('button', { name: 'Se connecter' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
      await page.reload();
      await page.getByRole('button', { name: 'Se connecter' }).waitFor();
      for (const [code, label] of [
        ['sw', 'Ingia'],
        ['es', 'Iniciar sesión'],
        ['pt', 'Entrar'],
        ['en', 'Sign in'],
      ] as const) {
        await page.getByRole('combobox').first().selectOption(code);
        await page.getByRole('button', { name: label, exact: true }).waitFor();
      }
    }));

  it('fits a 360 px wide phone screen without sideways scrolling', () =>
    withPage(async (page) => {
      await page.goto('/sign-in');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await signIn(page, DISTRICT_OFFICER);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await expectAccessible(page, 'home at 360 px');
    }, 360));
});

describe('signed in', () => {
  it('opens a home page for the role, with navigation to what the role may use', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(
        /Welcome, Akosua Darko/,
      );
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link', { name: 'Accounts' }).isVisible()).resolves.toBe(true);
      await expect(nav.getByRole('link', { name: 'Audit trail' }).count()).resolves.toBe(0);
      await expectAccessible(page, 'home');
      await page.getByRole('button', { name: /Akosua Darko/ }).click();
      await expect(page.getByText('District officer').first().isVisible()).resolves.toBe(true);
    }));

  it('visits every screen; each is accessible', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      for (const path of [
        '/',
        '/admin/users',
        '/admin/users/new',
        '/admin/areas',
        '/admin/profile',
        '/admin/audit',
        '/tasks',
        '/registry/people',
        '/registry/people/new',
        '/registry/enterprises',
        '/registry/enterprises/new',
        '/registry/production-units/new',
      ]) {
        await page.goto(path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await expectAccessible(page, path);
      }
    }));

  it('draws the admin areas on the map without internet tiles', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto('/admin/areas');
      const canvas = page.locator('canvas').first();
      await canvas.waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(1500);
      const shot = await canvas.screenshot();
      expect(await distinctColours(page, shot)).toBeGreaterThan(3);
    }));

  it('brings the user back where they were after the session ends', () =>
    withPage(async (page) => {
      await signIn(page, AUDITOR);
      await page.goto('/admin/profile');
      await page.locator('main h1').first().waitFor();
      // The session ends on the server (as after 30 idle minutes); the next request finds out.
      await page.request.post('/api/v1/auth/logout', {
        headers: { 'idempotency-key': `logout-${Date.now()}` },
      });
      await page.goto('/admin/audit');
      await page.waitForURL(/\/sign-in\?/);
      expect(page.url()).toContain('returnTo=%2Fadmin%2Faudit');
      await page.getByLabel('Phone number').fill(AUDITOR);
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin\/audit$/);
    }));

  it('signs out', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.getByRole('button', { name: /Abena Owusu/ }).click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in/);
      await expect(page.getByRole('status').textContent()).resolves.toMatch(/signed out/i);
      await page.goto('/admin/users');
      await page.waitForURL(/\/sign-in\?returnTo=/);
    }));
});

describe('installable and usable offline', () => {
  it('has a manifest, and the shell opens with the network off once it was visited', () =>
    withPage(async (page) => {
      await page.goto('/sign-in');
      const manifest = await page.request.get('/manifest.webmanifest');
      expect((await manifest.json()).display).toBe('standalone');
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.context().setOffline(true);
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.context().setOffline(false);
    }));
});

describe('administration', () => {
  it('creates an account through the form, with field errors from the same rules as the server, then finds it in the audit trail and verifies the chain', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto('/admin/users/new');
      await page.getByRole('heading', { level: 1, name: 'New account' }).waitFor();
      // Empty form: errors beside the fields, before any round trip.
      await page.getByRole('button', { name: 'Create the account' }).click();
      await expect(page.locator('[aria-invalid="true"]').count()).resolves.toBeGreaterThan(0);
      await expectAccessible(page, 'create account with errors');

      await page.getByLabel('Name', { exact: true }).fill('Yaa Asantewaa');
      await page.getByLabel('Phone number', { exact: true }).fill('+233209876543');
      const office = page.getByRole('group', { name: /Office area/ });
      await office.getByLabel('Region').selectOption({ label: 'Ashanti Region' });
      await office.getByLabel('District').selectOption({ label: 'Ashanti Demo District 2' });
      const role = page.getByRole('group', { name: /First role/ });
      await role.getByLabel('Role (optional)').selectOption({ label: 'District officer' });
      const where = role.getByRole('group', { name: /Where the role applies/ });
      await where.getByLabel('Region').selectOption({ label: 'Ashanti Region' });
      await where.getByLabel('District').selectOption({ label: 'Ashanti Demo District 2' });
      await page.getByRole('button', { name: 'Create the account' }).click();
      await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
      await page.getByText('The account was created.').waitFor();

      // The same phone again: the server's refusal appears beside the phone field, in words.
      await page.goto('/admin/users/new');
      await page.getByLabel('Name', { exact: true }).fill('Someone Else');
      await page.getByLabel('Phone number', { exact: true }).fill('+233209876543');
      const office2 = page.getByRole('group', { name: /Office area/ });
      await office2.getByLabel('Region').selectOption({ label: 'Ashanti Region' });
      await page.getByRole('button', { name: 'Create the account' }).click();
      await page
        .getByText(/already exists/)
        .first()
        .waitFor();

      await page.goto('/admin/audit');
      await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
      await page.getByRole('table').getByText('Account created').first().waitFor();
      await page.getByRole('button', { name: 'Verify the chain' }).click();
      await page.getByText('The chain is intact', { exact: false }).waitFor();
      await expectAccessible(page, 'audit trail after verification');
    }));

  it('lists accounts with server-side paging, filters and a CSV download', () =>
    withPage(async (page) => {
      await signIn(page, ADMIN);
      await page.goto('/admin/users');
      await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
      await page.getByRole('table').getByText('Akosua Darko').first().waitFor();
      await page.getByLabel('Name or phone number').fill('Akosua');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/q=Akosua/);
      await page.getByRole('table').getByText('Akosua Darko').first().waitFor();
      // The previous page stays on screen until the filtered one arrives.
      await expect
        .poll(() => page.getByRole('table').getByText('Kwame Boateng').count(), { timeout: 10_000 })
        .toBe(0);
      const csv = page.getByRole('link', { name: /CSV/ });
      const href = await csv.getAttribute('href');
      expect(href).toMatch(/format=csv/);
      const res = await page.request.get(href!);
      expect(res.headers()['content-type']).toMatch(/text\/csv/);
      expect(await res.text()).toMatch(/Akosua Darko/);
    }));

  it('runs an export in the background that can be left and come back to', () =>
    withPage(async (page) => {
      await signIn(page, AUDITOR);
      await page.goto('/admin/audit');
      await page.getByRole('button', { name: 'Export in the background' }).click();
      await page.getByText('The export has started', { exact: false }).waitFor();
      // Leave for another screen, then come back to the exports page: the work went on.
      await page.goto('/admin/profile');
      await page.locator('main h1').first().waitFor();
      await page.goto('/tasks');
      await page.getByRole('heading', { level: 1, name: 'Exports and long work' }).waitFor();
      await page.getByText('Export of the audit trail').first().waitFor();
      const download = page.getByRole('link', { name: /Download/ }).first();
      await download.waitFor({ timeout: 60_000 });
      const res = await page.request.get((await download.getAttribute('href'))!);
      expect(res.status()).toBe(200);
      expect((await res.text()).split('\n')[0]).toMatch(/seq/);
      await expectAccessible(page, 'tasks');
    }));
});

describe('several assignments', () => {
  it('lets a person who holds two roles switch between them, and the navigation follows', () =>
    withPage(async (page) => {
      await signIn(page, '+233200000009');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Accounts' }).waitFor();
      await page.getByRole('button', { name: /Adwoa Nyarko/ }).click();
      await page.getByRole('radio', { name: /Community monitor/ }).click();
      await expect.poll(() => nav.getByRole('link', { name: 'Accounts' }).count()).toBe(0);
      await expect(page.getByRole('button', { name: /Adwoa Nyarko/ }).textContent()).resolves.toMatch(
        /Community monitor/,
      );
      await page.keyboard.press('Escape');
    }));
});

describe('public licence check', () => {
  it('opens without sign-in and refuses a forged or mistyped code in plain words', () =>
    withPage(async (page) => {
      await page.goto('/verify/eyJ2IjoxfQ.Zm9yZ2Vk');
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(
        /not a valid OpenASM licence code/,
      );
      await expectAccessible(page, 'verify');
    }, 360));
});
