import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import type { HolderFacts } from './requirements.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type HolderKind = 'person' | 'enterprise' | 'production_unit';
type Minor = ColumnType<string | number, number, never>;

/** The tables of migration 0011 for encumbrances and transfers. */
export interface LicenceEncumbrancesTable {
  id: string;
  licence_id: string;
  kind: 'mortgage' | 'lien' | 'charge';
  creditor_name: string;
  amount_minor: Minor;
  currency: string;
  reference: string | null;
  documents_note: string | null;
  registered_at: Timestamp;
  registered_by: string | null;
  released_at: NullableTimestamp;
  released_by: ColumnType<string | null, string | null | undefined, string | null>;
  release_note: ColumnType<string | null, string | null | undefined, string | null>;
  version: Generated<number>;
}

export interface LicenceTransfersTable {
  id: string;
  licence_id: string;
  from_holder_kind: HolderKind;
  from_holder_id: string;
  to_holder_kind: HolderKind;
  to_holder_id: string;
  reason: string;
  consideration_minor: ColumnType<string | number | null, number | null, never>;
  currency: string | null;
  creditor_consent: boolean;
  consent_note: string | null;
  actor_id: string | null;
  at: Timestamp;
}

export type RightsTables = {
  licence_encumbrances: LicenceEncumbrancesTable;
  licence_transfers: LicenceTransfersTable;
};
export type EncumbranceRow = Selectable<LicenceEncumbrancesTable>;
export type TransferRow = Selectable<LicenceTransfersTable>;

export function rightsDb(db: Queryable): Kysely<DB & RightsTables> {
  return (db as Kysely<DB>).withTables<RightsTables>();
}

export function encumbrancesOf(db: Queryable, licenceId: string): Promise<EncumbranceRow[]> {
  return rightsDb(db)
    .selectFrom('licence_encumbrances')
    .selectAll()
    .where('licence_id', '=', licenceId)
    .orderBy('registered_at')
    .orderBy('id')
    .execute();
}

export function findEncumbrance(db: Queryable, licenceId: string, id: string) {
  return rightsDb(db)
    .selectFrom('licence_encumbrances')
    .selectAll()
    .where('licence_id', '=', licenceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function transfersOf(db: Queryable, licenceId: string): Promise<TransferRow[]> {
  return rightsDb(db)
    .selectFrom('licence_transfers')
    .selectAll()
    .where('licence_id', '=', licenceId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** Holds the licence row until the transaction ends: transfers and encumbrances go one at a time. */
export async function lockLicence(db: Queryable, id: string): Promise<void> {
  await sql`SELECT id FROM licences WHERE id = ${id} FOR UPDATE`.execute(db);
}

/** What the registry records about a holder that bears on licence requirements. */
export async function holderFacts(
  db: Queryable,
  kind: HolderKind,
  id: string,
  today: string,
): Promise<HolderFacts> {
  const none: HolderFacts = {
    kind,
    hasIdDocument: false,
    birthDate: null,
    birthYear: null,
    ageBand: null,
    currentMembers: 0,
    hasBenefitSharingRules: false,
    form: null,
    hasRegistration: false,
  };
  if (kind === 'person') {
    const r = await sql<{
      has_id: boolean;
      birth_date: string | null;
      birth_year: number | null;
      age_band: string | null;
    }>`SELECT id_document IS NOT NULL AS has_id, birth_date::text AS birth_date, birth_year, age_band
         FROM people WHERE id = ${id}`.execute(db);
    const p = r.rows[0];
    if (!p) return none;
    return {
      ...none,
      hasIdDocument: p.has_id,
      birthDate: p.birth_date,
      birthYear: p.birth_year === null ? null : Number(p.birth_year),
      ageBand: p.age_band,
    };
  }
  if (kind === 'enterprise') {
    const r = await sql<{ form: string; has_rules: boolean; has_registration: boolean; members: string }>`
      SELECT e.form,
             coalesce(length(trim(e.benefit_sharing_rules)), 0) > 0 AS has_rules,
             e.registration IS NOT NULL AS has_registration,
             (SELECT count(*) FROM enterprise_members m
               WHERE m.enterprise_id = e.id AND m.start_date <= ${today}::date
                 AND (m.end_date IS NULL OR m.end_date >= ${today}::date)) AS members
        FROM enterprises e WHERE e.id = ${id}`.execute(db);
    const e = r.rows[0];
    if (!e) return none;
    return {
      ...none,
      form: e.form,
      hasBenefitSharingRules: e.has_rules,
      hasRegistration: e.has_registration,
      currentMembers: Number(e.members),
    };
  }
  return none;
}

/** The checklist of the application a licence was issued from. */
export async function checklistOf(
  db: Queryable,
  applicationId: string,
): Promise<Record<string, { met: boolean }>> {
  const r = await sql<{ checklist: Record<string, { met: boolean }> }>`
    SELECT checklist FROM licence_applications WHERE id = ${applicationId}`.execute(db);
  return r.rows[0]?.checklist ?? {};
}
