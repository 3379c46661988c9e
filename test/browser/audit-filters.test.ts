/**
 * The audit trail's filters offer every action and record type the server records (the shared audit
 * catalog), under the name of the module that records them, and the events of the later modules
 * read in words rather than as codes.
 */
import { describe, expect, inject, it } from 'vitest';
import { AUDITOR, browserForFile, expectAccessible, signIn } from './browser.ts';

const baseUrl = inject('baseUrl');
const session = browserForFile(baseUrl);
const { withPage } = session;

describe('audit trail filters', () => {
  it('groups actions and record types by module, and finds the demonstration chain of custody by name', () =>
    withPage(async (page) => {
      await signIn(page, AUDITOR);
      await page.goto('/admin/audit');
      await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();

      const action = page.getByLabel('Action', { exact: true });
      const groups = await action
        .locator('optgroup')
        .evaluateAll((els) => els.map((e) => (e as HTMLOptGroupElement).label));
      expect(groups).toEqual(
        expect.arrayContaining(['Accounts and sign-in', 'Chain of custody', 'Licences and applications']),
      );
      await expect(
        action
          .locator('optgroup[label="Licences and applications"] option', { hasText: 'Licence suspended' })
          .count(),
      ).resolves.toBe(1);
      // A refusal names its record type by code: the types only refusals name sit under "Refused
      // access", and one its own module lists (a licence application) is offered once, there.
      const entityType = page.getByLabel('Record type', { exact: true });
      await expect(
        entityType
          .locator('optgroup[label="Refused access"] option', { hasText: 'Administrative area' })
          .count(),
      ).resolves.toBe(1);
      const licenceApplication = entityType.locator('option', { hasText: /^Licence application$/ });
      await expect(licenceApplication.count()).resolves.toBe(1);
      await expect(
        entityType
          .locator('optgroup[label="Licences and applications"] option', { hasText: /^Licence application$/ })
          .count(),
      ).resolves.toBe(1);

      await action.selectOption({ label: 'Sale or hand-over recorded' });
      await page.getByRole('button', { name: 'Show events' }).click();
      await page.waitForURL(/action=custody\.transfer_recorded/);
      const table = page.getByRole('table');
      await table.getByText('Sale or hand-over recorded').first().waitFor();
      await expect(table.getByText('custody.transfer_recorded').count()).resolves.toBe(0);
      await expect(table.getByText('Custody event').count()).resolves.toBeGreaterThan(0);
      // What is applied stays chosen in the list.
      await expect(action.inputValue()).resolves.toBe('custody.transfer_recorded');
      await expectAccessible(page, 'audit trail filtered by a custody action');
    }));
});
