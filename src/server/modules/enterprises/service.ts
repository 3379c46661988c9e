import { sql } from 'kysely';
import { UUID_PATTERN, uuidv7, withCheckCharacter } from '../../../shared/ids.ts';
import {
  type AddMemberInput,
  type CreateEnterpriseInput,
  type CreateProductionUnitInput,
  type EnterpriseDetailDto,
  type EnterpriseDto,
  type EnterpriseListQuery,
  LEADERSHIP_ROLES,
  type MemberDto,
  type ProductionUnitDto,
  type ProductionUnitListQuery,
  sharePercent,
  type UpdateEnterpriseInput,
  type UpdateProductionUnitInput,
} from '../../../shared/schemas/enterprises.ts';
import {
  assertCanRead,
  assertCanWrite,
  covers,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { areaToday } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { pathOf } from '../admin-areas/repo.ts';
import * as repo from './repo.ts';

const jsonOrNull = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
/** Today in the enterprise's country (its profile's time zone). */
const today = (db: Queryable, clock: Clock, e: { area_id: string }) => areaToday(db, e.area_id, clock.now());

export function toEnterpriseDto(e: repo.EnterpriseRow): EnterpriseDto {
  return {
    id: e.id,
    reference: e.reference,
    name: e.name,
    form: e.form,
    registration: e.registration,
    areaId: e.area_id,
    benefitSharingRules: e.benefit_sharing_rules,
    paymentAccount: e.payment_account,
    status: e.status,
    createdAt: e.created_at.toISOString(),
    updatedAt: e.updated_at.toISOString(),
    version: e.version,
  };
}

/** Current on a day: started on or before it, and not ended before it (the end date is the last day). */
export function isCurrent(m: { start_date: string; end_date: string | null }, day: string): boolean {
  return m.start_date <= day && (m.end_date === null || m.end_date >= day);
}

/** The share of women among current members and current leaders, as exact integer percentages. */
export function memberFigures(
  members: readonly {
    sex: 'female' | 'male';
    leadership: boolean;
    start_date: string;
    end_date: string | null;
  }[],
  day: string,
): EnterpriseDetailDto['figures'] {
  const current = members.filter((m) => isCurrent(m, day));
  const leaders = current.filter((m) => m.leadership);
  const women = (list: typeof current) => list.filter((m) => m.sex === 'female').length;
  return {
    currentMembers: current.length,
    currentLeaders: leaders.length,
    womenShareOfMembers: sharePercent(women(current), current.length),
    womenShareOfLeaders: sharePercent(women(leaders), leaders.length),
  };
}

function toMemberDto(m: repo.MemberRow, day: string): MemberDto {
  return {
    id: m.id,
    personId: m.person_id,
    memberName: m.member_name,
    sex: m.sex,
    role: m.role,
    leadership: m.leadership,
    startDate: m.start_date,
    endDate: m.end_date,
    current: isCurrent(m, day),
    version: m.version,
  };
}

function toUnitDto(u: repo.UnitRow): ProductionUnitDto {
  return {
    id: u.id,
    reference: u.reference,
    kind: u.kind,
    name: u.name,
    areaId: u.area_id,
    location: u.location,
    equipment: u.equipment,
    capacity: u.capacity,
    operatorEnterpriseId: u.operator_enterprise_id,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
    version: u.version,
  };
}

const enterpriseTarget = (e: { id: string | null; areaId: string; areaPath: string }) => ({
  entityType: 'Enterprise',
  entityId: e.id,
  areaId: e.areaId,
  areaPath: e.areaPath,
});
const unitTarget = (u: { id: string | null; areaId: string; areaPath: string }) => ({
  entityType: 'Production unit',
  entityId: u.id,
  areaId: u.areaId,
  areaPath: u.areaPath,
});

/** A (name, id) cursor of the registry lists. */
function keysetOf(cursor: string | undefined): repo.Keyset | undefined {
  const decoded = decodeCursor(cursor, 2);
  if (decoded === null) return undefined;
  const [name, id] = decoded;
  if (typeof name !== 'string' || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
    throw problems.invalidCursor();
  }
  return { name, id };
}

export function createEnterpriseService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function areaPathOrFail(db: Queryable, areaId: string, field: string): Promise<string> {
    const path = await pathOf(db, areaId);
    if (!path)
      throw problems.validation([{ path: field, code: 'unknown_area', message: 'No such admin area.' }]);
    return path;
  }

  async function detail(db: Queryable, e: repo.EnterpriseRow): Promise<EnterpriseDetailDto> {
    const day = await today(db, clock, e);
    const members = await repo.membersOf(db, e.id);
    return {
      ...toEnterpriseDto(e),
      members: members.map((m) => toMemberDto(m, day)),
      figures: memberFigures(members, day),
    };
  }

  async function load(db: Queryable, id: string): Promise<repo.EnterpriseRow> {
    const e = await repo.findEnterprise(db, id);
    if (!e) throw problems.notFound('Enterprise');
    return e;
  }

  /** Reading answers 404 outside the jurisdiction; writing 403. */
  async function loadForWrite(tx: Tx, ctx: RequestContext, id: string): Promise<repo.EnterpriseRow> {
    const e = await load(tx, id);
    assertCanWrite(ctx, 'registry.write', enterpriseTarget({ id, areaId: e.area_id, areaPath: e.area_path }));
    return e;
  }

  async function loadUnitForWrite(tx: Tx, ctx: RequestContext, id: string): Promise<repo.UnitRow> {
    const u = await repo.findUnit(tx, id);
    if (!u) throw problems.notFound('Production unit');
    assertCanWrite(ctx, 'registry.write', unitTarget({ id, areaId: u.area_id, areaPath: u.area_path }));
    return u;
  }

  /** The operator must be an enterprise the caller can see; otherwise it is as if it did not exist. */
  async function checkOperator(db: Queryable, ctx: RequestContext, id: string, field: string) {
    const e = await repo.findEnterprise(db, id);
    const actor = requirePermission(ctx, 'registry.read');
    if (!e || !covers(scopePaths(actor, 'registry.read'), e.area_path)) {
      throw problems.validation([
        { path: field, code: 'unknown_enterprise', message: 'No such enterprise.' },
      ]);
    }
  }

  async function bump(tx: Tx, id: string) {
    await repo
      .registryDb(tx)
      .updateTable('enterprises')
      .set({ version: sql`version + 1`, updated_at: clock.now() })
      .where('id', '=', id)
      .execute();
  }

  return {
    async list(db: Queryable, ctx: RequestContext, query: EnterpriseListQuery): Promise<Page<EnterpriseDto>> {
      const actor = requirePermission(ctx, 'registry.read');
      const rows = await repo.listEnterprises(db, {
        scopePaths: scopePaths(actor, 'registry.read'),
        q: query.q,
        form: query.form,
        // An unknown area matches nothing rather than being an error.
        areaPath: query.areaId ? ((await pathOf(db, query.areaId)) ?? '/nowhere/') : undefined,
        after: keysetOf(query.cursor),
        limit: query.limit,
      });
      return toPage(rows, query.limit, toEnterpriseDto, (r) => [r.name, r.id]);
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<EnterpriseDetailDto> {
      requirePermission(ctx, 'registry.read');
      const e = await load(db, id);
      assertCanRead(ctx, 'registry.read', enterpriseTarget({ id, areaId: e.area_id, areaPath: e.area_path }));
      return detail(db, e);
    },

    async history(db: Queryable, ctx: RequestContext, id: string) {
      requirePermission(ctx, 'registry.read');
      const e = await load(db, id);
      assertCanRead(ctx, 'registry.read', enterpriseTarget({ id, areaId: e.area_id, areaPath: e.area_path }));
      const rows = await repo.formChangesOf(db, id);
      return {
        items: rows.map((r) => ({
          id: r.id,
          fromForm: r.from_form,
          toForm: r.to_form,
          date: r.changed_on,
          reason: r.reason,
          changedBy: r.changed_by,
          recordedAt: r.created_at.toISOString(),
        })),
      };
    },

    async create(
      tx: Tx,
      ctx: RequestContext,
      input: CreateEnterpriseInput,
    ): Promise<{ enterprise: EnterpriseDetailDto; created: boolean }> {
      const areaPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
      assertCanWrite(
        ctx,
        'registry.write',
        enterpriseTarget({ id: input.id ?? null, areaId: input.areaId, areaPath }),
      );
      if (input.id) {
        const existing = await repo.findEnterprise(tx, input.id);
        if (existing) {
          // A record made offline and sent twice: the second send changes nothing.
          if (
            existing.name === input.name &&
            existing.area_id === input.areaId &&
            existing.form === input.form
          ) {
            return { enterprise: await detail(tx, existing), created: false };
          }
          throw problems.conflict('resource.id_conflict', 'Another record already has this id.');
        }
      }
      const id = input.id ?? uuidv7();
      const n = await repo.nextReference(tx, 'enterprise_reference_seq');
      const now = clock.now();
      await repo
        .registryDb(tx)
        .insertInto('enterprises')
        .values({
          id,
          reference: withCheckCharacter(`ENT-${String(n).padStart(6, '0')}`),
          name: input.name,
          form: input.form,
          registration: jsonOrNull(input.registration),
          area_id: input.areaId,
          benefit_sharing_rules: input.benefitSharingRules ?? null,
          payment_account: jsonOrNull(input.paymentAccount),
          created_at: now,
          updated_at: now,
        })
        .execute();
      const enterprise = await detail(tx, await load(tx, id));
      await audit.record(tx, ctx, {
        action: 'enterprise.created',
        entityType: 'enterprise',
        entityId: id,
        areaId: input.areaId,
        after: toEnterpriseDto(await load(tx, id)),
      });
      return { enterprise, created: true };
    },

    async update(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdateEnterpriseInput,
      checkVersion: (v: number) => void,
    ): Promise<EnterpriseDetailDto> {
      const e = await loadForWrite(tx, ctx, id);
      checkVersion(e.version);
      if (input.formChange && (input.form === undefined || input.form === e.form)) {
        throw problems.validation([
          { path: 'body.formChange', code: 'no_form_change', message: 'formChange needs a new form.' },
        ]);
      }
      if (input.areaId && input.areaId !== e.area_id) {
        const newPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
        assertCanWrite(
          ctx,
          'registry.write',
          enterpriseTarget({ id, areaId: input.areaId, areaPath: newPath }),
        );
      }
      const before = toEnterpriseDto(e);
      const formChanged = input.form !== undefined && input.form !== e.form;
      const set = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.form !== undefined ? { form: input.form } : {}),
        ...(input.registration !== undefined ? { registration: jsonOrNull(input.registration) } : {}),
        ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
        ...(input.benefitSharingRules !== undefined
          ? { benefit_sharing_rules: input.benefitSharingRules }
          : {}),
        ...(input.paymentAccount !== undefined ? { payment_account: jsonOrNull(input.paymentAccount) } : {}),
        ...(input.status !== undefined ? { status: input.status } : {}),
      };
      const db = repo.registryDb(tx);
      await db
        .updateTable('enterprises')
        .set({ ...set, updated_at: clock.now(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      let formChange: { id: string; from: string; to: string; date: string; reason: string | null } | null =
        null;
      if (formChanged) {
        formChange = {
          id: uuidv7(),
          from: e.form,
          to: input.form!,
          date: input.formChange?.date ?? (await today(tx, clock, e)),
          reason: input.formChange?.reason ?? null,
        };
        await db
          .insertInto('enterprise_form_changes')
          .values({
            id: formChange.id,
            enterprise_id: id,
            from_form: e.form,
            to_form: input.form!,
            changed_on: formChange.date,
            reason: formChange.reason,
            changed_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
            created_at: clock.now(),
          })
          .execute();
      }
      const row = await load(tx, id);
      const after = toEnterpriseDto(row);
      await audit.record(tx, ctx, {
        action: 'enterprise.updated',
        entityType: 'enterprise',
        entityId: id,
        areaId: after.areaId,
        before,
        after,
        meta: formChange ? { formChange } : undefined,
      });
      return detail(tx, row);
    },

    async addMember(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: AddMemberInput,
    ): Promise<{ enterprise: EnterpriseDetailDto; created: boolean }> {
      const e = await loadForWrite(tx, ctx, id);
      const leadership = LEADERSHIP_ROLES.includes(input.role);
      if (input.endDate && input.endDate < input.startDate) {
        throw problems.validation([
          { path: 'body.endDate', code: 'before_start', message: 'The end date is before the start date.' },
        ]);
      }
      if (input.id) {
        const existing = await repo.findMember(tx, id, input.id);
        if (existing) {
          if (
            existing.member_name === input.memberName &&
            existing.role === input.role &&
            existing.start_date === input.startDate
          ) {
            return { enterprise: await detail(tx, e), created: false };
          }
          throw problems.conflict('resource.id_conflict', 'Another record already has this id.');
        }
      }
      if (leadership && !input.endDate) {
        const holder = await repo.openSeat(tx, id, input.role);
        if (holder) {
          throw problems.conflict(
            'enterprise.seat_taken',
            `The ${input.role} seat is held by an open term: end that term first.`,
            { memberId: holder.id },
          );
        }
      }
      const memberId = input.id ?? uuidv7();
      const now = clock.now();
      await repo
        .registryDb(tx)
        .insertInto('enterprise_members')
        .values({
          id: memberId,
          enterprise_id: id,
          person_id: input.personId ?? null,
          member_name: input.memberName,
          sex: input.sex,
          role: input.role,
          leadership,
          start_date: input.startDate,
          end_date: input.endDate ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await bump(tx, id);
      await audit.record(tx, ctx, {
        action: 'enterprise.member_added',
        entityType: 'enterprise',
        entityId: id,
        areaId: e.area_id,
        after: { memberId, role: input.role, startDate: input.startDate, endDate: input.endDate ?? null },
      });
      return { enterprise: await detail(tx, await load(tx, id)), created: true };
    },

    async endMember(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      memberId: string,
      endDate: string | undefined,
    ): Promise<EnterpriseDetailDto> {
      const e = await loadForWrite(tx, ctx, id);
      const m = await repo.findMember(tx, id, memberId);
      if (!m) throw problems.notFound('Member');
      if (m.end_date !== null) {
        throw problems.conflict(
          'enterprise.member_already_ended',
          'This membership or term has already ended.',
          {
            endDate: m.end_date,
          },
        );
      }
      const end = endDate ?? (await today(tx, clock, e));
      if (end < m.start_date) {
        throw problems.validation([
          { path: 'body.endDate', code: 'before_start', message: 'The end date is before the start date.' },
        ]);
      }
      await repo
        .registryDb(tx)
        .updateTable('enterprise_members')
        .set({ end_date: end, updated_at: clock.now(), version: sql`version + 1` })
        .where('id', '=', memberId)
        .execute();
      await bump(tx, id);
      await audit.record(tx, ctx, {
        action: 'enterprise.member_ended',
        entityType: 'enterprise',
        entityId: id,
        areaId: e.area_id,
        before: { memberId, endDate: null },
        after: { memberId, role: m.role, endDate: end },
      });
      return detail(tx, await load(tx, id));
    },

    // Production units

    async listUnits(
      db: Queryable,
      ctx: RequestContext,
      query: ProductionUnitListQuery,
    ): Promise<Page<ProductionUnitDto>> {
      const actor = requirePermission(ctx, 'registry.read');
      const rows = await repo.listUnits(db, {
        scopePaths: scopePaths(actor, 'registry.read'),
        q: query.q,
        kind: query.kind,
        areaPath: query.areaId ? ((await pathOf(db, query.areaId)) ?? '/nowhere/') : undefined,
        operatorEnterpriseId: query.operatorEnterpriseId,
        after: keysetOf(query.cursor),
        limit: query.limit,
      });
      return toPage(rows, query.limit, toUnitDto, (r) => [r.name, r.id]);
    },

    async getUnit(db: Queryable, ctx: RequestContext, id: string): Promise<ProductionUnitDto> {
      requirePermission(ctx, 'registry.read');
      const u = await repo.findUnit(db, id);
      if (!u) throw problems.notFound('Production unit');
      assertCanRead(ctx, 'registry.read', unitTarget({ id, areaId: u.area_id, areaPath: u.area_path }));
      return toUnitDto(u);
    },

    async createUnit(
      tx: Tx,
      ctx: RequestContext,
      input: CreateProductionUnitInput,
    ): Promise<{ unit: ProductionUnitDto; created: boolean }> {
      const areaPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
      assertCanWrite(
        ctx,
        'registry.write',
        unitTarget({ id: input.id ?? null, areaId: input.areaId, areaPath }),
      );
      if (input.id) {
        const existing = await repo.findUnit(tx, input.id);
        if (existing) {
          if (
            existing.name === input.name &&
            existing.area_id === input.areaId &&
            existing.kind === input.kind
          ) {
            return { unit: toUnitDto(existing), created: false };
          }
          throw problems.conflict('resource.id_conflict', 'Another record already has this id.');
        }
      }
      if (input.operatorEnterpriseId)
        await checkOperator(tx, ctx, input.operatorEnterpriseId, 'body.operatorEnterpriseId');
      const id = input.id ?? uuidv7();
      const n = await repo.nextReference(tx, 'production_unit_reference_seq');
      const now = clock.now();
      await repo
        .registryDb(tx)
        .insertInto('production_units')
        .values({
          id,
          reference: withCheckCharacter(`PU-${String(n).padStart(6, '0')}`),
          kind: input.kind,
          name: input.name,
          area_id: input.areaId,
          location: jsonOrNull(input.location),
          equipment: JSON.stringify(input.equipment),
          capacity: jsonOrNull(input.capacity),
          operator_enterprise_id: input.operatorEnterpriseId ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const unit = toUnitDto((await repo.findUnit(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'production_unit.created',
        entityType: 'production_unit',
        entityId: id,
        areaId: input.areaId,
        after: unit,
      });
      return { unit, created: true };
    },

    async updateUnit(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdateProductionUnitInput,
      checkVersion: (v: number) => void,
    ): Promise<ProductionUnitDto> {
      const u = await loadUnitForWrite(tx, ctx, id);
      checkVersion(u.version);
      if (input.areaId && input.areaId !== u.area_id) {
        const newPath = await areaPathOrFail(tx, input.areaId, 'body.areaId');
        assertCanWrite(ctx, 'registry.write', unitTarget({ id, areaId: input.areaId, areaPath: newPath }));
      }
      if (input.operatorEnterpriseId && input.operatorEnterpriseId !== u.operator_enterprise_id) {
        await checkOperator(tx, ctx, input.operatorEnterpriseId, 'body.operatorEnterpriseId');
      }
      const before = toUnitDto(u);
      await repo
        .registryDb(tx)
        .updateTable('production_units')
        .set({
          ...(input.kind !== undefined ? { kind: input.kind } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
          ...(input.location !== undefined ? { location: jsonOrNull(input.location) } : {}),
          ...(input.equipment !== undefined ? { equipment: JSON.stringify(input.equipment) } : {}),
          ...(input.capacity !== undefined ? { capacity: jsonOrNull(input.capacity) } : {}),
          ...(input.operatorEnterpriseId !== undefined
            ? { operator_enterprise_id: input.operatorEnterpriseId }
            : {}),
          updated_at: clock.now(),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      const after = toUnitDto((await repo.findUnit(tx, id))!);
      await audit.record(tx, ctx, {
        action: 'production_unit.updated',
        entityType: 'production_unit',
        entityId: id,
        areaId: after.areaId,
        before,
        after,
      });
      return after;
    },
  };
}
