/**
 * The accounts list as the web client's data table uses it: server-side sorting with keyset
 * pagination that stays exact under every order, and the same set as CSV.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { parseCsv } from '../support/csv.ts';

interface Item {
  id: string;
  name: string;
  areaId: string;
  createdAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

let t: TestApp;
let admin: Record<string, string>;
let obuasiAdmin: Record<string, string>;
/** The accounts made here, all in Amansie (which holds no fixture account). */
const made: { id: string; name: string; createdAt: string }[] = [];

let phoneSeq = 0;
const newPhone = () => `+23326${String(++phoneSeq).padStart(7, '0')}`;

// Capitalised ASCII first names: every collation (C, en_US, ...) orders them the same way. Abena and
// Kofi twice each, so name ties are broken by id.
const NAMES = [
  'Kofi',
  'Abena',
  'Yaw',
  'Esi',
  'Abena',
  'Kwame',
  'Ama',
  'Kofi',
  'Efua',
  'Akosua',
  'Yaa',
  'Kojo',
];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  obuasiAdmin = await t.login('obuasiAdmin');
  for (const [i, name] of NAMES.entries()) {
    // Two accounts per clock tick: equal creation times, broken by id.
    if (i % 2 === 0) t.clock.advance(1_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: {
        name,
        phone: newPhone(),
        areaId: t.fx.areas.amansie.id,
        assignments: i === 0 ? [{ roleCode: 'district_officer', areaId: t.fx.areas.amansie.id }] : [],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    made.push({ id: res.json().id, name, createdAt: res.json().createdAt });
  }
  // Made offline long ago (its UUIDv7 is old) but created on the server last: creation order and id
  // order differ for it, and createdAt must follow creation.
  t.clock.advance(1_000);
  const offline = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: admin,
    payload: {
      id: uuidv7(Date.parse('2020-01-01T00:00:00Z')),
      name: 'Adwoa',
      phone: newPhone(),
      areaId: t.fx.areas.amansie.id,
    },
  });
  expect(offline.statusCode, offline.body).toBe(201);
  made.push({ id: offline.json().id, name: 'Adwoa', createdAt: offline.json().createdAt });
});
afterAll(async () => {
  await t?.close();
});

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function expected(sort: string): string[] {
  const key = sort.replace(/^-/, '') === 'name' ? 'name' : 'createdAt';
  const sign = sort.startsWith('-') ? -1 : 1;
  return [...made].sort((a, b) => sign * (cmp(a[key], b[key]) || cmp(a.id, b.id))).map((u) => u.id);
}

async function get(url: string, headers = admin) {
  return t.app.inject({ method: 'GET', url, headers });
}

async function walk(query: string, limit: number, headers = admin): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(
      `/api/v1/users?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers,
    );
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page;
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

const amansie = () => `areaId=${t.fx.areas.amansie.id}`;
const SORTS = ['name', '-name', 'createdAt', '-createdAt'];

describe('GET /users sorting', () => {
  for (const sort of SORTS) {
    it(`orders by ${sort}, ties by id`, async () => {
      const res = await get(`/api/v1/users?${amansie()}&sort=${sort}&limit=500`);
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as Page).items.map((i) => i.id)).toEqual(expected(sort));
    });

    it(`pages under ${sort} return every row exactly once, in order`, async () => {
      for (const limit of [1, 3, 5]) {
        expect(await walk(`${amansie()}&sort=${sort}`, limit)).toEqual(expected(sort));
      }
    });
  }

  it('defaults to creation order', async () => {
    const res = await get(`/api/v1/users?${amansie()}&limit=500`);
    expect((res.json() as Page).items.map((i) => i.id)).toEqual(expected('createdAt'));
    // The offline-made account has the smallest id but was created last.
    expect(expected('createdAt').at(-1)).toBe(made.at(-1)!.id);
  });

  it('keeps creation times exact to the microsecond across pages', async () => {
    // Three accounts created within one millisecond: a cursor rounded to milliseconds would lose
    // or repeat them.
    const ids = [uuidv7(), uuidv7(), uuidv7()].sort().reverse();
    for (const [i, id] of ids.entries()) {
      await t.database.db
        .insertInto('users')
        .values({
          id,
          name: `Micro ${i}`,
          phone: newPhone(),
          email: null,
          password_hash: null,
          area_id: t.fx.areas.sefwi.id,
          created_at: `2026-03-02T09:00:00.12340${i + 1}Z`,
        })
        .execute();
    }
    const q = `areaId=${t.fx.areas.sefwi.id}&q=Micro`;
    expect(await walk(`${q}&sort=createdAt`, 1)).toEqual([...ids]);
    expect(await walk(`${q}&sort=-createdAt`, 1)).toEqual([...ids].reverse());
  });

  it('combines the sort with the filters and the jurisdiction', async () => {
    const active = await walk('status=active&sort=-name', 4, obuasiAdmin);
    const names = [];
    for (const id of active) {
      const u = await get(`/api/v1/users/${id}`, obuasiAdmin);
      expect(u.statusCode).toBe(200);
      expect(u.json().areaId).toBe(t.fx.areas.obuasi.id);
      names.push(u.json().name as string);
    }
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('refuses a cursor made under another sort, or before sorting existed', async () => {
    const first = (await get(`/api/v1/users?${amansie()}&sort=name&limit=2`)).json() as Page;
    expect(first.nextCursor).not.toBeNull();
    for (const other of ['-name', 'createdAt', '-createdAt']) {
      const res = await get(`/api/v1/users?${amansie()}&sort=${other}&limit=2&cursor=${first.nextCursor}`);
      expect(res.statusCode, other).toBe(400);
      expect(res.json().code).toBe('request.invalid_cursor');
    }
    // Omitting sort means createdAt, so a name cursor is refused there too.
    const bare = await get(`/api/v1/users?${amansie()}&limit=2&cursor=${first.nextCursor}`);
    expect(bare.json().code).toBe('request.invalid_cursor');
    const legacy = Buffer.from(JSON.stringify([made[0]!.id])).toString('base64url');
    expect((await get(`/api/v1/users?cursor=${legacy}`)).json().code).toBe('request.invalid_cursor');
    const badTime = Buffer.from(JSON.stringify(['createdAt', 'yesterday', made[0]!.id])).toString(
      'base64url',
    );
    expect((await get(`/api/v1/users?cursor=${badTime}`)).json().code).toBe('request.invalid_cursor');
    const badId = Buffer.from(JSON.stringify(['name', 'Kofi', "x' OR 1=1"])).toString('base64url');
    expect((await get(`/api/v1/users?sort=name&cursor=${badId}`)).json().code).toBe('request.invalid_cursor');
    const unknownSort = await get('/api/v1/users?sort=phone');
    expect(unknownSort.statusCode).toBe(400);
    expect(unknownSort.json().code).toBe('request.validation_failed');
  });
});

describe('GET /users as CSV', () => {
  const COLUMNS = [
    'id',
    'name',
    'phone',
    'email',
    'status',
    'areaId',
    'preferredLanguage',
    'roles',
    'createdAt',
  ];

  it('streams the filtered, sorted set with the documented columns', async () => {
    const res = await get(`/api/v1/users?${amansie()}&sort=-name&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expect(res.headers['x-export-truncated']).toBeUndefined();
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual(COLUMNS);
    expect(rows.slice(1).map((r) => r[0])).toEqual(expected('-name'));
    const kofi = rows.find((r) => r[0] === made[0]!.id)!;
    expect(kofi).toEqual([
      made[0]!.id,
      'Kofi',
      // Cells starting with + are quoted like formulas; the phone stays text in a spreadsheet.
      expect.stringMatching(/^'\+23326/),
      '',
      'active',
      t.fx.areas.amansie.id,
      'en',
      'district_officer@GH-AH-D02',
      made[0]!.createdAt,
    ]);
  });

  it('answers Accept: text/csv the same way, and ignores limit', async () => {
    const byFormat = await get(`/api/v1/users?${amansie()}&format=csv`);
    const byAccept = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users?${amansie()}&limit=1`,
      headers: { ...admin, accept: 'text/csv' },
    });
    expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(byAccept.body).toBe(byFormat.body);
    expect(parseCsv(byAccept.body)).toHaveLength(made.length + 1);
  });

  it("holds only the office admin's district", async () => {
    const res = await get('/api/v1/users?format=csv', obuasiAdmin);
    expect(res.statusCode).toBe(200);
    const rows = parseCsv(res.body).slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r[5]).toBe(t.fx.areas.obuasi.id);
    expect(rows.map((r) => r[0])).toEqual(await walk('sort=createdAt', 50, obuasiAdmin));
    // Not even a filter reaches outside the jurisdiction.
    const outside = await get(`/api/v1/users?${amansie()}&format=csv`, obuasiAdmin);
    expect(parseCsv(outside.body)).toEqual([COLUMNS]);
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: {
        name: '=HYPERLINK("http://evil","click")',
        phone: newPhone(),
        areaId: t.fx.areas.bibiani.id,
      },
    });
    expect(created.statusCode).toBe(201);
    const res = await get(`/api/v1/users?areaId=${t.fx.areas.bibiani.id}&format=csv`);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil"",""click"")"`);
    const row = parseCsv(res.body).find((r) => r[0] === created.json().id)!;
    expect(row[1]).toBe(`'=HYPERLINK("http://evil","click")`);
  });

  it('records the bulk read as user.exported, with the filter', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users?${amansie()}&status=active&sort=name&format=csv`,
      headers: { ...obuasiAdmin, 'x-request-id': 'export-users-1' },
    });
    expect(res.statusCode).toBe(200);
    const ev = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('request_id', '=', 'export-users-1')
      .executeTakeFirstOrThrow();
    expect(ev).toMatchObject({
      action: 'user.exported',
      entity_type: 'user',
      actor_id: t.fx.users.obuasiAdmin.id,
      area_id: t.fx.areas.obuasi.id,
      meta: {
        format: 'csv',
        filter: { areaId: t.fx.areas.amansie.id, status: 'active', sort: 'name' },
        rows: 0,
        truncated: false,
      },
    });
    // A JSON page is an ordinary read, not an export.
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { ...admin, 'x-request-id': 'list-users-1' },
    });
    const none = await t.database.db
      .selectFrom('audit_events')
      .select('seq')
      .where('request_id', '=', 'list-users-1')
      .execute();
    expect(none).toEqual([]);
  });

  it('refuses a caller without users.read', async () => {
    const agent = await t.login('agent');
    const res = await get('/api/v1/users?format=csv', agent);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('access.forbidden');
  });

  it('stops at 100,000 rows and says so', async () => {
    // Straight into the table: 100,001 accounts in Sefwi, besides the three made above.
    await sql`INSERT INTO users (id, name, phone, area_id)
      SELECT gen_random_uuid(), 'Bulk ' || i, '+2335' || lpad(i::text, 8, '0'), ${t.fx.areas.sefwi.id}::uuid
      FROM generate_series(1, 100001) AS i`.execute(t.database.db);
    const res = await get(`/api/v1/users?areaId=${t.fx.areas.sefwi.id}&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-export-truncated']).toBe('true');
    const lines = res.body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 100_000 + 1);
  });
});
