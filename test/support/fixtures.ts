import { upsertArea } from '../../src/server/modules/admin-areas/repo.ts';
import { ensureDefaultRoles } from '../../src/server/modules/roles/repo.ts';
import { hashPassword } from '../../src/server/platform/auth/passwords.ts';
import type { Database } from '../../src/server/platform/db/database.ts';
import { uuidv7 } from '../../src/shared/ids.ts';

const AREAS = [
  { key: 'country', code: 'GH', level: 0, levelName: 'country', parent: null, name: 'Ghana' },
  { key: 'ashanti', code: 'GH-AH', level: 1, levelName: 'region', parent: 'country', name: 'Ashanti' },
  {
    key: 'westernNorth',
    code: 'GH-WN',
    level: 1,
    levelName: 'region',
    parent: 'country',
    name: 'Western North',
  },
  {
    key: 'obuasi',
    code: 'GH-AH-D01',
    level: 2,
    levelName: 'district',
    parent: 'ashanti',
    name: 'Obuasi (test)',
  },
  {
    key: 'amansie',
    code: 'GH-AH-D02',
    level: 2,
    levelName: 'district',
    parent: 'ashanti',
    name: 'Amansie (test)',
  },
  {
    key: 'bibiani',
    code: 'GH-WN-D01',
    level: 2,
    levelName: 'district',
    parent: 'westernNorth',
    name: 'Bibiani (test)',
  },
  {
    key: 'sefwi',
    code: 'GH-WN-D02',
    level: 2,
    levelName: 'district',
    parent: 'westernNorth',
    name: 'Sefwi (test)',
  },
] as const;

export type AreaKey = (typeof AREAS)[number]['key'];

/** Users by the role they hold and where. */
const USERS = {
  admin: { role: 'system_admin', area: 'country' },
  supervisor: { role: 'national_supervisor', area: 'country' },
  auditor: { role: 'auditor', area: 'country' },
  ashantiOfficer: { role: 'regional_officer', area: 'ashanti' },
  obuasiOfficer: { role: 'district_officer', area: 'obuasi' },
  obuasiAdmin: { role: 'office_admin', area: 'obuasi' },
  bibianiAdmin: { role: 'office_admin', area: 'bibiani' },
  agent: { role: 'buying_station_agent', area: 'obuasi' },
  monitor: { role: 'community_monitor', area: 'bibiani' },
} as const satisfies Record<string, { role: string; area: AreaKey }>;

export type UserKey = keyof typeof USERS;

export interface Fixtures {
  areas: Record<AreaKey, { id: string; code: string; path: string }>;
  users: Record<UserKey, { id: string; phone: string; role: string; areaId: string }>;
}

export async function seedFixtures(database: Database, password: string): Promise<Fixtures> {
  const passwordHash = await hashPassword(password);
  return database.db.transaction().execute(async (tx) => {
    await ensureDefaultRoles(tx);
    const areas = {} as Fixtures['areas'];
    for (const a of AREAS) {
      const parent = a.parent ? areas[a.parent] : null;
      const path = `${parent ? parent.path : '/'}${a.code}/`;
      const id = uuidv7();
      await upsertArea(tx, {
        id,
        country: 'GH',
        code: a.code,
        level: a.level,
        levelName: a.levelName,
        parentId: parent?.id ?? null,
        path,
        name: a.name,
        names: { en: a.name },
        geometry: null,
        bbox: null,
        source: 'test fixture',
        isDemo: true,
      });
      areas[a.key] = { id, code: a.code, path };
    }
    const users = {} as Fixtures['users'];
    let n = 0;
    for (const [key, u] of Object.entries(USERS) as [UserKey, (typeof USERS)[UserKey]][]) {
      const id = uuidv7();
      const phone = `+23320000${String(++n).padStart(4, '0')}`;
      const areaId = areas[u.area].id;
      await tx
        .insertInto('users')
        .values({ id, name: `Test ${key}`, phone, email: null, password_hash: passwordHash, area_id: areaId })
        .execute();
      await tx
        .insertInto('user_assignments')
        .values({ id: uuidv7(), user_id: id, role_code: u.role, area_id: areaId })
        .execute();
      users[key] = { id, phone, role: u.role, areaId };
    }
    return { areas, users };
  });
}
