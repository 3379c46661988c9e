import { sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type {
  EncumbranceDto,
  NextTierDto,
  RegisterEncumbranceInput,
  TransferDto,
  TransferInput,
} from '../../../shared/schemas/licence-rights.ts';
import type { LicenceDto } from '../../../shared/schemas/licensing.ts';
import { assertCanWrite, covers, requireActor, scopePaths } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { countryToday } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import * as licensing from '../licensing/repo.ts';
import { createLicensingService } from '../licensing/service.ts';
import * as repo from './repo.ts';
import { deriveRequirement } from './requirements.ts';

type Localized = Record<string, string>;
interface Tier {
  code: string;
  names: Localized;
  holderKinds: string[];
  fee: { amountMinor: number; currency: string };
  requirements: { code: string; names: Localized; support?: { kind: string; names: Localized }[] }[];
  incentives: { code: string; names: Localized }[];
  nextTier: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

function toEncumbranceDto(e: repo.EncumbranceRow): EncumbranceDto {
  return {
    id: e.id,
    licenceId: e.licence_id,
    kind: e.kind,
    creditorName: e.creditor_name,
    amountMinor: Number(e.amount_minor),
    currency: e.currency,
    reference: e.reference,
    documentsNote: e.documents_note,
    registeredAt: iso(e.registered_at),
    registeredBy: e.registered_by,
    releasedAt: isoOrNull(e.released_at),
    releasedBy: e.released_by,
    releaseNote: e.release_note,
    active: e.released_at === null,
  };
}

function toTransferDto(t: repo.TransferRow): TransferDto {
  return {
    id: t.id,
    licenceId: t.licence_id,
    fromHolderKind: t.from_holder_kind,
    fromHolderId: t.from_holder_id,
    toHolderKind: t.to_holder_kind,
    toHolderId: t.to_holder_id,
    reason: t.reason,
    consideration:
      t.consideration_minor === null
        ? null
        : { amountMinor: Number(t.consideration_minor), currency: t.currency ?? '' },
    creditorConsent: t.creditor_consent,
    consentNote: t.consent_note,
    actorId: t.actor_id,
    at: iso(t.at),
  };
}

/**
 * The rights a tier may grant over a licence (transfer_right, mortgage_right): encumbrances and
 * transfers, decided by licensing.decide at the tier's issuing level; and the next tier of the
 * profile, with what the registry says about its requirements.
 */
export function createLicenceRightsService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  const licensingService = createLicensingService({ audit, clock });

  async function tiersOf(db: Queryable, country: string): Promise<Tier[]> {
    const doc = (await licensing.profileOf(db, country)) as { licenceTiers?: Tier[] } | undefined;
    return doc?.licenceTiers ?? [];
  }

  async function tierOf(db: Queryable, l: licensing.LicenceRow): Promise<Tier | undefined> {
    return (await tiersOf(db, l.country)).find((t) => t.code === l.tier_code);
  }

  /** 409 licensing.right_not_granted unless the licence's tier grants the right. */
  async function requireRight(
    db: Queryable,
    l: licensing.LicenceRow,
    right: 'transfer_right' | 'mortgage_right',
  ) {
    const tier = await tierOf(db, l);
    if (!tier?.incentives.some((i) => i.code === right)) {
      throw problems.conflict(
        'licensing.right_not_granted',
        'The tier of this licence does not grant this right.',
        {
          right,
          tierCode: l.tier_code,
        },
      );
    }
    return tier;
  }

  function requireActive(l: licensing.LicenceRow) {
    if (l.status !== 'active') {
      throw problems.conflict('licensing.licence_not_active', 'Only an active licence can be changed so.', {
        status: l.status,
      });
    }
  }

  /** The licence, locked for this transaction, after the decision check. */
  async function decidable(tx: Tx, ctx: RequestContext, id: string) {
    const first = await licensing.findLicence(tx, id);
    if (!first) throw problems.notFound('Licence');
    await licensingService.assertCanDecide(tx, ctx, first, 'Licence');
    await repo.lockLicence(tx, id);
    return (await licensing.findLicence(tx, id))!;
  }

  const userId = (ctx: RequestContext) => {
    const actor = requireActor(ctx);
    return actor.kind === 'user' ? actor.id : null;
  };

  return {
    async encumbrances(db: Queryable, ctx: RequestContext, licenceId: string): Promise<EncumbranceDto[]> {
      await licensingService.getLicence(db, ctx, licenceId);
      return (await repo.encumbrancesOf(db, licenceId)).map(toEncumbranceDto);
    },

    async registerEncumbrance(
      tx: Tx,
      ctx: RequestContext,
      licenceId: string,
      input: RegisterEncumbranceInput,
    ): Promise<EncumbranceDto> {
      const l = await decidable(tx, ctx, licenceId);
      await requireRight(tx, l, 'mortgage_right');
      requireActive(l);
      const registeredAt = input.registeredAt ? new Date(input.registeredAt) : clock.now();
      if (registeredAt.getTime() > clock.now().getTime() + 5 * 60_000) {
        throw problems.validation([
          { path: 'body.registeredAt', code: 'in_future', message: 'Cannot be registered in the future.' },
        ]);
      }
      const id = uuidv7();
      await repo
        .rightsDb(tx)
        .insertInto('licence_encumbrances')
        .values({
          id,
          licence_id: l.id,
          kind: input.kind,
          creditor_name: input.creditorName,
          amount_minor: input.amountMinor,
          currency: input.currency,
          reference: input.reference ?? null,
          documents_note: input.documentsNote || null,
          registered_at: registeredAt,
          registered_by: userId(ctx),
        })
        .execute();
      const after = toEncumbranceDto((await repo.findEncumbrance(tx, l.id, id))!);
      await audit.record(tx, ctx, {
        action: 'licence.encumbrance_registered',
        entityType: 'licence',
        entityId: l.id,
        areaId: l.area_id,
        after,
      });
      return after;
    },

    async releaseEncumbrance(
      tx: Tx,
      ctx: RequestContext,
      licenceId: string,
      encumbranceId: string,
      note: string | undefined,
    ): Promise<EncumbranceDto> {
      const l = await decidable(tx, ctx, licenceId);
      const e = await repo.findEncumbrance(tx, l.id, encumbranceId);
      if (!e) throw problems.notFound('Encumbrance');
      if (e.released_at !== null) {
        throw problems.conflict('licensing.encumbrance_released', 'This encumbrance is already released.', {
          releasedAt: iso(e.released_at),
        });
      }
      const now = clock.now();
      await repo
        .rightsDb(tx)
        .updateTable('licence_encumbrances')
        .set({
          released_at: now < new Date(e.registered_at) ? new Date(e.registered_at) : now,
          released_by: userId(ctx),
          release_note: note || null,
          version: sql`version + 1`,
        })
        .where('id', '=', e.id)
        .execute();
      const after = toEncumbranceDto((await repo.findEncumbrance(tx, l.id, e.id))!);
      await audit.record(tx, ctx, {
        action: 'licence.encumbrance_released',
        entityType: 'licence',
        entityId: l.id,
        areaId: l.area_id,
        before: toEncumbranceDto(e),
        after,
      });
      return after;
    },

    async transfers(db: Queryable, ctx: RequestContext, licenceId: string): Promise<TransferDto[]> {
      await licensingService.getLicence(db, ctx, licenceId);
      return (await repo.transfersOf(db, licenceId)).map(toTransferDto);
    },

    async transfer(
      tx: Tx,
      ctx: RequestContext,
      licenceId: string,
      input: TransferInput,
    ): Promise<{ transfer: TransferDto; licence: LicenceDto }> {
      const l = await decidable(tx, ctx, licenceId);
      const tier = await requireRight(tx, l, 'transfer_right');
      requireActive(l);
      if (input.toHolderKind === l.holder_kind && input.toHolderId === l.holder_id) {
        throw problems.validation([
          { path: 'body.toHolderId', code: 'same_holder', message: 'The licence is already held by them.' },
        ]);
      }
      if (!tier.holderKinds.includes(input.toHolderKind)) {
        throw problems.validation([
          {
            path: 'body.toHolderKind',
            code: 'not_allowed_for_tier',
            message: `This tier is for ${tier.holderKinds.join(', ')}.`,
          },
        ]);
      }
      // The new holder is in an area where the caller decides licences, and is someone they can see.
      const holder = await licensing.holderArea(tx, input.toHolderKind, input.toHolderId);
      if (!holder) {
        throw problems.validation([
          { path: 'body.toHolderId', code: 'unknown_holder', message: 'No such holder.' },
        ]);
      }
      assertCanWrite(ctx, 'licensing.decide', {
        entityType: 'Licence',
        entityId: l.id,
        areaId: holder.area_id,
        areaPath: holder.path,
      });
      const actor = requireActor(ctx);
      if (holder.country !== l.country || !covers(scopePaths(actor, 'registry.read'), holder.path)) {
        throw problems.validation([
          { path: 'body.toHolderId', code: 'unknown_holder', message: 'No such holder in your areas.' },
        ]);
      }
      const other = await licensing.activeLicenceOf(tx, input.toHolderKind, input.toHolderId, l.tier_code);
      if (other) {
        throw problems.conflict(
          'licensing.duplicate_active_licence',
          'The new holder already has an active licence of this tier.',
          { licenceId: other.id, number: other.number },
        );
      }
      const active = (await repo.encumbrancesOf(tx, l.id)).filter((e) => e.released_at === null);
      if (active.length > 0 && !input.creditorConsent) {
        throw problems.conflict(
          'licensing.encumbered',
          'The licence is encumbered: a transfer needs the consent of the creditors.',
          { encumbrances: active.map((e) => e.id) },
        );
      }
      if (active.length > 0 && !input.consentNote) {
        throw problems.validation([
          { path: 'body.consentNote', code: 'required', message: 'Say how the creditors consented.' },
        ]);
      }
      const before = await licensingService.getLicence(tx, ctx, l.id);
      const now = clock.now();
      const id = uuidv7();
      await repo
        .rightsDb(tx)
        .insertInto('licence_transfers')
        .values({
          id,
          licence_id: l.id,
          from_holder_kind: l.holder_kind,
          from_holder_id: l.holder_id,
          to_holder_kind: input.toHolderKind,
          to_holder_id: input.toHolderId,
          reason: input.reason,
          consideration_minor: input.consideration?.amountMinor ?? null,
          currency: input.consideration?.currency ?? null,
          creditor_consent: active.length > 0 && input.creditorConsent === true,
          consent_note: active.length > 0 ? (input.consentNote ?? null) : null,
          actor_id: userId(ctx),
          at: now,
        })
        .execute();
      // Only the holder changes: the licence keeps its area (where the site is) and its number.
      await licensing
        .licensingDb(tx)
        .updateTable('licences')
        .set({
          holder_kind: input.toHolderKind,
          holder_id: input.toHolderId,
          updated_at: now,
          version: sql`version + 1`,
        })
        .where('id', '=', l.id)
        .execute();
      // The licence stays active: the event records the change of holder in the licence's history.
      await licensing
        .licensingDb(tx)
        .insertInto('licence_events')
        .values({
          id: uuidv7(),
          application_id: l.application_id,
          licence_id: l.id,
          from_status: l.status,
          to_status: l.status,
          reason: `Transferred from ${l.holder_kind} ${l.holder_id} to ${input.toHolderKind} ${input.toHolderId}: ${input.reason}`,
          actor_id: userId(ctx),
          at: now,
        })
        .execute();
      const transfer = toTransferDto(
        (await repo
          .rightsDb(tx)
          .selectFrom('licence_transfers')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst())!,
      );
      const licence = await licensingService.getLicence(tx, ctx, l.id);
      await audit.record(tx, ctx, {
        action: 'licence.transferred',
        entityType: 'licence',
        entityId: l.id,
        areaId: l.area_id,
        before,
        after: licence,
        meta: { transferId: id },
      });
      return { transfer, licence };
    },

    async nextTier(db: Queryable, ctx: RequestContext, licenceId: string): Promise<NextTierDto> {
      const dto = await licensingService.getLicence(db, ctx, licenceId);
      const l = (await licensing.findLicence(db, dto.id))!;
      const tiers = await tiersOf(db, l.country);
      const current = tiers.find((t) => t.code === l.tier_code);
      const next = current?.nextTier ? tiers.find((t) => t.code === current.nextTier) : undefined;
      if (!next) return { licenceId: l.id, tierCode: l.tier_code, nextTier: null };
      const today = await countryToday(db, l.country, clock.now());
      const facts = await repo.holderFacts(db, l.holder_kind, l.holder_id, today);
      const checklist = await repo.checklistOf(db, l.application_id);
      const have = new Set(current?.incentives.map((i) => i.code) ?? []);
      return {
        licenceId: l.id,
        tierCode: l.tier_code,
        nextTier: {
          code: next.code,
          names: next.names,
          holderKindAllowed: next.holderKinds.includes(l.holder_kind),
          holderKinds: next.holderKinds,
          fee: next.fee,
          requirements: next.requirements.map((r) => {
            const derived = deriveRequirement(r.code, facts, today);
            const checked = derived === 'to_check' && checklist[r.code]?.met === true;
            return {
              code: r.code,
              names: r.names,
              status: checked ? 'met' : derived,
              source: checked ? 'checklist' : derived === 'to_check' ? null : 'registry',
              support: r.support ?? [],
            };
          }),
          incentivesGained: next.incentives
            .filter((i) => !have.has(i.code))
            .map((i) => ({ code: i.code, names: i.names })),
        },
      };
    },
  };
}
