/**
 * The registry lists as CSV (people and enterprises, with the list's filters) and the search of the
 * production units list: the same rows as the JSON pages, never outside the caller's areas, never
 * the vulnerable-group attributes, every export audited, a cap that says so.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEnterpriseExport, enterpriseCsvChunks } from '../../src/server/modules/enterprises/export.ts';
import { personCsvChunks } from '../../src/server/modules/people/export.ts';
import { SYSTEM_ACTOR } from '../../src/server/platform/context.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { parseCsv } from '../support/csv.ts';

let t: TestApp;
let admin: Record<string, string>;
let obuasi: Record<string, string>;
let bibiani: Record<string, string>;

const PERSON_COLUMNS = [
  'id',
  'reference',
  'givenName',
  'familyName',
  'otherNames',
  'sex',
  'birthDate',
  'birthYear',
  'ageBand',
  'phone',
  'idDocumentType',
  'areaId',
  'createdAt',
  'updatedAt',
];
const ENTERPRISE_COLUMNS = [
  'id',
  'reference',
  'name',
  'form',
  'status',
  'areaId',
  'registrationAuthority',
  'registrationNumber',
  'registrationDate',
  'paymentAccountKind',
  'paymentAccountProvider',
  'paymentAccount',
  'benefitSharingRules',
  'createdAt',
  'updatedAt',
];

interface Made {
  id: string;
  areaId: string;
  sex: string;
  givenName: string;
  familyName: string;
}
const people: Made[] = [];
const enterprises: { id: string; name: string; areaId: string }[] = [];
const units: { id: string; name: string; reference: string; kind: string; areaId: string }[] = [];

const get = (url: string, headers: Record<string, string> = admin) =>
  t.app.inject({ method: 'GET', url, headers });

async function post(url: string, headers: Record<string, string>, payload: object) {
  const res = await t.app.inject({ method: 'POST', url, headers, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** Every id of a JSON list, page after page. */
async function walk(url: string, headers: Record<string, string>, limit = 3): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  obuasi = await t.login('obuasiOfficer');
  bibiani = await t.login('bibianiAdmin');
  const PEOPLE: [Record<string, string>, string, string, string, string][] = [
    [obuasi, 'obuasi', 'Akosua', 'Mensah', 'female'],
    [obuasi, 'obuasi', 'Kwabena', 'Owusu', 'male'],
    [obuasi, 'obuasi', 'Akosua', 'Mensa', 'female'],
    [obuasi, 'obuasi', '=SUM(A1:A9)', 'Boateng', 'male'],
    [obuasi, 'obuasi', 'Yaa', 'Asantewaa', 'female'],
    [bibiani, 'bibiani', 'Akosua', 'Mensah', 'female'],
    [bibiani, 'bibiani', 'Kofi', 'Annan', 'male'],
  ];
  for (const [i, [headers, area, givenName, familyName, sex]] of PEOPLE.entries()) {
    t.clock.advance(1_000);
    const areaId = t.fx.areas[area as 'obuasi' | 'bibiani'].id;
    const p = await post('/api/v1/people', headers, {
      givenName,
      familyName,
      sex,
      birthYear: 1990 + i,
      phone: `+23324${String(1000000 + i)}`,
      ...(i === 0 ? { idDocument: { type: 'Ghana Card', number: 'GHA-000000001-1' } } : {}),
      areaId,
      checkDuplicates: false,
    });
    people.push({ id: p.id, areaId, sex, givenName, familyName });
  }
  // Vulnerable-group attributes of the first person: they must never reach a CSV.
  const sensitive = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/people/${people[0]!.id}/sensitive`,
    headers: obuasi,
    payload: { disability: true, migrant: true, ethnicMinority: true, legalBasis: 'consent' },
  });
  expect(sensitive.statusCode, sensitive.body).toBe(200);

  for (const [headers, area, name, extra] of [
    [
      obuasi,
      'obuasi',
      'Obuasi Gold Cooperative',
      {
        registration: { authority: 'Registrar of Cooperatives', number: 'COOP/2026/17', date: '2026-01-15' },
        paymentAccount: { kind: 'mobile_money', provider: 'MTN MoMo', account: '+233241234567' },
        benefitSharingRules: 'Equal shares, after costs; 10% to the "community fund".',
      },
    ],
    [obuasi, 'obuasi', 'Adansi Diggers', {}],
    [bibiani, 'bibiani', 'Bibiani Gold Cooperative', {}],
  ] as const) {
    const e = await post('/api/v1/enterprises', headers, {
      name,
      form: 'cooperative',
      areaId: t.fx.areas[area].id,
      ...extra,
    });
    enterprises.push({ id: e.id, name, areaId: e.areaId });
  }

  for (const [headers, area, name, kind] of [
    [obuasi, 'obuasi', 'Nyame Bekyere Pit', 'pit'],
    [obuasi, 'obuasi', 'Nyame Bekyere Washing Plant', 'washing_plant'],
    [obuasi, 'obuasi', 'Sika Shaft', 'shaft'],
    [bibiani, 'bibiani', 'Nyame Bekyere Dredge', 'dredge'],
  ] as const) {
    const u = await post('/api/v1/production-units', headers, { name, kind, areaId: t.fx.areas[area].id });
    units.push({ id: u.id, name, reference: u.reference, kind, areaId: u.areaId });
  }
});
afterAll(async () => {
  await t?.close();
});

describe('GET /people as CSV', () => {
  it('streams the filtered list in the list order, with the documented columns and no sensitive attributes', async () => {
    const res = await get(`/api/v1/people?areaId=${t.fx.areas.obuasi.id}&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="people.csv"/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-export-truncated']).toBeUndefined();
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(PERSON_COLUMNS);
    expect(rows.slice(1).map((r) => r[0])).toEqual(
      await walk(`/api/v1/people?areaId=${t.fx.areas.obuasi.id}`, admin),
    );
    expect(rows).toHaveLength(1 + 5);
    const first = rows.find((r) => r[0] === people[0]!.id)!;
    expect(first).toEqual([
      people[0]!.id,
      expect.stringMatching(/^GH-P-2026-\d{6}-[0-9A-Z*]$/),
      'Akosua',
      'Mensah',
      '',
      'female',
      '',
      '1990',
      '',
      // A leading + is defused like a formula; the phone stays text in a spreadsheet.
      "'+233241000000",
      'Ghana Card',
      t.fx.areas.obuasi.id,
      expect.any(String),
      expect.any(String),
    ]);
    // Identity document numbers stay out of bulk files; the type is there.
    expect(res.body).not.toContain('GHA-000000001-1');
    // The person with recorded disability, migrant and minority status: no trace of them.
    for (const word of ['disability', 'migrant', 'ethnic', 'consent', 'true']) {
      expect(res.body.toLowerCase()).not.toContain(word);
    }
    const formula = rows.find((r) => r[0] === people[3]!.id)!;
    expect(formula[2]).toBe("'=SUM(A1:A9)");
  });

  it('applies sex and q like the list, best match first, and answers Accept: text/csv the same way', async () => {
    const women = parseCsv((await get('/api/v1/people?sex=female&format=csv')).body).slice(1);
    expect(women.map((r) => r[0]).sort()).toEqual(
      people
        .filter((p) => p.sex === 'female')
        .map((p) => p.id)
        .sort(),
    );
    // A typo still finds both Akosua Mensah and Akosua Mensa, in the list's order.
    const byName = await get('/api/v1/people?q=akosua%20mensha&format=csv');
    const ids = parseCsv(byName.body)
      .slice(1)
      .map((r) => r[0]);
    expect(ids).toEqual(await walk('/api/v1/people?q=akosua%20mensha', admin, 1));
    expect(ids).toEqual(expect.arrayContaining([people[0]!.id, people[2]!.id, people[5]!.id]));
    const byAccept = await t.app.inject({
      method: 'GET',
      url: '/api/v1/people?q=akosua%20mensha&limit=1',
      headers: { ...admin, accept: 'text/csv' },
    });
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(byAccept.body).toBe(byName.body);
    // A reference is found exactly.
    const reference = parseCsv(byName.body).find((r) => r[0] === people[5]!.id)![1]!;
    const byReference = parseCsv((await get(`/api/v1/people?q=${reference}&format=csv`)).body);
    expect(byReference.slice(1).map((r) => r[0])).toEqual([people[5]!.id]);
  });

  it('reads in keyset batches that give the same rows as one (with q and without)', async () => {
    const actor = SYSTEM_ACTOR;
    for (const filter of [{}, { q: 'akosua mensah' }, { sex: 'male' as const }]) {
      const text = async (batchSize: number) => {
        let out = '';
        for await (const c of personCsvChunks(t.database.db, actor, filter, { batchSize })) out += c.text;
        return out;
      };
      expect(await text(1)).toBe(await text(2_000));
      expect(await text(2)).toBe(await text(2_000));
    }
  });

  it("holds only the caller's areas, whatever the filter", async () => {
    const own = parseCsv((await get('/api/v1/people?format=csv', obuasi)).body).slice(1);
    expect(own.length).toBe(5);
    for (const r of own) expect(r[PERSON_COLUMNS.indexOf('areaId')]).toBe(t.fx.areas.obuasi.id);
    const outside = await get(`/api/v1/people?areaId=${t.fx.areas.bibiani.id}&format=csv`, obuasi);
    expect(outside.statusCode).toBe(200);
    expect(parseCsv(outside.body)).toEqual([PERSON_COLUMNS]);
    const searched = parseCsv((await get('/api/v1/people?q=akosua%20mensah&format=csv', obuasi)).body);
    expect(searched.slice(1).map((r) => r[0])).not.toContain(people[5]!.id);
    expect(searched.slice(1).every((r) => r[PERSON_COLUMNS.indexOf('areaId')] === t.fx.areas.obuasi.id)).toBe(
      true,
    );
  });

  it('records each export as person.exported with the filter, and refuses a caller without registry.read', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/people?sex=female&format=csv`,
      headers: { ...obuasi, 'x-request-id': 'export-people-1' },
    });
    expect(res.statusCode).toBe(200);
    const ev = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('request_id', '=', 'export-people-1')
      .executeTakeFirstOrThrow();
    expect(ev).toMatchObject({
      action: 'person.exported',
      entity_type: 'person',
      actor_id: t.fx.users.obuasiOfficer.id,
      area_id: t.fx.areas.obuasi.id,
      meta: { format: 'csv', filter: { sex: 'female' }, rows: 3, truncated: false },
    });
    const monitor = await t.login('monitor');
    const refused = await get('/api/v1/people?format=csv', monitor);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('access.forbidden');
    const bad = await get('/api/v1/people?format=xml');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.validation_failed');
  });
});

describe('GET /enterprises as CSV', () => {
  it('streams the filtered list by name with registration and payment details', async () => {
    const res = await get('/api/v1/enterprises?form=cooperative&format=csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="enterprises.csv"/);
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(ENTERPRISE_COLUMNS);
    expect(rows.slice(1).map((r) => r[0])).toEqual(
      await walk('/api/v1/enterprises?form=cooperative', admin, 1),
    );
    expect(rows.slice(1).map((r) => r[2])).toEqual([
      'Adansi Diggers',
      'Bibiani Gold Cooperative',
      'Obuasi Gold Cooperative',
    ]);
    expect(rows.find((r) => r[0] === enterprises[0]!.id)).toEqual([
      enterprises[0]!.id,
      expect.stringMatching(/^ENT-\d{6}-[0-9A-Z*]$/),
      'Obuasi Gold Cooperative',
      'cooperative',
      'active',
      t.fx.areas.obuasi.id,
      'Registrar of Cooperatives',
      'COOP/2026/17',
      '2026-01-15',
      'mobile_money',
      'MTN MoMo',
      "'+233241234567",
      'Equal shares, after costs; 10% to the "community fund".',
      expect.any(String),
      expect.any(String),
    ]);
    const searched = parseCsv((await get('/api/v1/enterprises?q=gold&format=csv')).body);
    expect(searched.slice(1).map((r) => r[2])).toEqual([
      'Bibiani Gold Cooperative',
      'Obuasi Gold Cooperative',
    ]);
  });

  it("holds only the caller's areas and is audited as enterprise.exported", async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/enterprises?q=gold&format=csv',
      headers: { ...bibiani, 'x-request-id': 'export-enterprises-1' },
    });
    const rows = parseCsv(res.body).slice(1);
    expect(rows.map((r) => r[0])).toEqual([enterprises[2]!.id]);
    const outside = await get(`/api/v1/enterprises?areaId=${t.fx.areas.obuasi.id}&format=csv`, bibiani);
    expect(parseCsv(outside.body)).toEqual([ENTERPRISE_COLUMNS]);
    const ev = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('request_id', '=', 'export-enterprises-1')
      .executeTakeFirstOrThrow();
    expect(ev).toMatchObject({
      action: 'enterprise.exported',
      entity_type: 'enterprise',
      actor_id: t.fx.users.bibianiAdmin.id,
      area_id: t.fx.areas.bibiani.id,
      meta: { format: 'csv', filter: { q: 'gold' }, rows: 1, truncated: false },
    });
    // A JSON page is an ordinary read, not an export.
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/enterprises',
      headers: { ...bibiani, 'x-request-id': 'list-enterprises-1' },
    });
    const none = await t.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('request_id', '=', 'list-enterprises-1')
      .execute();
    expect(none).toEqual([]);
    const monitor = await t.login('monitor');
    expect((await get('/api/v1/enterprises?format=csv', monitor)).statusCode).toBe(403);
  });
});

describe('GET /production-units?q=', () => {
  const names = async (url: string, headers = admin) =>
    ((await get(url, headers)).json() as { items: { name: string }[] }).items.map((i) => i.name);

  it('finds units by part of the name, a near miss or the reference, with kind and area', async () => {
    expect(await names('/api/v1/production-units?q=bekyere')).toEqual([
      'Nyame Bekyere Dredge',
      'Nyame Bekyere Pit',
      'Nyame Bekyere Washing Plant',
    ]);
    expect(await names('/api/v1/production-units?q=sikka%20shaft')).toEqual(['Sika Shaft']);
    expect(await names(`/api/v1/production-units?q=${units[2]!.reference.toLowerCase()}`)).toEqual([
      'Sika Shaft',
    ]);
    expect(await names('/api/v1/production-units?q=bekyere&kind=pit')).toEqual(['Nyame Bekyere Pit']);
    expect(await names(`/api/v1/production-units?q=bekyere&areaId=${t.fx.areas.bibiani.id}`)).toEqual([
      'Nyame Bekyere Dredge',
    ]);
    // A LIKE wildcard is a character like any other.
    expect(await names('/api/v1/production-units?q=%25')).toEqual([]);
    expect(await walk('/api/v1/production-units?q=bekyere', admin, 1)).toHaveLength(3);
  });

  it("never shows units outside the caller's areas, and rejects a bad q", async () => {
    expect(await names('/api/v1/production-units?q=bekyere', obuasi)).toEqual([
      'Nyame Bekyere Pit',
      'Nyame Bekyere Washing Plant',
    ]);
    const tooLong = await get(`/api/v1/production-units?q=${'a'.repeat(201)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().code).toBe('request.validation_failed');
  });
});

describe('export cap', () => {
  it('cuts the enterprises CSV at the cap, in batches, and counts the same', async () => {
    const all = await countEnterpriseExport(t.database.db, SYSTEM_ACTOR, {});
    expect(all).toEqual({ rows: 3, truncated: false });
    expect(await countEnterpriseExport(t.database.db, SYSTEM_ACTOR, {}, 2)).toEqual({
      rows: 2,
      truncated: true,
    });
    expect(await countEnterpriseExport(t.database.db, SYSTEM_ACTOR, {}, 3)).toEqual({
      rows: 3,
      truncated: false,
    });
    let rows = 0;
    let text = '';
    for await (const c of enterpriseCsvChunks(t.database.db, SYSTEM_ACTOR, {}, { batchSize: 1, cap: 2 })) {
      rows += c.rows;
      text += c.text;
    }
    expect(rows).toBe(2);
    expect(parseCsv(text).map((r) => r[2])).toEqual(['name', 'Adansi Diggers', 'Bibiani Gold Cooperative']);
  });

  it('stops the people CSV at 100,000 rows and says so', async () => {
    // Straight into the table: 100,001 people in Sefwi.
    await sql`INSERT INTO people (id, reference, given_name, family_name, sex, area_id)
      SELECT gen_random_uuid(), 'GH-P-2025-' || lpad(i::text, 6, '0') || '-0', 'Bulk', 'Miner ' || i,
        'not_stated', ${t.fx.areas.sefwi.id}::uuid
      FROM generate_series(1, 100001) AS i`.execute(t.database.db);
    const res = await get(`/api/v1/people?areaId=${t.fx.areas.sefwi.id}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-export-truncated']).toBe('true');
    const lines = res.body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 100_000 + 1);
  });
});
