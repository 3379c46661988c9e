import type { ColumnType, Kysely } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Clock } from '../clock.ts';
import type { DB, Queryable } from '../db/schema.ts';
import type { NotificationChannel, NotificationMessage, Notifier, RecipientKind } from './notifier.ts';

/** The table of migration 0010. */
export interface NotificationsTable {
  id: string;
  dedupe_key: string;
  channel: NotificationChannel;
  template: string;
  params: ColumnType<NotificationMessage['params'], string, string>;
  locale: string;
  recipient_kind: RecipientKind;
  recipient_id: string;
  address: string | null;
  status: ColumnType<
    'pending' | 'sending' | 'sent' | 'failed',
    'pending' | undefined,
    'sending' | 'sent' | 'failed'
  >;
  error: ColumnType<string | null, undefined, string | null>;
  created_at: ColumnType<Date, Date | string, never>;
  sent_at: ColumnType<Date | null, undefined, Date | string>;
}

export function outboxDb(db: Queryable): Kysely<DB & { notifications: NotificationsTable }> {
  return (db as Kysely<DB>).withTables<{ notifications: NotificationsTable }>();
}

export interface OutboxEntry {
  dedupeKey: string;
  message: NotificationMessage;
}

/**
 * Puts messages in the outbox; one whose dedupe key is already there is skipped. Returns how many
 * were new. Runs in the caller's transaction when given one.
 */
export async function enqueue(db: Queryable, clock: Clock, entries: OutboxEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const now = clock.now();
  const r = await outboxDb(db)
    .insertInto('notifications')
    .values(
      entries.map((e) => ({
        id: uuidv7(),
        dedupe_key: e.dedupeKey,
        channel: e.message.channel,
        template: e.message.template,
        params: JSON.stringify(e.message.params),
        locale: e.message.locale,
        recipient_kind: e.message.to.kind,
        recipient_id: e.message.to.id,
        address: e.message.phone ?? null,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .execute();
  return r.length;
}

export interface DeliveryCounts {
  sent: number;
  failed: number;
}

/**
 * Hands pending messages to the notifier, oldest first. Each is claimed (pending → sending) before it
 * is sent, so two servers delivering at once never send one twice; a crash between sending and
 * recording leaves it in 'sending', never resent (at most once: a duplicate SMS costs the holder more
 * than a missed reminder the office can repeat).
 */
export async function deliverPending(
  db: Queryable,
  notifier: Notifier,
  clock: Clock,
  batchSize = 200,
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { sent: 0, failed: 0 };
  const o = outboxDb(db);
  for (;;) {
    const claimed = await o
      .updateTable('notifications')
      .set({ status: 'sending' })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notifications')
          .select('id')
          .where('status', '=', 'pending')
          .orderBy('created_at')
          .orderBy('id')
          .limit(batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .where('status', '=', 'pending')
      .returningAll()
      .execute();
    for (const n of claimed.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      let error: string | null = null;
      try {
        await notifier.send({
          channel: n.channel,
          to: { kind: n.recipient_kind, id: n.recipient_id },
          phone: n.address,
          template: n.template,
          params: n.params,
          locale: n.locale,
        });
      } catch (err) {
        error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      }
      await o
        .updateTable('notifications')
        .set(error === null ? { status: 'sent', sent_at: clock.now() } : { status: 'failed', error })
        .where('id', '=', n.id)
        .execute();
      if (error === null) counts.sent++;
      else counts.failed++;
    }
    if (claimed.length < batchSize) return counts;
  }
}
