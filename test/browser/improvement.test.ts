/**
 * The improvement standard screens, as a district officer uses them on the Ghana profile's
 * illustrative standard: a verification recorded requirement by requirement (evidence asked for what
 * is found met), the verified level shown apart from the self-assessment, progress over time, and a
 * plan action added and marked done. The enterprise is registered through the API; every screen
 * passes axe.
 */
import { describe, expect, inject, it } from 'vitest';
import { browserForFile, DISTRICT_OFFICER, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

/** The level 1 requirements of profiles/ghana's illustrative standard, as the form labels them. */
const LEVEL_ONE = [
  'The producer is registered with the mining office and holds, or has applied for, a permit for the site.',
  'A stocked first-aid kit is kept at the site and at least one worker present knows how to use it.',
  'The mercury bought and used is recorded, and amalgam is never heated inside homes or near food.',
  'No one under 18 does dangerous work at the site, and no child below the legal working age works there at all.',
  'No armed group, soldier or guard controls, taxes or extorts the site or the roads to it.',
  'Neighbours and workers know how to raise a complaint, and every complaint gets an answer.',
];
const PITS =
  'Pits deeper than two metres are shored or stepped, and pits no longer worked are fenced or filled.';

describe('improvement standard screens', () => {
  it('records a verification, shows the verified level apart from the claim, and follows a plan action', () =>
    withPage(async (page) => {
      await signIn(page, DISTRICT_OFFICER);
      const me = await (await page.request.get('/api/v1/me')).json();
      const created = await page.request.post('/api/v1/enterprises', {
        headers: { 'idempotency-key': `improvement-${Date.now()}` },
        data: {
          name: `Improving Cooperative ${Date.now()}`,
          form: 'cooperative',
          areaId: me.grants[0].areaId,
        },
      });
      expect(created.status(), await created.text()).toBe(201);
      const enterprise = (await created.json()) as { id: string };

      await page.goto(`/improvement/enterprise/${enterprise.id}`);
      await page.getByRole('heading', { level: 1, name: /where the producer stands/ }).waitFor();
      const standing = page.getByRole('region', { name: 'Level reached' });
      await expect.poll(() => standing.getByText('Not assessed yet').count()).toBe(2);
      await expectAccessible(page, 'a producer never assessed');

      const form = page.getByRole('form', { name: 'Record an assessment' });
      const requirement = (text: string) => form.locator('.sub-panel').filter({ hasText: text });
      // Found met without evidence: the server refuses, and the form says why.
      await requirement(LEVEL_ONE[0]!).getByRole('combobox').selectOption('met');
      await form.getByRole('button', { name: 'Record the assessment' }).click();
      await form.getByText('A verification needs evidence', { exact: false }).waitFor();

      for (const [i, text] of LEVEL_ONE.entries()) {
        await requirement(text).getByRole('combobox').selectOption('met');
        await requirement(text)
          .getByRole('textbox')
          .fill(`VISIT-${i + 1}`);
      }
      await requirement(PITS).getByRole('combobox').selectOption('not_met');
      await form.getByRole('button', { name: 'Record the assessment' }).click();
      await form.getByText('Assessment recorded. Level reached: Level 1: committed.').waitFor();
      await standing.getByText('Level 1: committed').waitFor();
      await standing.getByText('Not assessed yet').waitFor();

      const progress = page.getByRole('region', { name: 'Progress over time' });
      const row = progress.getByRole('row').filter({ hasText: 'Verification' });
      await row.getByText('Level 1: committed').waitFor();
      await row.getByText('% (6 of 16)', { exact: false }).waitFor();

      const plan = page.getByRole('region', { name: 'Improvement plan' });
      const add = plan.getByRole('form', { name: 'Add an action' });
      await add.getByRole('button', { name: 'Add the action' }).click();
      await add.getByText('Fill this in.').first().waitFor();
      await add.getByLabel('Requirement').selectOption({ label: PITS });
      await add.getByLabel('What is to be done').fill('Shore the two deep pits with timber');
      await add.getByLabel('Who is responsible').fill('Pit foreman');
      await add.getByRole('button', { name: 'Add the action' }).click();
      await plan.getByText('The action was added to the plan.').waitFor();
      const action = plan.getByRole('listitem').filter({ hasText: 'Shore the two deep pits' });
      await action.getByText('Open', { exact: true }).waitFor();
      await expectAccessible(page, 'a producer with a verification and a plan');

      await action.getByRole('button', { name: 'Mark done' }).click();
      await plan.getByText('The action is now: Done.').waitFor();
      await action.getByText('Done', { exact: true }).waitFor();

      await page.goto('/improvement');
      await page.getByRole('heading', { level: 1, name: 'Improvement standard' }).waitFor();
      const link = page.getByRole('link', { name: /Improving Cooperative/ }).first();
      await link.waitFor();
      await expectAccessible(page, 'the list of assessments');
      await link.click();
      await page.waitForURL(new RegExp(`/improvement/enterprise/${enterprise.id}$`));
    }));
});
