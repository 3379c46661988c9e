/**
 * Seeded synthetic data for benchmarks and, later, national-scale load tests.
 *
 * Everything here is deterministic for a given seed: the same seed gives the same areas, names,
 * phone numbers and ids on every machine, so two runs of the bench measure the same data. Nothing
 * here is real: area names and people are made up, although the shapes (16 regions, ~260
 * districts, Ghanaian names, E.164 mobile numbers) follow the real country.
 */
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../src/server/platform/db/schema.ts';

// ── PRNG ─────────────────────────────────────────────────────────────────────────────────────

/** SplitMix32: spreads one 32-bit seed over the four words of xoshiro's state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export interface Rng {
  /** The next 32 random bits as an unsigned integer. */
  u32(): number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  range(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** A standard normal variate (Box–Muller). */
  normal(): number;
  /** An independent generator derived from this one (for a sub-stream that must not shift others). */
  fork(label: string): Rng;
}

/**
 * xoshiro128** (Blackman and Vigna): small, fast, and good enough statistically for test data.
 * Not for anything secret.
 */
export function createRng(seed: number | string): Rng {
  const seed32 = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  const sm = splitmix32(seed32);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | null = null;

  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  function u32(): number {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ t) >>> 0;
    d = rotl(d, 11);
    return result;
  }
  const next = () => u32() / 4_294_967_296;

  const rng: Rng = {
    u32,
    next,
    int: (n) => Math.floor(next() * n),
    range: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weighted: (items, weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i]!;
        if (r < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    },
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const mag = Math.sqrt(-2 * Math.log(u));
      spare = mag * Math.sin(2 * Math.PI * v);
      return mag * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRng((u32() ^ hashString(label)) >>> 0),
  };
  return rng;
}

/** FNV-1a, 32 bits: turns a string seed or label into a number. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A UUIDv7 whose time part is `ms` and whose random bits come from the generator: ids that sort in
 * creation order like the application's own, yet repeat exactly from run to run.
 */
export function seededUuidv7(rng: Rng, ms: number): string {
  const bytes = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  for (let i = 6; i < 16; i += 4) {
    const r = rng.u32();
    bytes[i] = r & 0xff;
    if (i + 1 < 16) bytes[i + 1] = (r >>> 8) & 0xff;
    if (i + 2 < 16) bytes[i + 2] = (r >>> 16) & 0xff;
    if (i + 3 < 16) bytes[i + 3] = (r >>> 24) & 0xff;
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The base time of generated ids: fixed, so ids (and their order) do not depend on the run date. */
const ID_EPOCH_MS = Date.UTC(2025, 0, 1);

// ── Admin areas ──────────────────────────────────────────────────────────────────────────────

/**
 * Ghana's 16 regions with their ISO 3166-2 codes and the number of districts each has had since
 * 2021 (261 in all). The counts only weight how many generated districts each region gets.
 */
export const GHANA_REGIONS = [
  { code: 'GH-AA', name: 'Greater Accra', districts: 29 },
  { code: 'GH-AF', name: 'Ahafo', districts: 6 },
  { code: 'GH-AH', name: 'Ashanti', districts: 43 },
  { code: 'GH-BE', name: 'Bono East', districts: 11 },
  { code: 'GH-BO', name: 'Bono', districts: 12 },
  { code: 'GH-CP', name: 'Central', districts: 22 },
  { code: 'GH-EP', name: 'Eastern', districts: 33 },
  { code: 'GH-NE', name: 'North East', districts: 6 },
  { code: 'GH-NP', name: 'Northern', districts: 16 },
  { code: 'GH-OT', name: 'Oti', districts: 9 },
  { code: 'GH-SV', name: 'Savannah', districts: 7 },
  { code: 'GH-TV', name: 'Volta', districts: 18 },
  { code: 'GH-UE', name: 'Upper East', districts: 15 },
  { code: 'GH-UW', name: 'Upper West', districts: 11 },
  { code: 'GH-WN', name: 'Western North', districts: 9 },
  { code: 'GH-WP', name: 'Western', districts: 14 },
] as const;

/** Syllables for made-up district names: they read like places without naming a real one. */
const PLACE_STARTS = [
  'Ak',
  'Asa',
  'Bo',
  'Dor',
  'Ejis',
  'Fian',
  'Gyam',
  'Ho',
  'Kade',
  'Kwa',
  'Man',
  'Nkaw',
  'Obo',
  'Pra',
  'Sef',
  'Tano',
  'Wa',
  'Yen',
  'Zan',
  'Bui',
];
const PLACE_ENDS = [
  'so',
  'man',
  'kwa',
  'dua',
  'se',
  'ase',
  'bo',
  'kum',
  'wie',
  'nta',
  'li',
  'gu',
  'fo',
  'ra',
];
const DISTRICT_KINDS = ['Municipal', 'District', 'District', 'District', 'Metropolitan'];

export interface GeneratedArea {
  id: string;
  code: string;
  level: 0 | 1 | 2;
  levelName: 'country' | 'region' | 'district';
  parentId: string | null;
  path: string;
  name: string;
}

export interface GeneratedGeography {
  country: GeneratedArea;
  regions: GeneratedArea[];
  districts: GeneratedArea[];
  all: GeneratedArea[];
}

/**
 * A country, its 16 regions and `districts` districts (default 261), shared out over the regions
 * in proportion to the real counts. District codes are GH-AH-D001…; paths /GH/GH-AH/GH-AH-D001/.
 */
export function generateGeography(rng: Rng, opts: { districts?: number } = {}): GeneratedGeography {
  const total = opts.districts ?? 261;
  const r = rng.fork('geography');
  let clock = ID_EPOCH_MS;
  const id = () => seededUuidv7(r, clock++);
  const country: GeneratedArea = {
    id: id(),
    code: 'GH',
    level: 0,
    levelName: 'country',
    parentId: null,
    path: '/GH/',
    name: 'Ghana',
  };
  const counts = apportion(
    GHANA_REGIONS.map((g) => g.districts),
    total,
  );
  const regions: GeneratedArea[] = [];
  const districts: GeneratedArea[] = [];
  const usedNames = new Set<string>();
  GHANA_REGIONS.forEach((g, i) => {
    const region: GeneratedArea = {
      id: id(),
      code: g.code,
      level: 1,
      levelName: 'region',
      parentId: country.id,
      path: `${country.path}${g.code}/`,
      name: g.name,
    };
    regions.push(region);
    for (let d = 1; d <= counts[i]!; d++) {
      const code = `${g.code}-D${String(d).padStart(3, '0')}`;
      let base = '';
      do {
        base = `${r.pick(PLACE_STARTS)}${r.pick(PLACE_ENDS)}`;
        if (usedNames.has(base)) base = `${base} ${r.pick(['North', 'South', 'East', 'West', 'Central'])}`;
      } while (usedNames.has(base));
      usedNames.add(base);
      districts.push({
        id: id(),
        code,
        level: 2,
        levelName: 'district',
        parentId: region.id,
        path: `${region.path}${code}/`,
        name: `${base} ${r.pick(DISTRICT_KINDS)}`,
      });
    }
  });
  return { country, regions, districts, all: [country, ...regions, ...districts] };
}

/** Shares `total` out in proportion to `weights` (largest remainder), each share at least 1 when possible. */
export function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map((x) => Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]!.i]!++;
  return out;
}

// ── People ───────────────────────────────────────────────────────────────────────────────────

/**
 * Given names heard across Ghana: Akan day names, Ewe, Ga and Dagbani names, and the Christian and
 * Muslim names many people carry. Split by the usual gender only to keep pairs plausible.
 */
const GIVEN_NAMES_MALE = [
  'Kwame',
  'Kofi',
  'Kwaku',
  'Kwabena',
  'Kwadwo',
  'Kwasi',
  'Yaw',
  'Kojo',
  'Fiifi',
  'Ekow',
  'Nii',
  'Edem',
  'Selorm',
  'Elikem',
  'Mawuli',
  'Sena',
  'Fuseini',
  'Alhassan',
  'Issah',
  'Ibrahim',
  'Mohammed',
  'Zakaria',
  'Abdul-Rahman',
  'Emmanuel',
  'Samuel',
  'Ebenezer',
  'Prince',
  'Richard',
  'Isaac',
  'Daniel',
  'Bright',
  'Nana',
];
const GIVEN_NAMES_FEMALE = [
  'Ama',
  'Akosua',
  'Adwoa',
  'Abena',
  'Akua',
  'Yaa',
  'Afua',
  'Afia',
  'Esi',
  'Efua',
  'Araba',
  'Naa',
  'Dzifa',
  'Enyonam',
  'Sedinam',
  'Amina',
  'Fati',
  'Memunatu',
  'Rahinatu',
  'Hawa',
  'Grace',
  'Comfort',
  'Patience',
  'Gifty',
  'Mercy',
  'Joyce',
  'Abigail',
  'Vida',
  'Gloria',
  'Philomena',
];
const FAMILY_NAMES = [
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
  'Gbeho',
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
  'Quansah',
  'Essien',
];

/** Mobile prefixes of the three networks (24/54/55/59, 20/50, 26/56/27/57). */
const MOBILE_PREFIXES = ['24', '54', '55', '59', '20', '50', '26', '56', '27', '57'];
const SUBSCRIBER_SPACE = 10_000_000;
/** Odd and not a multiple of 5, so i → i·M mod 10^7 is a permutation: spread-out numbers, never twice. */
const SUBSCRIBER_STEP = 3_141_593;

/**
 * The i-th generated phone number, +233 and nine digits. Injective in i (up to 10^8 numbers), so
 * phone numbers are unique without a lookup: i picks a network prefix (i mod 10, so +23324… is the
 * first of every ten) and a slot, and the slot is scrambled by a permutation of the seven-digit
 * subscriber space, shifted per prefix so neighbours do not share their last seven digits.
 * `offset` moves a second population clear of the first.
 */
export function phoneNumber(i: number, offset = 0): string {
  const n = i + offset;
  const p = n % MOBILE_PREFIXES.length;
  const k = Math.floor(n / MOBILE_PREFIXES.length);
  if (k >= SUBSCRIBER_SPACE) throw new RangeError(`phone index ${i} is beyond the generated range`);
  const subscriber = (k * SUBSCRIBER_STEP + 1_234_567 + p * 1_000_003) % SUBSCRIBER_SPACE;
  return `+233${MOBILE_PREFIXES[p]!}${String(subscriber).padStart(7, '0')}`;
}

export function personName(rng: Rng): string {
  const given = rng.chance(0.5) ? rng.pick(GIVEN_NAMES_FEMALE) : rng.pick(GIVEN_NAMES_MALE);
  const family = rng.pick(FAMILY_NAMES);
  // Some people give a second name ("Kofi Owusu Mensah"), as forms often show.
  return rng.chance(0.15) ? `${given} ${rng.pick(FAMILY_NAMES)} ${family}` : `${given} ${family}`;
}

/** District-level roles of generated field accounts, with how common each is. */
const FIELD_ROLES = [
  'district_officer',
  'buying_station_agent',
  'community_monitor',
  'office_admin',
] as const;
const FIELD_ROLE_WEIGHTS = [0.35, 0.3, 0.3, 0.05];

export interface GeneratedUser {
  id: string;
  name: string;
  phone: string;
  areaId: string;
  roleCode: string;
  assignmentId: string;
}

/**
 * `count` field accounts spread over the districts. Districts differ in size the way mining areas
 * do: a few are busy and many are quiet (log-normal weights), so some hold hundreds of accounts.
 */
export function generateUsers(
  rng: Rng,
  districts: readonly Pick<GeneratedArea, 'id'>[],
  count: number,
  opts: { phoneOffset?: number } = {},
): GeneratedUser[] {
  const r = rng.fork('users');
  const weights = districts.map(() => Math.exp(r.normal() * 0.9));
  // Cumulative weights: one binary search per user instead of a linear scan over districts.
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w;
    cumulative.push(acc);
  }
  const pickDistrict = () => {
    const x = r.next() * acc;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return districts[lo]!;
  };
  const base = ID_EPOCH_MS + 60_000;
  const users: GeneratedUser[] = [];
  for (let i = 0; i < count; i++) {
    const ms = base + i * 7;
    users.push({
      id: seededUuidv7(r, ms),
      name: personName(r),
      phone: phoneNumber(i, opts.phoneOffset ?? 0),
      areaId: pickDistrict().id,
      roleCode: r.weighted(FIELD_ROLES, FIELD_ROLE_WEIGHTS),
      assignmentId: seededUuidv7(r, ms + 1),
    });
  }
  return users;
}

// ── Bulk inserts ─────────────────────────────────────────────────────────────────────────────

export type Db = Kysely<DB> | Transaction<DB>;

export const DEFAULT_BATCH = 1_000;

/**
 * Inserts rows with multi-row INSERT statements, `batchSize` rows each (a 1,000-row batch of a
 * ten-column table stays far below PostgreSQL's 65,535 bind parameters). Returns rows inserted.
 */
export async function insertBatches<T extends keyof DB & string>(
  db: Db,
  table: T,
  rows: readonly Insertable<DB[T]>[],
  batchSize = DEFAULT_BATCH,
): Promise<number> {
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize);
    // Kysely cannot narrow a generic table name; the row type is checked at the call site instead.
    await (db as Kysely<DB>)
      .insertInto(table)
      .values(batch as never)
      .execute();
  }
  return rows.length;
}

/** Inserts the generated tree (parents first: each batch is in level order). */
export function insertAreas(db: Db, areas: readonly GeneratedArea[], source = 'synthetic (bench)') {
  const sorted = [...areas].sort((a, b) => a.level - b.level);
  return insertBatches(
    db,
    'admin_areas',
    sorted.map((a) => ({
      id: a.id,
      country: 'GH',
      code: a.code,
      level: a.level,
      level_name: a.levelName,
      parent_id: a.parentId,
      path: a.path,
      name: a.name,
      names: JSON.stringify({ en: a.name }),
      geometry: null,
      bbox: null,
      source,
      is_demo: true,
    })),
  );
}

/**
 * Inserts accounts and their one role assignment each. `passwordHash` may be null (an account not
 * yet activated) or one precomputed hash shared by all: argon2 for 10,000 accounts would take minutes.
 */
export async function insertUsers(
  db: Db,
  users: readonly GeneratedUser[],
  passwordHash: string | null = null,
): Promise<number> {
  await insertBatches(
    db,
    'users',
    users.map((u) => ({
      id: u.id,
      name: u.name,
      phone: u.phone,
      email: null,
      password_hash: passwordHash,
      area_id: u.areaId,
    })),
  );
  await insertBatches(
    db,
    'user_assignments',
    users.map((u) => ({ id: u.assignmentId, user_id: u.id, role_code: u.roleCode, area_id: u.areaId })),
  );
  return users.length;
}
