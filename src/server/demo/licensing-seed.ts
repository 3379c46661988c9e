import { sql } from 'kysely';
import { uuidv7, withCheckCharacter } from '../../shared/ids.ts';
import { lifecycleDb, type TierCondition } from '../modules/licensing/lifecycle.ts';
import * as repo from '../modules/licensing/repo.ts';
import { validTo } from '../modules/licensing/workflow.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import { addDays, countryToday, daysBetween } from '../platform/calendar.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import type { Tx } from '../platform/db/schema.ts';

/**
 * Demonstration licensing records on the demo miners of the registry seed, so the office queue, the
 * conditions and the expiry reminders have something to show: two licences about to end, one with a
 * condition past its due date, and applications waiting longer than the tier's service standard.
 * Dates are relative to today. Loaded once: nothing happens when any application exists already.
 */
interface DemoTier {
  code: string;
  holderKinds: string[];
  validityMonths: number;
  serviceStandardDays: number;
  fee: { amountMinor: number; currency: string };
  conditions?: TierCondition[];
}

/** What each demo miner (in registry order) gets. */
type Plan =
  | { kind: 'licence'; endsInDays: number; conditions: 'met' | 'overdue' }
  | { kind: 'application'; submittedDaysAgo: number; status: 'submitted' | 'under_review' };

const PLANS: Plan[] = [
  { kind: 'licence', endsInDays: 20, conditions: 'met' },
  { kind: 'licence', endsInDays: 6, conditions: 'met' },
  { kind: 'licence', endsInDays: 120, conditions: 'overdue' },
  { kind: 'application', submittedDaysAgo: 40, status: 'submitted' },
  { kind: 'application', submittedDaysAgo: 20, status: 'under_review' },
  { kind: 'application', submittedDaysAgo: 2, status: 'submitted' },
];

/** When the tier has no condition of its own, the overdue one is an officer's. */
const OFFICER_CONDITION: TierCondition = {
  code: 'site_safety_plan',
  names: { en: 'Submit a site safety plan' },
  dueMonths: 3,
};

const tierAbbreviation = (code: string) =>
  code
    .split('_')
    .map((w) => w[0]!.toUpperCase())
    .join('');

/** The same day `months` earlier, clamped to the end of a shorter month. */
function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const lastDay = new Date(Date.UTC(Math.floor(total / 12), (total % 12) + 1, 0)).getUTCDate();
  return new Date(Date.UTC(Math.floor(total / 12), total % 12, Math.min(d, lastDay)))
    .toISOString()
    .slice(0, 10);
}

export async function seedLicensingDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  log: (msg: string) => void = () => {},
): Promise<number> {
  return database.db.transaction().execute(async (tx) => {
    const db = lifecycleDb(tx);
    if (await db.selectFrom('licence_applications').select('id').limit(1).executeTakeFirst()) return 0;
    // The installation's country: the one whose profile is loaded (the demo people live there).
    const loaded = await db.selectFrom('country_profiles').select('country').orderBy('country').execute();
    if (loaded.length !== 1) return 0;
    const country = loaded[0]!.country;
    const profile = (await repo.profileOf(tx, country)) as { licenceTiers?: DemoTier[] } | undefined;
    const tier = profile?.licenceTiers?.find((t) => t.holderKinds.includes('person'));
    if (!tier) return 0;
    const { rows: people } = await sql<{ id: string; area_id: string }>`
      SELECT p.id, p.area_id FROM people p JOIN admin_areas a ON a.id = p.area_id
       WHERE a.country = ${country} ORDER BY p.reference LIMIT ${PLANS.length}`.execute(tx);
    if (people.length < PLANS.length) return 0;

    const now = deps.clock.now();
    const today = await countryToday(tx, country, now);
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000);
    let made = 0;
    for (const [i, plan] of PLANS.entries()) {
      const holder = people[i]!;
      const applicationId = uuidv7();
      const n = await repo.nextNumber(tx, 'licence_application_reference_seq');
      const submittedAt =
        plan.kind === 'application'
          ? at(plan.submittedDaysAgo)
          : at(
              30 + daysBetween(monthsBefore(addDays(today, plan.endsInDays + 1), tier.validityMonths), today),
            );
      await db
        .insertInto('licence_applications')
        .values({
          id: applicationId,
          reference: withCheckCharacter(`LA-${String(n).padStart(6, '0')}`),
          tier_code: tier.code,
          holder_kind: 'person',
          holder_id: holder.id,
          area_id: holder.area_id,
          status: plan.kind === 'application' ? plan.status : 'issued',
          requested_area_hectares: 1,
          fee_assessed_minor: tier.fee.amountMinor,
          currency: tier.fee.currency,
          submitted_at: submittedAt,
          decided_at: plan.kind === 'licence' ? submittedAt : null,
          created_by: null,
          created_at: submittedAt,
          updated_at: submittedAt,
        })
        .execute();
      await event(tx, { applicationId, from: null, to: 'draft', at: submittedAt });
      await event(tx, { applicationId, from: 'draft', to: 'submitted', at: submittedAt });
      if (plan.kind === 'application') {
        if (plan.status === 'under_review')
          await event(tx, { applicationId, from: 'submitted', to: 'under_review', at: submittedAt });
        made++;
        continue;
      }
      // A licence whose last day is endsInDays from today.
      const validFrom = monthsBefore(addDays(today, plan.endsInDays + 1), tier.validityMonths);
      const licenceId = uuidv7();
      const seq = await repo.nextNumber(tx, 'licence_number_seq');
      await db
        .insertInto('licences')
        .values({
          id: licenceId,
          number: withCheckCharacter(
            `${country}-AS-${tierAbbreviation(tier.code)}-${validFrom.slice(0, 4)}-${String(seq).padStart(6, '0')}`,
          ),
          application_id: applicationId,
          tier_code: tier.code,
          holder_kind: 'person',
          holder_id: holder.id,
          area_id: holder.area_id,
          valid_from: validFrom,
          valid_to: validTo(validFrom, tier.validityMonths),
          created_at: submittedAt,
          updated_at: submittedAt,
        })
        .execute();
      await event(tx, { applicationId, licenceId, from: null, to: 'active', at: submittedAt });
      const conditions = tier.conditions?.length ? tier.conditions : [OFFICER_CONDITION];
      for (const c of conditions) {
        const due = addDays(validTo(validFrom, c.dueMonths), 1);
        const met = plan.conditions === 'met';
        await db
          .insertInto('licence_conditions')
          .values({
            id: uuidv7(),
            licence_id: licenceId,
            code: c.code,
            description: c.names.en ?? Object.values(c.names)[0] ?? c.code,
            improvement_level: c.improvementLevel ?? null,
            // The overdue one: due a month ago whatever the tier says.
            due_date: met ? due : addDays(today, -30),
            created_by: null,
            created_at: submittedAt,
          })
          .execute();
        if (met)
          await sql`UPDATE licence_conditions SET status = 'met', evidence_note = 'Demo: evidence seen',
                      decided_at = ${now.toISOString()}::timestamptz
                     WHERE licence_id = ${licenceId} AND code = ${c.code}`.execute(tx);
      }
      made++;
    }
    await deps.audit.record(tx, ctx, {
      action: 'demo.licensing_seeded',
      entityType: 'licence',
      meta: { country, records: made, tier: tier.code },
    });
    log(`created ${made} demo licences and applications`);
    return made;
  });
}

async function event(
  tx: Tx,
  e: { applicationId: string; licenceId?: string; from: string | null; to: string; at: Date },
): Promise<void> {
  await lifecycleDb(tx)
    .insertInto('licence_events')
    .values({
      id: uuidv7(),
      application_id: e.applicationId,
      licence_id: e.licenceId ?? null,
      from_status: e.from,
      to_status: e.to,
      reason: null,
      actor_id: 'system',
      at: e.at,
    })
    .execute();
}
