import type { Database } from '../../src/server/platform/db/database.ts';

/** A licence tier for tests: the fields the licensing rules read, with plain values. */
export const testTier = (
  code: string,
  issuingLevel: string,
  holderKinds: string[],
  maxAreaHectares: number,
) => ({
  code,
  names: { en: code },
  holderKinds,
  maxAreaHectares,
  validityMonths: 12,
  fee: { amountMinor: 10000, currency: 'GHS' },
  issuingLevel,
  requirements: [{ code: 'national_id', names: { en: 'ID' } }] as {
    code: string;
    names: Record<string, string>;
    support?: { kind: string; names: Record<string, string> }[];
  }[],
  incentives: [] as { code: string; names: Record<string, string> }[],
  nextTier: null as string | null,
  reportingDuty: { frequency: 'monthly', report: 'production' },
  serviceStandardDays: 30,
});

/** The district-level tier most licensing tests need. */
export const COMMUNITY_PERMIT = testTier('community_permit', 'district', ['person', 'enterprise'], 2);

/** A district-level tier that gives transfer_right and mortgage_right (licence-rights tests, access matrix). */
export const TRANSFERABLE_PERMIT = {
  ...testTier('transferable_permit', 'district', ['person', 'enterprise'], 5),
  incentives: [
    { code: 'transfer_right', names: { en: 'May be transferred' } },
    { code: 'mortgage_right', names: { en: 'May be mortgaged' } },
  ],
};

/**
 * Installs a minimal country profile for 'GH' with the given tiers, straight into the table: the
 * fixture areas (GH, GH-AH, …) would clash with the real Ghana profile's areas.
 */
export async function installTestProfile(
  database: Database,
  tiers: ReturnType<typeof testTier>[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const document = {
    profileId: 'ghana-test',
    country: 'GH',
    adminLevels: [
      { level: 0, key: 'country', names: { en: 'Country' } },
      { level: 1, key: 'region', names: { en: 'Region' } },
      { level: 2, key: 'district', names: { en: 'District' } },
    ],
    licenceTiers: tiers,
    ...extra,
  };
  await database.asOwner((c) =>
    c.query(
      `INSERT INTO country_profiles (country, profile_id, version, checksum, document)
       VALUES ('GH', 'ghana-test', '1.0.0', 'test', $1::jsonb)`,
      [JSON.stringify(document)],
    ),
  );
}

/** Replaces the `cadastre` settings (buffer, grid) of the installed test profile; null removes them. */
export async function setTestCadastre(database: Database, cadastre: Record<string, unknown> | null) {
  await database.asOwner((c) =>
    c.query(
      cadastre === null
        ? `UPDATE country_profiles SET document = document - 'cadastre' WHERE country = 'GH'`
        : `UPDATE country_profiles SET document = jsonb_set(document, '{cadastre}', $1::jsonb) WHERE country = 'GH'`,
      cadastre === null ? [] : [JSON.stringify(cadastre)],
    ),
  );
}
