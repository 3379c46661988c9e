import type { PoolClientLike } from '../../src/server/platform/db/pglite-pool.ts';

/**
 * The synthetic national registry of `npm run bench:registry`, generated set-based in SQL
 * (generate_series, one INSERT … SELECT per table) on one owner connection. Deterministic for a
 * given scale: setseed() fixes random() for the session and the statements run in a fixed order.
 */

export interface RegistryScale {
  people: number;
  enterprises: number;
  licences: number;
  /** People left without any licence or membership, for the issuance run through the API. */
  reservedPeople: number;
}

export interface TierInfo {
  code: string;
  holderKinds: string[];
  validityMonths: number;
  fee: { amountMinor: number; currency: string };
  requirements: { code: string }[];
}

export interface GeneratedRegistry {
  steps: { step: string; rows: number; seconds: number }[];
  /** Ids of the reserved people (no licence, no membership), oldest first. */
  reservedPeople: string[];
  /** Full names of a random sample of people, to derive search terms from. */
  sampleNames: string[];
  /** Licence numbers of a random sample of licences. */
  sampleNumbers: string[];
  /** People's reference numbers, a random sample (to check the check characters). */
  sampleReferences: string[];
}

// Given and family names heard in Ghana (Akan, Ewe, Ga, Dagbani; Christian and Muslim names) and in
// the DRC's mining provinces (Luba, Swahili, Lingala; French Christian names), without accents.
// Earlier entries are picked more often (index = n · r²), so some full names are very common, as in
// a real registry, which makes the search for them the expensive case.
const GH_MALE = [
  'Kwame',
  'Kofi',
  'Kwaku',
  'Kwabena',
  'Kwadwo',
  'Kwasi',
  'Yaw',
  'Kojo',
  'Emmanuel',
  'Samuel',
  'Ebenezer',
  'Isaac',
  'Daniel',
  'Ibrahim',
  'Mohammed',
  'Alhassan',
  'Fuseini',
  'Issah',
  'Nii',
  'Edem',
  'Selorm',
  'Elikem',
  'Mawuli',
  'Fiifi',
  'Ekow',
  'Prince',
  'Richard',
  'Bright',
  'Zakaria',
  'Abdul-Rahman',
];
const GH_FEMALE = [
  'Ama',
  'Akosua',
  'Adwoa',
  'Abena',
  'Akua',
  'Yaa',
  'Afua',
  'Esi',
  'Efua',
  'Grace',
  'Comfort',
  'Patience',
  'Gifty',
  'Mercy',
  'Joyce',
  'Abigail',
  'Vida',
  'Gloria',
  'Amina',
  'Fati',
  'Hawa',
  'Memunatu',
  'Rahinatu',
  'Naa',
  'Dzifa',
  'Enyonam',
  'Sedinam',
  'Araba',
  'Afia',
  'Philomena',
];
const GH_FAMILY = [
  'Mensah',
  'Owusu',
  'Boateng',
  'Asante',
  'Osei',
  'Agyeman',
  'Appiah',
  'Acheampong',
  'Amoah',
  'Ansah',
  'Addo',
  'Adjei',
  'Antwi',
  'Darko',
  'Ofori',
  'Sarpong',
  'Badu',
  'Opoku',
  'Frimpong',
  'Gyamfi',
  'Amponsah',
  'Bonsu',
  'Nyarko',
  'Quaye',
  'Tetteh',
  'Lamptey',
  'Nortey',
  'Quartey',
  'Annan',
  'Aryee',
  'Agbeko',
  'Dzokoto',
  'Ametepe',
  'Kpodo',
  'Tsikata',
  'Abubakar',
  'Iddrisu',
  'Mahama',
  'Yakubu',
  'Seidu',
  'Issahaku',
  'Dery',
  'Bawa',
  'Awuni',
  'Akologo',
  'Eshun',
  'Arthur',
  'Bekoe',
  'Kyei',
  'Danso',
];
const CD_MALE = [
  'Jean',
  'Pierre',
  'Patrick',
  'Joseph',
  'Dieudonne',
  'Christian',
  'Fiston',
  'Tresor',
  'Glody',
  'Exauce',
  'Papy',
  'Heritier',
  'Jonathan',
  'Serge',
  'Didier',
  'Blaise',
  'Baraka',
  'Amani',
];
const CD_FEMALE = [
  'Marie',
  'Chantal',
  'Esther',
  'Nadine',
  'Mireille',
  'Jeanne',
  'Furaha',
  'Neema',
  'Aline',
  'Merveille',
  'Gloire',
  'Sifa',
  'Rachel',
  'Solange',
  'Bijou',
  'Riziki',
];
const CD_FAMILY = [
  'Mukendi',
  'Kalala',
  'Ilunga',
  'Tshibangu',
  'Mbuyi',
  'Kabongo',
  'Mwamba',
  'Kasongo',
  'Lukusa',
  'Ngoy',
  'Banza',
  'Mulumba',
  'Kanku',
  'Nzuzi',
  'Mutombo',
  'Bahati',
  'Kahindo',
  'Kavira',
  'Masika',
  'Lokwa',
  'Mumbere',
  'Kambale',
];
const PLACES = [
  'Tarkwa',
  'Prestea',
  'Obuasi',
  'Dunkwa',
  'Bogoso',
  'Konongo',
  'Kibi',
  'Akwatia',
  'Bibiani',
  'Wassa',
  'Nangodi',
  'Talensi',
  'Damang',
  'Huni Valley',
  'Manso',
  'Amansie',
  'Asankragwa',
  'Sefwi',
];
const ENTERPRISE_KINDS: [string, string][] = [
  ['Small Scale Miners Cooperative', 'cooperative'],
  ['Miners Association', 'association'],
  ['Gold Partnership', 'partnership'],
  ['Community Mining Group', 'community_group'],
  ['Mining Enterprise', 'company'],
  ['Galamsey Reform Cooperative', 'cooperative'],
  ['Women Miners Association', 'association'],
  ['Mining Works', 'individual'],
];
const PHONE_PREFIXES = ['24', '54', '55', '59', '20', '50', '26', '56', '27', '57'];

/** Tier code → the initials the service puts in licence numbers (small_scale_licence → SSL). */
export const tierAbbreviation = (code: string) =>
  code
    .split('_')
    .map((w) => w[0]!.toUpperCase())
    .join('');

/**
 * Helper functions for this session only (pg_temp): the check character of reference numbers
 * (ISO/IEC 7064 MOD 37-2 folded as src/shared/ids.ts folds it, over bodies of digits, capitals and
 * '-' separators; the bench checks a sample with isValidReference) and a UUIDv7 from a time and a salt.
 */
const FUNCTIONS = [
  `CREATE FUNCTION pg_temp.check_char(body text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s text := replace(upper(body), '-', '');
  p integer := 0;
  v integer;
BEGIN
  FOR k IN 1..length(s) LOOP
    v := ascii(substr(s, k, 1));
    p := ((p + CASE WHEN v <= 57 THEN v - 48 ELSE v - 55 END) * 2) % 37;
  END LOOP;
  RETURN substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*', (38 - p) % 37 + 1, 1);
END
$$`,
  `CREATE FUNCTION pg_temp.with_check(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT body || '-' || pg_temp.check_char(body)
$$`,
  `CREATE FUNCTION pg_temp.uuid7(ts timestamptz, salt bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3)
          || '8' || substr(h, 4, 15))::uuid
    FROM (SELECT md5(salt::text || ':openasm-bench') AS h) s
$$`,
  `CREATE FUNCTION pg_temp.pick(arr text[], r double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT arr[1 + floor(array_length(arr, 1) * r * r)::int]
$$`,
];

const lit = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;

/** Indexes of the loaded tables that are not constraints: dropped before the load, rebuilt after. */
const LOADED_TABLES = ['people', 'enterprises', 'enterprise_members', 'licence_applications', 'licences'];

export async function generateRegistry(
  c: PoolClientLike,
  scale: RegistryScale,
  tiers: TierInfo[],
  log: (msg: string) => void,
): Promise<GeneratedRegistry> {
  const steps: GeneratedRegistry['steps'] = [];
  const step = async (name: string, text: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const r = await c.query(text, params);
    const seconds = (performance.now() - t0) / 1000;
    const rows = Number((r as { rowCount?: number | null }).rowCount ?? 0);
    steps.push({ step: name, rows, seconds });
    log(`  ${name}: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`);
  };

  for (const f of FUNCTIONS) await c.query(f);
  await c.query('SELECT setseed(0.20261128)');
  await c.query("SET maintenance_work_mem = '256MB'");

  // Non-constraint indexes cost far more maintained row by row than built once after the load.
  const idx = await c.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
    [LOADED_TABLES],
  );
  const indexes = (idx as unknown as { rows: { indexname: string; indexdef: string }[] }).rows;
  for (const i of indexes) await c.query(`DROP INDEX ${i.indexname}`);

  const { people, enterprises, licences, reservedPeople } = scale;
  const licensable = people - reservedPeople;

  // People: a temporary table first (serial i → row), kept to pick members and holders by serial.
  await step(
    'people (temporary, generate_series)',
    `CREATE TEMP TABLE bench_people AS
     WITH d AS (SELECT array_agg(id ORDER BY code) AS ids FROM admin_areas WHERE level = 2),
     g AS (
       SELECT i, random() AS r_sex, random() AS r_given, random() AS r_family, random() AS r_origin,
              random() AS r_birth, random() AS r_u, random() AS r_phone, random() AS r_other,
              random() AS r_area, random() AS r_created, random() AS r_doc
         FROM generate_series(1, $1::int) AS i),
     s AS (
       SELECT g.*, d.ids,
              CASE WHEN r_sex < 0.47 THEN 'female' WHEN r_sex < 0.995 THEN 'male' ELSE 'not_stated' END AS sex,
              timestamptz '2023-01-01 08:00Z' + (i::double precision / $1) * interval '1420 days'
                + r_created * interval '9 hours' AS created_at
         FROM g, d)
     SELECT i,
            pg_temp.uuid7(created_at, i) AS id,
            created_at,
            sex,
            CASE WHEN r_origin < 0.85
                 THEN pg_temp.pick(CASE WHEN sex = 'female' THEN ${lit(GH_FEMALE)} ELSE ${lit(GH_MALE)} END, r_given)
                 ELSE pg_temp.pick(CASE WHEN sex = 'female' THEN ${lit(CD_FEMALE)} ELSE ${lit(CD_MALE)} END, r_given)
            END AS given_name,
            CASE WHEN r_origin < 0.85 THEN pg_temp.pick(${lit(GH_FAMILY)}, r_family)
                 ELSE pg_temp.pick(${lit(CD_FAMILY)}, r_family) END AS family_name,
            CASE WHEN r_other < 0.12 THEN pg_temp.pick(${lit([...GH_MALE.slice(0, 8), ...GH_FEMALE.slice(0, 8)])}, r_other * 8)
            END AS other_names,
            CASE WHEN r_birth < 0.55 THEN date '1955-01-01' + floor(r_u * 19000)::int END AS birth_date,
            CASE WHEN r_birth >= 0.55 AND r_birth < 0.85 THEN 1955 + floor(r_u * 52)::int END AS birth_year,
            CASE WHEN r_birth >= 0.85 THEN (ARRAY['18-24', '25-34', '35-49', '50-64', '65+'])[1 + floor(r_u * 5)::int] END AS age_band,
            CASE WHEN r_phone < 0.75
                 THEN '+233' || (${lit(PHONE_PREFIXES)})[1 + floor(r_phone * 13.3)::int % 10]
                      || lpad(((i::bigint * 7919 + floor(r_u * 1000)::bigint) % 10000000)::text, 7, '0') END AS phone,
            CASE WHEN r_doc < 0.4 THEN jsonb_build_object('type', 'ghana_card',
                   'number', 'GHA-' || lpad((700000000 + i)::text, 9, '0') || '-' || (i % 10)) END AS id_document,
            ids[1 + floor(r_area * r_area * array_length(ids, 1))::int] AS area_id
       FROM s`,
    [people],
  );
  await c.query('ALTER TABLE bench_people ADD PRIMARY KEY (i)');
  await step(
    'people (insert)',
    `INSERT INTO people (id, reference, given_name, family_name, other_names, sex, birth_date, birth_year,
                         age_band, phone, id_document, area_id, created_at, updated_at)
     SELECT id, pg_temp.with_check('GH-P-' || extract(year FROM created_at AT TIME ZONE 'UTC')::int || '-' || lpad(i::text, 6, '0')),
            given_name, family_name, other_names, sex, birth_date, birth_year, age_band, phone, id_document,
            area_id, created_at, created_at
       FROM bench_people ORDER BY i`,
  );
  // Later registrations through the API take serials after these, per year.
  await c.query(
    `INSERT INTO person_reference_counters (country, year, last_value)
     SELECT 'GH', y, $1::bigint FROM generate_series(2023, 2030) AS y
     ON CONFLICT (country, year) DO UPDATE SET last_value = greatest(person_reference_counters.last_value, EXCLUDED.last_value)`,
    [people],
  );

  await step(
    'enterprises',
    `CREATE TEMP TABLE bench_enterprises AS
     WITH d AS (SELECT array_agg(id ORDER BY code) AS ids FROM admin_areas WHERE level = 2),
     g AS (SELECT n, random() AS r_kind, random() AS r_name, random() AS r_area, random() AS r_status
             FROM generate_series(1, $1::int) AS n),
     k AS (SELECT ${lit(ENTERPRISE_KINDS.map(([name]) => name))} AS names,
                  ${lit(ENTERPRISE_KINDS.map(([, form]) => form))} AS forms)
     SELECT n,
            pg_temp.uuid7(timestamptz '2022-06-01 08:00Z' + (n::double precision / $1) * interval '1500 days', 2000000000 + n) AS id,
            timestamptz '2022-06-01 08:00Z' + (n::double precision / $1) * interval '1500 days' AS created_at,
            CASE WHEN r_name < 0.5 THEN pg_temp.pick(${lit(PLACES)}, r_name * 2)
                 ELSE pg_temp.pick(${lit(GH_FAMILY)}, (r_name - 0.5) * 2) END
              || ' ' || k.names[1 + floor(r_kind * 8)::int] AS name,
            k.forms[1 + floor(r_kind * 8)::int] AS form,
            d.ids[1 + floor(r_area * array_length(d.ids, 1))::int] AS area_id,
            CASE WHEN r_status < 0.9 THEN 'active' WHEN r_status < 0.97 THEN 'inactive' ELSE 'dissolved' END AS status
       FROM g, d, k`,
    [enterprises],
  );
  await step(
    'enterprises (insert)',
    `INSERT INTO enterprises (id, reference, name, form, area_id, status, created_at, updated_at)
     SELECT id, pg_temp.with_check('ENT-' || lpad(n::text, 6, '0')), name, form, area_id, status, created_at, created_at
       FROM bench_enterprises ORDER BY n`,
  );
  await c.query(`SELECT setval('enterprise_reference_seq', $1::bigint)`, [enterprises]);

  // Members: 3 to 12 per enterprise, the first three in the leadership seats, linked to people
  // picked by a stride over the licensable people (never the reserved ones).
  await step(
    'enterprise members',
    `INSERT INTO enterprise_members (id, enterprise_id, person_id, member_name, sex, role, leadership, start_date)
     SELECT pg_temp.uuid7(e.created_at, 3000000000 + e.n * 16 + k), e.id, p.id,
            p.given_name || ' ' || p.family_name, p.sex, r.role, r.role IN ('chair', 'treasurer', 'secretary'),
            (e.created_at AT TIME ZONE 'UTC')::date
       FROM (SELECT n, id, created_at, 3 + floor(random() * 10)::int AS m FROM bench_enterprises) e
       CROSS JOIN LATERAL generate_series(1, e.m) AS k
       JOIN bench_people p ON p.i = 1 + ((e.n::bigint * 7919 + k * 104729) % $1::int)
       CROSS JOIN LATERAL (SELECT CASE k WHEN 1 THEN 'chair' WHEN 2 THEN 'treasurer' WHEN 3 THEN 'secretary'
                                  ELSE CASE WHEN k % 4 = 0 THEN 'worker' ELSE 'member' END END AS role) r
      WHERE p.sex IN ('female', 'male')`,
    [licensable],
  );

  // Licences: 80 % held by people (each by a different person), the rest by enterprises (one each).
  const personTiers = tiers.filter((t) => t.holderKinds.includes('person'));
  const enterpriseTiers = tiers.filter((t) => t.holderKinds.includes('enterprise'));
  const enterpriseLicences = Math.min(enterprises, Math.round(licences * 0.2));
  const personLicences = licences - enterpriseLicences;
  const stride = Math.max(1, Math.floor(licensable / personLicences));
  const tierRow = (t: TierInfo) =>
    `('${t.code}', '${tierAbbreviation(t.code)}', ${t.validityMonths}, ${t.fee.amountMinor}, '${t.fee.currency}',
      '${JSON.stringify(Object.fromEntries(t.requirements.map((r) => [r.code, { met: true, note: null }])))}'::jsonb)`;
  await step(
    'licences (temporary)',
    `CREATE TEMP TABLE bench_licences AS
     WITH t(code, abbr, months, fee, currency, checklist) AS (VALUES ${tiers.map(tierRow).join(', ')}),
     holders AS (
       SELECT 'person' AS holder_kind, p.id AS holder_id, p.area_id,
              (${lit(personTiers.map((t) => t.code))})[1 + floor(power(random(), 1.8) * ${personTiers.length})::int] AS tier_code,
              random() AS r_when, random() AS r_status
         FROM generate_series(0, $1::int - 1) AS j JOIN bench_people p ON p.i = 1 + j * $2::int
       UNION ALL
       SELECT 'enterprise', e.id, e.area_id,
              (${lit(enterpriseTiers.map((t) => t.code))})[1 + floor(random() * ${enterpriseTiers.length})::int],
              random(), random()
         FROM bench_enterprises e WHERE e.n <= $3::int),
     dated AS (
       SELECT h.*, t.abbr, t.months, t.fee, t.currency, t.checklist,
              timestamptz '2021-01-04 09:00Z' + r_when * interval '2150 days' AS created_at
         FROM holders h JOIN t ON t.code = h.tier_code),
     numbered AS (SELECT d.*, row_number() OVER (ORDER BY created_at, holder_id) AS k FROM dated d)
     SELECT k, holder_kind, holder_id, area_id, tier_code, abbr, months, fee, currency, checklist, created_at,
            pg_temp.uuid7(created_at - interval '21 days', 4000000000 + k) AS application_id,
            pg_temp.uuid7(created_at, 5000000000 + k) AS licence_id,
            (created_at AT TIME ZONE 'UTC')::date AS valid_from,
            ((created_at AT TIME ZONE 'UTC')::date + make_interval(months => months) - interval '1 day')::date AS valid_to,
            r_status
       FROM numbered`,
    [personLicences, stride, enterpriseLicences],
  );
  await step(
    'licence applications (issued)',
    `INSERT INTO licence_applications (id, reference, tier_code, holder_kind, holder_id, area_id, status,
            requested_area_hectares, checklist, fee_assessed_minor, currency, submitted_at, decided_at,
            created_at, updated_at)
     SELECT application_id, pg_temp.with_check('LA-' || lpad(k::text, 6, '0')), tier_code, holder_kind, holder_id,
            area_id, 'issued', 0.5 + (k % 3) * 0.25, checklist, fee, currency,
            created_at - interval '20 days', created_at - interval '2 days', created_at - interval '21 days', created_at
       FROM bench_licences ORDER BY k`,
  );
  await step(
    'licences',
    `INSERT INTO licences (id, number, application_id, tier_code, holder_kind, holder_id, area_id, status,
            valid_from, valid_to, created_at, updated_at)
     SELECT licence_id,
            pg_temp.with_check('GH-AS-' || abbr || '-' || extract(year FROM valid_from)::int || '-' || lpad(k::text, 6, '0')),
            application_id, tier_code, holder_kind, holder_id, area_id,
            CASE WHEN valid_to < current_date THEN 'expired'
                 WHEN r_status < 0.05 THEN 'suspended' WHEN r_status < 0.08 THEN 'revoked' ELSE 'active' END,
            valid_from, valid_to, created_at, created_at
       FROM bench_licences ORDER BY k`,
  );
  // Applications still in the workflow or refused: a tenth as many, for licensed holders.
  await step(
    'licence applications (in progress, rejected)',
    `INSERT INTO licence_applications (id, reference, tier_code, holder_kind, holder_id, area_id, status,
            requested_area_hectares, decision_reason, submitted_at, created_at, updated_at)
     SELECT pg_temp.uuid7(b.created_at + interval '30 days', 6000000000 + b.k),
            pg_temp.with_check('LA-' || lpad(($1::int + b.k)::text, 6, '0')), b.tier_code, b.holder_kind, b.holder_id,
            b.area_id, s.status, 1, CASE WHEN s.status = 'rejected' THEN 'Plot outside the designated block' END,
            CASE WHEN s.status <> 'draft' THEN b.created_at + interval '31 days' END,
            b.created_at + interval '30 days', b.created_at + interval '31 days'
       FROM bench_licences b
       CROSS JOIN LATERAL (SELECT (ARRAY['draft', 'submitted', 'under_review', 'rejected'])[1 + (b.k % 4)::int] AS status) s
      WHERE b.k % 10 = 0`,
    [licences],
  );
  await c.query(`SELECT setval('licence_number_seq', $1::bigint)`, [licences]);
  // The in-progress ones took references LA-(licences + k) for k a multiple of 10 up to licences.
  await c.query(`SELECT setval('licence_application_reference_seq', $1::bigint)`, [2 * licences]);

  const t0 = performance.now();
  for (const i of indexes) await c.query(i.indexdef);
  const indexSeconds = (performance.now() - t0) / 1000;
  steps.push({ step: `indexes rebuilt (${indexes.length})`, rows: indexes.length, seconds: indexSeconds });
  log(
    `  ${indexes.length} indexes rebuilt in ${indexSeconds.toFixed(1)} s: ${indexes.map((i) => i.indexname).join(', ')}`,
  );

  const rowsOf = async <T>(text: string, params: unknown[] = []) =>
    (await c.query(text, params)) as unknown as { rows: T[] };
  const reserved = await rowsOf<{ id: string }>('SELECT id FROM bench_people WHERE i > $1 ORDER BY i', [
    licensable,
  ]);
  const names = await rowsOf<{ name: string }>(
    `SELECT given_name || ' ' || family_name AS name FROM bench_people TABLESAMPLE BERNOULLI (1) REPEATABLE (7)
      ORDER BY i LIMIT 2000`,
  );
  const references = await rowsOf<{ reference: string }>(
    'SELECT reference FROM people TABLESAMPLE BERNOULLI (1) REPEATABLE (7) LIMIT 500',
  );
  const numbers = await rowsOf<{ number: string }>(
    'SELECT number FROM licences TABLESAMPLE BERNOULLI (2) REPEATABLE (7) ORDER BY number LIMIT 2000',
  );
  await c.query('DROP TABLE bench_people, bench_enterprises, bench_licences');

  const t1 = performance.now();
  await c.query('VACUUM ANALYZE');
  const vacuumSeconds = (performance.now() - t1) / 1000;
  steps.push({ step: 'VACUUM ANALYZE', rows: 0, seconds: vacuumSeconds });
  log(`  VACUUM ANALYZE in ${vacuumSeconds.toFixed(1)} s`);

  return {
    steps,
    reservedPeople: reserved.rows.map((r) => r.id),
    sampleNames: names.rows.map((r) => r.name),
    sampleNumbers: numbers.rows.map((r) => r.number),
    sampleReferences: references.rows.map((r) => r.reference),
  };
}
