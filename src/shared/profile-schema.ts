import { z } from 'zod';
import { ACTOR_KINDS } from './schemas/custody.ts';

/**
 * A country profile holds one country's ASM rules as data: licence tiers, fees, royalties, benefit
 * sharing, admin levels and the boundary files that draw them. Rules change by decree far more often
 * than code ships, so a ministry edits a versioned JSON file and the platform validates it here.
 * Every object is strict: a misspelt key in a legal rule must fail loudly, not be ignored.
 */

// language[-Script][-REGION], the subset of BCP 47 a profile needs ('en', 'fr', 'sw-CD', 'zh-Hant').
const LANG_TAG = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$/;
const CODE = /^[a-z][a-z0-9_]*$/;
const SEMVER = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
// A file next to the profile: no absolute paths, no climbing out of the profile folder.
const RELATIVE_FILE = /^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]+\.(?:geo)?json$/;

export const ADMIN_LEVEL_KEYS = [
  'country',
  'region',
  'province',
  'state',
  'department',
  'district',
  'territory',
  'county',
  'sub_county',
  'municipality',
  'commune',
  'sector',
  'chiefdom',
  'ward',
  'village',
] as const;
export const HOLDER_KINDS = ['person', 'enterprise', 'production_unit'] as const;
export const REPORTING_FREQUENCIES = ['weekly', 'monthly', 'quarterly'] as const;
export const ROYALTY_BASES = ['gross_value', 'fine_gold_value'] as const;
export const REFERENCE_PRICE_METHODS = [
  'lbma_pm_fix_discounted',
  'lbma_pm_fix',
  'lbma_am_fix',
  'central_bank_daily',
] as const;
export const ROLE_CODES = [
  'system_admin',
  'national_supervisor',
  'regional_officer',
  'district_officer',
  'office_admin',
  'auditor',
  'buying_station_agent',
  'community_monitor',
  'sms_gateway',
] as const;

/**
 * Parses a non-negative decimal string ("3.5", "12.25") into an integer count of 10^-decimals units,
 * so "12.25" at 2 decimals is 1225. Money and shares must never pass through floats, where
 * 33.3 + 33.3 + 33.4 is not 100. Returns null when the string has more digits than `decimals`.
 */
export function decimalToScaled(value: string, decimals: number): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return Number(match[1]) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
}

function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const code = z.string().regex(CODE, 'must be a snake_case code such as "small_scale"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as "GHS"');
const amountMinor = z
  .number()
  .int('must be an integer number of minor units (e.g. pesewas, centimes)')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

/** A percentage 0–100 as a decimal string with at most `decimals` fraction digits. */
function percent(decimals: number) {
  return z
    .string()
    .regex(
      new RegExp(`^\\d{1,3}(?:\\.\\d{1,${decimals}})?$`),
      `must be a decimal string with at most ${decimals} decimals, such as "3.5" (never a JSON number)`,
    )
    .refine((v) => (decimalToScaled(v, decimals) ?? Number.POSITIVE_INFINITY) <= 100 * 10 ** decimals, {
      message: 'must be between 0 and 100',
    });
}

/** Text keyed by language tag, e.g. {"fr": "Carte d'exploitant artisanal", "sw": "..."}. */
const localizedText = z
  .record(
    z.string().regex(LANG_TAG, 'must be a BCP 47 language tag such as "en", "fr" or "sw-CD"'),
    z.string().trim().min(1, 'must not be empty'),
  )
  .refine((text) => Object.keys(text).length > 0, { message: 'needs text in at least one language' });

const namedItem = z.strictObject({ code, names: localizedText });

const adminLevelKey = z.enum(ADMIN_LEVEL_KEYS, { error: `must be one of: ${ADMIN_LEVEL_KEYS.join(', ')}` });

const adminLevel = z.strictObject({
  level: z
    .number()
    .int()
    .min(0, 'admin levels run from 0 (country) to 6')
    .max(6, 'admin levels run from 0 to 6'),
  key: adminLevelKey,
  names: localizedText,
});

const boundary = z.strictObject({
  level: z.number().int().min(0).max(6),
  file: z.string().regex(RELATIVE_FILE, 'must be a .geojson/.json path inside the profile folder'),
  codeProperty: z.string().min(1),
  nameProperty: z.string().min(1),
  /** Feature property that holds the code of the unit one level up, when the file carries it. */
  parentCodeFrom: z.string().min(1).optional(),
  source: z.string().min(1, 'attribution is required'),
  licence: z.string().min(1, 'licence is required'),
  isDemo: z.boolean(),
  note: localizedText,
});

/** Kinds of help a programme offers an applicant who lacks a requirement. */
export const SUPPORT_KINDS = ['training', 'finance', 'advice', 'fee_waiver', 'document'] as const;

/** A requirement of a tier, and the support available to someone who does not meet it yet. */
const requirement = z.strictObject({
  code,
  names: localizedText,
  support: z.array(z.strictObject({ kind: z.enum(SUPPORT_KINDS), names: localizedText })).optional(),
});

/**
 * A progressive condition every licence of the tier carries from issue: reach something (an
 * improvement level, a training) within dueMonths; renewal checks it.
 */
const tierCondition = z.strictObject({
  code,
  names: localizedText,
  dueMonths: z.number().int('must be a whole number of months').min(1).max(120),
  /** When the condition is a level of the improvement standard (issue 6 supplies the levels). */
  improvementLevel: z.number().int().min(1).max(10).optional(),
});

/**
 * An improvement standard of the CRAFT shape (issue 6): requirements grouped in modules, each
 * applying from a level on; a producer is at level k when every requirement of levels 1..k is met.
 * The deadline counts from the producer's first assessment. Levels are listed from 1 upwards.
 */
export const improvementStandardSchema = z.strictObject({
  code,
  names: localizedText,
  /** Where the text comes from, and whether it is only an illustration. */
  notes: localizedText,
  levels: z.array(namedItem).min(1, 'at least one level is required').max(10),
  modules: z.array(namedItem).min(1, 'at least one module is required'),
  requirements: z
    .array(
      z.strictObject({
        code,
        module: code,
        level: z.number().int().min(1).max(10),
        texts: localizedText,
        deadlineMonths: z.number().int('must be a whole number of months').min(1).max(120),
        evidenceHint: localizedText.optional(),
      }),
    )
    .min(1, 'at least one requirement is required'),
});
export type ImprovementStandard = z.infer<typeof improvementStandardSchema>;

const licenceTier = z.strictObject({
  code,
  names: localizedText,
  holderKinds: z.array(z.enum(HOLDER_KINDS)).min(1, 'at least one holder kind is required'),
  maxAreaHectares: z.number().positive('must be greater than 0'),
  validityMonths: z.number().int('must be a whole number of months').positive(),
  fee: z.strictObject({ amountMinor, currency }),
  /** The admin level whose office decides applications for this tier. */
  issuingLevel: adminLevelKey,
  requirements: z.array(requirement),
  incentives: z.array(namedItem),
  conditions: z.array(tierCondition).optional(),
  reportingDuty: z.strictObject({ frequency: z.enum(REPORTING_FREQUENCIES), report: code }),
  serviceStandardDays: z.number().int('must be a whole number of days').positive(),
  nextTier: code.nullable(),
});

/**
 * A fixed cadastral grid (as Colombia's), the CadastralGrid of src/shared/geo/cadastral-grid.ts:
 * where a profile has one, an application area is a set of cells.
 */
const cadastralGrid = z
  .strictObject({
    /** South-west corner of cell E0N0, [lon, lat] in degrees. */
    origin: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
    cellArcSeconds: z.number().positive('must be greater than 0').max(3600, 'must be at most 3600 (1°)'),
    columns: z.number().int().positive().max(10_000_000),
    rows: z.number().int().positive().max(10_000_000),
  })
  .refine((g) => g.origin[0] + (g.columns * g.cellArcSeconds) / 3600 <= 180, {
    message: 'the grid runs past 180° east',
    path: ['columns'],
  })
  .refine((g) => g.origin[1] + (g.rows * g.cellArcSeconds) / 3600 <= 90, {
    message: 'the grid runs past 90° north',
    path: ['rows'],
  });

/**
 * Production logbooks (issue 6): the period of a report when no licence tier names one (production
 * units), and how many days after a period ends a report is still on time.
 */
export const LOGBOOK_PERIODS = ['weekly', 'monthly'] as const;
export const logbookSettingsSchema = z.strictObject({
  period: z.enum(LOGBOOK_PERIODS).default('weekly'),
  dueDays: z.number().int('must be a whole number of days').min(0).max(90).default(7),
});
export type LogbookSettings = z.infer<typeof logbookSettingsSchema>;

/** How the cadastre checks an application area in this country. */
export const cadastreSettingsSchema = z.strictObject({
  /** Distance an application must keep from every protected area, in metres (0: only no overlap). */
  protectedAreaBufferMetres: z.number().min(0, 'must not be negative').max(50_000).default(0),
  grid: cadastralGrid.optional(),
  /** Where the values come from (a decree, or an administrator's illustrative choice). */
  notes: localizedText.optional(),
});
export type CadastreSettings = z.infer<typeof cadastreSettingsSchema>;

/** Due-diligence thresholds of the chain of custody (issue 6): when a balance or a price is flagged. */
export const custodySettingsSchema = z.strictObject({
  /** How far an actor's sales and exports may exceed its opening stock and inputs (weighing, moisture). */
  massTolerancePercent: z.number().min(0).max(100).default(2),
  /** Least share of its input mass a processing step should give out; below it, less the tolerance, is flagged. */
  expectedRecoveryPercent: z.number().min(0).max(100).default(0),
  /** A transfer price under this share of the day's reference price is flagged. */
  priceBelowReferencePercent: z.number().min(0).max(1000).default(70),
  /** A transfer price over this share of the day's reference price is flagged. */
  priceAboveReferencePercent: z.number().min(100).max(10_000).default(130),
  /** Production at a site this close to an area where armed groups are reported is flagged, in metres. */
  armedGroupDistanceMetres: z.number().min(0).max(200_000).default(10_000),
  /**
   * What the due-diligence report tells a buyer of these kinds about a lot: its origins should have
   * reached this level of the improvement standard (a level code of improvementStandard). It informs;
   * no transfer is refused for it.
   */
  buyerEligibility: z
    .strictObject({
      minimumImprovementLevel: code,
      appliesTo: z.array(z.enum(ACTOR_KINDS)).min(1, 'name at least one kind of buyer'),
    })
    .optional(),
  notes: localizedText.optional(),
});
export type CustodySettings = z.infer<typeof custodySettingsSchema>;

const profileShape = z.strictObject({
  profileId: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be lower-case letters, digits and dashes'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "GH"'),
  version: z.string().regex(SEMVER, 'must be a semantic version such as "1.2.0"'),
  name: localizedText,
  languages: z
    .array(z.string().regex(LANG_TAG, 'must be a BCP 47 language tag'))
    .min(1, 'at least one language is required; the first is the default'),
  currency,
  timeZone: z
    .string()
    .refine(isIanaTimeZone, { message: 'must be an IANA time zone such as "Africa/Accra"' }),
  adminLevels: z.array(adminLevel).min(1),
  boundaries: z.array(boundary),
  licenceTiers: z.array(licenceTier).min(1, 'at least one licence tier is required'),
  royalties: z.array(
    z.strictObject({ mineral: code, ratePercent: percent(4), basis: z.enum(ROYALTY_BASES) }),
  ),
  fees: z.array(z.strictObject({ code, names: localizedText, amountMinor, currency })),
  benefitSharing: z
    .array(z.strictObject({ recipient: code, names: localizedText, sharePercent: percent(2) }))
    .min(1),
  referencePrice: z.strictObject({
    method: z.enum(REFERENCE_PRICE_METHODS),
    discountPercent: percent(4),
    currencyConversion: z.literal('central_bank_daily_rate'),
    notes: localizedText,
  }),
  roles: z.partialRecord(z.enum(ROLE_CODES), localizedText).optional(),
  cadastre: cadastreSettingsSchema.optional(),
  logbook: logbookSettingsSchema.default({ period: 'weekly', dueDays: 7 }),
  improvementStandard: improvementStandardSchema.optional(),
  custody: custodySettingsSchema.optional(),
  notes: localizedText,
});

type ProfileShape = z.infer<typeof profileShape>;
type Path = (string | number)[];

/** Every localized text object in a profile, with its path, for the language checks. */
function localizedTexts(p: ProfileShape): [Path, Record<string, string>][] {
  const out: [Path, Record<string, string>][] = [];
  const add = (path: Path, text: Record<string, string> | undefined) => {
    if (text) out.push([path, text]);
  };
  add(['name'], p.name);
  add(['referencePrice', 'notes'], p.referencePrice.notes);
  add(['notes'], p.notes);
  add(['cadastre', 'notes'], p.cadastre?.notes);
  add(['custody', 'notes'], p.custody?.notes);
  for (const [i, l] of p.adminLevels.entries()) add(['adminLevels', i, 'names'], l.names);
  for (const [i, b] of p.boundaries.entries()) add(['boundaries', i, 'note'], b.note);
  for (const [i, t] of p.licenceTiers.entries()) {
    add(['licenceTiers', i, 'names'], t.names);
    for (const [j, r] of t.requirements.entries()) {
      add(['licenceTiers', i, 'requirements', j, 'names'], r.names);
      for (const [k, s] of (r.support ?? []).entries())
        add(['licenceTiers', i, 'requirements', j, 'support', k, 'names'], s.names);
    }
    for (const [j, c] of (t.conditions ?? []).entries())
      add(['licenceTiers', i, 'conditions', j, 'names'], c.names);
    for (const [j, r] of t.incentives.entries()) add(['licenceTiers', i, 'incentives', j, 'names'], r.names);
  }
  for (const [i, f] of p.fees.entries()) add(['fees', i, 'names'], f.names);
  for (const [i, b] of p.benefitSharing.entries()) add(['benefitSharing', i, 'names'], b.names);
  for (const [role, labels] of Object.entries(p.roles ?? {})) add(['roles', role], labels);
  const std = p.improvementStandard;
  if (std) {
    const at = (...rest: Path): Path => ['improvementStandard', ...rest];
    add(at('names'), std.names);
    add(at('notes'), std.notes);
    for (const [i, l] of std.levels.entries()) add(at('levels', i, 'names'), l.names);
    for (const [i, m] of std.modules.entries()) add(at('modules', i, 'names'), m.names);
    for (const [i, r] of std.requirements.entries()) {
      add(at('requirements', i, 'texts'), r.texts);
      add(at('requirements', i, 'evidenceHint'), r.evidenceHint);
    }
  }
  return out;
}

function checkProfile(p: ProfileShape, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  // Reports a repeated item (or item[field]) at [...list, index, field].
  const unique = (what: string, items: readonly unknown[], list: Path, field?: string) => {
    const seen = new Set<unknown>();
    for (const [i, item] of items.entries()) {
      const value = field ? (item as Record<string, unknown>)[field] : item;
      if (seen.has(value))
        issue([...list, i, ...(field ? [field] : [])], `duplicate ${what} "${String(value)}"`);
      seen.add(value);
    }
  };

  unique('language', p.languages, ['languages']);
  unique('admin level', p.adminLevels, ['adminLevels'], 'level');
  unique('admin level key', p.adminLevels, ['adminLevels'], 'key');
  if (!p.adminLevels.some((l) => l.level === 0 && l.key === 'country')) {
    issue(['adminLevels'], 'level 0 must exist and have the key "country"');
  }
  unique('licence tier code', p.licenceTiers, ['licenceTiers'], 'code');
  unique('royalty mineral', p.royalties, ['royalties'], 'mineral');
  unique('fee code', p.fees, ['fees'], 'code');
  unique('recipient', p.benefitSharing, ['benefitSharing'], 'recipient');

  const levelKeys = new Set<string>(p.adminLevels.map((l) => l.key));
  const levels = new Set(p.adminLevels.map((l) => l.level));
  const tiers = new Map(p.licenceTiers.map((t) => [t.code, t]));
  p.licenceTiers.forEach((t, i) => {
    const at = (...rest: Path): Path => ['licenceTiers', i, ...rest];
    unique('holder kind', t.holderKinds, at('holderKinds'));
    unique('requirement', t.requirements, at('requirements'), 'code');
    unique('incentive', t.incentives, at('incentives'), 'code');
    unique('condition', t.conditions ?? [], at('conditions'), 'code');
    if (!levelKeys.has(t.issuingLevel)) {
      issue(
        at('issuingLevel'),
        `"${t.issuingLevel}" is not one of the adminLevels keys (${[...levelKeys].join(', ')})`,
      );
    }
    if (t.nextTier !== null && !tiers.has(t.nextTier)) {
      issue(at('nextTier'), `refers to unknown licence tier "${t.nextTier}"`);
    }
    // Following nextTier must end: a loop would make "the next step up" meaningless.
    const visited = new Set([t.code]);
    for (let next = t.nextTier; next !== null && tiers.has(next); next = tiers.get(next)!.nextTier) {
      if (visited.has(next)) {
        issue(at('nextTier'), `tier progression from "${t.code}" loops back to "${next}"`);
        break;
      }
      visited.add(next);
    }
  });

  if (p.improvementStandard) checkImprovementStandard(p, issue, unique);
  const eligibility = p.custody?.buyerEligibility;
  if (eligibility) {
    const at: Path = ['custody', 'buyerEligibility', 'minimumImprovementLevel'];
    const levelCodes = p.improvementStandard?.levels.map((l) => l.code) ?? [];
    if (!levelCodes.includes(eligibility.minimumImprovementLevel))
      issue(
        at,
        levelCodes.length === 0
          ? 'needs an improvementStandard with this level'
          : `"${eligibility.minimumImprovementLevel}" is not a level of the improvement standard (${levelCodes.join(', ')})`,
      );
    unique('buyer kind', eligibility.appliesTo, ['custody', 'buyerEligibility', 'appliesTo']);
  }

  p.boundaries.forEach((b, i) => {
    if (!levels.has(b.level))
      issue(['boundaries', i, 'level'], `admin level ${b.level} is not defined in adminLevels`);
  });

  const [defaultLanguage] = p.languages;
  const declared = new Set(p.languages);
  for (const [path, text] of localizedTexts(p)) {
    if (defaultLanguage && !(defaultLanguage in text)) {
      issue(path, `missing text in the default language "${defaultLanguage}"`);
    }
    for (const lang of Object.keys(text)) {
      if (!declared.has(lang)) issue([...path, lang], `language "${lang}" is not listed in languages`);
    }
  }

  // Integer basis points: "33.33" + "33.33" + "33.34" must be exactly 10000, with no float drift.
  const total = p.benefitSharing.reduce((sum, b) => sum + (decimalToScaled(b.sharePercent, 2) ?? 0), 0);
  if (total !== 10_000) {
    issue(['benefitSharing'], `shares sum to ${(total / 100).toFixed(2)}%, but must sum to exactly 100%`);
  }
}

/** Requirements name known modules and levels; tier conditions ask for levels the standard has. */
function checkImprovementStandard(
  p: ProfileShape,
  issue: (path: Path, message: string) => void,
  unique: (what: string, items: readonly unknown[], list: Path, field?: string) => void,
): void {
  const std = p.improvementStandard!;
  const at = (...rest: Path): Path => ['improvementStandard', ...rest];
  unique('level code', std.levels, at('levels'), 'code');
  unique('module code', std.modules, at('modules'), 'code');
  unique('requirement code', std.requirements, at('requirements'), 'code');
  const modules = new Set(std.modules.map((m) => m.code));
  std.requirements.forEach((r, i) => {
    if (!modules.has(r.module))
      issue(at('requirements', i, 'module'), `refers to unknown module "${r.module}"`);
    if (r.level > std.levels.length)
      issue(at('requirements', i, 'level'), `the standard has only ${std.levels.length} level(s)`);
  });
  p.licenceTiers.forEach((t, i) => {
    (t.conditions ?? []).forEach((c, j) => {
      if (c.improvementLevel !== undefined && c.improvementLevel > std.levels.length)
        issue(
          ['licenceTiers', i, 'conditions', j, 'improvementLevel'],
          `the improvement standard has only ${std.levels.length} level(s)`,
        );
    });
  });
}

export const countryProfileSchema = profileShape.superRefine(checkProfile);
export type CountryProfile = z.infer<typeof countryProfileSchema>;
export type LicenceTier = CountryProfile['licenceTiers'][number];
export type LocalizedText = CountryProfile['notes'];

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(root)';
}

/** Validates a parsed profile file; throws one Error listing every problem with its path. */
export function parseProfile(json: unknown): CountryProfile {
  const result = countryProfileSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
  throw new Error(`Invalid country profile (${lines.length} problem(s)):\n${lines.join('\n')}`);
}
