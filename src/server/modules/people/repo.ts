import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';

type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** The people table (migration 0004). */
export interface PeopleTable {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  other_names: string | null;
  sex: string;
  birth_date: string | null;
  birth_year: number | null;
  age_band: string | null;
  phone: string | null;
  id_document: ColumnType<{ type: string; number: string } | null, string | null, string | null>;
  area_id: string;
  photo_file: string | null;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Generated<number>;
}

export interface PersonSensitiveTable {
  person_id: string;
  disability: boolean | null;
  migrant: boolean | null;
  ethnic_minority: boolean | null;
  legal_basis: string;
  recorded_by: string | null;
  recorded_at: DefaultedTimestamp;
}

export interface PersonReferenceCountersTable {
  country: string;
  year: number;
  last_value: number;
}

type PeopleTables = {
  people: PeopleTable;
  person_sensitive: PersonSensitiveTable;
  person_reference_counters: PersonReferenceCountersTable;
};
export type PersonRow = Selectable<PeopleTable>;
export type PersonWithArea = PersonRow & { area_path: string };

/** The application's Kysely handle with the registry tables known (a transaction stays one). */
export function peopleDb(db: Queryable): Kysely<DB & PeopleTables> {
  return (db as Kysely<DB>).withTables<PeopleTables>();
}

/** The full name as indexed for trigram search (migration 0004, people_name_trgm). */
const FULL_NAME = sql<string>`lower(people.given_name || ' ' || people.family_name)`;

/** A person with the path of their area; forUpdate locks the person's row (not the area's). */
export function findPerson(
  db: Queryable,
  id: string,
  { forUpdate = false }: { forUpdate?: boolean } = {},
): Promise<PersonWithArea | undefined> {
  const q = peopleDb(db)
    .selectFrom('people')
    .innerJoin('admin_areas', 'admin_areas.id', 'people.area_id')
    .selectAll('people')
    .select('admin_areas.path as area_path')
    .where('people.id', '=', id);
  return (forUpdate ? q.forUpdate('people') : q).executeTakeFirst();
}

/** The next serial of the country's year, taken inside the registering transaction. */
export async function nextReferenceSerial(db: Queryable, country: string, year: number): Promise<number> {
  const row = await peopleDb(db)
    .insertInto('person_reference_counters')
    .values({ country, year, last_value: 1 })
    .onConflict((oc) =>
      oc.columns(['country', 'year']).doUpdateSet({
        last_value: sql<number>`person_reference_counters.last_value + 1`,
      }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return Number(row.last_value);
}

export interface PersonFilter {
  scopePaths: string[];
  /** A name (trigram), or exactly a reference or a phone. */
  q?: { text: string; reference: string | null; phone: string | null } | undefined;
  areaPath?: string | undefined;
  sex?: string | undefined;
  /** Without q: the last id seen (newest first). With q: the last score and id seen. */
  after?: { score: number | null; id: string } | undefined;
  limit: number;
}

/**
 * One page of people inside the scope paths. Without q, newest first (ids are UUIDv7). With q, best
 * match first: an exact reference or phone scores 2, a name its trigram similarity (the larger of
 * similarity and word_similarity, so a typed part of a name still finds the whole).
 *
 * Names are scored once per distinct full name (person_names, migration 0012), not once per person:
 * thousands of people can share a name close to the term, and only the best page is wanted. The
 * people of each matching name come newest first from people_full_name, at most a page per name.
 */
export async function listPeople(
  db: Queryable,
  f: PersonFilter,
): Promise<(PersonRow & { score: number | null })[]> {
  let q = peopleDb(db)
    .selectFrom('people')
    .innerJoin('admin_areas', 'admin_areas.id', 'people.area_id')
    .selectAll('people')
    .where(sql<boolean>`admin_areas.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})`);
  if (f.areaPath) q = q.where(sql<boolean>`admin_areas.path LIKE ${subtreePatterns([f.areaPath])[0]}`);
  if (f.sex) q = q.where('people.sex', '=', f.sex);
  if (!f.q) {
    if (f.after) q = q.where('people.id', '<', f.after.id);
    return q
      .select(sql<number | null>`null::real`.as('score'))
      .orderBy('people.id', 'desc')
      .limit(f.limit + 1)
      .execute();
  }
  const term = f.q.text.toLowerCase();
  const exact = [
    ...(f.q.reference ? [sql<boolean>`people.reference = ${f.q.reference}`] : []),
    ...(f.q.phone ? [sql<boolean>`people.phone = ${f.q.phone}`] : []),
  ];
  const exactExpr = exact.length ? sql.join(exact, sql` OR `) : sql`false`;
  const after = f.after && f.after.score !== null ? { score: f.after.score, id: f.after.id } : null;
  // person_names_like (migration 0012): names matching by trigrams (% and <%, thresholds 0.3 and
  // 0.6 by default) through the trigram index, with their score.
  const names = sql`SELECT name, score FROM person_names_like(${term})`;
  const candidates = after
    ? sql`SELECT * FROM (${names}) n WHERE n.score <= ${after.score}::real ORDER BY n.score DESC`
    : sql`SELECT * FROM (${names}) n ORDER BY n.score DESC`;
  let ofName = q.where(sql<boolean>`${FULL_NAME} = c.name`).where(sql<boolean>`NOT (${exactExpr})`);
  if (after)
    ofName = ofName.where(sql<boolean>`(c.score < ${after.score}::real OR people.id < ${after.id}::uuid)`);
  const byName = sql`SELECT p.*, c.score FROM (${candidates}) c
    CROSS JOIN LATERAL (${ofName.orderBy('people.id', 'desc').limit(f.limit + 1)}) p`;
  let byExact = null;
  if (exact.length) {
    let e = q.where(sql<boolean>`(${exactExpr})`).select(sql<number>`2::real`.as('score'));
    if (after) e = e.where(sql<boolean>`(2::real, people.id) < (${after.score}::real, ${after.id}::uuid)`);
    byExact = e;
  }
  const r = await sql<PersonRow & { score: number }>`${byName}
    ${byExact ? sql`UNION ALL (${byExact})` : sql``}
    ORDER BY score DESC, id DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

/**
 * Likely duplicates of a person about to be registered: the same phone anywhere, or a similar full
 * name (similarity ≥ 0.6) with the same birth year in the same area. With the area's path, so the
 * caller can tell which ones it may see.
 */
export function findDuplicateCandidates(
  db: Queryable,
  p: { fullName: string; birthYear: number | null; areaId: string; phone: string | null; excludeId?: string },
) {
  const year = sql<number | null>`coalesce(people.birth_year, extract(year FROM people.birth_date)::integer)`;
  const samePhone = p.phone ? sql<boolean>`people.phone = ${p.phone}` : sql<boolean>`false`;
  const similarName =
    p.birthYear !== null
      ? sql<boolean>`(people.area_id = ${p.areaId}::uuid AND ${year} = ${p.birthYear}::integer
          AND ${FULL_NAME} % ${p.fullName.toLowerCase()}
          AND similarity(${FULL_NAME}, ${p.fullName.toLowerCase()}) >= 0.6)`
      : sql<boolean>`false`;
  let q = peopleDb(db)
    .selectFrom('people')
    .innerJoin('admin_areas', 'admin_areas.id', 'people.area_id')
    .select(['people.id', 'people.reference', 'people.given_name', 'people.family_name', 'people.area_id'])
    .select([
      'admin_areas.path as area_path',
      year.as('birth_year'),
      samePhone.as('same_phone'),
      similarName.as('similar_name'),
    ])
    .where(sql<boolean>`(${samePhone} OR ${similarName})`);
  if (p.excludeId) q = q.where('people.id', '<>', p.excludeId);
  return q.orderBy('people.id').limit(20).execute();
}

export function findSensitive(db: Queryable, personId: string) {
  return peopleDb(db)
    .selectFrom('person_sensitive')
    .selectAll()
    .where('person_id', '=', personId)
    .executeTakeFirst();
}
