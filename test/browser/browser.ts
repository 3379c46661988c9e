import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export const DEMO_PASSWORD = 'openasm-demo-2026';
export const ADMIN = '+233200000001';
export const AUDITOR = '+233200000003';
export const DISTRICT_OFFICER = '+233200000005';

/** Debian's Chromium, headless, with nothing that reaches outside this machine. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * One Chromium for a test file (launched before its tests, closed after), and `withPage`, which runs
 * a test in a fresh context and page and fails it on any uncaught error in the page.
 */
export function browserForFile(baseUrl: string) {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const session = {
    get browser(): Browser {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    async withPage<T>(fn: (page: Page) => Promise<T>, width = 1280): Promise<T> {
      const context = await newContext(session.browser, baseUrl, width);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        const result = await fn(page);
        expect(errors, 'uncaught errors in the page').toEqual([]);
        return result;
      } finally {
        await context.close();
      }
    },
  };
  return session;
}

export async function newContext(browser: Browser, baseURL: string, width = 1280): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width, height: 900 }, locale: 'en-GB' });
}

export async function signIn(page: Page, phone: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel(/phone|téléphone|simu|teléfono|telefone/i).fill(phone);
  await page.getByLabel(/password|mot de passe|nenosiri|contraseña|palavra-passe/i).fill(password);
  await page.getByRole('button', { name: /sign in|se connecter|ingia|iniciar sesión|entrar/i }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** axe-core on the page as it is: no serious or critical WCAG 2.x A/AA violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
  })) as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
  expect(serious, `accessibility of ${name}`).toEqual([]);
}
