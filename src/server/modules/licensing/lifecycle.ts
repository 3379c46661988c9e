import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { addDays, countryToday, daysBetween } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { DB, Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { verifiedLevel } from '../improvement/repo.ts';
import * as repo from './repo.ts';
import { validTo } from './workflow.ts';

/**
 * The lifecycle rules of a licence after issue: renewal dates, progressive conditions, waiting times
 * in the office queue. Dates are calendar days in the licence's country (its profile's time zone,
 * platform/calendar.ts): a licence runs to the end of valid_to there, wherever the server is.
 */

/** A renewal may be applied for from this many days before valid_to… */
export const RENEWAL_OPENS_DAYS_BEFORE = 90;
/** …until this many days after it (the licence has expired by then). */
export const RENEWAL_CLOSES_DAYS_AFTER = 180;

const DAY_MS = 86_400_000;

// The date arithmetic lives in platform/calendar.ts; re-exported for the web client's mirror and tests.
export { addDays, daysBetween };

export type RenewalWindow = 'too_early' | 'open' | 'too_late';

/** Whether a licence whose last day is `validTo` may be renewed on `today`. */
export function renewalWindow(validToDate: string, today: string): RenewalWindow {
  const days = daysBetween(today, validToDate);
  if (days > RENEWAL_OPENS_DAYS_BEFORE) return 'too_early';
  if (-days > RENEWAL_CLOSES_DAYS_AFTER) return 'too_late';
  return 'open';
}

/**
 * The new last day after a renewal: the next period starts the day after the old one ends, or today
 * when the licence had lapsed (the gap is not backdated).
 */
export function renewedValidTo(oldValidTo: string, today: string, validityMonths: number): string {
  const next = addDays(oldValidTo, 1);
  return validTo(next > today ? next : today, validityMonths);
}

/**
 * Whole days an application has waited since it was submitted: elapsed 24-hour periods, the same
 * in every time zone (no calendar day is decided here).
 */
export const waitingDays = (submittedAt: Date, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - submittedAt.getTime()) / DAY_MS));

/** Overdue once it has waited more whole days than the tier's service standard. */
export function queueTiming(submittedAt: Date, now: Date, serviceStandardDays: number | null) {
  const waiting = waitingDays(submittedAt, now);
  const daysOverdue = serviceStandardDays === null ? 0 : Math.max(0, waiting - serviceStandardDays);
  return { waitingDays: waiting, overdue: daysOverdue > 0, daysOverdue };
}

/**
 * The level of the improvement standard a holder has reached: the one found by its latest
 * verification (a self-assessment never counts). Null when it was never verified, and then
 * conditions with a level are decided by an officer.
 */
export async function improvementLevelOf(
  db: Queryable,
  holder: { kind: string; id: string },
): Promise<number | null> {
  return verifiedLevel(db, holder.kind, holder.id);
}

/**
 * The service standard of each tier of each loaded profile, as rows, for joining with applications:
 * country, tier code, days.
 */
export const TIER_STANDARDS = sql`
  SELECT cp.country, t ->> 'code' AS tier_code, (t ->> 'serviceStandardDays')::int AS days
    FROM country_profiles cp, jsonb_array_elements(cp.document -> 'licenceTiers') t`;

/** The tables and columns of migration 0010 that the licensing module reads and writes. */
export interface LicenceConditionsTable {
  id: string;
  licence_id: string;
  code: string;
  description: string;
  improvement_level: number | null;
  due_date: ColumnType<string, string, string>;
  status: ColumnType<'open' | 'met' | 'waived', 'open' | undefined, 'met' | 'waived'>;
  evidence_note: ColumnType<string | null, undefined, string>;
  decided_by: ColumnType<string | null, undefined, string | null>;
  decided_at: ColumnType<Date | null, undefined, Date>;
  created_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  version: Generated<number>;
}
export type ConditionRow = Selectable<LicenceConditionsTable>;

interface LicenceEventsWithAction extends repo.LicenceEventsTable {
  action: ColumnType<string | null, string | null | undefined, never>;
}

type LifecycleTables = Omit<repo.LicensingTables, 'licence_events'> & {
  licence_events: LicenceEventsWithAction;
  licence_conditions: LicenceConditionsTable;
};

export function lifecycleDb(db: Queryable): Kysely<DB & LifecycleTables> {
  return (db as Kysely<DB>).withTables<LifecycleTables>();
}

/** A condition of a tier in the country profile. */
export interface TierCondition {
  code: string;
  names: Record<string, string>;
  dueMonths: number;
  improvementLevel?: number;
}

/** The text of a condition: English when the profile has it, else its first language. */
const describe = (names: Record<string, string>) => names.en ?? Object.values(names)[0] ?? '';

/** Open conditions whose due date has passed on `today` and that the holder's level does not meet. */
export async function overdueConditions(
  db: Queryable,
  licence: { id: string; holder_kind: string; holder_id: string },
  today: string,
): Promise<ConditionRow[]> {
  const open = await lifecycleDb(db)
    .selectFrom('licence_conditions')
    .selectAll()
    .where('licence_id', '=', licence.id)
    .where('status', '=', 'open')
    .where('due_date', '<', today)
    .orderBy('due_date')
    .orderBy('code')
    .execute();
  const level = await improvementLevelOf(db, { kind: licence.holder_kind, id: licence.holder_id });
  return open.filter(
    (c) => !(level !== null && c.improvement_level !== null && level >= c.improvement_level),
  );
}

/** The hooks the application workflow (service.ts) calls at issue and at the renewal decision. */
export function createLifecycle({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  const actorId = (ctx: RequestContext) => ctx.actor?.id ?? null;

  async function renewedLicence(db: Queryable, a: repo.ApplicationRow) {
    const l = a.renews_licence_id ? await repo.findLicence(db, a.renews_licence_id) : undefined;
    if (!l) throw problems.notFound('Licence');
    if (l.status !== 'active' && l.status !== 'expired') {
      throw problems.conflict('licensing.invalid_transition', `A ${l.status} licence cannot be renewed.`, {
        from: l.status,
        to: 'active',
      });
    }
    return l;
  }

  return {
    /**
     * Before approving a renewal: the licence can still be renewed, and no condition is open past
     * its due date (409 licensing.conditions_unmet, listing them).
     */
    async assertRenewable(tx: Tx, a: repo.ApplicationRow): Promise<void> {
      const l = await renewedLicence(tx, a);
      const overdue = await overdueConditions(tx, l, await countryToday(tx, l.country, clock.now()));
      if (overdue.length > 0) {
        throw problems.conflict(
          'licensing.conditions_unmet',
          'The licence has conditions past their due date that are neither met nor waived.',
          { conditions: overdue.map((c) => ({ id: c.id, code: c.code, dueDate: c.due_date })) },
        );
      }
    },

    /**
     * Issuing a renewal: the same licence (same number) runs for another period and is active again.
     * Returns its id.
     */
    async extendLicence(
      tx: Tx,
      ctx: RequestContext,
      a: repo.ApplicationRow,
      validityMonths: number,
    ): Promise<string> {
      const l = await renewedLicence(tx, a);
      if (l.status === 'expired') {
        const other = await repo.activeLicenceOf(tx, l.holder_kind, l.holder_id, l.tier_code);
        if (other) {
          throw problems.conflict(
            'licensing.duplicate_active_licence',
            'The holder already has an active licence of this tier.',
            { licenceId: other.id, number: other.number },
          );
        }
      }
      const now = clock.now();
      const newValidTo = renewedValidTo(l.valid_to, await countryToday(tx, l.country, now), validityMonths);
      const db = lifecycleDb(tx);
      await db
        .updateTable('licences')
        .set({ status: 'active', valid_to: newValidTo, updated_at: now, version: sql`version + 1` })
        .where('id', '=', l.id)
        .execute();
      await db
        .insertInto('licence_events')
        .values({
          id: uuidv7(),
          application_id: a.id,
          licence_id: l.id,
          from_status: l.status,
          to_status: 'active',
          action: 'renewed',
          reason: null,
          actor_id: actorId(ctx),
          at: now,
        })
        .execute();
      await audit.record(tx, ctx, {
        action: 'licence.renewed',
        entityType: 'licence',
        entityId: l.id,
        areaId: l.area_id,
        before: { status: l.status, validTo: l.valid_to },
        after: { status: 'active', validTo: newValidTo },
        meta: { applicationId: a.id },
      });
      return l.id;
    },

    /** At issue: the tier's conditions, each due dueMonths after valid_from. */
    async attachTierConditions(
      tx: Tx,
      ctx: RequestContext,
      licence: { id: string; validFrom: string; areaId: string },
      conditions: readonly TierCondition[],
    ): Promise<void> {
      if (conditions.length === 0) return;
      const now = clock.now();
      const rows = conditions.map((c) => ({
        id: uuidv7(),
        licence_id: licence.id,
        code: c.code,
        description: describe(c.names),
        improvement_level: c.improvementLevel ?? null,
        // valid_from plus dueMonths (validTo() gives the day before it).
        due_date: addDays(validTo(licence.validFrom, c.dueMonths), 1),
        created_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
        created_at: now,
      }));
      await lifecycleDb(tx).insertInto('licence_conditions').values(rows).execute();
      await audit.record(tx, ctx, {
        action: 'licence.conditions_attached',
        entityType: 'licence',
        entityId: licence.id,
        areaId: licence.areaId,
        after: rows.map((r) => ({ code: r.code, dueDate: r.due_date })),
      });
    },
  };
}

/**
 * The status to show for a licence on `today`: an active licence past its last day reads expired
 * even before the nightly sweep has recorded it.
 */
export function effectiveStatus<S extends string>(
  status: S,
  validToDate: string,
  today: string,
): S | 'expired' {
  return status === 'active' && validToDate < today ? 'expired' : status;
}
