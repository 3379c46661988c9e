/**
 * Due diligence on the chain of custody in the browser. Seeded through the API as a district officer:
 * an unlicensed site where a miner produced two lots (each raises an "unlicensed origin" flag), one of
 * them sold to a buying station in a sale dated last month, before it was produced (so last month's
 * balance of the miner sells more than it had), and a licence whose weekly logbook is not in. On
 * screen the officer resolves a flag with a reason, records an incident, plans its mitigation and
 * closes it, reads the mass balance of this month and last, finds the missing logbook and opens its
 * entry page, and sees where the site's production went. An auditor and a community monitor see no
 * action their role may not take. Every screen passes axe-core, and each is used at 360 px.
 */
import type { APIRequestContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN,
  AUDITOR,
  browserForFile,
  DISTRICT_OFFICER,
  expectAccessible,
  newContext,
  signIn,
} from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;
const COMMUNITY_MONITOR = '+233200000008';
/** Ghana (profiles/ghana/profile.json): the district tier reports weekly. */
const COMMUNITY_PERMIT = 'artisanal_community_permit';

const run = Date.now().toString(36);
let seq = 0;
async function post<T>(request: APIRequestContext, path: string, data?: unknown): Promise<T> {
  const res = await request.post(`/api/v1${path}`, {
    headers: { 'idempotency-key': `oversight-${run}-${++seq}` },
    ...(data === undefined ? {} : { data }),
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const DAY = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const today = new Date(`${dayOf(new Date())}T00:00:00Z`);
const monday = new Date(today.getTime() - ((today.getUTCDay() + 6) % 7) * DAY);
const thisMonth = dayOf(today).slice(0, 7);
const lastMonth = dayOf(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1))).slice(0, 7);

const names = {
  site: `Oversight pit ${run}`,
  miner: `Oversight miner ${run}`,
  station: `Oversight station ${run}`,
};
const seeded = {
  siteId: '',
  tagA: '',
  tagB: '',
  licence: { id: '', number: '' },
};
/** Pages the flows below reach, for the pass at 360 px. */
const visited = { flag: '', incident: '' };

interface RecordedEvent {
  lots: { lotId: string; tag: string; role: string }[];
}

describe('custody oversight screens', () => {
  beforeAll(async () => {
    const context = await newContext(session.browser, baseUrl);
    const page = await context.newPage();
    await signIn(page, DISTRICT_OFFICER);
    const r = page.request;
    const areaId = (await (await r.get('/api/v1/me')).json()).grants[0].areaId as string;
    seeded.siteId = (
      await post<{ id: string }>(r, '/production-units', { kind: 'pit', name: names.site, areaId })
    ).id;
    const miner = await post<{ id: string }>(r, '/custody/actors', {
      kind: 'miner',
      name: names.miner,
      areaId,
    });
    const station = await post<{ id: string }>(r, '/custody/actors', {
      kind: 'buying_station',
      name: names.station,
      areaId,
    });
    const produce = async (massMg: number) =>
      (
        await post<RecordedEvent>(r, '/lots', {
          holderActorId: miner.id,
          originSiteId: seeded.siteId,
          mineral: 'gold',
          form: 'ore',
          massMg,
        })
      ).lots.find((l) => l.role === 'output')!;
    const a = await produce(12_500);
    const b = await produce(5_000);
    seeded.tagA = a.tag;
    seeded.tagB = b.tag;
    // A sale dated last month of a lot produced today: last month the miner sold what it did not have.
    await post(r, '/custody/transfers', {
      lotIds: [b.lotId],
      sellerActorId: miner.id,
      buyerActorId: station.id,
      recordedSide: 'seller',
      occurredAt: `${lastMonth}-15T12:00:00.000Z`,
    });
    await context.close();

    // A licence in the officer's district that owes weekly reports from today.
    const admin = await newContext(session.browser, baseUrl);
    const p = await admin.newPage();
    await signIn(p, ADMIN);
    const ar = p.request;
    const person = await post<{ id: string }>(ar, '/people', {
      givenName: 'Akua',
      familyName: `Oversight${run}`,
      sex: 'female',
      birthDate: '1990-05-01',
      areaId,
      checkDuplicates: false,
      idDocument: { type: 'ghana_card', number: `GHA-OVS-${run}` },
    });
    const application = await post<{ id: string }>(ar, '/licence-applications', {
      tierCode: COMMUNITY_PERMIT,
      holderKind: 'person',
      holderId: person.id,
      requestedAreaHectares: 1,
    });
    const id = application.id;
    await post(ar, `/licence-applications/${id}/submit`);
    await post(ar, `/licence-applications/${id}/review`);
    await post(ar, `/licence-applications/${id}/decision`, { outcome: 'approve' });
    const fee = (await (await ar.get(`/api/v1/licence-applications/${id}/payments`)).json()) as {
      balanceMinor: number;
      currency: string;
    };
    if (fee.balanceMinor > 0)
      await post(ar, `/licence-applications/${id}/payments`, {
        amountMinor: fee.balanceMinor,
        currency: fee.currency,
        method: 'cash',
        reference: `OVS-${id.slice(-8)}`,
      });
    seeded.licence = await post<{ id: string; number: string }>(ar, `/licence-applications/${id}/issue`);
    await admin.close();
  });

  it('resolves a risk flag with a reason after reading its evidence', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Risk flags' }).click();
      await page.getByRole('heading', { level: 1, name: 'Risk flags' }).waitFor();
      const filters = page.getByRole('search', { name: 'Filter the flags' });
      await filters.getByLabel('Status').selectOption({ label: 'Open' });
      await filters.getByLabel('Kind').selectOption({ label: 'Unlicensed origin' });
      await filters.getByLabel('Actor').selectOption({ label: `${names.miner} (Miner)` });
      await filters.getByRole('button', { name: 'Search' }).click();
      const table = page.getByRole('table', { name: 'Risk flags in your areas, newest first' });
      const row = table.getByRole('row').filter({ hasText: seeded.tagA });
      await row.waitFor();
      await expect(table.getByRole('row').filter({ hasText: seeded.tagB }).count()).resolves.toBe(1);
      await expect(row.textContent()).resolves.toContain('at a site with no licence valid that day');
      await expect(row.getByRole('link', { name: names.miner }).count()).resolves.toBe(1);
      await expect(row.getByRole('link', { name: new RegExp(names.site) }).count()).resolves.toBe(1);
      await expectAccessible(page, 'risk flags');

      await row.getByRole('link', { name: 'Unlicensed origin' }).click();
      await page.getByRole('heading', { level: 1, name: /Risk flag: Unlicensed origin\s+Open/ }).waitFor();
      visited.flag = new URL(page.url()).pathname;
      const evidence = page.getByRole('region', { name: 'Evidence' });
      await evidence.getByText('Licences').waitFor();
      await evidence.getByText('Day').waitFor();

      const resolve = page.getByRole('form', { name: 'Resolve the flag' });
      await resolve.getByRole('button', { name: 'Resolve the flag' }).click();
      await resolve.getByText('Fill in this field.').waitFor();
      await expectAccessible(page, 'a flag with its resolve form refused');
      const reason = `Visited ${names.site}: the pit applied for a community permit last week (${run}).`;
      await resolve.getByLabel('What was checked and found').fill(reason);
      await resolve.getByRole('button', { name: 'Resolve the flag' }).click();
      await page.getByText('The flag was resolved.', { exact: false }).waitFor();
      await page.getByRole('heading', { level: 1, name: /Resolved$/ }).waitFor();
      await page.getByRole('region', { name: 'Resolution' }).getByText(reason).waitFor();
      await expect(page.getByRole('form', { name: 'Resolve the flag' }).count()).resolves.toBe(0);

      // The list, filtered on open flags again, no longer has it.
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: 'Risk flags' }).waitFor();
      await table.getByRole('row').filter({ hasText: seeded.tagB }).waitFor();
      await expect(table.getByRole('row').filter({ hasText: seeded.tagA }).count()).resolves.toBe(0);
    }));

  it('records an incident, plans its mitigation and closes it', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
      await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
      await page.getByText('call for immediate disengagement', { exact: false }).first().waitFor();

      await page.locator('summary', { hasText: 'Record an incident' }).click();
      const form = page.getByRole('form', { name: 'Record an incident' });
      // A class 1 category says at once what it means for trade.
      await form.getByLabel('Category').selectOption({ label: 'Support to non-state armed groups' });
      await form.getByText('This is a class 1 incident', { exact: false }).waitFor();
      await form.getByLabel('Category').selectOption({ label: 'Bribery' });
      await expect(form.getByText('This is a class 1 incident', { exact: false }).count()).resolves.toBe(0);
      await form.getByLabel(/^Site \(production unit\)/).selectOption(seeded.siteId);
      await form
        .getByLabel('What was seen')
        .fill(`A buyer at ${names.site} asked miners for a fee to weigh their gold (${run}).`);
      await expectAccessible(page, 'incidents with the form open');
      await form.getByRole('button', { name: 'Record the incident' }).click();
      await page.waitForURL((url) => /\/custody\/incidents\/[0-9a-f-]{36}$/.test(url.pathname));
      visited.incident = new URL(page.url()).pathname;
      await page.getByText('The incident was recorded.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Bribery' }).waitFor();
      await page.getByText('Annex II class 2: mitigate').first().waitFor();
      await expectAccessible(page, 'a new incident');

      await page.locator('summary', { hasText: 'Change the plan' }).click();
      const plan = page.getByRole('form', { name: 'Change the plan' });
      const first = plan.getByRole('group', { name: 'Action 1' });
      await first
        .getByLabel('Action', { exact: true })
        .fill('Weigh at the station with the district officer present');
      await first.getByLabel('Who does it').fill('District officer');
      await first.getByLabel('Deadline').fill(dayOf(new Date(today.getTime() + 14 * DAY)));
      // A row added and left empty is dropped, not refused.
      await plan.getByRole('button', { name: 'Add an action' }).click();
      await plan.getByRole('group', { name: 'Action 2' }).waitFor();
      await plan.getByRole('button', { name: 'Save the plan' }).click();
      await page.getByText('The mitigation plan was saved.').waitFor();
      const actions = page.getByRole('table', { name: 'Actions of the mitigation plan' });
      await actions
        .getByRole('row')
        .filter({ hasText: 'Weigh at the station with the district officer present' })
        .filter({ hasText: 'Not yet' })
        .waitFor();
      // A plan for an open incident means it is being mitigated.
      await page.locator('.tag-line').getByText('Mitigating').waitFor();

      const status = page.getByRole('form', { name: 'Change the status' });
      await status.getByLabel('New status').selectOption({ label: 'Resolved' });
      await status.getByText('Closed: the risk is dealt with.', { exact: false }).waitFor();
      await status.getByLabel('Reason').fill('Weighing is now public; the miners confirmed no fee is asked.');
      await status.getByRole('button', { name: 'Change the status' }).click();
      await page.getByText('The status was changed.').waitFor();
      await page.locator('.tag-line').getByText('Resolved').waitFor();
      await page.getByText('This incident is resolved: its plan and status can no longer change.').waitFor();
      await expect(page.getByRole('form', { name: 'Change the status' }).count()).resolves.toBe(0);

      // The register lists it among the resolved ones.
      await page.getByRole('link', { name: 'Back to the incidents' }).click();
      const filters = page.getByRole('search', { name: 'Filter the incidents' });
      await filters.getByLabel('Status').selectOption({ label: 'Resolved' });
      await filters.getByRole('button', { name: 'Search' }).click();
      await page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: 'Bribery' }) })
        .filter({ hasText: '0 of 1 done' })
        .first()
        .waitFor();
    }));

  it('shows the mass balance of this month and flags last month', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Mass balance' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Mass balance' }).waitFor();
      const filters = page.getByRole('search', { name: 'Choose the month and actors' });
      await expect(filters.getByLabel(/^Month/).inputValue()).resolves.toBe(thisMonth);
      await filters.getByLabel('Actor').selectOption({ label: `${names.miner} (Miner)` });
      await filters.getByRole('button', { name: 'Search' }).click();
      // This month: both lots produced (17.5 g) and still held, the sale being dated last month.
      const row = page.getByRole('row').filter({ hasText: names.miner });
      await row.filter({ hasText: 'produced 17.5 g, bought 0 g' }).waitFor();
      await row.getByText('Balanced').waitFor();
      const csv = page.getByRole('link', { name: 'Download CSV' });
      await expect(csv.getAttribute('href')).resolves.toContain('format=csv');
      await expectAccessible(page, 'mass balance');

      await filters.getByLabel(/^Month/).fill(lastMonth);
      await filters.getByRole('button', { name: 'Search' }).click();
      const flagged = page
        .getByRole('row')
        .filter({ hasText: names.miner })
        .filter({ hasText: 'Sold and exported more than the opening stock and inputs allow' });
      await flagged.waitFor();
      await expect(flagged.textContent()).resolves.toContain('sold 5 g, exported 0 g');
      // Highlighted, besides the words.
      const background = await flagged.evaluate((tr) => getComputedStyle(tr).backgroundColor);
      expect(background).toBe('rgb(255, 244, 229)');
      await expectAccessible(page, 'mass balance with a flagged row');
    }));

  it('lists the missing logbook and opens its entry page', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Missing logbooks' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Missing and late logbooks' }).waitFor();
      const filters = page.getByRole('search', { name: 'Choose the office and the dates' });
      await filters.getByLabel(/^From/).fill(dayOf(monday));
      await filters.getByLabel(/^Judged on/).fill(dayOf(new Date(today.getTime() + 28 * DAY)));
      await filters.getByRole('button', { name: 'Search' }).click();
      const row = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: seeded.licence.number, exact: true }) })
        .first();
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('Missing');
      await expect(row.textContent()).resolves.toContain(
        // The interface is in English ('en'), whatever the browser's region.
        new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(monday),
      );
      await page.getByRole('region', { name: 'By district' }).getByRole('row').nth(1).waitFor();
      await expectAccessible(page, 'missing logbooks');
      await row.getByRole('link', { name: seeded.licence.number, exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/licensing/licences/${seeded.licence.id}/logbook`);
      await page.getByRole('heading', { level: 1, name: 'Logbook entry' }).waitFor();
    }));

  it("shows where a site's production went on its page", () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      await page.goto(`/registry/production-units/${seeded.siteId}`);
      await page.getByRole('heading', { level: 1, name: names.site }).waitFor();
      const panel = page.getByRole('region', { name: "Where this site's production went" });
      await panel.getByText('Produced', { exact: true }).waitFor();
      const figures = panel.locator('dl.summary-figures');
      await expect(figures.textContent()).resolves.toMatch(/Produced17\.5 g.*Still held17\.5 g.*Exported0 g/);
      const lots = panel.getByRole('region', { name: 'Lots holding some of it now' });
      await lots.getByRole('row').filter({ hasText: seeded.tagA }).filter({ hasText: names.miner }).waitFor();
      await lots
        .getByRole('row')
        .filter({ hasText: seeded.tagB })
        .filter({ hasText: names.station })
        .waitFor();
      await expectAccessible(page, 'a production unit with its downstream panel');
    }));

  it('offers no action a role may not take', () =>
    withPage(async (page) => {
      expect(visited.flag && visited.incident, 'the flows above ran first').toBeTruthy();
      // The auditor reads flags and incidents but resolves and changes nothing.
      await signIn(page, AUDITOR);
      await page.goto(visited.flag);
      await page.getByRole('heading', { level: 1, name: /Risk flag: Unlicensed origin/ }).waitFor();
      const flags = (await (
        await page.request.get('/api/v1/custody/flags?code=origin_unlicensed&status=open&limit=500')
      ).json()) as { items: { id: string }[] };
      expect(flags.items.length).toBeGreaterThan(0);
      await page.goto(`/custody/flags/${flags.items[0]!.id}`);
      await page.getByText('Only someone who manages incidents can resolve this flag.').waitFor();
      await expect(page.getByRole('form', { name: 'Resolve the flag' }).count()).resolves.toBe(0);
      await page.goto('/custody/incidents');
      await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
      await expect(page.locator('summary', { hasText: 'Record an incident' }).count()).resolves.toBe(0);

      // A community monitor records incidents by area (no registry), and sees no custody screens.
      await page.context().clearCookies();
      await signIn(page, COMMUNITY_MONITOR);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Incidents' }).waitFor();
      await expect(nav.getByRole('link', { name: 'Risk flags' }).count()).resolves.toBe(0);
      await expect(nav.getByRole('link', { name: 'Mass balance' }).count()).resolves.toBe(0);
      await nav.getByRole('link', { name: 'Incidents' }).click();
      await page.locator('summary', { hasText: 'Record an incident' }).click();
      const form = page.getByRole('form', { name: 'Record an incident' });
      await form.getByRole('group', { name: /^Area/ }).waitFor();
      await expect(form.getByLabel(/^Site \(production unit\)/).count()).resolves.toBe(0);
      await expect(form.getByLabel(/^Actor/).count()).resolves.toBe(0);
    }));

  it('works on a 360 px screen', () =>
    withPage(async (page) => {
      expect(visited.flag && visited.incident, 'the flows above ran first').toBeTruthy();
      await signIn(page, DISTRICT_OFFICER);
      const screens: [string, string | RegExp, (p: Page) => Promise<void>][] = [
        ['/custody/flags', 'Risk flags', async () => {}],
        [visited.flag, /Risk flag/, async () => {}],
        [
          '/custody/incidents',
          'Incidents',
          async (p) => {
            await p.locator('summary', { hasText: 'Record an incident' }).click();
          },
        ],
        [
          visited.incident,
          'Bribery',
          async (p) => {
            await p.getByRole('table', { name: 'Actions of the mitigation plan' }).waitFor();
          },
        ],
        [
          '/custody/mass-balance',
          'Mass balance',
          async (p) => {
            await p.getByRole('row').filter({ hasText: names.miner }).waitFor();
          },
        ],
        [
          '/logbooks/missing',
          'Missing and late logbooks',
          async (p) => {
            await p.getByRole('heading', { level: 2, name: 'By district' }).waitFor();
          },
        ],
        [
          `/registry/production-units/${seeded.siteId}`,
          names.site,
          async (p) => {
            await p.getByRole('region', { name: 'Lots holding some of it now' }).waitFor();
          },
        ],
      ];
      for (const [url, heading, ready] of screens) {
        await page.goto(url);
        await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
        await ready(page);
        // On failure, the first elements reaching past the right edge say where to look.
        const { overflow, past } = await page.evaluate(() => ({
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          past: Array.from(document.querySelectorAll('main *'))
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
        }));
        expect(overflow, `${url} is wider than the screen: ${past.join(', ')}`).toBeLessThanOrEqual(0);
        // For a look at the screens: OVERSIGHT_SHOTS=/tmp/shots (a directory that exists).
        if (process.env.OVERSIGHT_SHOTS)
          await page.screenshot({
            path: `${process.env.OVERSIGHT_SHOTS}/${url.split('/').slice(1, 3).join('-')}${url.split('/').length > 3 ? '-one' : ''}.png`,
            fullPage: true,
          });
        await expectAccessible(page, `${url} at 360 px`);
      }
    }, 360));
});
