import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile, PROFILES_DIR, readProfileFolder } from '../../src/server/modules/profiles/loader.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { verifyChain } from '../../src/server/platform/audit/verify.ts';
import { systemClock } from '../../src/server/platform/clock.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import { createTestDatabase } from '../support/db.ts';

let database: Database;
const audit = createAuditLog({ clock: systemClock });
const ctx = systemContext('test');

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const countAreas = async (country: string, level?: number) => {
  let q = database.db
    .selectFrom('admin_areas')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('country', '=', country);
  if (level !== undefined) q = q.where('level', '=', level);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe('country profiles', () => {
  it('loads Ghana: the country, its 16 real regions and labelled demo districts', async () => {
    const r = await loadProfile(database, audit, ctx, readProfileFolder(`${PROFILES_DIR}ghana`));
    expect(r).toMatchObject({ profileId: 'ghana', changed: true });
    expect(await countAreas('GH', 0)).toBe(1);
    expect(await countAreas('GH', 1)).toBe(16);
    const districts = await database.db
      .selectFrom('admin_areas')
      .selectAll()
      .where('country', '=', 'GH')
      .where('level', '=', 2)
      .execute();
    expect(districts.length).toBeGreaterThanOrEqual(16);
    expect(districts.every((d) => d.is_demo && d.path.startsWith('/GH/GH-'))).toBe(true);
    const ashanti = await database.db
      .selectFrom('admin_areas')
      .selectAll()
      .where('code', '=', 'GH-AH')
      .executeTakeFirstOrThrow();
    expect(ashanti).toMatchObject({ path: '/GH/GH-AH/', level: 1, level_name: 'region', is_demo: false });
    expect(ashanti.source).toMatch(/OpenStreetMap/);
    expect(ashanti.bbox).not.toBeNull();
  });

  it('loading the same profile twice changes nothing and writes no audit event', async () => {
    const before = await database.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
    const areasBefore = await database.db
      .selectFrom('admin_areas')
      .select(['id', 'version'])
      .orderBy('id')
      .execute();
    const r = await loadProfile(database, audit, ctx, readProfileFolder(`${PROFILES_DIR}ghana`));
    expect(r.changed).toBe(false);
    expect((await database.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq).toBe(
      before.seq,
    );
    expect(
      await database.db.selectFrom('admin_areas').select(['id', 'version']).orderBy('id').execute(),
    ).toEqual(areasBefore);
  });

  it('a new version updates only what differs, keeping area ids', async () => {
    const files = readProfileFolder(`${PROFILES_DIR}ghana`);
    const ashantiId = (
      await database.db
        .selectFrom('admin_areas')
        .select('id')
        .where('code', '=', 'GH-AH')
        .executeTakeFirstOrThrow()
    ).id;
    const region = files.boundaries.find((b) => b.level === 1)!;
    const feature = region.features.find((f) => f.properties?.code === 'GH-AH')!;
    feature.properties = { ...feature.properties, name: 'Ashanti' };
    const changed = {
      ...files,
      profile: { ...files.profile, version: '0.1.1' },
      checksum: `${files.checksum}-edited`,
    };
    const r = await loadProfile(database, audit, ctx, changed);
    expect(r).toMatchObject({ changed: true, areasChanged: 1 });
    const after = await database.db
      .selectFrom('admin_areas')
      .selectAll()
      .where('code', '=', 'GH-AH')
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ id: ashantiId, name: 'Ashanti', version: 2 });
    const doc = await database.db
      .selectFrom('country_profiles')
      .selectAll()
      .where('country', '=', 'GH')
      .executeTakeFirstOrThrow();
    expect(doc.version).toBe('0.1.1');
  });

  it('loads the DRC beside Ghana: 11 provinces as before 2015, French and Swahili', async () => {
    const files = readProfileFolder(`${PROFILES_DIR}drc`);
    expect(files.profile.languages).toEqual(['fr', 'sw']);
    expect(JSON.stringify(files.profile.notes)).toMatch(/2015/);
    await loadProfile(database, audit, ctx, files);
    expect(await countAreas('CD', 1)).toBe(11);
    const kinshasa = await database.db
      .selectFrom('admin_areas')
      .selectAll()
      .where('code', '=', 'CD-KN')
      .executeTakeFirstOrThrow();
    expect(kinshasa.path).toBe('/CD/CD-KN/');
    expect(kinshasa.names).toHaveProperty('fr');
    expect(await countAreas('GH', 1)).toBe(16);
  });

  it('answers subtree queries through the path index', async () => {
    const rows = await database.db
      .selectFrom('admin_areas')
      .select('code')
      .where('path', 'like', '/GH/GH-AH/%')
      .execute();
    expect(rows.map((r) => r.code)).toContain('GH-AH');
    expect(rows.every((r) => r.code.startsWith('GH-AH'))).toBe(true);
  });

  it('leaves an intact audit chain', async () => {
    expect((await verifyChain(database.db)).ok).toBe(true);
  });
});
