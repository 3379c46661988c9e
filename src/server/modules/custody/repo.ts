import { sql } from 'kysely';
import type { ActorDto, LotDto } from '../../../shared/schemas/custody.ts';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { Queryable } from '../../platform/db/schema.ts';

/** The tables of migration 0017, read with plain SQL: the queries are short and the trace is recursive. */
export interface ActorRow {
  id: string;
  kind: ActorDto['kind'];
  name: string;
  country: string;
  area_id: string;
  area_path: string;
  person_id: string | null;
  enterprise_id: string | null;
  production_unit_id: string | null;
  status: ActorDto['status'];
  created_at: Date;
  version: number;
}

export interface LotRow {
  id: string;
  tag: string;
  country: string;
  mineral: string;
  form: LotDto['form'];
  mass_mg: number;
  fineness_ptt: number | null;
  holder_actor_id: string;
  holder_name: string;
  area_id: string;
  area_path: string;
  origin_site_id: string | null;
  origin_licence_id: string | null;
  status: LotDto['status'];
  created_by_event: string;
  consumed_by_event: string | null;
  created_at: Date;
  version: number;
}

export interface EventRow {
  id: string;
  kind: 'production' | 'transfer' | 'split' | 'merge' | 'processing' | 'export';
  country: string;
  actor_id: string;
  counterpart_id: string | null;
  area_id: string;
  place: string | null;
  occurred_at: Date;
  input_mg: number;
  output_mg: number;
  loss_mg: number;
  price_minor: number | null;
  currency: string | null;
  export_permit: string | null;
  destination_country: string | null;
  documents: { kind: string; reference: string; note?: string }[];
  recorded_side: 'seller' | 'buyer' | null;
  request_fingerprint: string;
  recorded_by: string | null;
  recorded_at: Date;
  confirmed_by: string | null;
  confirmed_at: Date | null;
}

export interface EventLotRow {
  event_id: string;
  lot_id: string;
  tag: string;
  role: 'input' | 'output' | 'moved';
  mass_mg: number;
}

const ACTOR_COLUMNS = sql`a.id, a.kind, a.name, a.country, a.area_id, ar.path AS area_path, a.person_id,
  a.enterprise_id, a.production_unit_id, a.status, a.created_at, a.version`;

export async function findActors(db: Queryable, ids: readonly string[]): Promise<ActorRow[]> {
  if (ids.length === 0) return [];
  const r = await sql<ActorRow>`
    SELECT ${ACTOR_COLUMNS} FROM custody_actors a JOIN admin_areas ar ON ar.id = a.area_id
     WHERE a.id = ANY(${sql.val(ids)}::uuid[])`.execute(db);
  return r.rows;
}

export async function findActor(db: Queryable, id: string): Promise<ActorRow | undefined> {
  return (await findActors(db, [id]))[0];
}

export interface ActorFilter {
  scopePaths: string[];
  kind?: string | undefined;
  status?: string | undefined;
  after: [string, string] | null;
  limit: number;
}

export async function listActors(db: Queryable, f: ActorFilter): Promise<ActorRow[]> {
  const r = await sql<ActorRow>`
    SELECT ${ACTOR_COLUMNS} FROM custody_actors a JOIN admin_areas ar ON ar.id = a.area_id
     WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
       ${f.kind ? sql`AND a.kind = ${f.kind}` : sql``}
       ${f.status ? sql`AND a.status = ${f.status}` : sql``}
       ${f.after ? sql`AND (a.name, a.id) > (${f.after[0]}, ${f.after[1]}::uuid)` : sql``}
     ORDER BY a.name, a.id LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

export async function insertActor(
  db: Queryable,
  a: Omit<ActorRow, 'area_path' | 'status' | 'version'> & { created_by: string | null },
): Promise<void> {
  await sql`
    INSERT INTO custody_actors (id, kind, name, country, area_id, person_id, enterprise_id, production_unit_id,
                                created_by, created_at)
    VALUES (${a.id}, ${a.kind}, ${a.name}, ${a.country}, ${a.area_id}, ${a.person_id}, ${a.enterprise_id},
            ${a.production_unit_id}, ${a.created_by}, ${a.created_at})`.execute(db);
}

/** The area (with its path and country) and the record a new actor links to must exist. */
export async function areaOf(db: Queryable, id: string) {
  const r = await sql<{ id: string; path: string; country: string }>`
    SELECT id, path, country FROM admin_areas WHERE id = ${id}`.execute(db);
  return r.rows[0];
}

export async function exists(
  db: Queryable,
  table: 'people' | 'enterprises' | 'production_units' | 'licences',
  id: string,
): Promise<boolean> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE id = ${id}`.execute(db);
  return r.rows[0]!.n > 0;
}

/** A production unit with its area, for jurisdiction on where its production went. */
export async function findSite(db: Queryable, id: string) {
  const r = await sql<{ id: string; area_id: string; area_path: string; country: string }>`
    SELECT pu.id, pu.area_id, ar.path AS area_path, ar.country
      FROM production_units pu JOIN admin_areas ar ON ar.id = pu.area_id WHERE pu.id = ${id}`.execute(db);
  return r.rows[0];
}

// Lots ----------------------------------------------------------------------------------------------

const LOT_COLUMNS = sql`l.id, l.tag, l.country, l.mineral, l.form, l.mass_mg, l.fineness_ptt, l.holder_actor_id,
  a.name AS holder_name, a.area_id, ar.path AS area_path, l.origin_site_id, l.origin_licence_id, l.status,
  l.created_by_event, l.consumed_by_event, l.created_at, l.version`;
const LOT_FROM = sql`lots l JOIN custody_actors a ON a.id = l.holder_actor_id JOIN admin_areas ar ON ar.id = a.area_id`;

export async function findLots(db: Queryable, ids: readonly string[]): Promise<LotRow[]> {
  if (ids.length === 0) return [];
  const r = await sql<LotRow>`
    SELECT ${LOT_COLUMNS} FROM ${LOT_FROM} WHERE l.id = ANY(${sql.val(ids)}::uuid[]) ORDER BY l.id`.execute(
    db,
  );
  return r.rows;
}

export async function findLot(db: Queryable, id: string): Promise<LotRow | undefined> {
  return (await findLots(db, [id]))[0];
}

export async function findLotByTag(db: Queryable, tag: string): Promise<LotRow | undefined> {
  const r = await sql<LotRow>`SELECT ${LOT_COLUMNS} FROM ${LOT_FROM} WHERE l.tag = ${tag}`.execute(db);
  return r.rows[0];
}

export interface LotFilter {
  scopePaths: string[];
  holderActorId?: string | undefined;
  status?: string | undefined;
  mineral?: string | undefined;
  /** Newest first: the id (UUIDv7) of the last lot of the previous page. */
  before: string | null;
  limit: number;
}

export async function listLots(db: Queryable, f: LotFilter): Promise<LotRow[]> {
  const r = await sql<LotRow>`
    SELECT ${LOT_COLUMNS} FROM ${LOT_FROM}
     WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
       ${f.holderActorId ? sql`AND l.holder_actor_id = ${f.holderActorId}` : sql``}
       ${f.status ? sql`AND l.status = ${f.status}` : sql``}
       ${f.mineral ? sql`AND l.mineral = ${f.mineral}` : sql``}
       ${f.before ? sql`AND l.id < ${f.before}::uuid` : sql``}
     ORDER BY l.id DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

export async function nextTagNumber(db: Queryable): Promise<number> {
  const r = await sql<{ n: number }>`SELECT nextval('lot_tag_seq') AS n`.execute(db);
  return Number(r.rows[0]!.n);
}

export async function insertLot(
  db: Queryable,
  l: Omit<LotRow, 'holder_name' | 'area_id' | 'area_path' | 'status' | 'consumed_by_event' | 'version'>,
): Promise<void> {
  await sql`
    INSERT INTO lots (id, tag, country, mineral, form, mass_mg, fineness_ptt, holder_actor_id, origin_site_id,
                      origin_licence_id, created_by_event, created_at)
    VALUES (${l.id}, ${l.tag}, ${l.country}, ${l.mineral}, ${l.form}, ${l.mass_mg}, ${l.fineness_ptt},
            ${l.holder_actor_id}, ${l.origin_site_id}, ${l.origin_licence_id}, ${l.created_by_event},
            ${l.created_at})`.execute(db);
}

/**
 * Hands lots from seller to buyer, only while the seller holds them and they are open. Returns how
 * many moved: fewer than asked means another request sold or consumed one first (the row lock makes
 * the second of two concurrent sales wait and then find the holder changed).
 */
export async function moveLots(db: Queryable, ids: readonly string[], seller: string, buyer: string) {
  await lockLots(db, ids);
  const r = await sql`
    UPDATE lots SET holder_actor_id = ${buyer}, version = version + 1
     WHERE id = ANY(${sql.val(ids)}::uuid[]) AND holder_actor_id = ${seller} AND status = 'open'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Closes lots held by the actor for the event; returns how many closed (all or the caller rolls back). */
export async function closeLots(
  db: Queryable,
  ids: readonly string[],
  holder: string,
  event: string,
  status: 'consumed' | 'exported',
) {
  await lockLots(db, ids);
  const r = await sql`
    UPDATE lots SET status = ${status}, consumed_by_event = ${event}, version = version + 1
     WHERE id = ANY(${sql.val(ids)}::uuid[]) AND holder_actor_id = ${holder} AND status = 'open'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Row locks in id order, so two requests over the same lots queue instead of deadlocking. */
async function lockLots(db: Queryable, ids: readonly string[]): Promise<void> {
  await sql`SELECT id FROM lots WHERE id = ANY(${sql.val(ids)}::uuid[]) ORDER BY id FOR UPDATE`.execute(db);
}

// Events --------------------------------------------------------------------------------------------

export async function findEvent(db: Queryable, id: string): Promise<EventRow | undefined> {
  const r = await sql<EventRow>`SELECT * FROM custody_events WHERE id = ${id}`.execute(db);
  return r.rows[0];
}

export async function insertEvent(db: Queryable, e: Omit<EventRow, 'confirmed_by' | 'confirmed_at'>) {
  await sql`
    INSERT INTO custody_events (id, kind, country, actor_id, counterpart_id, area_id, place, occurred_at, input_mg,
                                output_mg, loss_mg, price_minor, currency, export_permit, destination_country,
                                documents, recorded_side, request_fingerprint, recorded_by, recorded_at)
    VALUES (${e.id}, ${e.kind}, ${e.country}, ${e.actor_id}, ${e.counterpart_id}, ${e.area_id}, ${e.place},
            ${e.occurred_at}, ${e.input_mg}, ${e.output_mg}, ${e.loss_mg}, ${e.price_minor}, ${e.currency},
            ${e.export_permit}, ${e.destination_country}, ${JSON.stringify(e.documents)}::jsonb,
            ${e.recorded_side}, ${e.request_fingerprint}, ${e.recorded_by}, ${e.recorded_at})`.execute(db);
}

export async function linkLots(
  db: Queryable,
  eventId: string,
  links: readonly { lotId: string; role: 'input' | 'output' | 'moved' }[],
): Promise<void> {
  await sql`
    INSERT INTO custody_event_lots (event_id, lot_id, role)
    SELECT ${eventId}::uuid, x.lot_id, x.role
      FROM unnest(${sql.val(links.map((l) => l.lotId))}::uuid[], ${sql.val(links.map((l) => l.role))}::text[])
        AS x (lot_id, role)`.execute(db);
}

export async function confirmEvent(db: Queryable, id: string, by: string | null, at: Date): Promise<number> {
  const r = await sql`
    UPDATE custody_events SET confirmed_by = ${by}, confirmed_at = ${at}
     WHERE id = ${id} AND kind = 'transfer' AND confirmed_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function lotsOfEvents(db: Queryable, eventIds: readonly string[]): Promise<EventLotRow[]> {
  if (eventIds.length === 0) return [];
  const r = await sql<EventLotRow>`
    SELECT el.event_id, el.lot_id, l.tag, el.role, l.mass_mg
      FROM custody_event_lots el JOIN lots l ON l.id = el.lot_id
     WHERE el.event_id = ANY(${sql.val(eventIds)}::uuid[])
     ORDER BY el.event_id, el.role, l.id`.execute(db);
  return r.rows;
}

/** Every event a lot took part in, oldest first. */
export async function eventsOfLot(db: Queryable, lotId: string): Promise<EventRow[]> {
  const r = await sql<EventRow>`
    SELECT e.* FROM custody_event_lots el JOIN custody_events e ON e.id = el.event_id
     WHERE el.lot_id = ${lotId} ORDER BY e.occurred_at, e.recorded_at, e.id`.execute(db);
  return r.rows;
}

// Trace ---------------------------------------------------------------------------------------------

export interface GraphLot {
  id: string;
  tag: string;
  mineral: string;
  form: LotDto['form'];
  mass_mg: number;
  status: LotDto['status'];
  holder_actor_id: string;
  origin_site_id: string | null;
  created_by_event: string;
  consumed_by_event: string | null;
}

export interface GraphEvent {
  id: string;
  kind: EventRow['kind'];
  input_mg: number;
  loss_mg: number;
}

/** The columns of a lot the trace needs, from the lot aliased `alias`. */
function graphColumns(alias: string) {
  const t = sql.ref(alias);
  return sql`${t}.id, ${t}.tag, ${t}.mineral, ${t}.form, ${t}.mass_mg, ${t}.status, ${t}.holder_actor_id,
    ${t}.origin_site_id, ${t}.created_by_event, ${t}.consumed_by_event`;
}
const GRAPH_COLUMNS = graphColumns('l');

/**
 * The lots a lot was made from, back to production: from a lot to the inputs of the event that
 * created it (lots_consumed_by_event), again and again. See upstreamGraph.
 */
export async function upstreamLots(db: Queryable, lotId: string): Promise<GraphLot[]> {
  return (await upstreamGraph(db, lotId)).lots;
}

/**
 * The upstream lots, and the events that consumed them (the merges, splits and processing between
 * them): all the upstream shares and the graph's edges need, in one round trip. The recursion walks
 * events, not lots: from the event that made a lot to the events that made its inputs, deduplicated
 * by id alone (a split's outputs reach the same event twice), and it stops at lots from a site, whose
 * production events consume nothing. Then every lot those events consumed, once each (a lot is
 * consumed once), with the event that consumed it.
 */
export async function upstreamGraph(
  db: Queryable,
  lotId: string,
): Promise<{ lots: GraphLot[]; events: Map<string, GraphEvent> }> {
  const r = await sql<
    GraphLot & { event_kind: GraphEvent['kind'] | null; input_mg: number | null; loss_mg: number | null }
  >`
    WITH RECURSIVE ev (id) AS (
      SELECT l.created_by_event FROM lots l WHERE l.id = ${lotId}::uuid
      UNION
      SELECT i.created_by_event FROM ev JOIN lots i ON i.consumed_by_event = ev.id WHERE i.origin_site_id IS NULL
    )
    SELECT ${GRAPH_COLUMNS}, NULL AS event_kind, NULL::bigint AS input_mg, NULL::bigint AS loss_mg
      FROM lots l WHERE l.id = ${lotId}::uuid
    UNION ALL
    SELECT ${graphColumns('i')}, e.kind, e.input_mg, e.loss_mg
      FROM ev JOIN custody_events e ON e.id = ev.id JOIN lots i ON i.consumed_by_event = ev.id`.execute(db);
  const events = new Map<string, GraphEvent>();
  const lots = r.rows.map(({ event_kind, input_mg, loss_mg, ...lot }) => {
    if (event_kind && lot.consumed_by_event && !events.has(lot.consumed_by_event))
      events.set(lot.consumed_by_event, {
        id: lot.consumed_by_event,
        kind: event_kind,
        input_mg: input_mg!,
        loss_mg: loss_mg!,
      });
    return lot;
  });
  return { lots, events };
}

/** The lots made from some lots, forward to the lots that hold their mineral now. */
export async function downstreamLots(db: Queryable, lotIds: readonly string[]): Promise<GraphLot[]> {
  if (lotIds.length === 0) return [];
  const r = await sql<GraphLot>`
    WITH RECURSIVE down (id) AS (
      SELECT unnest(${sql.val(lotIds)}::uuid[])
      UNION
      SELECT o.id FROM down JOIN lots i ON i.id = down.id JOIN lots o ON o.created_by_event = i.consumed_by_event
    )
    SELECT ${GRAPH_COLUMNS} FROM down JOIN lots l ON l.id = down.id`.execute(db);
  return r.rows;
}

export async function graphEvents(db: Queryable, ids: readonly string[]): Promise<GraphEvent[]> {
  if (ids.length === 0) return [];
  const r = await sql<GraphEvent>`
    SELECT id, kind, input_mg, loss_mg FROM custody_events WHERE id = ANY(${sql.val(ids)}::uuid[])`.execute(
    db,
  );
  return r.rows;
}

export async function siteLots(db: Queryable, siteId: string): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM lots WHERE origin_site_id = ${siteId}`.execute(db);
  return r.rows.map((x) => x.id);
}
