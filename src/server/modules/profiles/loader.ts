import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../../shared/canonical-json.ts';
import { type AreaGeometry, geometryBbox } from '../../../shared/demo-districts.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type CountryProfile, parseProfile } from '../../../shared/profile-schema.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Tx } from '../../platform/db/schema.ts';
import { findByCode, upsertArea } from '../admin-areas/repo.ts';

export const PROFILES_DIR = fileURLToPath(new URL('../../../../profiles/', import.meta.url));

interface Feature {
  type: 'Feature';
  geometry: AreaGeometry | null;
  properties: Record<string, unknown> | null;
}

export interface LoadedProfileFiles {
  profile: CountryProfile;
  boundaries: { level: number; features: Feature[]; spec: CountryProfile['boundaries'][number] }[];
  checksum: string;
}

export class ProfileError extends Error {}

/** Reads and validates a profile folder; the checksum covers the profile and every boundary file. */
export function readProfileFolder(dir: string): LoadedProfileFiles {
  const file = `${dir}/profile.json`;
  if (!existsSync(file)) throw new ProfileError(`no profile.json in ${dir}`);
  const raw = readFileSync(file, 'utf8');
  let profile: CountryProfile;
  try {
    profile = parseProfile(JSON.parse(raw));
  } catch (err) {
    throw new ProfileError(`${file}: ${(err as Error).message}`);
  }
  const hash = createHash('sha256').update(canonicalJson(profile));
  const boundaries = [...profile.boundaries]
    .sort((a, b) => a.level - b.level)
    .map((spec) => {
      const path = `${dir}/${spec.file}`;
      const text = readFileSync(path, 'utf8');
      hash.update(text);
      const fc = JSON.parse(text) as { type?: string; features?: Feature[] };
      if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
        throw new ProfileError(`${path}: not a GeoJSON FeatureCollection`);
      }
      return { level: spec.level, features: fc.features, spec };
    });
  return { profile, boundaries, checksum: hash.digest('hex') };
}

/**
 * Loads a profile and its admin areas in one transaction. Loading the same files again changes
 * nothing and writes nothing (the checksum matches); a new version updates only what differs.
 */
export async function loadProfile(
  database: Database,
  audit: AuditLog,
  ctx: RequestContext,
  files: LoadedProfileFiles,
): Promise<{ profileId: string; version: string; changed: boolean; areasChanged: number }> {
  const { profile, checksum } = files;
  return database.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('country_profiles')
      .select(['checksum', 'version', 'profile_id'])
      .where('country', '=', profile.country)
      .executeTakeFirst();
    if (current?.checksum === checksum) {
      return { profileId: profile.profileId, version: profile.version, changed: false, areasChanged: 0 };
    }
    const areasChanged = await loadAreas(tx, files);
    const row = {
      country: profile.country,
      profile_id: profile.profileId,
      version: profile.version,
      checksum,
      document: JSON.stringify(profile),
      loaded_at: new Date(),
    };
    await tx
      .insertInto('country_profiles')
      .values(row)
      .onConflict((oc) => oc.column('country').doUpdateSet(row))
      .execute();
    const countryArea = await findByCode(tx, profile.country);
    await audit.record(tx, ctx, {
      action: 'profile.loaded',
      entityType: 'country_profile',
      entityId: profile.profileId,
      areaId: countryArea?.id ?? null,
      before: current ? { version: current.version, checksum: current.checksum } : null,
      after: { version: profile.version, checksum },
      meta: { areasChanged },
    });
    return { profileId: profile.profileId, version: profile.version, changed: true, areasChanged };
  });
}

async function loadAreas(tx: Tx, files: LoadedProfileFiles): Promise<number> {
  const { profile } = files;
  const language = profile.languages[0]!;
  const levelKey = new Map(profile.adminLevels.map((l) => [l.level, l.key]));
  const paths = new Map<string, { id: string; path: string }>();
  let changed = 0;
  for (const { level, features, spec } of files.boundaries) {
    for (const [i, f] of features.entries()) {
      const props = f.properties ?? {};
      const code = String(props[spec.codeProperty] ?? '');
      const name = String(props[spec.nameProperty] ?? '');
      if (!code || !name)
        throw new ProfileError(
          `${spec.file} feature ${i}: missing ${spec.codeProperty} or ${spec.nameProperty}`,
        );
      let parent: { id: string; path: string } | null = null;
      if (level > 0) {
        const parentCode = spec.parentCodeFrom ? String(props[spec.parentCodeFrom] ?? '') : profile.country;
        parent = paths.get(parentCode) ?? null;
        if (!parent)
          throw new ProfileError(`${spec.file} feature ${code}: parent ${parentCode} is not loaded`);
      }
      const path = `${parent ? parent.path : '/'}${code}/`;
      const existing = await findByCode(tx, code);
      const result = await upsertArea(tx, {
        id: existing?.id ?? uuidv7(),
        country: profile.country,
        code,
        level,
        levelName: levelKey.get(level) ?? `level${level}`,
        parentId: parent?.id ?? null,
        path,
        name,
        names: { [language]: name },
        geometry: f.geometry,
        bbox: f.geometry ? geometryBbox(f.geometry) : null,
        source: `${spec.source} (${spec.licence})`,
        isDemo: spec.isDemo,
      });
      if (result.changed) changed++;
      paths.set(code, { id: result.id, path });
    }
  }
  return changed;
}

export async function loadProfileByName(
  database: Database,
  audit: AuditLog,
  ctx: RequestContext,
  name: string,
  log: (msg: string) => void = () => {},
) {
  const files = readProfileFolder(`${PROFILES_DIR}${name}`);
  const result = await loadProfile(database, audit, ctx, files);
  log(
    result.changed
      ? `loaded profile ${result.profileId} ${result.version} (${result.areasChanged} areas changed)`
      : `profile ${result.profileId} ${result.version} already loaded`,
  );
  return result;
}
