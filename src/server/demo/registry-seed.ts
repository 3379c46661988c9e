import {
  addMemberBody,
  createEnterpriseBody,
  createProductionUnitBody,
} from '../../shared/schemas/enterprises.ts';
import { createPersonBody } from '../../shared/schemas/people.ts';
import { createEnterpriseService } from '../modules/enterprises/service.ts';
import { createPeopleService } from '../modules/people/service.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';

/**
 * Demonstration registry records in the demo districts of the profile: miners, two or three
 * enterprises with their members and leaders, a production unit. Names are made up. Loaded once,
 * when the registry is still empty, so a newcomer's first screens are not empty.
 */
interface DemoPerson {
  given: string;
  family: string;
  sex: 'female' | 'male';
  year: number;
  district: string;
}
interface DemoEnterprise {
  name: string;
  form: 'association' | 'cooperative' | 'partnership';
  district: string;
  members: { person: number; role: 'chair' | 'treasurer' | 'secretary' | 'member' | 'worker' }[];
  unit?: { kind: 'washing_plant' | 'pit'; name: string; lon: number; lat: number };
}

const DEMO: Record<string, { people: DemoPerson[]; enterprises: DemoEnterprise[] }> = {
  ghana: {
    people: [
      { given: 'Akua', family: 'Owusu', sex: 'female', year: 1988, district: 'GH-AH-D01' },
      { given: 'Kwabena', family: 'Asare', sex: 'male', year: 1979, district: 'GH-AH-D01' },
      { given: 'Afua', family: 'Mensah', sex: 'female', year: 1995, district: 'GH-AH-D01' },
      { given: 'Yaw', family: 'Boakye', sex: 'male', year: 1990, district: 'GH-AH-D01' },
      { given: 'Esi', family: 'Amponsah', sex: 'female', year: 1984, district: 'GH-AH-D01' },
      { given: 'Kofi', family: 'Frimpong', sex: 'male', year: 2001, district: 'GH-AH-D01' },
      { given: 'Abena', family: 'Sarpong', sex: 'female', year: 1992, district: 'GH-WN-D01' },
      { given: 'Kwaku', family: 'Ansah', sex: 'male', year: 1986, district: 'GH-WN-D01' },
      { given: 'Adjoa', family: 'Badu', sex: 'female', year: 1998, district: 'GH-WN-D01' },
      { given: 'Kojo', family: 'Nkansah', sex: 'male', year: 1975, district: 'GH-WN-D01' },
    ],
    enterprises: [
      {
        name: 'Ashanti Demo District 1 Small-Scale Miners Cooperative',
        form: 'cooperative',
        district: 'GH-AH-D01',
        members: [
          { person: 0, role: 'chair' },
          { person: 1, role: 'treasurer' },
          { person: 2, role: 'secretary' },
          { person: 3, role: 'member' },
          { person: 5, role: 'worker' },
        ],
        unit: { kind: 'washing_plant', name: 'Cooperative washing plant', lon: -1.95, lat: 6.4 },
      },
      {
        name: 'Western North Women Miners Association',
        form: 'association',
        district: 'GH-WN-D01',
        members: [
          { person: 6, role: 'chair' },
          { person: 8, role: 'treasurer' },
          { person: 7, role: 'member' },
          { person: 9, role: 'member' },
        ],
      },
    ],
  },
  drc: {
    people: [
      { given: 'Neema', family: 'Mapendo', sex: 'female', year: 1990, district: 'CD-SK-D01' },
      { given: 'Jean', family: 'Bisimwa', sex: 'male', year: 1983, district: 'CD-SK-D01' },
      { given: 'Aline', family: 'Cirhuza', sex: 'female', year: 1996, district: 'CD-SK-D01' },
      { given: 'Pascal', family: 'Mugisho', sex: 'male', year: 1978, district: 'CD-SK-D01' },
      { given: 'Furaha', family: 'Kahindo', sex: 'female', year: 1993, district: 'CD-NK-D01' },
      { given: 'Emmanuel', family: 'Kambale', sex: 'male', year: 1987, district: 'CD-NK-D01' },
    ],
    enterprises: [
      {
        name: 'Coopérative minière de démonstration du Sud-Kivu',
        form: 'cooperative',
        district: 'CD-SK-D01',
        members: [
          { person: 1, role: 'chair' },
          { person: 0, role: 'treasurer' },
          { person: 2, role: 'secretary' },
          { person: 3, role: 'member' },
        ],
        unit: { kind: 'pit', name: 'Puits de démonstration', lon: 28.6, lat: -2.9 },
      },
    ],
  },
};

export async function seedRegistryDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  profileName: string,
  log: (msg: string) => void = () => {},
): Promise<number> {
  const demo = DEMO[profileName];
  if (!demo) return 0;
  const any = await database.db
    .selectFrom('people' as never)
    .select('id' as never)
    .limit(1)
    .executeTakeFirst();
  if (any) return 0;
  const people = createPeopleService(deps);
  const enterprises = createEnterpriseService(deps);
  return database.db.transaction().execute(async (tx) => {
    const areaOf = async (code: string) =>
      (await tx.selectFrom('admin_areas').select('id').where('code', '=', code).executeTakeFirst())?.id;
    const ids: string[] = [];
    for (const p of demo.people) {
      const areaId = await areaOf(p.district);
      if (!areaId) return 0;
      const input = createPersonBody.parse({
        givenName: p.given,
        familyName: p.family,
        sex: p.sex,
        birthYear: p.year,
        areaId,
        checkDuplicates: false,
      });
      ids.push((await people.create(tx, ctx, input)).person.id);
    }
    for (const e of demo.enterprises) {
      const areaId = (await areaOf(e.district))!;
      const created = await enterprises.create(
        tx,
        ctx,
        createEnterpriseBody.parse({ name: e.name, form: e.form, areaId }),
      );
      const enterpriseId = created.enterprise.id;
      for (const m of e.members) {
        const p = demo.people[m.person]!;
        await enterprises.addMember(
          tx,
          ctx,
          enterpriseId,
          addMemberBody.parse({
            personId: ids[m.person],
            memberName: `${p.given} ${p.family}`,
            sex: p.sex,
            role: m.role,
            startDate: '2025-01-15',
          }),
        );
      }
      if (e.unit) {
        await enterprises.createUnit(
          tx,
          ctx,
          createProductionUnitBody.parse({
            kind: e.unit.kind,
            name: e.unit.name,
            areaId,
            location: { type: 'Point', coordinates: [e.unit.lon, e.unit.lat] },
            operatorEnterpriseId: enterpriseId,
          }),
        );
      }
    }
    log(`created ${ids.length} demo miners and ${demo.enterprises.length} demo enterprises`);
    return ids.length;
  });
}
