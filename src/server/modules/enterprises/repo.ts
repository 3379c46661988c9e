import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import type {
  EnterpriseDto,
  EnterpriseForm,
  MemberRole,
  ProductionUnitDto,
} from '../../../shared/schemas/enterprises.ts';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;
/** date columns come back as 'YYYY-MM-DD' from both drivers. */
type DateText = ColumnType<string, string, string>;

/** The tables of migration 0005. */
export interface EnterprisesTable {
  id: string;
  reference: string;
  name: string;
  form: EnterpriseForm;
  registration: NullableJson<NonNullable<EnterpriseDto['registration']>>;
  area_id: string;
  benefit_sharing_rules: string | null;
  payment_account: NullableJson<NonNullable<EnterpriseDto['paymentAccount']>>;
  status: ColumnType<EnterpriseDto['status'], EnterpriseDto['status'] | undefined, EnterpriseDto['status']>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface EnterpriseFormChangesTable {
  id: string;
  enterprise_id: string;
  from_form: EnterpriseForm;
  to_form: EnterpriseForm;
  changed_on: DateText;
  reason: string | null;
  changed_by: string | null;
  created_at: Timestamp;
}

export interface EnterpriseMembersTable {
  id: string;
  enterprise_id: string;
  person_id: string | null;
  member_name: string;
  sex: 'female' | 'male';
  role: MemberRole;
  leadership: boolean;
  start_date: DateText;
  end_date: ColumnType<string | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface ProductionUnitsTable {
  id: string;
  reference: string;
  kind: ProductionUnitDto['kind'];
  name: string;
  area_id: string;
  location: NullableJson<NonNullable<ProductionUnitDto['location']>>;
  equipment: Json<ProductionUnitDto['equipment']>;
  capacity: NullableJson<NonNullable<ProductionUnitDto['capacity']>>;
  operator_enterprise_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export type RegistryTables = {
  enterprises: EnterprisesTable;
  enterprise_form_changes: EnterpriseFormChangesTable;
  enterprise_members: EnterpriseMembersTable;
  production_units: ProductionUnitsTable;
};
export type RegistryDb = Kysely<DB & RegistryTables>;

export type EnterpriseRow = Selectable<EnterprisesTable> & { area_path: string };
export type MemberRow = Selectable<EnterpriseMembersTable>;
export type FormChangeRow = Selectable<EnterpriseFormChangesTable>;
export type UnitRow = Selectable<ProductionUnitsTable> & { area_path: string };

/** The application's handle with these tables known; a transaction stays that transaction. */
export function registryDb(db: Queryable): RegistryDb {
  return (db as Kysely<DB>).withTables<RegistryTables>();
}

/** The next number of a reference sequence (the sequence names are fixed here, never input). */
export async function nextReference(
  db: Queryable,
  sequence: 'enterprise_reference_seq' | 'production_unit_reference_seq',
): Promise<number> {
  const r = await sql<{ n: number }>`SELECT nextval(${sequence}::regclass) AS n`.execute(db);
  return Number(r.rows[0]!.n);
}

export function findEnterprise(db: Queryable, id: string): Promise<EnterpriseRow | undefined> {
  return registryDb(db)
    .selectFrom('enterprises')
    .innerJoin('admin_areas', 'admin_areas.id', 'enterprises.area_id')
    .selectAll('enterprises')
    .select('admin_areas.path as area_path')
    .where('enterprises.id', '=', id)
    .executeTakeFirst();
}

export function membersOf(db: Queryable, enterpriseId: string): Promise<MemberRow[]> {
  return registryDb(db)
    .selectFrom('enterprise_members')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .orderBy('start_date')
    .orderBy('id')
    .execute();
}

export function findMember(db: Queryable, enterpriseId: string, memberId: string) {
  return registryDb(db)
    .selectFrom('enterprise_members')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .where('id', '=', memberId)
    .executeTakeFirst();
}

/** The open term of a leadership seat, if someone holds it. */
export function openSeat(db: Queryable, enterpriseId: string, role: MemberRole) {
  return registryDb(db)
    .selectFrom('enterprise_members')
    .select(['id', 'member_name'])
    .where('enterprise_id', '=', enterpriseId)
    .where('role', '=', role)
    .where('leadership', '=', true)
    .where('end_date', 'is', null)
    .executeTakeFirst();
}

export function formChangesOf(db: Queryable, enterpriseId: string): Promise<FormChangeRow[]> {
  return registryDb(db)
    .selectFrom('enterprise_form_changes')
    .selectAll()
    .where('enterprise_id', '=', enterpriseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface Keyset {
  name: string;
  id: string;
}

export interface EnterpriseFilter {
  scopePaths: string[];
  q?: string | undefined;
  form?: EnterpriseForm | undefined;
  areaPath?: string | undefined;
  after?: Keyset | undefined;
  limit: number;
}

/** The enterprises inside the scope that match the filter, not yet ordered or limited. */
function filteredEnterprises(db: Queryable, f: Omit<EnterpriseFilter, 'after' | 'limit'>) {
  let q = registryDb(db)
    .selectFrom('enterprises')
    .innerJoin('admin_areas', 'admin_areas.id', 'enterprises.area_id')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`);
  if (f.areaPath) q = q.where(sql<boolean>`admin_areas.path LIKE ${subtreePatterns([f.areaPath])[0]}`);
  if (f.form) q = q.where('enterprises.form', '=', f.form);
  if (f.q) {
    const term = f.q;
    q = q.where((eb) =>
      eb.or([
        eb('enterprises.name', 'ilike', `%${escapeLike(term)}%`),
        eb('enterprises.reference', '=', term.toUpperCase()),
        sql<boolean>`similarity(enterprises.name, ${term}) > 0.3`,
      ]),
    );
  }
  return q;
}

/** One page (limit + 1 rows) of enterprises inside the scope, by name then id. */
export function listEnterprises(db: Queryable, f: EnterpriseFilter): Promise<EnterpriseRow[]> {
  let q = filteredEnterprises(db, f).selectAll('enterprises').select('admin_areas.path as area_path');
  if (f.after)
    q = q.where(sql<boolean>`(enterprises.name, enterprises.id) > (${f.after.name}, ${f.after.id}::uuid)`);
  return q
    .orderBy('enterprises.name')
    .orderBy('enterprises.id')
    .limit(f.limit + 1)
    .execute();
}

/** How many enterprises match the filter, counting no further than cap + 1. */
export async function countEnterprises(
  db: Queryable,
  f: Omit<EnterpriseFilter, 'after' | 'limit'>,
  cap: number,
): Promise<number> {
  const inner = filteredEnterprises(db, f)
    .select('enterprises.id')
    .limit(cap + 1);
  const r = await registryDb(db)
    .selectFrom(inner.as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function findUnit(db: Queryable, id: string): Promise<UnitRow | undefined> {
  return registryDb(db)
    .selectFrom('production_units')
    .innerJoin('admin_areas', 'admin_areas.id', 'production_units.area_id')
    .selectAll('production_units')
    .select('admin_areas.path as area_path')
    .where('production_units.id', '=', id)
    .executeTakeFirst();
}

export interface UnitFilter {
  scopePaths: string[];
  /** Part of the name, a name close to it (trigrams), or exactly the reference. */
  q?: string | undefined;
  kind?: ProductionUnitDto['kind'] | undefined;
  areaPath?: string | undefined;
  operatorEnterpriseId?: string | undefined;
  after?: Keyset | undefined;
  limit: number;
}

export function listUnits(db: Queryable, f: UnitFilter): Promise<UnitRow[]> {
  let q = registryDb(db)
    .selectFrom('production_units')
    .innerJoin('admin_areas', 'admin_areas.id', 'production_units.area_id')
    .selectAll('production_units')
    .select('admin_areas.path as area_path')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`);
  if (f.areaPath) q = q.where(sql<boolean>`admin_areas.path LIKE ${subtreePatterns([f.areaPath])[0]}`);
  if (f.kind) q = q.where('production_units.kind', '=', f.kind);
  if (f.q) {
    const term = f.q;
    q = q.where((eb) =>
      eb.or([
        eb('production_units.name', 'ilike', `%${escapeLike(term)}%`),
        eb('production_units.reference', '=', term.toUpperCase()),
        // The trigram operator (pg_trgm.similarity_threshold, 0.3) uses production_units_name_trgm.
        sql<boolean>`production_units.name % ${term}`,
      ]),
    );
  }
  if (f.operatorEnterpriseId)
    q = q.where('production_units.operator_enterprise_id', '=', f.operatorEnterpriseId);
  if (f.after)
    q = q.where(
      sql<boolean>`(production_units.name, production_units.id) > (${f.after.name}, ${f.after.id}::uuid)`,
    );
  return q
    .orderBy('production_units.name')
    .orderBy('production_units.id')
    .limit(f.limit + 1)
    .execute();
}
