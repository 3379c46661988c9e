import { sql } from 'kysely';
import { uuidv7, withCheckCharacter } from '../../shared/ids.ts';
import * as fees from '../modules/licence-fees/repo.ts';
import * as rights from '../modules/licence-rights/repo.ts';
import * as licensing from '../modules/licensing/repo.ts';
import { validTo } from '../modules/licensing/workflow.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import { countryToday } from '../platform/calendar.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import type { Tx } from '../platform/db/schema.ts';

/**
 * Demonstration fees and rights, after the licensing demo: the fee of every demo licence paid in
 * full (one paid in two instalments, cash then mobile money), each payment with its receipt; and a
 * small-scale licence of a demo enterprise, with a mortgage registered on it, where the profile has a
 * tier granting mortgage_right. Loaded once: nothing happens when any payment exists already.
 */
interface DemoTier {
  code: string;
  holderKinds: string[];
  validityMonths: number;
  fee: { amountMinor: number; currency: string };
  incentives: { code: string }[];
}

const tierAbbreviation = (code: string) =>
  code
    .split('_')
    .map((w) => w[0]!.toUpperCase())
    .join('');

async function pay(
  tx: Tx,
  a: { id: string; fee: number; currency: string; at: Date; reference: string },
  instalments: number[],
): Promise<void> {
  let paid = 0;
  for (const [i, amount] of instalments.entries()) {
    paid += amount;
    const n = await fees.nextReceiptNumber(tx);
    await fees
      .feesDb(tx)
      .insertInto('licence_fee_payments')
      .values({
        id: uuidv7(),
        receipt_number: withCheckCharacter(`RC-${String(n).padStart(6, '0')}`),
        application_id: a.id,
        amount_minor: amount,
        currency: a.currency,
        method: i === 0 ? 'cash' : 'mobile_money',
        reference: i === 0 ? `DEMO-CASH-${a.reference}` : `DEMO-MM-${a.reference}-${i}`,
        payer_name: null,
        paid_at: new Date(a.at.getTime() + i * 86_400_000),
        balance_after_minor: a.fee - paid,
        recorded_by: null,
        recorded_at: new Date(a.at.getTime() + i * 86_400_000),
      })
      .execute();
  }
}

export async function seedFeesAndRightsDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  log: (msg: string) => void = () => {},
): Promise<number> {
  return database.db.transaction().execute(async (tx) => {
    if (await fees.feesDb(tx).selectFrom('licence_fee_payments').select('id').limit(1).executeTakeFirst())
      return 0;
    const loaded = await tx.selectFrom('country_profiles').select('country').orderBy('country').execute();
    if (loaded.length !== 1) return 0;
    const country = loaded[0]!.country;
    const now = deps.clock.now();

    // The fees of the licences the licensing demo issued.
    const { rows: issued } = await sql<{
      id: string;
      reference: string;
      fee: string;
      currency: string;
      submitted_at: Date;
    }>`SELECT la.id, la.reference, la.fee_assessed_minor AS fee, la.currency, la.submitted_at
         FROM licence_applications la JOIN admin_areas a ON a.id = la.area_id
        WHERE la.status = 'issued' AND a.country = ${country} AND la.fee_assessed_minor > 0
        ORDER BY la.reference`.execute(tx);
    let payments = 0;
    for (const [i, a] of issued.entries()) {
      const fee = Number(a.fee);
      const first = Math.floor(fee / 2);
      const instalments = i === 0 && first > 0 ? [first, fee - first] : [fee];
      await pay(
        tx,
        { id: a.id, fee, currency: a.currency, at: new Date(a.submitted_at), reference: a.reference },
        instalments,
      );
      payments += instalments.length;
    }

    // A small-scale licence of a demo enterprise, with a mortgage on it.
    let mortgages = 0;
    const profile = (await licensing.profileOf(tx, country)) as { licenceTiers?: DemoTier[] } | undefined;
    const tier = profile?.licenceTiers?.find(
      (t) => t.holderKinds.includes('enterprise') && t.incentives.some((x) => x.code === 'mortgage_right'),
    );
    const { rows: enterprises } = await sql<{ id: string; area_id: string }>`
      SELECT e.id, e.area_id FROM enterprises e JOIN admin_areas a ON a.id = e.area_id
       WHERE a.country = ${country} ORDER BY e.reference LIMIT 1`.execute(tx);
    const holder = enterprises[0];
    if (tier && holder && !(await licensing.activeLicenceOf(tx, 'enterprise', holder.id, tier.code))) {
      const at = new Date(now.getTime() - 60 * 86_400_000);
      const validFrom = await countryToday(tx, country, at);
      const applicationId = uuidv7();
      const reference = withCheckCharacter(
        `LA-${String(await licensing.nextNumber(tx, 'licence_application_reference_seq')).padStart(6, '0')}`,
      );
      const db = licensing.licensingDb(tx);
      await db
        .insertInto('licence_applications')
        .values({
          id: applicationId,
          reference,
          tier_code: tier.code,
          holder_kind: 'enterprise',
          holder_id: holder.id,
          area_id: holder.area_id,
          status: 'issued',
          requested_area_hectares: 5,
          fee_assessed_minor: tier.fee.amountMinor,
          currency: tier.fee.currency,
          submitted_at: at,
          decided_at: at,
          created_by: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      const licenceId = uuidv7();
      const seq = await licensing.nextNumber(tx, 'licence_number_seq');
      await db
        .insertInto('licences')
        .values({
          id: licenceId,
          number: withCheckCharacter(
            `${country}-AS-${tierAbbreviation(tier.code)}-${validFrom.slice(0, 4)}-${String(seq).padStart(6, '0')}`,
          ),
          application_id: applicationId,
          tier_code: tier.code,
          holder_kind: 'enterprise',
          holder_id: holder.id,
          area_id: holder.area_id,
          valid_from: validFrom,
          valid_to: validTo(validFrom, tier.validityMonths),
          created_at: at,
          updated_at: at,
        })
        .execute();
      for (const [from, to, licence] of [
        [null, 'draft', null],
        ['draft', 'submitted', null],
        ['submitted', 'under_review', null],
        ['under_review', 'approved', null],
        ['approved', 'issued', null],
        [null, 'active', licenceId],
      ] as const) {
        await db
          .insertInto('licence_events')
          .values({
            id: uuidv7(),
            application_id: applicationId,
            licence_id: licence,
            from_status: from,
            to_status: to,
            reason: null,
            actor_id: 'system',
            at,
          })
          .execute();
      }
      if (tier.fee.amountMinor > 0) {
        await pay(
          tx,
          { id: applicationId, fee: tier.fee.amountMinor, currency: tier.fee.currency, at, reference },
          [tier.fee.amountMinor],
        );
        payments++;
      }
      await rights
        .rightsDb(tx)
        .insertInto('licence_encumbrances')
        .values({
          id: uuidv7(),
          licence_id: licenceId,
          kind: 'mortgage',
          creditor_name: 'Demo Rural Bank',
          amount_minor: tier.fee.amountMinor * 25 || 1_000_000,
          currency: tier.fee.currency,
          reference: 'DEMO-LOAN-0001',
          documents_note: 'Demo: loan agreement kept at the district office',
          registered_at: new Date(at.getTime() + 7 * 86_400_000),
          registered_by: null,
        })
        .execute();
      mortgages++;
    }
    if (payments + mortgages === 0) return 0;
    await deps.audit.record(tx, ctx, {
      action: 'demo.fees_and_rights_seeded',
      entityType: 'licence',
      meta: { country, payments, mortgages },
    });
    log(`created ${payments} demo fee payments and ${mortgages} demo mortgage`);
    return payments + mortgages;
  });
}
