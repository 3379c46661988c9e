import { sql } from 'kysely';
import { boxLiteral } from '../../../shared/geo/prefilter.ts';
import type { AreaGeometry, BBox } from '../../../shared/geo/types.ts';
import type { FlagCode, IncidentDto } from '../../../shared/schemas/custody-oversight.ts';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { Queryable } from '../../platform/db/schema.ts';

/** SQL of migration 0018: reference prices, risk flags, incidents, and what the flags read. */

// What flags read -----------------------------------------------------------------------------------

export interface FlagEventRow {
  id: string;
  kind: string;
  country: string;
  area_id: string;
  actor_id: string;
  counterpart_id: string | null;
  occurred_at: Date;
  input_mg: number;
  output_mg: number;
  price_minor: number | null;
  currency: string | null;
  zone: string | null;
}

export async function flagEvent(db: Queryable, id: string): Promise<FlagEventRow | undefined> {
  const r = await sql<FlagEventRow>`
    SELECT e.id, e.kind, e.country, e.area_id, e.actor_id, e.counterpart_id, e.occurred_at, e.input_mg,
           e.output_mg, e.price_minor, e.currency, cp.document ->> 'timeZone' AS zone
      FROM custody_events e LEFT JOIN country_profiles cp ON cp.country = e.country
     WHERE e.id = ${id}`.execute(db);
  return r.rows[0];
}

export async function profileCustody(db: Queryable, country: string): Promise<unknown> {
  const r = await sql<{ custody: unknown }>`
    SELECT document -> 'custody' AS custody FROM country_profiles WHERE country = ${country}`.execute(db);
  return r.rows[0]?.custody ?? null;
}

export interface EventLot {
  id: string;
  role: string;
  mineral: string;
  mass_mg: number;
  fineness_ptt: number | null;
  origin_site_id: string | null;
  origin_licence_id: string | null;
}

export async function lotsOfEvent(db: Queryable, eventId: string): Promise<EventLot[]> {
  const r = await sql<EventLot>`
    SELECT l.id, el.role, l.mineral, l.mass_mg, l.fineness_ptt, l.origin_site_id, l.origin_licence_id
      FROM custody_event_lots el JOIN lots l ON l.id = el.lot_id
     WHERE el.event_id = ${eventId} ORDER BY l.id`.execute(db);
  return r.rows;
}

export interface SiteRow {
  id: string;
  location: { type: 'Point'; coordinates: [number, number] } | null;
  capacity: { value: number; unit: string } | null;
  operator_enterprise_id: string | null;
}

export async function site(db: Queryable, id: string): Promise<SiteRow | undefined> {
  const r = await sql<SiteRow>`
    SELECT id, location, capacity, operator_enterprise_id FROM production_units WHERE id = ${id}`.execute(db);
  return r.rows[0];
}

export interface ActorLinks {
  id: string;
  person_id: string | null;
  enterprise_id: string | null;
  production_unit_id: string | null;
}

export async function actorLinks(db: Queryable, id: string): Promise<ActorLinks | undefined> {
  const r = await sql<ActorLinks>`
    SELECT id, person_id, enterprise_id, production_unit_id FROM custody_actors WHERE id = ${id}`.execute(db);
  return r.rows[0];
}

export interface LicenceRow {
  id: string;
  number: string;
  status: string;
  valid_from: string;
  valid_to: string;
}

/** Licences held by any of these holders, or with one of these ids. */
export async function licencesOf(
  db: Queryable,
  holders: { kind: 'person' | 'enterprise' | 'production_unit'; id: string }[],
  ids: string[],
): Promise<LicenceRow[]> {
  if (holders.length === 0 && ids.length === 0) return [];
  const byHolder = holders.map((h) => sql`(holder_kind = ${h.kind} AND holder_id = ${h.id}::uuid)`);
  const r = await sql<LicenceRow>`
    SELECT id, number, status, valid_from, valid_to FROM licences
     WHERE ${sql.join([...byHolder, sql`id = ANY(${sql.val(ids)}::uuid[])`], sql` OR `)}
     ORDER BY number`.execute(db);
  return r.rows;
}

export async function referencePrice(db: Queryable, country: string, mineral: string, day: string) {
  const r = await sql<{ price_minor: number; currency: string; source: string; day: string }>`
    SELECT price_minor, currency, source, day FROM reference_prices
     WHERE country = ${country} AND mineral = ${mineral} AND day = ${day}::date`.execute(db);
  return r.rows[0];
}

/** Areas of armed-group presence in the country whose box meets `box`. */
export async function armedGroupAreas(db: Queryable, country: string, box: BBox) {
  const r = await sql<{ id: string; name: string | null; layer_id: string; geometry: AreaGeometry }>`
    SELECT f.id, f.name, f.layer_id, f.geometry
      FROM cadastre_features f JOIN cadastre_layers ly ON ly.id = f.layer_id
     WHERE ly.kind = 'armed_group_presence' AND ly.country = ${country}
       AND f.bbox && ${boxLiteral(box)}::box`.execute(db);
  return r.rows;
}

/** Mass produced at a site between two instants (its production events). */
export async function producedAtSite(db: Queryable, siteId: string, from: Date, to: Date): Promise<number> {
  const r = await sql<{ mg: number }>`
    SELECT coalesce(sum(e.output_mg), 0)::bigint AS mg
      FROM lots l JOIN custody_events e ON e.id = l.created_by_event
     WHERE l.origin_site_id = ${siteId} AND e.kind = 'production'
       AND e.occurred_at >= ${from} AND e.occurred_at < ${to}`.execute(db);
  return r.rows[0]!.mg;
}

/** Midnight at the start of a day in a time zone, as an instant. */
export async function startOfDay(db: Queryable, day: string, zone: string): Promise<Date> {
  const r = await sql<{ t: Date }>`SELECT (${day}::date)::timestamp AT TIME ZONE ${zone} AS t`.execute(db);
  return new Date(r.rows[0]!.t);
}

// Flags --------------------------------------------------------------------------------------------

export interface FlagRow {
  id: string;
  code: FlagCode;
  country: string;
  area_id: string;
  area_path: string;
  event_id: string | null;
  lot_id: string | null;
  actor_id: string | null;
  site_id: string | null;
  incident_id: string | null;
  params: Record<string, unknown>;
  evidence: Record<string, unknown>;
  status: 'open' | 'resolved';
  raised_at: Date;
  resolved_by: string | null;
  resolved_at: Date | null;
  resolution: string | null;
  version: number;
}

export type NewFlag = Omit<
  FlagRow,
  'area_path' | 'status' | 'resolved_by' | 'resolved_at' | 'resolution' | 'version'
>;

/** Raises a flag once: the same code on the same event (or incident) again changes nothing. */
export async function insertFlag(db: Queryable, f: NewFlag): Promise<boolean> {
  const r = await sql`
    INSERT INTO custody_flags (id, code, country, area_id, event_id, lot_id, actor_id, site_id, incident_id,
                               params, evidence, raised_at)
    VALUES (${f.id}, ${f.code}, ${f.country}, ${f.area_id}, ${f.event_id}, ${f.lot_id}, ${f.actor_id},
            ${f.site_id}, ${f.incident_id}, ${JSON.stringify(f.params)}::jsonb, ${JSON.stringify(f.evidence)}::jsonb,
            ${f.raised_at})
    ON CONFLICT DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

const FLAG_SELECT = sql`
  SELECT f.id, f.code, f.country, f.area_id, ar.path AS area_path, f.event_id, f.lot_id, f.actor_id, f.site_id,
         f.incident_id, f.params, f.evidence, f.status, f.raised_at, f.resolved_by, f.resolved_at, f.resolution,
         f.version
    FROM custody_flags f JOIN admin_areas ar ON ar.id = f.area_id`;

export async function findFlag(db: Queryable, id: string): Promise<FlagRow | undefined> {
  return (await sql<FlagRow>`${FLAG_SELECT} WHERE f.id = ${id}`.execute(db)).rows[0];
}

export async function listFlags(
  db: Queryable,
  f: {
    scopePaths: string[];
    areaPath: string | null;
    code?: string | undefined;
    status?: string | undefined;
    actorId?: string | undefined;
    before: [string, string] | null;
    limit: number;
  },
): Promise<FlagRow[]> {
  const r = await sql<FlagRow>`${FLAG_SELECT}
     WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
       ${f.areaPath ? sql`AND ar.path LIKE ${subtreePatterns([f.areaPath])[0]!}` : sql``}
       ${f.code ? sql`AND f.code = ${f.code}` : sql``}
       ${f.status ? sql`AND f.status = ${f.status}` : sql``}
       ${f.actorId ? sql`AND f.actor_id = ${f.actorId}::uuid` : sql``}
       ${f.before ? sql`AND (f.raised_at, f.id) < (${f.before[0]}::timestamptz, ${f.before[1]}::uuid)` : sql``}
     ORDER BY f.raised_at DESC, f.id DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

export async function resolveFlags(
  db: Queryable,
  where: { id?: string; incidentId?: string },
  by: string | null,
  at: Date,
  resolution: string,
): Promise<number> {
  const r = await sql`
    UPDATE custody_flags SET status = 'resolved', resolved_by = ${by}, resolved_at = ${at},
           resolution = ${resolution}, version = version + 1
     WHERE status = 'open'
       ${where.id ? sql`AND id = ${where.id}` : sql``}
       ${where.incidentId ? sql`AND incident_id = ${where.incidentId}` : sql``}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

// Reference prices ---------------------------------------------------------------------------------

export interface PriceRow {
  country: string;
  mineral: string;
  day: string;
  price_minor: number;
  currency: string;
  source: string;
  recorded_at: Date;
}

export async function upsertPrice(
  db: Queryable,
  p: Omit<PriceRow, 'recorded_at'> & { recorded_by: string | null; recorded_at: Date },
): Promise<PriceRow | undefined> {
  const before = (
    await sql<PriceRow>`SELECT * FROM reference_prices
       WHERE country = ${p.country} AND mineral = ${p.mineral} AND day = ${p.day}::date`.execute(db)
  ).rows[0];
  await sql`
    INSERT INTO reference_prices (country, mineral, day, price_minor, currency, source, recorded_by, recorded_at)
    VALUES (${p.country}, ${p.mineral}, ${p.day}::date, ${p.price_minor}, ${p.currency}, ${p.source},
            ${p.recorded_by}, ${p.recorded_at})
    ON CONFLICT (country, mineral, day) DO UPDATE
       SET price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency, source = EXCLUDED.source,
           recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`.execute(db);
  return before;
}

export async function listPrices(
  db: Queryable,
  f: {
    country: string;
    mineral: string;
    from?: string | undefined;
    to?: string | undefined;
    before: string | null;
    limit: number;
  },
): Promise<PriceRow[]> {
  const r = await sql<PriceRow>`
    SELECT country, mineral, day, price_minor, currency, source, recorded_at FROM reference_prices
     WHERE country = ${f.country} AND mineral = ${f.mineral}
       ${f.from ? sql`AND day >= ${f.from}::date` : sql``}
       ${f.to ? sql`AND day <= ${f.to}::date` : sql``}
       ${f.before ? sql`AND day < ${f.before}::date` : sql``}
     ORDER BY day DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

// Incidents ----------------------------------------------------------------------------------------

export interface IncidentRow {
  id: string;
  country: string;
  area_id: string;
  area_path: string;
  category: IncidentDto['category'];
  annex_class: IncidentDto['annexClass'];
  site_id: string | null;
  actor_id: string | null;
  lot_id: string | null;
  description: string;
  observed_at: Date;
  reported_by: string | null;
  reported_at: Date;
  status: IncidentDto['status'];
  plan: IncidentDto['plan'];
  updated_at: Date;
  version: number;
}

const INCIDENT_SELECT = sql`
  SELECT i.id, i.country, i.area_id, ar.path AS area_path, i.category, i.annex_class, i.site_id, i.actor_id,
         i.lot_id, i.description, i.observed_at, i.reported_by, i.reported_at, i.status, i.plan, i.updated_at,
         i.version
    FROM custody_incidents i JOIN admin_areas ar ON ar.id = i.area_id`;

export async function findIncident(db: Queryable, id: string): Promise<IncidentRow | undefined> {
  return (await sql<IncidentRow>`${INCIDENT_SELECT} WHERE i.id = ${id}`.execute(db)).rows[0];
}

export async function insertIncident(
  db: Queryable,
  i: Omit<IncidentRow, 'area_path' | 'status' | 'plan' | 'version'>,
): Promise<void> {
  await sql`
    INSERT INTO custody_incidents (id, country, area_id, category, annex_class, site_id, actor_id, lot_id,
                                   description, observed_at, reported_by, reported_at, updated_at)
    VALUES (${i.id}, ${i.country}, ${i.area_id}, ${i.category}, ${i.annex_class}, ${i.site_id}, ${i.actor_id},
            ${i.lot_id}, ${i.description}, ${i.observed_at}, ${i.reported_by}, ${i.reported_at},
            ${i.updated_at})`.execute(db);
}

export async function updateIncident(
  db: Queryable,
  id: string,
  version: number,
  change: { status?: IncidentRow['status']; plan?: IncidentRow['plan'] },
  at: Date,
): Promise<number> {
  const r = await sql`
    UPDATE custody_incidents
       SET ${sql.join(
         [
           ...(change.status ? [sql`status = ${change.status}`] : []),
           ...(change.plan ? [sql`plan = ${JSON.stringify(change.plan)}::jsonb`] : []),
           sql`updated_at = ${at}`,
           sql`version = version + 1`,
         ],
         sql`, `,
       )}
     WHERE id = ${id} AND version = ${version}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function listIncidents(
  db: Queryable,
  f: {
    scopePaths: string[];
    areaPath: string | null;
    status?: string | undefined;
    annexClass?: string | undefined;
    before: [string, string] | null;
    limit: number;
  },
): Promise<IncidentRow[]> {
  const r = await sql<IncidentRow>`${INCIDENT_SELECT}
     WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
       ${f.areaPath ? sql`AND ar.path LIKE ${subtreePatterns([f.areaPath])[0]!}` : sql``}
       ${f.status ? sql`AND i.status = ${f.status}` : sql``}
       ${f.annexClass ? sql`AND i.annex_class = ${f.annexClass}` : sql``}
       ${f.before ? sql`AND (i.reported_at, i.id) < (${f.before[0]}::timestamptz, ${f.before[1]}::uuid)` : sql``}
     ORDER BY i.reported_at DESC, i.id DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

/** Class 1 incidents still standing against any of these actors or this site. */
export async function standingClass1(
  db: Queryable,
  actorIds: readonly string[],
  siteId: string | null,
): Promise<string[]> {
  const r = await sql<{ id: string }>`
    SELECT id FROM custody_incidents
     WHERE annex_class = 'class_1' AND status <> 'resolved'
       AND (actor_id = ANY(${sql.val(actorIds)}::uuid[]) ${siteId ? sql`OR site_id = ${siteId}::uuid` : sql``})
     ORDER BY id`.execute(db);
  return r.rows.map((x) => x.id);
}
