import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import type { ApplicationStatus, LicenceStatus } from './workflow.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type HolderKind = 'person' | 'enterprise' | 'production_unit';
export type Checklist = Record<string, { met: boolean; note: string | null }>;

/** The tables of migration 0007. */
export interface LicenceApplicationsTable {
  id: string;
  reference: string;
  tier_code: string;
  holder_kind: HolderKind;
  holder_id: string;
  area_id: string;
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>;
  requested_area_hectares: ColumnType<string | number, number, number>;
  checklist: ColumnType<Checklist, string | undefined, string>;
  fee_assessed_minor: ColumnType<string | number | null, number | null | undefined, number | null>;
  currency: ColumnType<string | null, string | null | undefined, string | null>;
  submitted_at: NullableTimestamp;
  decided_at: NullableTimestamp;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  decision_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0010: a renewal extends renews_licence_id when issued. */
  kind: ColumnType<'new' | 'renewal', 'new' | 'renewal' | undefined, never>;
  renews_licence_id: ColumnType<string | null, string | null | undefined, never>;
  /** Migration 0016: the applied area and its last check (AreaCheckSummary without checkedAt). */
  area_geometry: ColumnType<unknown | null, string | null | undefined, string | null>;
  area_check: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  area_checked_at: NullableTimestamp;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface LicencesTable {
  id: string;
  number: string;
  application_id: string;
  tier_code: string;
  holder_kind: HolderKind;
  holder_id: string;
  area_id: string;
  status: ColumnType<LicenceStatus, LicenceStatus | undefined, LicenceStatus>;
  valid_from: ColumnType<string, string, string>;
  valid_to: ColumnType<string, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface LicenceEventsTable {
  id: string;
  application_id: string;
  licence_id: string | null;
  from_status: string | null;
  to_status: string;
  /** Migration 0010: what happened when the statuses alone do not say it (renewed). */
  action: ColumnType<string | null, string | null | undefined, string | null>;
  reason: string | null;
  actor_id: string | null;
  at: Timestamp;
}

export type LicensingTables = {
  licence_applications: LicenceApplicationsTable;
  licences: LicencesTable;
  licence_events: LicenceEventsTable;
};

export function licensingDb(db: Queryable): Kysely<DB & LicensingTables> {
  return (db as Kysely<DB>).withTables<LicensingTables>();
}

/**
 * An application as lists, queues and lookups read it: every column but the drawn area, which can be
 * large, replaced by whether there is one.
 */
export type ApplicationRow = Omit<Selectable<LicenceApplicationsTable>, 'area_geometry'> & {
  area_path: string;
  country: string;
  licence_id: string | null;
  has_area: boolean;
};
/** An application with its drawn area, for the writes that check it against the cadastre. */
export type ApplicationWithArea = ApplicationRow & { area_geometry: unknown | null };
export type LicenceRow = Selectable<LicencesTable> & { area_path: string; country: string };

export async function nextNumber(
  db: Queryable,
  sequence: 'licence_application_reference_seq' | 'licence_number_seq',
): Promise<number> {
  const r = await sql<{ n: number }>`SELECT nextval(${sequence}::regclass) AS n`.execute(db);
  return Number(r.rows[0]!.n);
}

/**
 * The columns of ApplicationRow. A Record, so that a column added to the table and not listed here
 * (or deliberately left out) is a type error rather than a field silently missing from the DTO.
 */
const LISTED_COLUMNS: Record<Exclude<keyof LicenceApplicationsTable, 'area_geometry'>, true> = {
  id: true,
  reference: true,
  tier_code: true,
  holder_kind: true,
  holder_id: true,
  area_id: true,
  status: true,
  requested_area_hectares: true,
  checklist: true,
  fee_assessed_minor: true,
  currency: true,
  submitted_at: true,
  decided_at: true,
  decided_by: true,
  decision_reason: true,
  kind: true,
  renews_licence_id: true,
  area_check: true,
  area_checked_at: true,
  created_by: true,
  created_at: true,
  updated_at: true,
  version: true,
};
const listedColumns = (Object.keys(LISTED_COLUMNS) as (keyof typeof LISTED_COLUMNS)[]).map(
  (c) => `licence_applications.${c}` as const,
);

export function applications(db: Queryable) {
  return (
    licensingDb(db)
      .selectFrom('licence_applications')
      .innerJoin('admin_areas', 'admin_areas.id', 'licence_applications.area_id')
      .leftJoin('licences', 'licences.application_id', 'licence_applications.id')
      .select(listedColumns)
      .select(sql<boolean>`licence_applications.area_geometry IS NOT NULL`.as('has_area'))
      .select(['admin_areas.path as area_path', 'admin_areas.country as country'])
      // A renewal names its licence from the start; a new application once its licence is issued.
      .select(
        sql<string | null>`coalesce(licences.id, licence_applications.renews_licence_id)`.as('licence_id'),
      )
  );
}

export function findApplication(db: Queryable, id: string): Promise<ApplicationRow | undefined> {
  return applications(db).where('licence_applications.id', '=', id).executeTakeFirst();
}

export function findApplicationWithArea(db: Queryable, id: string): Promise<ApplicationWithArea | undefined> {
  return applications(db)
    .select('licence_applications.area_geometry')
    .where('licence_applications.id', '=', id)
    .executeTakeFirst();
}

export interface Keyset {
  createdAt: string;
  id: string;
}

export function listApplications(
  db: Queryable,
  f: {
    scopePaths: string[];
    status?: ApplicationStatus | undefined;
    tierCode?: string | undefined;
    holder?: { kind: HolderKind; id: string } | undefined;
    after?: Keyset | undefined;
    limit: number;
  },
): Promise<ApplicationRow[]> {
  let q = applications(db).where(
    sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`,
  );
  if (f.status) q = q.where('licence_applications.status', '=', f.status);
  if (f.tierCode) q = q.where('licence_applications.tier_code', '=', f.tierCode);
  if (f.holder)
    q = q
      .where('licence_applications.holder_kind', '=', f.holder.kind)
      .where('licence_applications.holder_id', '=', f.holder.id);
  if (f.after)
    q = q.where(
      sql<boolean>`(licence_applications.created_at, licence_applications.id) > (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`,
    );
  return q
    .orderBy('licence_applications.created_at')
    .orderBy('licence_applications.id')
    .limit(f.limit + 1)
    .execute();
}

function licences(db: Queryable) {
  return licensingDb(db)
    .selectFrom('licences')
    .innerJoin('admin_areas', 'admin_areas.id', 'licences.area_id')
    .selectAll('licences')
    .select(['admin_areas.path as area_path', 'admin_areas.country as country']);
}

export function findLicence(db: Queryable, id: string): Promise<LicenceRow | undefined> {
  return licences(db).where('licences.id', '=', id).executeTakeFirst();
}

export function listLicences(
  db: Queryable,
  f: {
    scopePaths: string[];
    status?: LicenceStatus | undefined;
    tierCode?: string | undefined;
    holder?: { kind: HolderKind; id: string } | undefined;
    numberPrefix?: string | undefined;
    after?: Keyset | undefined;
    limit: number;
  },
): Promise<LicenceRow[]> {
  let q = licences(db).where(
    sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`,
  );
  if (f.status) q = q.where('licences.status', '=', f.status);
  if (f.tierCode) q = q.where('licences.tier_code', '=', f.tierCode);
  if (f.holder)
    q = q.where('licences.holder_kind', '=', f.holder.kind).where('licences.holder_id', '=', f.holder.id);
  // Numbers are stored upper-case; LIKE on a text_pattern_ops index (migration 0009) is a range scan.
  if (f.numberPrefix)
    q = q.where('licences.number', 'like', `${f.numberPrefix.toUpperCase().replace(/[\\%_]/g, '\\$&')}%`);
  if (f.after)
    q = q.where(
      sql<boolean>`(licences.created_at, licences.id) > (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`,
    );
  return q
    .orderBy('licences.created_at')
    .orderBy('licences.id')
    .limit(f.limit + 1)
    .execute();
}

const HOLDER_TABLES = {
  person: 'people',
  enterprise: 'enterprises',
  production_unit: 'production_units',
} as const;

/** The area of a holder (a person, an enterprise or a production unit), if it exists. */
export async function holderArea(
  db: Queryable,
  kind: HolderKind,
  id: string,
): Promise<{ area_id: string; path: string; country: string } | undefined> {
  const table = sql.table(HOLDER_TABLES[kind]);
  const r = await sql<{ area_id: string; path: string; country: string }>`
    SELECT h.area_id, a.path, a.country FROM ${table} h JOIN admin_areas a ON a.id = h.area_id
     WHERE h.id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/** The profile document of a country, if one is loaded. */
export async function profileOf(db: Queryable, country: string): Promise<unknown | undefined> {
  const r = await sql<{ document: unknown }>`
    SELECT document FROM country_profiles WHERE country = ${country}`.execute(db);
  return r.rows[0]?.document;
}

export function activeLicenceOf(db: Queryable, kind: HolderKind, holderId: string, tierCode: string) {
  return licensingDb(db)
    .selectFrom('licences')
    .select(['id', 'number'])
    .where('holder_kind', '=', kind)
    .where('holder_id', '=', holderId)
    .where('tier_code', '=', tierCode)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/**
 * The history of an application, or of a licence: its own events and those of the applications that
 * issued or renewed it. Bounded by the life of one licence, so not paged.
 */
export function eventsOf(db: Queryable, of: { applicationId: string } | { licenceId: string }) {
  let q = licensingDb(db).selectFrom('licence_events').selectAll();
  if ('applicationId' in of) q = q.where('application_id', '=', of.applicationId);
  else
    q = q.where((eb) =>
      eb.or([
        eb('licence_id', '=', of.licenceId),
        eb(
          'application_id',
          'in',
          eb
            .selectFrom('licence_applications')
            .select('id')
            .where((w) =>
              w.or([
                w('renews_licence_id', '=', of.licenceId),
                w(
                  'id',
                  '=',
                  w.selectFrom('licences').select('application_id').where('id', '=', of.licenceId),
                ),
              ]),
            ),
        ),
      ]),
    );
  return q.orderBy('at').orderBy('id').limit(1000).execute();
}
