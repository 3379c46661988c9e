import { sql } from 'kysely';
import { UUID_PATTERN, uuidv7, withCheckCharacter } from '../../../shared/ids.ts';
import type {
  AddConditionInput,
  LicenceConditionDto,
  LicenceQueueItemDto,
  LicenceQueueQuery,
} from '../../../shared/schemas/licence-lifecycle.ts';
import type { LicenceApplicationDto } from '../../../shared/schemas/licensing.ts';
import {
  assertCanRead,
  assertCanWrite,
  requirePermission,
  scopePaths,
  subtreePatterns,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { countryToday } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import {
  type ConditionRow,
  lifecycleDb,
  overdueConditions,
  queueTiming,
  RENEWAL_CLOSES_DAYS_AFTER,
  RENEWAL_OPENS_DAYS_BEFORE,
  renewalWindow,
  TIER_STANDARDS,
} from './lifecycle.ts';
import * as repo from './repo.ts';
import { toApplicationDto } from './service.ts';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toConditionDto(c: ConditionRow, today: string): LicenceConditionDto {
  return {
    id: c.id,
    licenceId: c.licence_id,
    code: c.code,
    description: c.description,
    improvementLevel: c.improvement_level,
    dueDate: c.due_date,
    status: c.status,
    overdue: c.status === 'open' && c.due_date < today,
    evidenceNote: c.evidence_note,
    decidedBy: c.decided_by,
    decidedAt: iso(c.decided_at),
    createdAt: iso(c.created_at)!,
    version: c.version,
  };
}

const licenceTarget = (l: { id: string; area_id: string; area_path: string }) => ({
  entityType: 'Licence',
  entityId: l.id,
  areaId: l.area_id,
  areaPath: l.area_path,
});

/** The queue's keyset: submitted_at then id. */
function queueKeyset(cursor: string | undefined): { submittedAt: string; id: string } | undefined {
  const decoded = decodeCursor(cursor, 2);
  if (decoded === null) return undefined;
  const [submittedAt, id] = decoded;
  if (
    typeof submittedAt !== 'string' ||
    Number.isNaN(Date.parse(submittedAt)) ||
    typeof id !== 'string' ||
    !UUID_PATTERN.test(id)
  ) {
    throw problems.invalidCursor();
  }
  return { submittedAt, id };
}

/** Renewal applications, progressive conditions and the office queue. */
export function createLifecycleService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  /** Today in the licence's country. */
  const today = (db: Queryable, l: { country: string }) => countryToday(db, l.country, clock.now());

  async function loadLicence(db: Queryable, id: string) {
    const l = await repo.findLicence(db, id);
    if (!l) throw problems.notFound('Licence');
    return l;
  }

  async function loadCondition(db: Queryable, licenceId: string, conditionId: string) {
    const c = await lifecycleDb(db)
      .selectFrom('licence_conditions')
      .selectAll()
      .where('id', '=', conditionId)
      .where('licence_id', '=', licenceId)
      .executeTakeFirst();
    if (!c) throw problems.notFound('Licence condition');
    return c;
  }

  return {
    /** A renewal application (a draft) for the licence: same holder, tier, area and hectares. */
    async renew(tx: Tx, ctx: RequestContext, licenceId: string): Promise<LicenceApplicationDto> {
      const l = await loadLicence(tx, licenceId);
      assertCanWrite(ctx, 'licensing.apply', licenceTarget(l));
      if (l.status !== 'active' && l.status !== 'expired') {
        throw problems.conflict('licensing.invalid_transition', `A ${l.status} licence cannot be renewed.`, {
          from: l.status,
          to: 'active',
        });
      }
      const window = renewalWindow(l.valid_to, await today(tx, l));
      if (window === 'too_early') {
        throw problems.conflict(
          'licensing.renewal_too_early',
          `A renewal can be applied for from ${RENEWAL_OPENS_DAYS_BEFORE} days before the licence ends.`,
          { validTo: l.valid_to, opensDaysBefore: RENEWAL_OPENS_DAYS_BEFORE },
        );
      }
      if (window === 'too_late') {
        throw problems.conflict(
          'licensing.renewal_too_late',
          `The licence ended more than ${RENEWAL_CLOSES_DAYS_AFTER} days ago: apply for a new licence.`,
          { validTo: l.valid_to, closesDaysAfter: RENEWAL_CLOSES_DAYS_AFTER },
        );
      }
      const db = repo.licensingDb(tx);
      const open = await db
        .selectFrom('licence_applications')
        .select(['id', 'reference'])
        .where(sql<boolean>`renews_licence_id = ${l.id}`)
        .where('status', 'in', ['draft', 'submitted', 'under_review', 'approved'])
        .executeTakeFirst();
      if (open) {
        throw problems.conflict(
          'licensing.renewal_pending',
          'A renewal of this licence is already in progress.',
          { applicationId: open.id, reference: open.reference },
        );
      }
      const original = await db
        .selectFrom('licence_applications')
        .select('requested_area_hectares')
        .where('id', '=', l.application_id)
        .executeTakeFirstOrThrow();
      const id = uuidv7();
      const n = await repo.nextNumber(tx, 'licence_application_reference_seq');
      const now = clock.now();
      await db
        .insertInto('licence_applications')
        .values({
          id,
          reference: withCheckCharacter(`LA-${String(n).padStart(6, '0')}`),
          kind: 'renewal',
          renews_licence_id: l.id,
          tier_code: l.tier_code,
          holder_kind: l.holder_kind,
          holder_id: l.holder_id,
          area_id: l.area_id,
          requested_area_hectares: Number(original.requested_area_hectares),
          created_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('licence_events')
        .values({
          id: uuidv7(),
          application_id: id,
          licence_id: l.id,
          from_status: null,
          to_status: 'draft',
          reason: null,
          actor_id: ctx.actor?.id ?? null,
          at: now,
        })
        .execute();
      const a = await repo.findApplication(tx, id);
      const after = toApplicationDto(a!);
      await audit.record(tx, ctx, {
        action: 'licence_application.created',
        entityType: 'licence_application',
        entityId: id,
        areaId: l.area_id,
        after,
        meta: { renewsLicenceId: l.id },
      });
      return after;
    },

    async listConditions(
      db: Queryable,
      ctx: RequestContext,
      licenceId: string,
    ): Promise<{ items: LicenceConditionDto[]; overdue: number }> {
      const l = await loadLicence(db, licenceId);
      assertCanRead(ctx, 'licensing.read', licenceTarget(l));
      const rows = await lifecycleDb(db)
        .selectFrom('licence_conditions')
        .selectAll()
        .where('licence_id', '=', l.id)
        .orderBy('due_date')
        .orderBy('code')
        .execute();
      const day = await today(db, l);
      const blocking = await overdueConditions(db, l, day);
      return { items: rows.map((c) => toConditionDto(c, day)), overdue: blocking.length };
    },

    async addCondition(
      tx: Tx,
      ctx: RequestContext,
      licenceId: string,
      input: AddConditionInput,
    ): Promise<LicenceConditionDto> {
      const l = await loadLicence(tx, licenceId);
      assertCanWrite(ctx, 'licensing.decide', licenceTarget(l));
      if (l.status === 'revoked') {
        throw problems.conflict('licensing.invalid_transition', 'A revoked licence takes no new condition.', {
          from: l.status,
          to: l.status,
        });
      }
      const db = lifecycleDb(tx);
      const existing = await db
        .selectFrom('licence_conditions')
        .select('id')
        .where('licence_id', '=', l.id)
        .where('code', '=', input.code)
        .executeTakeFirst();
      if (existing) {
        throw problems.validation([
          {
            path: 'body.code',
            code: 'duplicate',
            message: 'The licence already has a condition with this code.',
          },
        ]);
      }
      const id = uuidv7();
      await db
        .insertInto('licence_conditions')
        .values({
          id,
          licence_id: l.id,
          code: input.code,
          description: input.description,
          improvement_level: input.improvementLevel ?? null,
          due_date: input.dueDate,
          created_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
          created_at: clock.now(),
        })
        .execute();
      const after = toConditionDto(await loadCondition(tx, l.id, id), await today(tx, l));
      await audit.record(tx, ctx, {
        action: 'licence_condition.added',
        entityType: 'licence_condition',
        entityId: id,
        areaId: l.area_id,
        after,
        meta: { licenceId: l.id },
      });
      return after;
    },

    /** Marks an open condition met (with the evidence seen) or waived (with the reason). */
    async decideCondition(
      tx: Tx,
      ctx: RequestContext,
      licenceId: string,
      conditionId: string,
      outcome: 'met' | 'waived',
      note: string,
    ): Promise<LicenceConditionDto> {
      const l = await loadLicence(tx, licenceId);
      assertCanWrite(ctx, 'licensing.decide', licenceTarget(l));
      const c = await loadCondition(tx, l.id, conditionId);
      if (c.status !== 'open') {
        throw problems.conflict('licensing.condition_closed', `This condition is already ${c.status}.`, {
          status: c.status,
        });
      }
      const day = await today(tx, l);
      const before = toConditionDto(c, day);
      await lifecycleDb(tx)
        .updateTable('licence_conditions')
        .set({
          status: outcome,
          evidence_note: note.trim(),
          decided_by: ctx.actor?.id ?? null,
          decided_at: clock.now(),
          version: sql`version + 1`,
        })
        .where('id', '=', c.id)
        .execute();
      const after = toConditionDto(await loadCondition(tx, l.id, c.id), day);
      await audit.record(tx, ctx, {
        action: `licence_condition.${outcome}`,
        entityType: 'licence_condition',
        entityId: c.id,
        areaId: l.area_id,
        before,
        after,
        meta: { licenceId: l.id },
      });
      return after;
    },

    /**
     * Applications submitted or under review in the caller's areas, oldest submitted first, with how
     * long each has waited against its tier's service standard.
     */
    async queue(
      db: Queryable,
      ctx: RequestContext,
      q: LicenceQueueQuery,
    ): Promise<{
      items: LicenceQueueItemDto[];
      nextCursor: string | null;
      counts: { total: number; overdue: number };
    }> {
      const actor = requirePermission(ctx, 'licensing.read');
      const now = clock.now();
      const after = queueKeyset(q.cursor);
      const patterns = subtreePatterns(scopePaths(actor, 'licensing.read'));
      const statuses = q.status ? [q.status] : ['submitted', 'under_review'];
      // Whole days waited > the standard ⇔ submitted at or before now − (standard + 1) × 24 h
      // (hours, not days: a day interval follows the session's daylight-saving changes).
      const overdueSql = sql<boolean>`(s.days IS NOT NULL
        AND la.submitted_at <= ${now.toISOString()}::timestamptz - make_interval(hours => (s.days + 1) * 24))`;
      const scope = sql`
          FROM licence_applications la
          JOIN admin_areas aa ON aa.id = la.area_id
          LEFT JOIN (${TIER_STANDARDS}) s ON s.country = aa.country AND s.tier_code = la.tier_code
         WHERE la.status = ANY(${sql.val(statuses)}::text[])
           AND la.submitted_at IS NOT NULL
           AND aa.path LIKE ANY(${sql.val(patterns)})
           ${q.tierCode ? sql`AND la.tier_code = ${q.tierCode}` : sql``}`;
      const page = await sql<{ id: string; submitted_at: Date; days: number | null }>`
        SELECT la.id, la.submitted_at, s.days
          ${scope}
           ${q.overdue === 'true' ? sql`AND ${overdueSql}` : q.overdue === 'false' ? sql`AND NOT ${overdueSql}` : sql``}
           ${after ? sql`AND (la.submitted_at, la.id) > (${after.submittedAt}::timestamptz, ${after.id}::uuid)` : sql``}
         ORDER BY la.submitted_at, la.id
         LIMIT ${q.limit + 1}`.execute(db);
      const counts = await sql<{ total: number; overdue: number }>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE ${overdueSql})::int AS overdue
          ${scope}`.execute(db);
      const more = page.rows.length > q.limit;
      const rows = more ? page.rows.slice(0, q.limit) : page.rows;
      const full =
        rows.length === 0
          ? []
          : await repo
              .applications(db)
              .where(
                'licence_applications.id',
                'in',
                rows.map((r) => r.id),
              )
              .execute();
      const byId = new Map(full.map((a) => [a.id, a]));
      const items: LicenceQueueItemDto[] = rows.map((r) => {
        const standard = r.days === null ? null : Number(r.days);
        return {
          ...toApplicationDto(byId.get(r.id)!),
          serviceStandardDays: standard,
          ...queueTiming(new Date(r.submitted_at), now, standard),
        };
      });
      const last = rows[rows.length - 1];
      return {
        items,
        nextCursor: more && last ? encodeCursor([iso(last.submitted_at)!, last.id]) : null,
        counts: { total: Number(counts.rows[0]?.total ?? 0), overdue: Number(counts.rows[0]?.overdue ?? 0) },
      };
    },
  };
}
