import type { ActorDto, CustodyEventDto, LotDto } from '../../../shared/schemas/custody.ts';
import type { ActorRow, EventLotRow, EventRow, LotRow } from './repo.ts';

/** Rows to the API's shapes, and the access targets of each record. */
const iso = (d: Date | string) => new Date(d).toISOString();

export function toActorDto(a: ActorRow): ActorDto {
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    country: a.country,
    areaId: a.area_id,
    personId: a.person_id,
    enterpriseId: a.enterprise_id,
    productionUnitId: a.production_unit_id,
    status: a.status,
    createdAt: iso(a.created_at),
    version: a.version,
  };
}

export function toLotDto(l: LotRow): LotDto {
  return {
    id: l.id,
    tag: l.tag,
    country: l.country,
    mineral: l.mineral,
    form: l.form,
    massMg: l.mass_mg,
    finenessPtt: l.fineness_ptt,
    holderActorId: l.holder_actor_id,
    holderName: l.holder_name,
    areaId: l.area_id,
    originSiteId: l.origin_site_id,
    originLicenceId: l.origin_licence_id,
    status: l.status,
    createdByEvent: l.created_by_event,
    consumedByEvent: l.consumed_by_event,
    createdAt: iso(l.created_at),
    version: l.version,
  };
}

export function toEventDto(e: EventRow, lots: readonly EventLotRow[]): CustodyEventDto {
  return {
    id: e.id,
    kind: e.kind,
    country: e.country,
    actorId: e.actor_id,
    counterpartId: e.counterpart_id,
    areaId: e.area_id,
    place: e.place,
    occurredAt: iso(e.occurred_at),
    inputMg: e.input_mg,
    outputMg: e.output_mg,
    lossMg: e.loss_mg,
    recovery: e.kind === 'processing' ? e.output_mg / e.input_mg : null,
    priceMinor: e.price_minor,
    currency: e.currency,
    exportPermit: e.export_permit,
    destinationCountry: e.destination_country,
    documents: e.documents,
    recordedSide: e.recorded_side,
    recordedBy: e.recorded_by,
    recordedAt: iso(e.recorded_at),
    confirmedBy: e.confirmed_by,
    confirmedAt: e.confirmed_at ? iso(e.confirmed_at) : null,
    lots: lots
      .filter((l) => l.event_id === e.id)
      .map((l) => ({ lotId: l.lot_id, tag: l.tag, role: l.role, massMg: l.mass_mg })),
  };
}

export const actorTarget = (a: ActorRow) => ({
  entityType: 'Custody actor',
  entityId: a.id,
  areaId: a.area_id,
  areaPath: a.area_path,
});

export const lotTarget = (l: LotRow) => ({
  entityType: 'Lot',
  entityId: l.id,
  areaId: l.area_id,
  areaPath: l.area_path,
});
