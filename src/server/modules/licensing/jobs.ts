import { type Kysely, sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import { type AuditLog, createAuditLog } from '../../platform/audit/audit.ts';
import { addDays, localDateSql } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import { systemContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import type { JobsLogger, PgBossJobs } from '../../platform/jobs/pgboss.ts';
import type { Notifier } from '../../platform/notify/notifier.ts';
import { type DeliveryCounts, deliverPending } from '../../platform/notify/outbox.ts';
import { lifecycleDb, TIER_STANDARDS } from './lifecycle.ts';

/**
 * The daily licensing jobs. Each body is a plain function of (database, clock, …) so tests run it
 * with a fixed clock; registerLicensingJobs wires them to pg-boss schedules (UTC).
 */
export const EXPIRE_QUEUE = 'licensing.expire';
export const EXPIRY_REMINDERS_QUEUE = 'licensing.expiry-reminders';
export const OVERDUE_QUEUE_QUEUE = 'licensing.overdue-queue';
/**
 * Hourly: a licence ends at midnight of its country's time zone (UTC−11 to UTC+14), so a daily run
 * at one UTC hour would leave some countries' licences active for most of a day.
 */
export const EXPIRE_CRON = '10 * * * *';
/** Mid-morning in West and Central Africa, not in the night. */
export const EXPIRY_REMINDERS_CRON = '0 8 * * *';
export const OVERDUE_QUEUE_CRON = '0 7 * * *';

/** Days before valid_to when the holder is reminded; each is sent once per licence period. */
export const EXPIRY_REMINDER_DAYS = [30, 7] as const;

/**
 * Licences expired per transaction; each gets an event and an audit record. The audit chain is
 * appended one record at a time under a lock (about 2 ms a licence on PostgreSQL: 16,600 in 36 s),
 * so a batch holds other writers back for well under a second; the first sweep of a 200,000-licence
 * registry takes minutes, a normal day's a fraction of a second.
 */
const EXPIRE_BATCH = 200;

/** The zone of the country of a licence's area (aliases aa and cp joined), UTC without a profile. */
const ZONE = sql`cp.document ->> 'timeZone'`;

/**
 * Moves active licences whose last day (valid_to) is before today in their country (its profile's
 * time zone) to expired, in batches:
 * one set-based UPDATE … RETURNING per batch, the events in one INSERT, an audit record each (the
 * audit chain appends one event at a time). Running it again finds nothing to do.
 */
export async function expireLicences(
  db: Kysely<DB>,
  clock: Clock,
  audit: AuditLog = createAuditLog({ clock }),
  batchSize = EXPIRE_BATCH,
): Promise<{ expired: number }> {
  const ctx = systemContext('licensing.expire');
  const at = clock.now();
  // No time zone is more than a day ahead of UTC: this bound lets the index on valid_to narrow the scan.
  const latest = addDays(at.toISOString().slice(0, 10), 1);
  let expired = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const now = clock.now();
      const { rows } = await sql<{
        id: string;
        application_id: string;
        area_id: string;
        number: string;
        valid_to: string;
      }>`
        UPDATE licences SET status = 'expired', updated_at = ${now.toISOString()}::timestamptz,
               version = version + 1
         WHERE id IN (SELECT l.id FROM licences l
                        JOIN admin_areas aa ON aa.id = l.area_id
                        LEFT JOIN country_profiles cp ON cp.country = aa.country
                       WHERE l.status = 'active' AND l.valid_to < ${latest}::date
                         AND l.valid_to < ${localDateSql(at, ZONE)}
                       ORDER BY l.valid_to, l.id
                       LIMIT ${batchSize}
                       FOR UPDATE OF l SKIP LOCKED)
           AND status = 'active'
        RETURNING id, application_id, area_id, number, valid_to::text AS valid_to`.execute(tx);
      if (rows.length === 0) return 0;
      await lifecycleDb(tx)
        .insertInto('licence_events')
        .values(
          rows.map((r) => ({
            id: uuidv7(),
            application_id: r.application_id,
            licence_id: r.id,
            from_status: 'active',
            to_status: 'expired',
            reason: null,
            actor_id: 'system',
            at: now,
          })),
        )
        .execute();
      for (const r of rows) {
        await audit.record(tx, ctx, {
          action: 'licence.expired',
          entityType: 'licence',
          entityId: r.id,
          areaId: r.area_id,
          before: { status: 'active' },
          after: { status: 'expired', number: r.number, validTo: r.valid_to },
        });
      }
      return rows.length;
    });
    expired += n;
    if (n < batchSize) return { expired };
  }
}

/**
 * Reminds holders that their licence ends soon: 30 and 7 days before valid_to (whichever window the
 * licence is in, so a missed day still sends the nearer one). A person is reached on their phone; an
 * enterprise (or a unit, through its operating enterprise) on its chair's. Each reminder is keyed by
 * (licence, valid_to, days before): running twice sends nothing more, and a renewed licence gets
 * reminders again for its new period. Holders without a phone are skipped.
 */
export async function sendExpiryReminders(
  db: Queryable,
  clock: Clock,
  notifier: Notifier,
): Promise<{ queued: number } & DeliveryCounts> {
  const now = clock.now();
  const utcToday = now.toISOString().slice(0, 10);
  const longest = Math.max(...EXPIRY_REMINDER_DAYS);
  // Days left count from today in the licence's country; the outer bounds (a day either side of the
  // UTC date) let the index on valid_to narrow the scan.
  const { rows } = await sql<{ n: number }>`
    WITH candidates AS (
      SELECT l.id, l.number, l.valid_to, l.holder_kind, l.holder_id, ${localDateSql(now, ZONE)} AS today,
             coalesce(cp.document -> 'languages' ->> 0, 'en') AS locale
        FROM licences l
        JOIN admin_areas aa ON aa.id = l.area_id
        LEFT JOIN country_profiles cp ON cp.country = aa.country
       WHERE l.status = 'active'
         AND l.valid_to BETWEEN ${addDays(utcToday, -1)}::date AND ${addDays(utcToday, longest + 1)}::date
    ), due AS (
      SELECT candidates.*, (valid_to - today) AS days_left
        FROM candidates
       WHERE valid_to BETWEEN today AND today + ${longest}::int
    ), reached AS (
      SELECT due.*,
             (SELECT min(d) FROM unnest(${sql.val([...EXPIRY_REMINDER_DAYS])}::int[]) d
               WHERE d >= due.days_left) AS days_before,
             CASE due.holder_kind WHEN 'person' THEN 'person' ELSE 'enterprise' END AS recipient_kind,
             CASE due.holder_kind WHEN 'production_unit'
               THEN (SELECT u.operator_enterprise_id FROM production_units u WHERE u.id = due.holder_id)
               ELSE due.holder_id END AS recipient_id
        FROM due
    ), addressed AS (
      SELECT reached.*,
             CASE reached.recipient_kind
               WHEN 'person' THEN (SELECT p.phone FROM people p WHERE p.id = reached.recipient_id)
               ELSE (SELECT p.phone FROM enterprise_members m JOIN people p ON p.id = m.person_id
                      WHERE m.enterprise_id = reached.recipient_id AND m.role = 'chair'
                        AND m.start_date <= reached.today
                        AND (m.end_date IS NULL OR m.end_date >= reached.today)
                        AND p.phone IS NOT NULL
                      ORDER BY m.start_date DESC LIMIT 1)
             END AS phone
        FROM reached
    ), inserted AS (
      INSERT INTO notifications (id, dedupe_key, channel, template, params, locale, recipient_kind,
                                 recipient_id, address, created_at)
      SELECT gen_random_uuid(),
             'licence-expiry:' || id || ':' || valid_to || ':' || days_before,
             'sms', 'licence.expiry_reminder',
             jsonb_build_object('licenceNumber', number, 'validTo', valid_to::text,
                                'daysBefore', days_before, 'daysLeft', days_left),
             locale, recipient_kind, recipient_id, phone, ${clock.now().toISOString()}::timestamptz
        FROM addressed
       WHERE phone IS NOT NULL AND recipient_id IS NOT NULL
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM inserted`.execute(db);
  const queued = Number(rows[0]?.n ?? 0);
  return { queued, ...(await deliverPending(db, notifier, clock)) };
}

/**
 * Tells supervisors which queues run late: for each application waiting longer than its tier's
 * service standard, every active user holding licensing.decide on an area strictly above the
 * application's area. One message per (user, country, day) with the count, keyed in the outbox; the
 * day is the country's (its profile's time zone).
 */
export async function notifyOverdueQueues(
  db: Queryable,
  clock: Clock,
  notifier: Notifier,
): Promise<{ queued: number } & DeliveryCounts> {
  const now = clock.now();
  const { rows } = await sql<{ n: number }>`
    WITH overdue AS (
      SELECT la.id, aa.path, aa.country, ${localDateSql(now, ZONE)}::text AS today
        FROM licence_applications la
        JOIN admin_areas aa ON aa.id = la.area_id
        JOIN (${TIER_STANDARDS}) s ON s.country = aa.country AND s.tier_code = la.tier_code
        LEFT JOIN country_profiles cp ON cp.country = aa.country
       WHERE la.status IN ('submitted', 'under_review')
         AND la.submitted_at <= ${now.toISOString()}::timestamptz - make_interval(hours => (s.days + 1) * 24)
    ), supervisors AS (
      SELECT u.id AS user_id, u.phone, u.preferred_language, o.country, o.today,
             count(DISTINCT o.id)::int AS applications
        FROM overdue o
        JOIN admin_areas ga ON length(ga.path) < length(o.path) AND left(o.path, length(ga.path)) = ga.path
        JOIN user_assignments ua ON ua.area_id = ga.id
        JOIN roles r ON r.code = ua.role_code AND 'licensing.decide' = ANY (r.permissions)
        JOIN users u ON u.id = ua.user_id AND u.status = 'active'
       GROUP BY u.id, u.phone, u.preferred_language, o.country, o.today
    ), inserted AS (
      INSERT INTO notifications (id, dedupe_key, channel, template, params, locale, recipient_kind,
                                 recipient_id, address, created_at)
      SELECT gen_random_uuid(), 'overdue-queue:' || user_id || ':' || country || ':' || today, 'sms',
             'licensing.queue_overdue',
             jsonb_build_object('count', applications, 'date', today),
             preferred_language, 'user', user_id, phone, ${now.toISOString()}::timestamptz
        FROM supervisors
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM inserted`.execute(db);
  const queued = Number(rows[0]?.n ?? 0);
  return { queued, ...(await deliverPending(db, notifier, clock)) };
}

/** Works the three queues and schedules them daily. Safe to call at every start, on every server. */
export async function registerLicensingJobs(
  jobs: Jobs & Pick<PgBossJobs, 'schedule'>,
  deps: { database: Database; clock: Clock; notifier: Notifier; audit?: AuditLog; logger?: JobsLogger },
): Promise<void> {
  const { database, clock, notifier, logger } = deps;
  const audit = deps.audit ?? createAuditLog({ clock });
  await jobs.work(EXPIRE_QUEUE, async () => {
    const r = await expireLicences(database.db, clock, audit);
    logger?.info(`licensing: ${r.expired} licences expired`);
  });
  await jobs.work(EXPIRY_REMINDERS_QUEUE, async () => {
    const r = await sendExpiryReminders(database.db, clock, notifier);
    logger?.info(`licensing: ${r.queued} expiry reminders queued, ${r.sent} sent, ${r.failed} failed`);
  });
  await jobs.work(OVERDUE_QUEUE_QUEUE, async () => {
    const r = await notifyOverdueQueues(database.db, clock, notifier);
    logger?.info(`licensing: ${r.queued} overdue-queue notices queued, ${r.sent} sent, ${r.failed} failed`);
  });
  await jobs.schedule(EXPIRE_QUEUE, EXPIRE_CRON);
  await jobs.schedule(EXPIRY_REMINDERS_QUEUE, EXPIRY_REMINDERS_CRON);
  await jobs.schedule(OVERDUE_QUEUE_QUEUE, OVERDUE_QUEUE_CRON);
}
