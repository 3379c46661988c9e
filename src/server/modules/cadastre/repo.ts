import { type ColumnType, type Generated, type Kysely, type Selectable, sql } from 'kysely';
import { boxLiteral } from '../../../shared/geo/prefilter.ts';
import type { AreaGeometry, BBox } from '../../../shared/geo/types.ts';
import type { LayerKind } from '../../../shared/schemas/cadastre.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** The tables of migration 0014. */
export interface CadastreLayersTable {
  id: string;
  country: string;
  kind: LayerKind;
  name: string;
  source: string | null;
  licence: string | null;
  notes: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface CadastreFeaturesTable {
  id: string;
  layer_id: string;
  external_ref: string | null;
  name: string | null;
  status: string;
  attributes: Json<Record<string, unknown>>;
  geometry: Json<AreaGeometry>;
  /** PostgreSQL prints a box as `(east,north),(west,south)`. */
  bbox: string;
  area_m2: number;
  area_id: string | null;
  licence_id: string | null;
  designation_date: string | null;
  allowed_tiers: string[] | null;
  created_at: Timestamp;
}

export type CadastreTables = {
  cadastre_layers: CadastreLayersTable;
  cadastre_features: CadastreFeaturesTable;
};
export type LayerRow = Selectable<CadastreLayersTable>;
export type FeatureRow = Selectable<CadastreFeaturesTable>;

export function cadastreDb(db: Queryable): Kysely<DB & CadastreTables> {
  return (db as Kysely<DB>).withTables<CadastreTables>();
}

/** `(e,n),(w,s)` as PostgreSQL prints a box → [w, s, e, n]. */
export function parseBox(text: string): BBox {
  const n = text.match(/-?[\d.]+(?:e[-+]?\d+)?/gi)?.map(Number) ?? [];
  const [x1, y1, x2, y2] = n as [number, number, number, number];
  return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
}

export type LayerWithCount = LayerRow & { feature_count: number };

export function listLayers(
  db: Queryable,
  filter: { country?: string | undefined; kind?: LayerKind | undefined },
): Promise<LayerWithCount[]> {
  let q = cadastreDb(db)
    .selectFrom('cadastre_layers as l')
    .selectAll('l')
    .select(
      sql<number>`(SELECT count(*)::int FROM cadastre_features f WHERE f.layer_id = l.id)`.as(
        'feature_count',
      ),
    )
    .orderBy('l.country')
    .orderBy('l.kind')
    .orderBy('l.name');
  if (filter.country) q = q.where('l.country', '=', filter.country);
  if (filter.kind) q = q.where('l.kind', '=', filter.kind);
  return q.execute();
}

export async function findLayer(db: Queryable, id: string): Promise<LayerWithCount | undefined> {
  return cadastreDb(db)
    .selectFrom('cadastre_layers as l')
    .selectAll('l')
    .select(
      sql<number>`(SELECT count(*)::int FROM cadastre_features f WHERE f.layer_id = l.id)`.as(
        'feature_count',
      ),
    )
    .where('l.id', '=', id)
    .executeTakeFirst();
}

export function findLayerByName(db: Queryable, country: string, name: string) {
  return cadastreDb(db)
    .selectFrom('cadastre_layers')
    .select('id')
    .where('country', '=', country)
    .where('name', '=', name)
    .executeTakeFirst();
}

/** Locks the layer row so two imports into one layer run one after the other. */
export async function lockLayer(tx: Queryable, id: string): Promise<void> {
  await cadastreDb(tx).selectFrom('cadastre_layers').select('id').where('id', '=', id).forUpdate().execute();
}

export async function insertLayer(
  tx: Queryable,
  row: Omit<LayerRow, 'version' | 'created_at' | 'updated_at'> & { created_at: Date },
): Promise<void> {
  await cadastreDb(tx)
    .insertInto('cadastre_layers')
    .values({ ...row, updated_at: row.created_at })
    .execute();
}

export async function touchLayer(tx: Queryable, id: string, at: Date): Promise<void> {
  await cadastreDb(tx)
    .updateTable('cadastre_layers')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .execute();
}

export interface NewFeature {
  id: string;
  layerId: string;
  externalRef: string | null;
  name: string | null;
  status: string;
  attributes: Record<string, unknown>;
  geometry: AreaGeometry;
  bbox: BBox;
  areaM2: number;
  areaId: string | null;
  licenceId: string | null;
  designationDate: string | null;
  allowedTiers: string[] | null;
  createdAt: Date;
}

/**
 * Multi-row inserts of `batchSize` rows: a few statements for thousands of features, each well under
 * PostgreSQL's 65,535 parameters.
 */
export async function insertFeatures(tx: Queryable, features: readonly NewFeature[], batchSize = 500) {
  for (let i = 0; i < features.length; i += batchSize) {
    await cadastreDb(tx)
      .insertInto('cadastre_features')
      .values(
        features.slice(i, i + batchSize).map((f) => ({
          id: f.id,
          layer_id: f.layerId,
          external_ref: f.externalRef,
          name: f.name,
          status: f.status,
          attributes: JSON.stringify(f.attributes),
          geometry: JSON.stringify(f.geometry),
          bbox: boxLiteral(f.bbox),
          area_m2: f.areaM2,
          area_id: f.areaId,
          licence_id: f.licenceId,
          designation_date: f.designationDate,
          allowed_tiers: f.allowedTiers,
          created_at: f.createdAt,
        })),
      )
      .execute();
  }
}

const featureColumns = [
  'f.id',
  'f.layer_id',
  'f.external_ref',
  'f.name',
  'f.status',
  'f.attributes',
  'f.geometry',
  'f.bbox',
  'f.area_m2',
  'f.area_id',
  'f.licence_id',
  'f.designation_date',
  'f.allowed_tiers',
] as const;

export type FeatureWithLayer = Omit<FeatureRow, 'created_at'> & {
  layer_kind: LayerKind;
  layer_name: string;
  country: string;
  area_path: string | null;
};

export function findFeature(db: Queryable, id: string): Promise<FeatureWithLayer | undefined> {
  return cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .innerJoin('cadastre_layers as l', 'l.id', 'f.layer_id')
    .leftJoin('admin_areas as a', 'a.id', 'f.area_id')
    .select(featureColumns)
    .select(['l.kind as layer_kind', 'l.name as layer_name', 'l.country', 'a.path as area_path'])
    .where('f.id', '=', id)
    .executeTakeFirst();
}

/**
 * One page of a layer's features in id order (keyset), restricted to the subtrees the caller may
 * read; `includeUnplaced` adds the features outside every admin area (country-level readers).
 */
export function featurePage(
  db: Queryable,
  layerId: string,
  opts: { after?: string | undefined; limit: number; patterns: string[] | null; includeUnplaced: boolean },
) {
  let q = cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .leftJoin('admin_areas as a', 'a.id', 'f.area_id')
    .select(featureColumns)
    .where('f.layer_id', '=', layerId)
    .orderBy('f.id')
    .limit(opts.limit);
  if (opts.after) q = q.where('f.id', '>', opts.after);
  const patterns = opts.patterns;
  if (patterns) {
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`a.path LIKE ANY (${patterns})`,
        ...(opts.includeUnplaced ? [eb('f.area_id', 'is', null)] : []),
      ]),
    );
  }
  return q.execute();
}

export type Candidate = Pick<
  FeatureRow,
  'id' | 'layer_id' | 'external_ref' | 'name' | 'status' | 'geometry' | 'allowed_tiers'
> & { layer_kind: LayerKind; layer_name: string };

/**
 * The features of a country whose box meets `box` (GiST index on bbox): the prefilter of a check.
 * `protectedBox`, a larger box, also brings the protected areas near enough for the buffer rule.
 */
export function candidatesFor(
  db: Queryable,
  country: string,
  box: BBox,
  protectedBox?: BBox,
): Promise<Candidate[]> {
  const meets = sql<boolean>`f.bbox && ${boxLiteral(box)}::box`;
  return cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .innerJoin('cadastre_layers as l', 'l.id', 'f.layer_id')
    .select(['f.id', 'f.layer_id', 'f.external_ref', 'f.name', 'f.status', 'f.geometry', 'f.allowed_tiers'])
    .select(['l.kind as layer_kind', 'l.name as layer_name'])
    .where('l.country', '=', country)
    .where((eb) =>
      protectedBox
        ? eb.or([
            meets,
            eb.and([
              eb('l.kind', '=', 'protected_area'),
              sql<boolean>`f.bbox && ${boxLiteral(protectedBox)}::box`,
            ]),
          ])
        : meets,
    )
    .orderBy('f.id')
    .execute();
}

type TierRow = { code: string; maxAreaHectares?: number | null };

/**
 * What a check reads before it looks at the cadastre, in one round trip and without the whole
 * profile document: the profile's `cadastre` settings (null when none), the licence tier asked for
 * (null when absent or not asked) and the box of the country's root area, as PostgreSQL prints it.
 */
export async function checkContextOf(
  db: Queryable,
  country: string,
  tierCode: string | null,
): Promise<{ cadastre: unknown; tier: TierRow | null; countryBbox: string | null }> {
  const r = await sql<{ cadastre: unknown; tier: TierRow | null; country_bbox: string | null }>`
    SELECT (SELECT document -> 'cadastre' FROM country_profiles WHERE country = ${country}) AS cadastre,
           (SELECT t FROM country_profiles p, jsonb_array_elements(p.document -> 'licenceTiers') AS t
             WHERE p.country = ${country} AND t ->> 'code' = ${tierCode} LIMIT 1) AS tier,
           (SELECT bbox::text FROM admin_areas WHERE country = ${country} AND level = 0) AS country_bbox`.execute(
    db,
  );
  const row = r.rows[0];
  return { cadastre: row?.cadastre ?? null, tier: row?.tier ?? null, countryBbox: row?.country_bbox ?? null };
}

/** Whether any ASM zone of the country allows the tier (which makes the tier zone-bound). */
export async function tierIsZoneBound(db: Queryable, country: string, tierCode: string): Promise<boolean> {
  const row = await cadastreDb(db)
    .selectFrom('cadastre_features as f')
    .innerJoin('cadastre_layers as l', 'l.id', 'f.layer_id')
    .select('f.id')
    .where('l.country', '=', country)
    .where('l.kind', '=', 'asm_zone')
    .where(sql<boolean>`${tierCode} = ANY (f.allowed_tiers)`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The box of the country's root area, as PostgreSQL prints it (null when it has none). */
export async function countryBbox(db: Queryable, country: string): Promise<string | null> {
  const row = await cadastreDb(db)
    .selectFrom('admin_areas')
    .select('bbox')
    .where('country', '=', country)
    .where('level', '=', 0)
    .executeTakeFirst();
  return row?.bbox ?? null;
}

/** The admin areas of a country that have a geometry, deepest last, to place features. */
export function areaShapes(db: Queryable, country: string) {
  return cadastreDb(db)
    .selectFrom('admin_areas')
    .select(['id', 'path', 'level', 'geometry', 'bbox'])
    .where('country', '=', country)
    .where('geometry', 'is not', null)
    .orderBy('level')
    .execute();
}
