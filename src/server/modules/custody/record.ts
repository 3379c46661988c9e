import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../shared/canonical-json.ts';
import { uuidv7, withCheckCharacter } from '../../../shared/ids.ts';
import {
  type CustodyEventDto,
  type ExportInput,
  type MergeInput,
  PRODUCER_KINDS,
  type ProcessingInput,
  type ProductionInput,
  type SplitInput,
  type TransferInput,
} from '../../../shared/schemas/custody.ts';
import { assertCanWrite, requireActor, requirePermission } from '../../platform/access/access.ts';
import type { AuditSink } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { flagRecordedEvent } from './flags.ts';
import { assertEngaged } from './incidents.ts';
import { custodyProblems } from './problems.ts';
import * as repo from './repo.ts';
import { actorTarget, toEventDto } from './views.ts';

type Kind = repo.EventRow['kind'];
type Common = { id?: string | undefined; place?: string | undefined; occurredAt?: string | undefined };
export interface Recorded {
  event: CustodyEventDto;
  created: boolean;
}
type EventDraft = Omit<repo.EventRow, 'confirmed_by' | 'confirmed_at' | 'recorded_by' | 'recorded_at'>;
interface NewLot {
  mineral: string;
  form: repo.LotRow['form'];
  massMg: number;
  finenessPtt: number | null;
  originSiteId?: string | null;
  originLicenceId?: string | null;
}

/** What a client sent, minus its id: the same id sent again must carry the same content. */
function fingerprint(kind: Kind, input: object): string {
  const { id: _id, ...rest } = input as { id?: string };
  return createHash('sha256')
    .update(canonicalJson({ kind, ...rest }))
    .digest('hex');
}

/** Mass-weighted mean fineness, rounded to the part per ten thousand; unknown if any input's is. */
function meanFineness(lots: readonly repo.LotRow[]): number | null {
  if (lots.some((l) => l.fineness_ptt === null)) return null;
  const mass = lots.reduce((s, l) => s + BigInt(l.mass_mg), 0n);
  const fine = lots.reduce((s, l) => s + BigInt(l.mass_mg) * BigInt(l.fineness_ptt!), 0n);
  return Number((2n * fine + mass) / (2n * mass));
}

/**
 * Recording custody events. Each runs in the request's transaction: the event row, the lots it
 * closes, moves or creates and the links of the graph commit together, and the database checks at
 * commit that they balance (migration 0017). The guarded UPDATEs (holder and status in the WHERE)
 * are what stop a second sale or a second consumption of a lot under concurrent requests.
 */
export function createCustodyRecorder({ audit, clock }: { audit: AuditSink; clock: Clock }) {
  function occurredAt(input: Common): Date {
    const at = input.occurredAt ? new Date(input.occurredAt) : clock.now();
    if (at.getTime() > clock.now().getTime() + 5 * 60_000) {
      throw problems.validation([
        { path: 'body.occurredAt', code: 'in_future', message: 'An event cannot be dated in the future.' },
      ]);
    }
    return at;
  }

  async function actorNamed(tx: Tx, id: string, path: string): Promise<repo.ActorRow> {
    const a = await repo.findActor(tx, id);
    if (!a) throw custodyProblems.unknownReference(path, 'Custody actor');
    return a;
  }

  function assertActive(...actors: repo.ActorRow[]): void {
    for (const a of actors) if (a.status !== 'active') throw custodyProblems.actorSuspended(a.id);
  }

  /** The lots named, all of them; a missing one is a mistake in the request. */
  async function lotsNamed(tx: Tx, ids: readonly string[], path: string): Promise<repo.LotRow[]> {
    const lots = await repo.findLots(tx, ids);
    if (lots.length !== new Set(ids).size) throw custodyProblems.unknownReference(path, 'Lot');
    return lots;
  }

  /** The same client id again: the first answer if the content is the same, else a conflict. */
  async function replay(tx: Tx, id: string | undefined, kind: Kind, print: string): Promise<Recorded | null> {
    if (!id) return null;
    const e = await repo.findEvent(tx, id);
    if (!e) return null;
    if (e.kind !== kind || e.request_fingerprint !== print) throw custodyProblems.idConflict();
    return { event: toEventDto(e, await repo.lotsOfEvents(tx, [id])), created: false };
  }

  function assertOpen(lots: readonly repo.LotRow[]): void {
    const closed = lots.filter((l) => l.status !== 'open').map((l) => l.id);
    if (closed.length > 0) throw custodyProblems.lotClosed(closed);
  }

  /** After a guarded UPDATE touched fewer rows than asked: says which rule the lost race broke. */
  async function raceLost(tx: Tx, ids: readonly string[], holder: string): Promise<never> {
    const now = await repo.findLots(tx, ids);
    assertOpen(now);
    throw custodyProblems.notHolder(now.filter((l) => l.holder_actor_id !== holder).map((l) => l.id));
  }

  async function createLot(tx: Tx, eventId: string, holder: repo.ActorRow, lot: NewLot): Promise<string> {
    const id = uuidv7();
    const n = await repo.nextTagNumber(tx);
    await repo.insertLot(tx, {
      id,
      tag: withCheckCharacter(`${holder.country}-LOT-${n.toString(36).toUpperCase().padStart(6, '0')}`),
      country: holder.country,
      mineral: lot.mineral,
      form: lot.form,
      mass_mg: lot.massMg,
      fineness_ptt: lot.finenessPtt,
      holder_actor_id: holder.id,
      origin_site_id: lot.originSiteId ?? null,
      origin_licence_id: lot.originLicenceId ?? null,
      created_by_event: eventId,
      created_at: clock.now(),
    });
    return id;
  }

  /** The event row goes in first: the lots it closes or creates point to it. */
  async function begin(tx: Tx, ctx: RequestContext, row: EventDraft): Promise<void> {
    const actor = requireActor(ctx);
    await repo.insertEvent(tx, {
      ...row,
      recorded_by: actor.kind === 'system' ? null : actor.id,
      recorded_at: clock.now(),
    });
  }

  /** The links of the graph, then the answer and its audit event, from what was written. */
  async function complete(
    tx: Tx,
    ctx: RequestContext,
    row: EventDraft,
    links: { lotId: string; role: 'input' | 'output' | 'moved' }[],
  ): Promise<Recorded> {
    await repo.linkLots(tx, row.id, links);
    // Risk flags (licence, area, price, capacity) are raised with the event, never instead of it.
    await flagRecordedEvent(tx, row.id, clock.now());
    const event = toEventDto((await repo.findEvent(tx, row.id))!, await repo.lotsOfEvents(tx, [row.id]));
    await audit.record(tx, ctx, {
      action: `custody.${row.kind}_recorded`,
      entityType: 'custody_event',
      entityId: row.id,
      areaId: row.area_id,
      after: event,
    });
    return { event, created: true };
  }

  const base = (kind: Kind, input: Common, actor: repo.ActorRow, print: string) => ({
    id: input.id ?? uuidv7(),
    kind,
    country: actor.country,
    actor_id: actor.id,
    area_id: actor.area_id,
    place: input.place ?? null,
    occurred_at: occurredAt(input),
    request_fingerprint: print,
    counterpart_id: null,
    price_minor: null,
    currency: null,
    export_permit: null,
    destination_country: null,
    recorded_side: null,
    loss_mg: 0,
  });

  /**
   * Split, merge, processing and export consume their input lots: every one must be open and held by
   * the same actor, who is the one acting (and whose area is checked).
   */
  async function consume(
    tx: Tx,
    ctx: RequestContext,
    kind: Kind,
    input: Common & { documents?: unknown[] | undefined },
    lotIds: readonly string[],
    path: string,
  ) {
    requirePermission(ctx, 'custody.record');
    const lots = await lotsNamed(tx, lotIds, path);
    const holder = await actorNamed(tx, lots[0]!.holder_actor_id, path);
    assertCanWrite(ctx, 'custody.record', actorTarget(holder));
    const print = fingerprint(kind, input);
    const again = await replay(tx, input.id, kind, print);
    if (again) return { again, lots, holder, print };
    const others = lots.filter((l) => l.holder_actor_id !== holder.id).map((l) => l.id);
    if (others.length > 0) throw custodyProblems.notHolder(others);
    assertOpen(lots);
    assertActive(holder);
    await assertEngaged(tx, [holder.id], null);
    const minerals = [...new Set(lots.map((l) => l.mineral))];
    if (minerals.length > 1) throw custodyProblems.mixedMinerals(minerals);
    return { again: null, lots, holder, print };
  }

  async function close(
    tx: Tx,
    lots: readonly repo.LotRow[],
    holder: repo.ActorRow,
    eventId: string,
    status: 'consumed' | 'exported',
  ) {
    const ids = lots.map((l) => l.id);
    if ((await repo.closeLots(tx, ids, holder.id, eventId, status)) !== ids.length)
      await raceLost(tx, ids, holder.id);
  }

  const total = (lots: readonly repo.LotRow[]) => lots.reduce((s, l) => s + l.mass_mg, 0);
  const docs = (input: { documents?: repo.EventRow['documents'] | undefined }) => input.documents ?? [];

  return {
    async production(tx: Tx, ctx: RequestContext, input: ProductionInput): Promise<Recorded> {
      requirePermission(ctx, 'custody.record');
      const holder = await actorNamed(tx, input.holderActorId, 'body.holderActorId');
      assertCanWrite(ctx, 'custody.record', actorTarget(holder));
      const print = fingerprint('production', input);
      const again = await replay(tx, input.id, 'production', print);
      if (again) return again;
      if (!PRODUCER_KINDS.includes(holder.kind))
        throw custodyProblems.wrongActorKind(holder.id, PRODUCER_KINDS);
      assertActive(holder);
      const site = await repo.findSite(tx, input.originSiteId);
      if (!site) throw custodyProblems.unknownReference('body.originSiteId', 'Production unit');
      if (site.country !== holder.country) throw custodyProblems.countryMismatch();
      await assertEngaged(tx, [holder.id], site.id);
      if (input.originLicenceId && !(await repo.exists(tx, 'licences', input.originLicenceId)))
        throw custodyProblems.unknownReference('body.originLicenceId', 'Licence');
      const row: EventDraft = {
        ...base('production', input, holder, print),
        input_mg: 0,
        output_mg: input.massMg,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      const lotId = await createLot(tx, row.id, holder, {
        mineral: input.mineral,
        form: input.form,
        massMg: input.massMg,
        finenessPtt: input.finenessPtt ?? null,
        originSiteId: site.id,
        originLicenceId: input.originLicenceId ?? null,
      });
      return complete(tx, ctx, row, [{ lotId, role: 'output' }]);
    },

    /**
     * A sale or hand-over: the lots change holder, nothing is consumed. Either side records it; the
     * recorder must serve the area of the side it records for.
     */
    async transfer(tx: Tx, ctx: RequestContext, input: TransferInput): Promise<Recorded> {
      requirePermission(ctx, 'custody.record');
      const seller = await actorNamed(tx, input.sellerActorId, 'body.sellerActorId');
      const buyer = await actorNamed(tx, input.buyerActorId, 'body.buyerActorId');
      assertCanWrite(ctx, 'custody.record', actorTarget(input.recordedSide === 'seller' ? seller : buyer));
      const print = fingerprint('transfer', input);
      const again = await replay(tx, input.id, 'transfer', print);
      if (again) return again;
      if (seller.id === buyer.id) throw custodyProblems.sameActor();
      if (seller.country !== buyer.country) throw custodyProblems.countryMismatch();
      assertActive(seller, buyer);
      await assertEngaged(tx, [seller.id, buyer.id], null);
      const lots = await lotsNamed(tx, input.lotIds, 'body.lotIds');
      assertOpen(lots);
      const others = lots.filter((l) => l.holder_actor_id !== seller.id).map((l) => l.id);
      if (others.length > 0) throw custodyProblems.notHolder(others);
      const mass = total(lots);
      const row: EventDraft = {
        ...base('transfer', input, seller, print),
        counterpart_id: buyer.id,
        recorded_side: input.recordedSide,
        price_minor: input.priceMinor ?? null,
        currency: input.currency ?? null,
        input_mg: mass,
        output_mg: mass,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      if ((await repo.moveLots(tx, input.lotIds, seller.id, buyer.id)) !== lots.length)
        await raceLost(tx, input.lotIds, seller.id);
      return complete(
        tx,
        ctx,
        row,
        lots.map((l) => ({ lotId: l.id, role: 'moved' as const })),
      );
    },

    /** The other side of a transfer confirms it: someone serving that side's area, not the recorder. */
    async confirm(tx: Tx, ctx: RequestContext, eventId: string): Promise<CustodyEventDto> {
      requirePermission(ctx, 'custody.record');
      const e = await repo.findEvent(tx, eventId);
      if (e?.kind !== 'transfer') throw problems.notFound('Transfer');
      const otherSide = (await repo.findActor(
        tx,
        e.recorded_side === 'seller' ? e.counterpart_id! : e.actor_id,
      ))!;
      assertCanWrite(ctx, 'custody.record', {
        ...actorTarget(otherSide),
        entityType: 'Transfer',
        entityId: e.id,
      });
      const actor = requireActor(ctx);
      // A confirmation is a person's word that the mineral changed hands: jobs and seeds (the system
      // actor) cannot give it, and the table requires who confirmed with when.
      if (actor.kind === 'system') throw problems.forbidden();
      const by = actor.id;
      // Confirming twice changes nothing; confirming one's own record is no confirmation.
      if (!e.confirmed_at) {
        if (e.recorded_by === by) throw custodyProblems.ownConfirmation();
        if ((await repo.confirmEvent(tx, e.id, by, clock.now())) === 1) {
          const event = toEventDto((await repo.findEvent(tx, e.id))!, await repo.lotsOfEvents(tx, [e.id]));
          await audit.record(tx, ctx, {
            action: 'custody.transfer_confirmed',
            entityType: 'custody_event',
            entityId: e.id,
            areaId: otherSide.area_id,
            after: { confirmedBy: event.confirmedBy, confirmedAt: event.confirmedAt },
          });
          return event;
        }
      }
      return toEventDto((await repo.findEvent(tx, e.id))!, await repo.lotsOfEvents(tx, [e.id]));
    },

    /** One lot into parts whose masses add up to it exactly; each part keeps its mineral, form and fineness. */
    async split(tx: Tx, ctx: RequestContext, input: SplitInput): Promise<Recorded> {
      const c = await consume(tx, ctx, 'split', input, [input.lotId], 'body.lotId');
      if (c.again) return c.again;
      const lot = c.lots[0]!;
      const parts = input.outputs.reduce((s, o) => s + o.massMg, 0);
      if (parts !== lot.mass_mg) throw custodyProblems.massMismatch(lot.mass_mg, parts);
      const row: EventDraft = {
        ...base('split', input, c.holder, c.print),
        input_mg: lot.mass_mg,
        output_mg: parts,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      await close(tx, c.lots, c.holder, row.id, 'consumed');
      const links: { lotId: string; role: 'input' | 'output' }[] = [{ lotId: lot.id, role: 'input' }];
      for (const o of input.outputs) {
        const lotId = await createLot(tx, row.id, c.holder, {
          mineral: lot.mineral,
          form: lot.form,
          massMg: o.massMg,
          finenessPtt: lot.fineness_ptt,
        });
        links.push({ lotId, role: 'output' });
      }
      return complete(tx, ctx, row, links);
    },

    /** Lots of one mineral into one lot of their summed mass and mass-weighted fineness. */
    async merge(tx: Tx, ctx: RequestContext, input: MergeInput): Promise<Recorded> {
      const c = await consume(tx, ctx, 'merge', input, input.lotIds, 'body.lotIds');
      if (c.again) return c.again;
      const mass = total(c.lots);
      const forms = new Set(c.lots.map((l) => l.form));
      const row: EventDraft = {
        ...base('merge', input, c.holder, c.print),
        input_mg: mass,
        output_mg: mass,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      await close(tx, c.lots, c.holder, row.id, 'consumed');
      const lotId = await createLot(tx, row.id, c.holder, {
        mineral: c.lots[0]!.mineral,
        form: input.form ?? (forms.size === 1 ? c.lots[0]!.form : 'other'),
        massMg: mass,
        finenessPtt: meanFineness(c.lots),
      });
      return complete(tx, ctx, row, [
        ...c.lots.map((l) => ({ lotId: l.id, role: 'input' as const })),
        { lotId, role: 'output' },
      ]);
    },

    /** Ore to concentrate to doré: one lot out, never heavier than what went in; the loss is recorded. */
    async processing(tx: Tx, ctx: RequestContext, input: ProcessingInput): Promise<Recorded> {
      const c = await consume(tx, ctx, 'processing', input, input.lotIds, 'body.lotIds');
      if (c.again) return c.again;
      const mass = total(c.lots);
      if (input.output.massMg > mass) throw custodyProblems.massCreated(mass, input.output.massMg);
      const row: EventDraft = {
        ...base('processing', input, c.holder, c.print),
        input_mg: mass,
        output_mg: input.output.massMg,
        loss_mg: mass - input.output.massMg,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      await close(tx, c.lots, c.holder, row.id, 'consumed');
      const lotId = await createLot(tx, row.id, c.holder, {
        mineral: c.lots[0]!.mineral,
        form: input.output.form,
        massMg: input.output.massMg,
        finenessPtt: input.output.finenessPtt ?? null,
      });
      return complete(tx, ctx, row, [
        ...c.lots.map((l) => ({ lotId: l.id, role: 'input' as const })),
        { lotId, role: 'output' },
      ]);
    },

    /** Lots leave the country with an export permit: they become exported, and are never consumed again. */
    async export(tx: Tx, ctx: RequestContext, input: ExportInput): Promise<Recorded> {
      const c = await consume(tx, ctx, 'export', input, input.lotIds, 'body.lotIds');
      if (c.again) return c.again;
      if (c.holder.kind !== 'exporter') throw custodyProblems.wrongActorKind(c.holder.id, ['exporter']);
      const mass = total(c.lots);
      const row: EventDraft = {
        ...base('export', input, c.holder, c.print),
        export_permit: input.exportPermit,
        destination_country: input.destinationCountry,
        input_mg: mass,
        output_mg: 0,
        documents: docs(input),
      };
      await begin(tx, ctx, row);
      await close(tx, c.lots, c.holder, row.id, 'exported');
      return complete(
        tx,
        ctx,
        row,
        c.lots.map((l) => ({ lotId: l.id, role: 'input' as const })),
      );
    },
  };
}
