import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/schema.ts';
import type { FlagRow, IncidentRow } from './oversight-repo.ts';
import type { EventRow, GraphLot } from './repo.ts';

/** What the due-diligence reports read, with plain SQL over the custody tables (0017, 0018). */

const GRAPH_COLUMNS = sql`l.id, l.tag, l.mineral, l.form, l.mass_mg, l.status, l.holder_actor_id, l.origin_site_id,
  l.created_by_event, l.consumed_by_event`;

/**
 * The lots some lots were made from, back to production, the starting lots included: the walk of
 * repo.upstreamLots from several lots at once (an exporter's lots of a period).
 */
export async function upstreamOfMany(db: Queryable, lotIds: readonly string[]): Promise<GraphLot[]> {
  if (lotIds.length === 0) return [];
  const r = await sql<GraphLot>`
    WITH RECURSIVE up (id) AS (
      SELECT unnest(${sql.val(lotIds)}::uuid[])
      UNION
      SELECT i.id FROM up JOIN lots o ON o.id = up.id JOIN lots i ON i.consumed_by_event = o.created_by_event
    )
    SELECT ${GRAPH_COLUMNS} FROM up JOIN lots l ON l.id = up.id ORDER BY l.id`.execute(db);
  return r.rows;
}

export interface ChainEventRow {
  id: string;
  kind: EventRow['kind'];
  actor_id: string;
  actor_name: string;
  counterpart_id: string | null;
  counterpart_name: string | null;
  place: string | null;
  occurred_at: Date;
  recorded_at: Date;
  input_mg: number;
  output_mg: number;
  loss_mg: number;
  documents: EventRow['documents'];
  confirmed_at: Date | null;
  export_permit: string | null;
  destination_country: string | null;
}

export interface ChainLink {
  event_id: string;
  lot_id: string;
  role: 'input' | 'output' | 'moved';
}

/** Every event any of these lots took part in, oldest first, with the links to these lots. */
export async function eventsOfLots(
  db: Queryable,
  lotIds: readonly string[],
): Promise<{ events: ChainEventRow[]; links: ChainLink[] }> {
  if (lotIds.length === 0) return { events: [], links: [] };
  const links = (
    await sql<ChainLink>`
      SELECT event_id, lot_id, role FROM custody_event_lots
       WHERE lot_id = ANY(${sql.val(lotIds)}::uuid[]) ORDER BY event_id, lot_id`.execute(db)
  ).rows;
  const ids = [...new Set(links.map((l) => l.event_id))];
  if (ids.length === 0) return { events: [], links };
  const events = (
    await sql<ChainEventRow>`
      SELECT e.id, e.kind, e.actor_id, a.name AS actor_name, e.counterpart_id, c.name AS counterpart_name,
             e.place, e.occurred_at, e.recorded_at, e.input_mg, e.output_mg, e.loss_mg, e.documents,
             e.confirmed_at, e.export_permit, e.destination_country
        FROM custody_events e
        JOIN custody_actors a ON a.id = e.actor_id
        LEFT JOIN custody_actors c ON c.id = e.counterpart_id
       WHERE e.id = ANY(${sql.val(ids)}::uuid[])
       ORDER BY e.occurred_at, e.recorded_at, e.id`.execute(db)
  ).rows;
  return { events, links };
}

/** What an origin lot (made by production) says about where and by whom it was produced. */
export interface OriginRow {
  id: string;
  tag: string;
  country: string;
  origin_site_id: string | null;
  origin_licence_id: string | null;
  produced_at: Date;
  producer_id: string;
  producer_name: string;
  person_id: string | null;
  enterprise_id: string | null;
  production_unit_id: string | null;
  site_name: string | null;
  site_area_id: string | null;
  site_area_name: string | null;
  operator_enterprise_id: string | null;
}

export async function originRows(db: Queryable, lotIds: readonly string[]): Promise<OriginRow[]> {
  if (lotIds.length === 0) return [];
  const r = await sql<OriginRow>`
    SELECT l.id, l.tag, l.country, l.origin_site_id, l.origin_licence_id, e.occurred_at AS produced_at,
           e.actor_id AS producer_id, a.name AS producer_name, a.person_id, a.enterprise_id,
           a.production_unit_id, pu.name AS site_name, pu.area_id AS site_area_id, ar.name AS site_area_name,
           pu.operator_enterprise_id
      FROM lots l
      JOIN custody_events e ON e.id = l.created_by_event
      JOIN custody_actors a ON a.id = e.actor_id
      LEFT JOIN production_units pu ON pu.id = l.origin_site_id
      LEFT JOIN admin_areas ar ON ar.id = pu.area_id
     WHERE l.id = ANY(${sql.val(lotIds)}::uuid[])
     ORDER BY l.id`.execute(db);
  return r.rows;
}

export type SubjectKind = 'person' | 'enterprise' | 'production_unit';

export interface LicenceRow {
  id: string;
  number: string;
  status: 'active' | 'suspended' | 'revoked' | 'expired';
  valid_from: string;
  valid_to: string;
  holder_kind: SubjectKind;
  holder_id: string;
}

/** Licences with one of these ids or held by one of these holders. */
export async function licencesFor(
  db: Queryable,
  ids: readonly string[],
  holders: readonly { kind: SubjectKind; id: string }[],
): Promise<LicenceRow[]> {
  if (ids.length === 0 && holders.length === 0) return [];
  const r = await sql<LicenceRow>`
    SELECT id, number, status, valid_from, valid_to, holder_kind, holder_id
      FROM licences
     WHERE id = ANY(${sql.val(ids)}::uuid[])
        OR (holder_kind, holder_id) IN (
             SELECT * FROM unnest(${sql.val(holders.map((h) => h.kind))}::text[],
                                  ${sql.val(holders.map((h) => h.id))}::uuid[]))
     ORDER BY number`.execute(db);
  return r.rows;
}

/** The names of people, enterprises and production units, keyed "kind:id". */
export async function subjectNames(
  db: Queryable,
  subjects: readonly { kind: SubjectKind; id: string }[],
): Promise<Map<string, string>> {
  const of = (kind: SubjectKind) => [...new Set(subjects.filter((s) => s.kind === kind).map((s) => s.id))];
  const r = await sql<{ kind: SubjectKind; id: string; name: string }>`
    SELECT 'person' AS kind, id, given_name || ' ' || family_name AS name FROM people
     WHERE id = ANY(${sql.val(of('person'))}::uuid[])
    UNION ALL
    SELECT 'enterprise', id, name FROM enterprises WHERE id = ANY(${sql.val(of('enterprise'))}::uuid[])
    UNION ALL
    SELECT 'production_unit', id, name FROM production_units
     WHERE id = ANY(${sql.val(of('production_unit'))}::uuid[])`.execute(db);
  return new Map(r.rows.map((x) => [`${x.kind}:${x.id}`, x.name]));
}

export type ReportFlagRow = Omit<FlagRow, 'area_path' | 'resolved_by' | 'version'> & {
  lot_tag: string | null;
  actor_name: string | null;
  site_name: string | null;
};

/** Flags on any of these lots, actors, sites or events. */
export async function flagsTouching(
  db: Queryable,
  on: { lots: string[]; actors: string[]; sites: string[]; events: string[] },
): Promise<ReportFlagRow[]> {
  const r = await sql<ReportFlagRow>`
    SELECT f.id, f.code, f.country, f.area_id, f.event_id, f.lot_id, f.actor_id, f.site_id, f.incident_id,
           f.params, f.evidence, f.status, f.raised_at, f.resolved_at, f.resolution, l.tag AS lot_tag,
           a.name AS actor_name, pu.name AS site_name
      FROM custody_flags f
      LEFT JOIN lots l ON l.id = f.lot_id
      LEFT JOIN custody_actors a ON a.id = f.actor_id
      LEFT JOIN production_units pu ON pu.id = f.site_id
     WHERE f.lot_id = ANY(${sql.val(on.lots)}::uuid[])
        OR f.actor_id = ANY(${sql.val(on.actors)}::uuid[])
        OR f.site_id = ANY(${sql.val(on.sites)}::uuid[])
        OR f.event_id = ANY(${sql.val(on.events)}::uuid[])
     ORDER BY f.raised_at DESC, f.id DESC`.execute(db);
  return r.rows;
}

export type ReportIncidentRow = Pick<
  IncidentRow,
  'id' | 'category' | 'annex_class' | 'site_id' | 'actor_id' | 'lot_id' | 'observed_at' | 'status' | 'plan'
> & { actor_name: string | null; site_name: string | null };

/** Incidents recorded against any of these lots, actors or sites. */
export async function incidentsTouching(
  db: Queryable,
  on: { lots: string[]; actors: string[]; sites: string[] },
): Promise<ReportIncidentRow[]> {
  const r = await sql<ReportIncidentRow>`
    SELECT i.id, i.category, i.annex_class, i.site_id, i.actor_id, i.lot_id, i.observed_at, i.status, i.plan,
           a.name AS actor_name, pu.name AS site_name
      FROM custody_incidents i
      LEFT JOIN custody_actors a ON a.id = i.actor_id
      LEFT JOIN production_units pu ON pu.id = i.site_id
     WHERE i.lot_id = ANY(${sql.val(on.lots)}::uuid[])
        OR i.actor_id = ANY(${sql.val(on.actors)}::uuid[])
        OR i.site_id = ANY(${sql.val(on.sites)}::uuid[])
     ORDER BY i.observed_at DESC, i.id DESC`.execute(db);
  return r.rows;
}

export interface ExportedLotRow {
  id: string;
  tag: string;
  mass_mg: number;
  event_id: string;
  exported_at: Date;
  export_permit: string | null;
  destination_country: string | null;
}

/** The lots an exporter exported between two instants, newest first. */
export async function exportedLots(
  db: Queryable,
  exporterId: string,
  from: Date,
  to: Date,
): Promise<ExportedLotRow[]> {
  const r = await sql<ExportedLotRow>`
    SELECT l.id, l.tag, l.mass_mg, e.id AS event_id, e.occurred_at AS exported_at, e.export_permit,
           e.destination_country
      FROM custody_events e
      JOIN custody_event_lots el ON el.event_id = e.id AND el.role = 'input'
      JOIN lots l ON l.id = el.lot_id
     WHERE e.kind = 'export' AND e.actor_id = ${exporterId} AND e.occurred_at >= ${from} AND e.occurred_at < ${to}
     ORDER BY e.occurred_at DESC, e.id DESC, l.id`.execute(db);
  return r.rows;
}
