import { type RawBuilder, sql } from 'kysely';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { Queryable } from '../../platform/db/schema.ts';

/** SQL of logbook reports and the licences and units they are about. Raw SQL: the table is new. */

export interface ReportRow {
  id: string;
  country: string;
  licence_id: string | null;
  production_unit_id: string | null;
  area_id: string;
  area_path: string;
  period_kind: 'weekly' | 'monthly' | 'quarterly';
  period_start: string;
  period_end: string;
  due_on: string;
  ore_mined_kg: number | null;
  ore_unit: 'kg' | 't' | null;
  mineral: string;
  mineral_mass_mg: number;
  fineness_ptt: number | null;
  workers_women: number;
  workers_men: number;
  workers_other: number;
  workers_youth: number | null;
  equipment_bought: string[];
  operating_cost_minor: number | null;
  currency: string | null;
  mercury_used_mg: number | null;
  source: 'phone' | 'officer_from_paper';
  submitted_by: string | null;
  submitted_at: Date;
  submitted_late: boolean;
  updated_by: string | null;
  updated_at: Date;
  version: number;
}

/** The figures of a report: what a correction may change. */
export type ReportFigures = Pick<
  ReportRow,
  | 'ore_mined_kg'
  | 'ore_unit'
  | 'mineral'
  | 'mineral_mass_mg'
  | 'fineness_ptt'
  | 'workers_women'
  | 'workers_men'
  | 'workers_other'
  | 'workers_youth'
  | 'equipment_bought'
  | 'operating_cost_minor'
  | 'currency'
  | 'mercury_used_mg'
  | 'source'
>;

const REPORT_COLUMNS = sql`r.id, r.country, r.licence_id, r.production_unit_id, r.area_id, a.path AS area_path,
  r.period_kind, r.period_start::text AS period_start, r.period_end::text AS period_end, r.due_on::text AS due_on,
  r.ore_mined_kg, r.ore_unit, r.mineral, r.mineral_mass_mg, r.fineness_ptt, r.workers_women, r.workers_men,
  r.workers_other, r.workers_youth, r.equipment_bought, r.operating_cost_minor, r.currency, r.mercury_used_mg,
  r.source, r.submitted_by, r.submitted_at, r.submitted_late, r.updated_by, r.updated_at, r.version`;

export async function findReport(db: Queryable, id: string): Promise<ReportRow | undefined> {
  const { rows } = await sql<ReportRow>`
    SELECT ${REPORT_COLUMNS} FROM logbook_reports r JOIN admin_areas a ON a.id = r.area_id
     WHERE r.id = ${id}`.execute(db);
  return rows[0];
}

/** The report of a subject for a period, locked: two sends of one period are taken one after the other. */
export async function findReportForPeriod(
  db: Queryable,
  subject: { licenceId: string | null; productionUnitId: string | null },
  periodStart: string,
): Promise<ReportRow | undefined> {
  const column = subject.licenceId ? sql.ref('r.licence_id') : sql.ref('r.production_unit_id');
  const { rows } = await sql<ReportRow>`
    SELECT ${REPORT_COLUMNS} FROM logbook_reports r JOIN admin_areas a ON a.id = r.area_id
     WHERE ${column} = ${subject.licenceId ?? subject.productionUnitId} AND r.period_start = ${periodStart}
       FOR UPDATE OF r`.execute(db);
  return rows[0];
}

export interface NewReport extends ReportFigures {
  id: string;
  country: string;
  licence_id: string | null;
  production_unit_id: string | null;
  area_id: string;
  period_kind: string;
  period_start: string;
  period_end: string;
  due_on: string;
  submitted_by: string | null;
  submitted_at: Date;
  submitted_late: boolean;
}

/**
 * Inserts the report unless one exists for the subject and period (a concurrent first send): then
 * nothing is inserted and the caller reads the winner.
 */
export async function insertReport(db: Queryable, r: NewReport): Promise<boolean> {
  const result = await sql`
    INSERT INTO logbook_reports (id, country, licence_id, production_unit_id, area_id, period_kind,
      period_start, period_end, due_on, ore_mined_kg, ore_unit, mineral, mineral_mass_mg, fineness_ptt,
      workers_women, workers_men, workers_other, workers_youth, equipment_bought, operating_cost_minor,
      currency, mercury_used_mg, source, submitted_by, submitted_at, submitted_late, updated_by, updated_at)
    VALUES (${r.id}, ${r.country}, ${r.licence_id}, ${r.production_unit_id}, ${r.area_id}, ${r.period_kind},
      ${r.period_start}, ${r.period_end}, ${r.due_on}, ${r.ore_mined_kg}, ${r.ore_unit}, ${r.mineral},
      ${r.mineral_mass_mg}, ${r.fineness_ptt}, ${r.workers_women}, ${r.workers_men}, ${r.workers_other},
      ${r.workers_youth}, ${JSON.stringify(r.equipment_bought)}::jsonb, ${r.operating_cost_minor},
      ${r.currency}, ${r.mercury_used_mg}, ${r.source}, ${r.submitted_by}, ${r.submitted_at.toISOString()},
      ${r.submitted_late}, ${r.submitted_by}, ${r.submitted_at.toISOString()})
    ON CONFLICT DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** A correction of the figures, guarded by the version that was read. */
export async function updateReport(
  db: Queryable,
  id: string,
  version: number,
  f: ReportFigures,
  by: string | null,
  at: Date,
): Promise<boolean> {
  const result = await sql`
    UPDATE logbook_reports SET ore_mined_kg = ${f.ore_mined_kg}, ore_unit = ${f.ore_unit}, mineral = ${f.mineral},
      mineral_mass_mg = ${f.mineral_mass_mg}, fineness_ptt = ${f.fineness_ptt}, workers_women = ${f.workers_women},
      workers_men = ${f.workers_men}, workers_other = ${f.workers_other}, workers_youth = ${f.workers_youth},
      equipment_bought = ${JSON.stringify(f.equipment_bought)}::jsonb,
      operating_cost_minor = ${f.operating_cost_minor}, currency = ${f.currency},
      mercury_used_mg = ${f.mercury_used_mg}, source = ${f.source}, updated_by = ${by},
      updated_at = ${at.toISOString()}, version = version + 1
     WHERE id = ${id} AND version = ${version}`.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

export interface ListFilter {
  scopePaths: string[];
  licenceId?: string | undefined;
  productionUnitId?: string | undefined;
  areaPath?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Keyset: the (period_start, id) of the last row of the previous page. */
  before: [string, string] | null;
  limit: number;
}

/** Reports in the caller's areas, latest period first. */
export async function listReports(db: Queryable, f: ListFilter): Promise<ReportRow[]> {
  const where: RawBuilder<unknown>[] = [sql`a.path LIKE ANY(${subtreePatterns(f.scopePaths)})`];
  if (f.licenceId) where.push(sql`r.licence_id = ${f.licenceId}`);
  if (f.productionUnitId) where.push(sql`r.production_unit_id = ${f.productionUnitId}`);
  if (f.areaPath) where.push(sql`a.path LIKE ${subtreePatterns([f.areaPath])[0]}`);
  if (f.from) where.push(sql`r.period_start >= ${f.from}`);
  if (f.to) where.push(sql`r.period_start <= ${f.to}`);
  if (f.before) where.push(sql`(r.period_start, r.id) < (${f.before[0]}::date, ${f.before[1]}::uuid)`);
  const { rows } = await sql<ReportRow>`
    SELECT ${REPORT_COLUMNS} FROM logbook_reports r JOIN admin_areas a ON a.id = r.area_id
     WHERE ${sql.join(where, sql` AND `)}
     ORDER BY r.period_start DESC, r.id DESC
     LIMIT ${f.limit + 1}`.execute(db);
  return rows;
}

export interface LicenceSubject {
  id: string;
  number: string;
  tier_code: string;
  status: string;
  valid_from: string;
  valid_to: string;
  area_id: string;
  area_path: string;
  area_name: string;
  country: string;
  holder_kind: string;
  given_name: string | null;
  family_name: string | null;
  enterprise_name: string | null;
  unit_name: string | null;
}

const LICENCE_SUBJECT = sql`
  SELECT l.id, l.number, l.tier_code, l.status, l.valid_from::text AS valid_from, l.valid_to::text AS valid_to,
         l.area_id, a.path AS area_path, a.name AS area_name, a.country, l.holder_kind,
         p.given_name, p.family_name, e.name AS enterprise_name, u.name AS unit_name
    FROM licences l
    JOIN admin_areas a ON a.id = l.area_id
    LEFT JOIN people p ON l.holder_kind = 'person' AND p.id = l.holder_id
    LEFT JOIN enterprises e ON l.holder_kind = 'enterprise' AND e.id = l.holder_id
    LEFT JOIN production_units u ON l.holder_kind = 'production_unit' AND u.id = l.holder_id`;

export async function findLicence(db: Queryable, id: string): Promise<LicenceSubject | undefined> {
  const { rows } = await sql<LicenceSubject>`${LICENCE_SUBJECT} WHERE l.id = ${id}`.execute(db);
  return rows[0];
}

/** Licences in an area's subtree that were (or are) valid at some time in [from, to] and not revoked. */
export async function licencesDueIn(
  db: Queryable,
  areaPath: string,
  from: string,
  to: string,
): Promise<LicenceSubject[]> {
  const { rows } = await sql<LicenceSubject>`${LICENCE_SUBJECT}
     WHERE a.path LIKE ${subtreePatterns([areaPath])[0]} AND l.status <> 'revoked'
       AND l.valid_from <= ${to} AND l.valid_to >= ${from}
     ORDER BY a.name, l.number`.execute(db);
  return rows;
}

export interface UnitSubject {
  id: string;
  reference: string;
  name: string;
  area_id: string;
  area_path: string;
  area_name: string;
  country: string;
}

export async function findUnit(db: Queryable, id: string): Promise<UnitSubject | undefined> {
  const { rows } = await sql<UnitSubject>`
    SELECT u.id, u.reference, u.name, u.area_id, a.path AS area_path, a.name AS area_name, a.country
      FROM production_units u JOIN admin_areas a ON a.id = u.area_id WHERE u.id = ${id}`.execute(db);
  return rows[0];
}

/** Production units in an area's subtree that have reported at least once, with their first period. */
export async function reportingUnitsIn(
  db: Queryable,
  areaPath: string,
): Promise<(UnitSubject & { first_period: string })[]> {
  const { rows } = await sql<UnitSubject & { first_period: string }>`
    SELECT u.id, u.reference, u.name, u.area_id, a.path AS area_path, a.name AS area_name, a.country,
           min(r.period_start)::text AS first_period
      FROM production_units u
      JOIN admin_areas a ON a.id = u.area_id
      JOIN logbook_reports r ON r.production_unit_id = u.id
     WHERE a.path LIKE ${subtreePatterns([areaPath])[0]}
     GROUP BY u.id, a.id
     ORDER BY a.name, u.reference`.execute(db);
  return rows;
}

/** The reports of these subjects for periods starting in [from, to]: what the missing list compares with. */
export async function reportsOf(
  db: Queryable,
  licenceIds: string[],
  unitIds: string[],
  from: string,
  to: string,
): Promise<
  Pick<
    ReportRow,
    'id' | 'licence_id' | 'production_unit_id' | 'period_start' | 'submitted_at' | 'submitted_late'
  >[]
> {
  const { rows } = await sql<
    Pick<
      ReportRow,
      'id' | 'licence_id' | 'production_unit_id' | 'period_start' | 'submitted_at' | 'submitted_late'
    >
  >`
    SELECT id, licence_id, production_unit_id, period_start::text AS period_start, submitted_at, submitted_late
      FROM logbook_reports
     WHERE (licence_id = ANY(${licenceIds}::uuid[]) OR production_unit_id = ANY(${unitIds}::uuid[]))
       AND period_start BETWEEN ${from} AND ${to}`.execute(db);
  return rows;
}

export async function areaById(
  db: Queryable,
  id: string,
): Promise<{ id: string; path: string; country: string; name: string } | undefined> {
  const { rows } = await sql<{ id: string; path: string; country: string; name: string }>`
    SELECT id, path, country, name FROM admin_areas WHERE id = ${id}`.execute(db);
  return rows[0];
}
