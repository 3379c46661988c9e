import { isDeepStrictEqual } from 'node:util';
import { type Selectable, sql } from 'kysely';
import { UUID_PATTERN, uuidv7, withCheckCharacter } from '../../../shared/ids.ts';
import type { CheckResult } from '../../../shared/schemas/cadastre.ts';
import type {
  ApplicationListQuery,
  AreaCheckSummary,
  CreateApplicationInput,
  HOLDER_KINDS,
  LicenceApplicationDto,
  LicenceDto,
  LicenceEventDto,
  LicenceListQuery,
  UpdateApplicationInput,
} from '../../../shared/schemas/licensing.ts';
import {
  AccessDenied,
  assertCanRead,
  assertCanWrite,
  covers,
  requireActor,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { countryToday } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { checkArea as runCadastreCheck } from '../cadastre/service.ts';
import { assertFeePaid } from '../licence-fees/guard.ts';
import { createLifecycle, type TierCondition } from './lifecycle.ts';
import * as repo from './repo.ts';
import {
  type ApplicationAction,
  type LicenceAction,
  nextApplicationStatus,
  nextLicenceStatus,
  validTo,
} from './workflow.ts';

type HolderKind = (typeof HOLDER_KINDS)[number];

interface Tier {
  code: string;
  holderKinds: string[];
  maxAreaHectares: number;
  validityMonths: number;
  fee: { amountMinor: number; currency: string };
  issuingLevel: string;
  requirements: { code: string }[];
  conditions?: TierCondition[];
}
interface ProfileDoc {
  adminLevels: { level: number; key: string }[];
  licenceTiers: Tier[];
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const num = (v: string | number | null) => (v === null ? null : Number(v));

export function toApplicationDto(a: repo.ApplicationRow): LicenceApplicationDto {
  return {
    id: a.id,
    reference: a.reference,
    tierCode: a.tier_code,
    holderKind: a.holder_kind,
    holderId: a.holder_id,
    areaId: a.area_id,
    status: a.status,
    requestedAreaHectares: Number(a.requested_area_hectares),
    checklist: a.checklist,
    feeAssessedMinor: num(a.fee_assessed_minor),
    currency: a.currency,
    submittedAt: iso(a.submitted_at),
    decidedAt: iso(a.decided_at),
    decidedBy: a.decided_by,
    decisionReason: a.decision_reason,
    licenceId: a.licence_id,
    kind: a.kind,
    hasArea: a.has_area,
    areaCheck:
      a.area_check && a.area_checked_at
        ? ({ ...a.area_check, checkedAt: iso(a.area_checked_at)! } as AreaCheckSummary)
        : null,
    createdAt: iso(a.created_at)!,
    updatedAt: iso(a.updated_at)!,
    version: a.version,
  };
}

function toLicenceDto(l: repo.LicenceRow): LicenceDto {
  return {
    id: l.id,
    number: l.number,
    applicationId: l.application_id,
    tierCode: l.tier_code,
    holderKind: l.holder_kind,
    holderId: l.holder_id,
    areaId: l.area_id,
    status: l.status,
    validFrom: l.valid_from,
    validTo: l.valid_to,
    createdAt: iso(l.created_at)!,
    updatedAt: iso(l.updated_at)!,
    version: l.version,
  };
}

const toEventDto = (e: Selectable<repo.LicenceEventsTable>): LicenceEventDto => ({
  id: e.id,
  applicationId: e.application_id,
  licenceId: e.licence_id,
  fromStatus: e.from_status,
  toStatus: e.to_status,
  action: e.action,
  reason: e.reason,
  actorId: e.actor_id,
  at: iso(e.at)!,
});

const appTarget = (a: { id: string | null; area_id: string; area_path: string }) => ({
  entityType: 'Licence application',
  entityId: a.id,
  areaId: a.area_id,
  areaPath: a.area_path,
});
const licenceTarget = (l: { id: string; area_id: string; area_path: string }) => ({
  entityType: 'Licence',
  entityId: l.id,
  areaId: l.area_id,
  areaPath: l.area_path,
});

function keysetOf(cursor: string | undefined): repo.Keyset | undefined {
  const decoded = decodeCursor(cursor, 2);
  if (decoded === null) return undefined;
  const [createdAt, id] = decoded;
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !UUID_PATTERN.test(id)) {
    throw problems.invalidCursor();
  }
  return { createdAt, id };
}

/** What is stored of a check: everything but the free part's geometry and the timing. */
function storedCheck(r: CheckResult): Omit<AreaCheckSummary, 'checkedAt'> {
  const { free, ms: _ms, candidates: _candidates, ...rest } = r;
  return { ...rest, free: { areaM2: free.areaM2, percentOfApplied: free.percentOfApplied } };
}

/** The check as a decision records it: the verdict, the rules and which features overlapped. */
const decisionCheck = (c: Omit<AreaCheckSummary, 'checkedAt'>) => ({
  passed: c.passed,
  appliedAreaM2: c.appliedAreaM2,
  rules: c.rules.map((r) => ({ code: r.code, passed: r.passed })),
  overlaps: c.overlaps.map((o) => ({
    featureId: o.featureId,
    layerKind: o.layerKind,
    externalRef: o.externalRef,
    overlapM2: o.overlapM2,
    percentOfApplied: o.percentOfApplied,
  })),
  freeAreaM2: c.free.areaM2,
});

/** Statuses in which the area may still be drawn or replaced. */
const AREA_EDITABLE = new Set(['draft', 'submitted', 'under_review']);

const AUDIT_ACTIONS: Record<ApplicationAction, string> = {
  submit: 'submitted',
  review: 'review_started',
  approve: 'approved',
  reject: 'rejected',
  issue: 'issued',
};

/** The holder filter of a list query: holderKind and holderId come together or not at all. */
function holderOf(q: { holderKind?: HolderKind | undefined; holderId?: string | undefined }) {
  if (!q.holderKind && !q.holderId) return undefined;
  if (!q.holderKind || !q.holderId) {
    throw problems.validation([
      {
        path: q.holderKind ? 'query.holderId' : 'query.holderKind',
        code: 'required',
        message: 'holderKind and holderId go together.',
      },
    ]);
  }
  return { kind: q.holderKind, id: q.holderId };
}

/** Depth of an area path: /GH/ is level 0, /GH/GH-AH/ level 1… */
const depthOf = (path: string) => path.split('/').length - 3;

/** Initials of a tier code for licence numbers: small_scale_licence → SSL. */
const tierAbbreviation = (code: string) =>
  code
    .split('_')
    .map((w) => w[0]!.toUpperCase())
    .join('');

export function createLicensingService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  const lifecycle = createLifecycle({ audit, clock });
  async function profile(db: Queryable, country: string): Promise<ProfileDoc | undefined> {
    return (await repo.profileOf(db, country)) as ProfileDoc | undefined;
  }

  async function tierOrFail(db: Queryable, country: string, code: string, field: string): Promise<Tier> {
    const tier = (await profile(db, country))?.licenceTiers.find((t) => t.code === code);
    if (!tier)
      throw problems.validation([
        { path: field, code: 'unknown_tier', message: 'No such licence tier in the country profile.' },
      ]);
    return tier;
  }

  function checkArea(tier: Tier, hectares: number) {
    if (hectares > tier.maxAreaHectares) {
      throw problems.validation([
        {
          path: 'body.requestedAreaHectares',
          code: 'above_tier_maximum',
          message: `The tier allows at most ${tier.maxAreaHectares} ha.`,
        },
      ]);
    }
  }

  /** licensing.decide over the area, from a grant at the tier's issuing level or above. */
  async function assertCanDecide(
    db: Queryable,
    ctx: RequestContext,
    target: { id: string; area_id: string; area_path: string; country: string; tier_code: string },
    entityType: 'Licence application' | 'Licence',
  ) {
    const t = { entityType, entityId: target.id, areaId: target.area_id, areaPath: target.area_path };
    assertCanWrite(ctx, 'licensing.decide', t);
    const actor = requireActor(ctx);
    if (actor.kind === 'system') return;
    const doc = await profile(db, target.country);
    const tier = doc?.licenceTiers.find((x) => x.code === target.tier_code);
    const level = doc?.adminLevels.find((l) => l.key === tier?.issuingLevel)?.level ?? 0;
    const ok = actor.grants.some(
      (g) =>
        g.permissions.has('licensing.decide') &&
        target.area_path.startsWith(g.areaPath) &&
        depthOf(g.areaPath) <= level,
    );
    if (!ok) {
      throw new AccessDenied(
        new AppError(
          403,
          'licensing.level_not_allowed',
          'This tier is decided at a higher level than the areas you serve.',
          { issuingLevel: tier?.issuingLevel ?? null },
        ),
        'licensing.decide',
        t,
      );
    }
  }

  const actorId = (ctx: RequestContext) => ctx.actor?.id ?? null;

  async function event(
    tx: Tx,
    ctx: RequestContext,
    e: {
      applicationId: string;
      licenceId?: string | null;
      from: string | null;
      to: string;
      reason?: string | null;
    },
  ) {
    await repo
      .licensingDb(tx)
      .insertInto('licence_events')
      .values({
        id: uuidv7(),
        application_id: e.applicationId,
        licence_id: e.licenceId ?? null,
        from_status: e.from,
        to_status: e.to,
        reason: e.reason ?? null,
        actor_id: actorId(ctx),
        at: clock.now(),
      })
      .execute();
  }

  async function load(db: Queryable, id: string) {
    const a = await repo.findApplication(db, id);
    if (!a) throw problems.notFound('Licence application');
    return a;
  }

  /** With the drawn area: only for the writes that check it against the cadastre. */
  async function loadWithArea(db: Queryable, id: string) {
    const a = await repo.findApplicationWithArea(db, id);
    if (!a) throw problems.notFound('Licence application');
    return a;
  }

  async function loadLicence(db: Queryable, id: string) {
    const l = await repo.findLicence(db, id);
    if (!l) throw problems.notFound('Licence');
    return l;
  }

  /** Moves an application by one action, with its event and audit record. */
  async function transition(
    tx: Tx,
    ctx: RequestContext,
    a: repo.ApplicationRow,
    action: ApplicationAction,
    reason: string | null,
    set: Record<string, unknown>,
    extraMeta?: Record<string, unknown>,
  ): Promise<LicenceApplicationDto> {
    const to = nextApplicationStatus(a.status, action, reason);
    await repo
      .licensingDb(tx)
      .updateTable('licence_applications')
      .set({ ...set, status: to, updated_at: clock.now(), version: sql`version + 1` })
      .where('id', '=', a.id)
      .execute();
    await event(tx, ctx, { applicationId: a.id, from: a.status, to, reason });
    const after = toApplicationDto(await load(tx, a.id));
    await audit.record(tx, ctx, {
      action: `licence_application.${AUDIT_ACTIONS[action]}`,
      entityType: 'licence_application',
      entityId: a.id,
      areaId: a.area_id,
      before: { status: a.status },
      after,
      meta: reason || extraMeta ? { ...(reason ? { reason } : {}), ...extraMeta } : undefined,
    });
    return after;
  }

  return {
    /** The level-and-jurisdiction check of decisions, for the modules that decide on licences too. */
    assertCanDecide,

    async list(
      db: Queryable,
      ctx: RequestContext,
      q: ApplicationListQuery,
    ): Promise<Page<LicenceApplicationDto>> {
      const actor = requirePermission(ctx, 'licensing.read');
      const rows = await repo.listApplications(db, {
        scopePaths: scopePaths(actor, 'licensing.read'),
        status: q.status,
        tierCode: q.tierCode,
        holder: holderOf(q),
        after: keysetOf(q.cursor),
        limit: q.limit,
      });
      return toPage(rows, q.limit, toApplicationDto, (r) => [iso(r.created_at)!, r.id]);
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<LicenceApplicationDto> {
      requirePermission(ctx, 'licensing.read');
      const a = await load(db, id);
      assertCanRead(ctx, 'licensing.read', appTarget(a));
      return toApplicationDto(a);
    },

    async create(tx: Tx, ctx: RequestContext, input: CreateApplicationInput): Promise<LicenceApplicationDto> {
      const actor = requirePermission(ctx, 'licensing.apply');
      const holder = await repo.holderArea(tx, input.holderKind, input.holderId);
      if (!holder) {
        throw problems.validation([
          { path: 'body.holderId', code: 'unknown_holder', message: 'No such holder.' },
        ]);
      }
      // The application belongs to the holder's area: the caller must serve it, and see the holder.
      assertCanWrite(ctx, 'licensing.apply', {
        entityType: 'Licence application',
        entityId: null,
        areaId: holder.area_id,
        areaPath: holder.path,
      });
      if (!covers(scopePaths(actor, 'registry.read'), holder.path)) {
        throw problems.validation([
          { path: 'body.holderId', code: 'unknown_holder', message: 'No such holder in your areas.' },
        ]);
      }
      const tier = await tierOrFail(tx, holder.country, input.tierCode, 'body.tierCode');
      if (!tier.holderKinds.includes(input.holderKind)) {
        throw problems.validation([
          {
            path: 'body.holderKind',
            code: 'not_allowed_for_tier',
            message: `This tier is for ${tier.holderKinds.join(', ')}.`,
          },
        ]);
      }
      checkArea(tier, input.requestedAreaHectares);
      const id = uuidv7();
      const n = await repo.nextNumber(tx, 'licence_application_reference_seq');
      const now = clock.now();
      await repo
        .licensingDb(tx)
        .insertInto('licence_applications')
        .values({
          id,
          reference: withCheckCharacter(`LA-${String(n).padStart(6, '0')}`),
          tier_code: tier.code,
          holder_kind: input.holderKind,
          holder_id: input.holderId,
          area_id: holder.area_id,
          requested_area_hectares: input.requestedAreaHectares,
          created_by: actorId(ctx) && actor.kind === 'user' ? actor.id : null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await event(tx, ctx, { applicationId: id, from: null, to: 'draft' });
      const after = toApplicationDto(await load(tx, id));
      await audit.record(tx, ctx, {
        action: 'licence_application.created',
        entityType: 'licence_application',
        entityId: id,
        areaId: holder.area_id,
        after,
      });
      return after;
    },

    async update(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdateApplicationInput,
      checkVersion: (v: number) => void,
    ): Promise<LicenceApplicationDto> {
      const a = await loadWithArea(tx, id);
      assertCanWrite(ctx, 'licensing.apply', appTarget(a));
      checkVersion(a.version);
      if (a.status !== 'draft') {
        throw problems.conflict('licensing.invalid_transition', 'Only a draft can be changed.', {
          from: a.status,
          to: a.status,
        });
      }
      if (a.kind === 'renewal' && input.tierCode && input.tierCode !== a.tier_code) {
        throw problems.validation([
          { path: 'body.tierCode', code: 'renewal_keeps_tier', message: 'A renewal keeps the tier.' },
        ]);
      }
      const tier = await tierOrFail(tx, a.country, input.tierCode ?? a.tier_code, 'body.tierCode');
      if (!tier.holderKinds.includes(a.holder_kind)) {
        throw problems.validation([
          { path: 'body.tierCode', code: 'not_allowed_for_tier', message: 'The holder kind is not allowed.' },
        ]);
      }
      if (
        a.area_geometry != null &&
        input.requestedAreaHectares !== undefined &&
        input.requestedAreaHectares !== Number(a.requested_area_hectares)
      ) {
        // The hectares of a drawn area are measured from it (PUT …/area), not typed in.
        throw problems.validation([
          {
            path: 'body.requestedAreaHectares',
            code: 'measured_from_area',
            message: 'The area is drawn: its hectares are measured from the drawing.',
          },
        ]);
      }
      const hectares = input.requestedAreaHectares ?? Number(a.requested_area_hectares);
      // Typed hectares above the tier's maximum are refused. A drawn area is measured, not typed: as
      // when it was drawn, the check's max_area rule tells whether it fits the tier.
      if (a.area_geometry == null) checkArea(tier, hectares);
      // Another tier has other rules (its maximum, the zones that allow it): the drawn area is checked
      // again in this transaction, so the stored check always speaks of the draft's current tier.
      const recheck =
        a.area_geometry != null && tier.code !== a.tier_code
          ? storedCheck(
              (
                await runCadastreCheck(tx, {
                  country: a.country,
                  geometry: a.area_geometry,
                  tierCode: tier.code,
                })
              ).result,
            )
          : null;
      const now = clock.now();
      const before = toApplicationDto(a);
      await repo
        .licensingDb(tx)
        .updateTable('licence_applications')
        .set({
          tier_code: tier.code,
          requested_area_hectares: hectares,
          ...(recheck ? { area_check: JSON.stringify(recheck), area_checked_at: now } : {}),
          updated_at: now,
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      const after = toApplicationDto(await load(tx, id));
      await audit.record(tx, ctx, {
        action: 'licence_application.updated',
        entityType: 'licence_application',
        entityId: id,
        areaId: a.area_id,
        before,
        after,
        meta: recheck ? { areaCheck: decisionCheck(recheck) } : undefined,
      });
      return after;
    },

    async submit(tx: Tx, ctx: RequestContext, id: string): Promise<LicenceApplicationDto> {
      const a = await load(tx, id);
      assertCanWrite(ctx, 'licensing.apply', appTarget(a));
      const tier = await tierOrFail(tx, a.country, a.tier_code, 'tierCode');
      return transition(tx, ctx, a, 'submit', null, {
        fee_assessed_minor: tier.fee.amountMinor,
        currency: tier.fee.currency,
        submitted_at: clock.now(),
      });
    },

    async review(tx: Tx, ctx: RequestContext, id: string): Promise<LicenceApplicationDto> {
      const a = await load(tx, id);
      await assertCanDecide(tx, ctx, a, 'Licence application');
      return transition(tx, ctx, a, 'review', null, {});
    },

    async checklist(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: { code: string; met: boolean; note?: string | null | undefined },
    ): Promise<LicenceApplicationDto> {
      const a = await load(tx, id);
      await assertCanDecide(tx, ctx, a, 'Licence application');
      if (a.status !== 'under_review') {
        throw problems.conflict('licensing.invalid_transition', 'The checklist is filled during review.', {
          from: a.status,
          to: a.status,
        });
      }
      const tier = await tierOrFail(tx, a.country, a.tier_code, 'tierCode');
      if (!tier.requirements.some((r) => r.code === input.code)) {
        throw problems.validation([
          { path: 'body.code', code: 'unknown_requirement', message: 'Not a requirement of this tier.' },
        ]);
      }
      const checklist = { ...a.checklist, [input.code]: { met: input.met, note: input.note ?? null } };
      await repo
        .licensingDb(tx)
        .updateTable('licence_applications')
        .set({ checklist: JSON.stringify(checklist), updated_at: clock.now(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      const after = toApplicationDto(await load(tx, id));
      await audit.record(tx, ctx, {
        action: 'licence_application.checklist_updated',
        entityType: 'licence_application',
        entityId: id,
        areaId: a.area_id,
        before: { checklist: a.checklist },
        after: { checklist },
      });
      return after;
    },

    async decide(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: { outcome: 'approve' | 'reject'; reason?: string | undefined },
    ): Promise<LicenceApplicationDto> {
      const a = await loadWithArea(tx, id);
      await assertCanDecide(tx, ctx, a, 'Licence application');
      const reason = input.reason?.trim() || null;
      if (input.outcome === 'approve' && a.kind === 'renewal') {
        nextApplicationStatus(a.status, 'approve');
        await lifecycle.assertRenewable(tx, a);
      }
      nextApplicationStatus(a.status, input.outcome, reason);
      // The cadastre may have changed since the area was drawn: the decision records the check then.
      let areaCheck: Omit<AreaCheckSummary, 'checkedAt'> | null = null;
      if (a.area_geometry != null) {
        const { result } = await runCadastreCheck(tx, {
          country: a.country,
          geometry: a.area_geometry,
          tierCode: a.tier_code,
        });
        areaCheck = storedCheck(result);
      }
      const now = clock.now();
      return transition(
        tx,
        ctx,
        a,
        input.outcome,
        reason,
        {
          decided_at: now,
          decided_by: actorId(ctx),
          decision_reason: reason,
          ...(areaCheck ? { area_check: JSON.stringify(areaCheck), area_checked_at: now } : {}),
        },
        { areaCheck: areaCheck ? decisionCheck(areaCheck) : null },
      );
    },

    /**
     * Draws or replaces the applied area: checked against the cadastre at once (invalid shapes are
     * refused with what is wrong where), stored with the check, and the requested hectares follow
     * the drawn area. The audit trail keeps the check, not the geometry.
     */
    async setArea(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: { geometry?: unknown; cells?: string[] | undefined },
    ): Promise<LicenceApplicationDto> {
      const a = await loadWithArea(tx, id);
      assertCanWrite(ctx, 'licensing.apply', appTarget(a));
      if (!AREA_EDITABLE.has(a.status)) {
        throw problems.conflict('licensing.area_locked', 'The area can only be set before the decision.', {
          status: a.status,
        });
      }
      // In a grid country the area may come as cells; the stored geometry is then their outline.
      const { result, geometry } = await runCadastreCheck(tx, {
        country: a.country,
        geometry: input.geometry,
        cells: input.cells,
        tierCode: a.tier_code,
      });
      // numeric(12, 4) in hectares: 0.5 m² rounds to zero, which the column refuses.
      const hectares = Math.round(result.appliedAreaM2) / 10_000;
      if (hectares <= 0 || hectares > 1_000_000) {
        throw problems.validation([
          {
            path: 'body.geometry',
            code: hectares <= 0 ? 'area_too_small' : 'area_too_large',
            message: 'The area must be at least 1 m² and at most 1,000,000 ha.',
          },
        ]);
      }
      const stored = storedCheck(result);
      // PUT is idempotent: the same area under the same cadastre is not a change (no new version,
      // no audit event), so a retried request is counted once.
      if (
        isDeepStrictEqual(a.area_geometry, geometry) &&
        isDeepStrictEqual(a.area_check, JSON.parse(JSON.stringify(stored)))
      ) {
        return toApplicationDto(a);
      }
      const now = clock.now();
      const before = toApplicationDto(a);
      await repo
        .licensingDb(tx)
        .updateTable('licence_applications')
        .set({
          area_geometry: JSON.stringify(geometry),
          area_check: JSON.stringify(stored),
          area_checked_at: now,
          requested_area_hectares: hectares,
          updated_at: now,
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      const after = toApplicationDto(await load(tx, id));
      await audit.record(tx, ctx, {
        action: 'licence_application.area_set',
        entityType: 'licence_application',
        entityId: id,
        areaId: a.area_id,
        before: { requestedAreaHectares: before.requestedAreaHectares, hasArea: before.hasArea },
        after: { requestedAreaHectares: after.requestedAreaHectares, hasArea: true },
        meta: { areaCheck: decisionCheck(stored), repairsApplied: result.repairsApplied },
      });
      return after;
    },

    async issue(tx: Tx, ctx: RequestContext, id: string): Promise<LicenceDto> {
      const a = await load(tx, id);
      await assertCanDecide(tx, ctx, a, 'Licence application');
      nextApplicationStatus(a.status, 'issue');
      await assertFeePaid(tx, a);
      if (a.kind === 'renewal') {
        const tier = await tierOrFail(tx, a.country, a.tier_code, 'tierCode');
        const renewedId = await lifecycle.extendLicence(tx, ctx, a, tier.validityMonths);
        await transition(tx, ctx, a, 'issue', null, {});
        return toLicenceDto(await loadLicence(tx, renewedId));
      }
      const existing = await repo.activeLicenceOf(tx, a.holder_kind, a.holder_id, a.tier_code);
      if (existing) {
        throw problems.conflict(
          'licensing.duplicate_active_licence',
          'The holder already has an active licence of this tier.',
          { licenceId: existing.id, number: existing.number },
        );
      }
      const tier = await tierOrFail(tx, a.country, a.tier_code, 'tierCode');
      const n = await repo.nextNumber(tx, 'licence_number_seq');
      const now = clock.now();
      const validFrom = await countryToday(tx, a.country, now);
      const licenceId = uuidv7();
      await repo
        .licensingDb(tx)
        .insertInto('licences')
        .values({
          id: licenceId,
          number: withCheckCharacter(
            `${a.country}-AS-${tierAbbreviation(tier.code)}-${validFrom.slice(0, 4)}-${String(n).padStart(6, '0')}`,
          ),
          application_id: a.id,
          tier_code: a.tier_code,
          holder_kind: a.holder_kind,
          holder_id: a.holder_id,
          area_id: a.area_id,
          valid_from: validFrom,
          valid_to: validTo(validFrom, tier.validityMonths),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await transition(tx, ctx, a, 'issue', null, {});
      await event(tx, ctx, { applicationId: a.id, licenceId, from: null, to: 'active' });
      await lifecycle.attachTierConditions(
        tx,
        ctx,
        { id: licenceId, validFrom, areaId: a.area_id },
        tier.conditions ?? [],
      );
      const licence = toLicenceDto(await loadLicence(tx, licenceId));
      await audit.record(tx, ctx, {
        action: 'licence.issued',
        entityType: 'licence',
        entityId: licenceId,
        areaId: a.area_id,
        after: licence,
      });
      return licence;
    },

    /** The history of an application (what happened to it, by whom, why), oldest first. */
    async applicationEvents(db: Queryable, ctx: RequestContext, id: string): Promise<LicenceEventDto[]> {
      requirePermission(ctx, 'licensing.read');
      assertCanRead(ctx, 'licensing.read', appTarget(await load(db, id)));
      return (await repo.eventsOf(db, { applicationId: id })).map(toEventDto);
    },

    /** The history of a licence: its application, issue, suspensions, renewals, transfers… */
    async licenceEvents(db: Queryable, ctx: RequestContext, id: string): Promise<LicenceEventDto[]> {
      requirePermission(ctx, 'licensing.read');
      assertCanRead(ctx, 'licensing.read', licenceTarget(await loadLicence(db, id)));
      return (await repo.eventsOf(db, { licenceId: id })).map(toEventDto);
    },

    async listLicences(db: Queryable, ctx: RequestContext, q: LicenceListQuery): Promise<Page<LicenceDto>> {
      const actor = requirePermission(ctx, 'licensing.read');
      const rows = await repo.listLicences(db, {
        scopePaths: scopePaths(actor, 'licensing.read'),
        status: q.status,
        tierCode: q.tierCode,
        holder: holderOf(q),
        numberPrefix: q.number,
        after: keysetOf(q.cursor),
        limit: q.limit,
      });
      return toPage(rows, q.limit, toLicenceDto, (r) => [iso(r.created_at)!, r.id]);
    },

    async getLicence(db: Queryable, ctx: RequestContext, id: string): Promise<LicenceDto> {
      requirePermission(ctx, 'licensing.read');
      const l = await loadLicence(db, id);
      assertCanRead(ctx, 'licensing.read', licenceTarget(l));
      return toLicenceDto(l);
    },

    async changeLicence(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      action: Exclude<LicenceAction, 'expire'>,
      reasonInput: string | undefined,
    ): Promise<LicenceDto> {
      const l = await loadLicence(tx, id);
      await assertCanDecide(tx, ctx, l, 'Licence');
      const reason = reasonInput?.trim() || null;
      const to = nextLicenceStatus(l.status, action, reason);
      if (to === 'active') {
        const other = await repo.activeLicenceOf(tx, l.holder_kind, l.holder_id, l.tier_code);
        if (other) {
          throw problems.conflict(
            'licensing.duplicate_active_licence',
            'The holder already has an active licence of this tier.',
            { licenceId: other.id, number: other.number },
          );
        }
      }
      await repo
        .licensingDb(tx)
        .updateTable('licences')
        .set({ status: to, updated_at: clock.now(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
      await event(tx, ctx, { applicationId: l.application_id, licenceId: id, from: l.status, to, reason });
      const after = toLicenceDto(await loadLicence(tx, id));
      await audit.record(tx, ctx, {
        action: `licence.${to === 'active' ? 'reinstated' : to}`,
        entityType: 'licence',
        entityId: id,
        areaId: l.area_id,
        before: { status: l.status },
        after,
        meta: reason ? { reason } : undefined,
      });
      return after;
    },
  };
}
