import { uuidv7 } from '../../shared/ids.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import { hashPassword } from '../platform/auth/passwords.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';

/** Printed at start in development; never loaded in production (config refuses DEMO_DATA there). */
export const DEMO_PASSWORD = 'openasm-demo-2026';

interface DemoAccount {
  name: string;
  phone: string;
  role: string;
  /** Area code, or the first demo district of a region code when it ends in '*'. */
  area: string;
  language: string;
  /** Further (role, area) assignments: some people hold two roles and switch between them. */
  also?: { role: string; area: string }[];
}

const DEMO_ACCOUNTS: Record<string, DemoAccount[]> = {
  ghana: [
    { name: 'Abena Owusu', phone: '+233200000001', role: 'system_admin', area: 'GH', language: 'en' },
    {
      name: 'Kwame Boateng',
      phone: '+233200000002',
      role: 'national_supervisor',
      area: 'GH',
      language: 'en',
    },
    { name: 'Efua Asante', phone: '+233200000003', role: 'auditor', area: 'GH', language: 'en' },
    { name: 'Yaw Mensah', phone: '+233200000004', role: 'regional_officer', area: 'GH-AH', language: 'en' },
    {
      name: 'Akosua Darko',
      phone: '+233200000005',
      role: 'district_officer',
      area: 'GH-AH*',
      language: 'en',
    },
    { name: 'Kofi Adjei', phone: '+233200000006', role: 'office_admin', area: 'GH-AH*', language: 'en' },
    {
      name: 'Ama Serwaa',
      phone: '+233200000007',
      role: 'buying_station_agent',
      area: 'GH-AH*',
      language: 'en',
    },
    {
      name: 'Kojo Appiah',
      phone: '+233200000008',
      role: 'community_monitor',
      area: 'GH-WN*',
      language: 'en',
    },
    {
      name: 'Adwoa Nyarko',
      phone: '+233200000009',
      role: 'district_officer',
      area: 'GH-WN*',
      language: 'en',
      also: [{ role: 'community_monitor', area: 'GH-WN*' }],
    },
  ],
  drc: [
    { name: 'Jean-Pierre Mukendi', phone: '+243810000001', role: 'system_admin', area: 'CD', language: 'fr' },
    {
      name: 'Marie Kabila Nsimba',
      phone: '+243810000002',
      role: 'national_supervisor',
      area: 'CD',
      language: 'fr',
    },
    { name: 'Esther Mbuyi', phone: '+243810000003', role: 'auditor', area: 'CD', language: 'fr' },
    {
      name: 'Patrick Kasongo',
      phone: '+243810000004',
      role: 'regional_officer',
      area: 'CD-NK',
      language: 'sw',
    },
    {
      name: 'Neema Bahati',
      phone: '+243810000005',
      role: 'district_officer',
      area: 'CD-NK*',
      language: 'sw',
    },
    { name: 'Joseph Ilunga', phone: '+243810000006', role: 'office_admin', area: 'CD-KA*', language: 'fr' },
    {
      name: 'Furaha Amani',
      phone: '+243810000007',
      role: 'buying_station_agent',
      area: 'CD-SK*',
      language: 'sw',
    },
    {
      name: 'Désiré Lukusa',
      phone: '+243810000008',
      role: 'community_monitor',
      area: 'CD-NK*',
      language: 'sw',
    },
  ],
};

/** Every demo phone number, whatever the profile: production refuses to start while one is active. */
export function demoPhones(): string[] {
  return Object.values(DEMO_ACCOUNTS).flatMap((list) => list.map((a) => a.phone));
}

export async function seedDemo(
  database: Database,
  audit: AuditLog,
  ctx: RequestContext,
  profileName: string,
  log: (msg: string) => void = () => {},
) {
  const accounts = DEMO_ACCOUNTS[profileName] ?? [];
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return database.db.transaction().execute(async (tx) => {
    let created = false;
    const listed: { phone: string; role: string; area: string }[] = [];
    // 'GH-AH' is that area; 'GH-AH*' the first (demo) district inside it.
    const findArea = (code: string) =>
      code.endsWith('*')
        ? tx
            .selectFrom('admin_areas as d')
            .innerJoin('admin_areas as r', 'r.id', 'd.parent_id')
            .select(['d.id', 'd.name', 'd.code'])
            .where('r.code', '=', code.slice(0, -1))
            .orderBy('d.code')
            .executeTakeFirst()
        : tx
            .selectFrom('admin_areas')
            .select(['id', 'name', 'code'])
            .where('code', '=', code)
            .executeTakeFirst();
    for (const a of accounts) {
      const area = await findArea(a.area);
      if (!area) continue;
      listed.push({ phone: a.phone, role: a.role, area: area.name });
      const exists = await tx
        .selectFrom('users')
        .select('id')
        .where('phone', '=', a.phone)
        .executeTakeFirst();
      if (exists) continue;
      const id = uuidv7();
      await tx
        .insertInto('users')
        .values({
          id,
          name: a.name,
          phone: a.phone,
          email: null,
          password_hash: passwordHash,
          area_id: area.id,
          preferred_language: a.language,
        })
        .execute();
      await tx
        .insertInto('user_assignments')
        .values({ id: uuidv7(), user_id: id, role_code: a.role, area_id: area.id })
        .execute();
      for (const extra of a.also ?? []) {
        const where = await findArea(extra.area);
        if (!where) continue;
        await tx
          .insertInto('user_assignments')
          .values({ id: uuidv7(), user_id: id, role_code: extra.role, area_id: where.id })
          .execute();
      }
      await audit.record(tx, ctx, {
        action: 'user.created',
        entityType: 'user',
        entityId: id,
        areaId: area.id,
        after: { name: a.name, role: a.role, demo: true },
      });
      created = true;
    }
    if (created) log(`created ${listed.length} demo accounts`);
    return { created, accounts: listed, password: DEMO_PASSWORD };
  });
}
