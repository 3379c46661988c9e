import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DISTRICT_OFFICER, expectAccessible, launch, newContext, signIn } from './browser.ts';

/**
 * A miner's photo on the person page, as a district officer adds it from a phone: the picture is
 * chosen, scaled down in the browser, sent, and shown with the person's name as its text.
 */
let browser: Browser;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A 1200 × 900 picture: larger than 800 px, so the client has to scale it down. */
function picture(): Buffer {
  const image = new PNG({ width: 1200, height: 900 });
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      image.data.set(
        [(x * 255) / image.width, (y * 255) / image.height, 120, 255],
        (y * image.width + x) * 4,
      );
    }
  }
  return PNG.sync.write(image);
}

describe('person photo', () => {
  it('adds a photo scaled down in the browser, shows it with the name as its text, removes it', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, DISTRICT_OFFICER);
      const me = await (await page.request.get('/api/v1/me')).json();
      const created = await page.request.post('/api/v1/people', {
        headers: { 'idempotency-key': `photo-person-${Date.now()}` },
        data: {
          givenName: 'Akosua',
          familyName: 'Photo',
          sex: 'female',
          areaId: me.areaId,
          checkDuplicates: false,
        },
      });
      expect(created.status(), await created.text()).toBe(201);
      const person = await created.json();

      await page.goto(`/registry/people/${person.id}`);
      await page.getByRole('heading', { level: 1, name: 'Akosua Photo' }).waitFor();
      await page.getByText('No photo yet.').waitFor();
      const input = page.getByLabel('Add a photo');
      expect(await input.getAttribute('accept')).toBe('image/*');
      expect(await input.getAttribute('capture')).toBe('environment');

      await input.setInputFiles({ name: 'miner.png', mimeType: 'image/png', buffer: picture() });
      await page.getByText('Photo saved.').waitFor();
      const img = page.getByRole('img', { name: 'Akosua Photo' });
      await img.waitFor();
      await expect
        .poll(() =>
          img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth),
        )
        .toBe(800);
      expect(await img.evaluate((el) => (el as HTMLImageElement).naturalHeight)).toBe(600);

      // Sent as a JPEG scaled down in the browser, not the original PNG.
      const stored = await page.request.get(`/api/v1/people/${person.id}/photo`);
      expect(stored.headers()['content-type']).toBe('image/jpeg');
      expect((await stored.body()).length).toBeLessThan(200_000);
      await page.getByText('Replace', { exact: true }).waitFor();
      await expectAccessible(page, 'person page with a photo');

      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByText('Photo removed.').waitFor();
      await page.getByText('No photo yet.').waitFor();
      expect(await page.getByRole('img', { name: 'Akosua Photo' }).count()).toBe(0);
      expect(errors, 'uncaught errors in the page').toEqual([]);
    } finally {
      await context.close();
    }
  });
});
