/**
 * The public register: active licences only, non-sensitive fields, without sign-in; filters by
 * country, area subtree, tier and number prefix; keyset pages; and the CSV of the whole filtered set,
 * streamed page by page (checked on ten pages' worth; the bench streams the national 200,000).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_PAGE } from '../../src/server/modules/public-register/service.ts';
import { PUBLIC_REGISTER_CSV_COLUMNS } from '../../src/shared/schemas/public-register.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { parseCsv } from '../support/csv.ts';
import type { AreaKey } from '../support/fixtures.ts';
import { COMMUNITY_PERMIT, installTestProfile, testTier } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';

let t: TestApp;
let admin: Record<string, string>;
const made: { number: string; area: AreaKey; tier: string; display: string }[] = [];

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
async function post(url: string, payload?: object) {
  const res = await t.app.inject({ method: 'POST', url, headers: admin, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

let n = 0;
async function licence(area: AreaKey, tierCode: string, holder: 'person' | 'enterprise') {
  const h =
    holder === 'person'
      ? await post('/api/v1/people', {
          givenName: 'efua',
          familyName: `Register${++n}`,
          sex: 'female',
          phone: `+23320${String(1000000 + n)}`,
          areaId: t.fx.areas[area].id,
          checkDuplicates: false,
        })
      : await post('/api/v1/enterprises', {
          name: `Golden Hope ${++n}`,
          form: 'cooperative',
          areaId: t.fx.areas[area].id,
        });
  const a = await post('/api/v1/licence-applications', {
    tierCode,
    holderKind: holder,
    holderId: h.id,
    requestedAreaHectares: 1,
  });
  for (const [step, payload] of [['submit'], ['review'], ['decision', { outcome: 'approve' }]] as const)
    await post(`/api/v1/licence-applications/${a.id}/${step}`, payload);
  await payFee(t.app, admin, a.id);
  const l = await post(`/api/v1/licence-applications/${a.id}/issue`);
  made.push({
    number: l.number,
    area,
    tier: tierCode,
    display: holder === 'person' ? `E. Register${n}` : `Golden Hope ${n}`,
  });
  return l;
}

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [
    { ...COMMUNITY_PERMIT, names: { en: 'Community permit', fr: 'Permis communautaire' } as { en: string } },
    testTier('small_scale_licence', 'country', ['person', 'enterprise'], 10),
  ]);
  admin = await t.login('admin');
  await licence('obuasi', 'community_permit', 'person');
  await licence('obuasi', 'small_scale_licence', 'enterprise');
  await licence('amansie', 'community_permit', 'person');
  await licence('bibiani', 'community_permit', 'enterprise');
  await licence('sefwi', 'small_scale_licence', 'person');
  // Not in the register: a suspended and a revoked licence.
  const suspended = await licence('obuasi', 'community_permit', 'person');
  await post(`/api/v1/licences/${suspended.id}/suspend`, { reason: 'Inspection' });
  const revoked = await licence('bibiani', 'community_permit', 'person');
  await post(`/api/v1/licences/${revoked.id}/revoke`, { reason: 'Abandoned' });
  made.splice(-2);
  made.sort((a, b) => (a.number < b.number ? -1 : 1));
});
afterAll(async () => {
  await t?.close();
});

const numbers = (res: { json: () => { items: { number: string }[] } }) =>
  res.json().items.map((i) => i.number);

describe('public licence register', () => {
  it('lists active licences without sign-in, with non-sensitive fields only', async () => {
    const res = await get('/api/v1/public/licences');
    expect(res.statusCode, res.body).toBe(200);
    expect(numbers(res)).toEqual(made.map((m) => m.number));
    const first = res.json().items.find((i: { number: string }) => i.number === made[0]!.number);
    expect(Object.keys(first).sort()).toEqual(
      [
        'areaCode',
        'areaName',
        'country',
        'holderDisplay',
        'number',
        'tierCode',
        'tierNames',
        'validFrom',
        'validTo',
      ].sort(),
    );
    const person = res.json().items.find((i: { holderDisplay: string }) => i.holderDisplay.startsWith('E. '));
    expect(person).toMatchObject({
      tierCode: 'community_permit',
      areaCode: 'GH-AH-D01',
      areaName: 'Obuasi (test)',
    });
    expect(person.tierNames).toEqual({ en: 'Community permit', fr: 'Permis communautaire' });
    expect(res.body).not.toMatch(/efua|\+23320|holderId/i);
    expect(
      res
        .json()
        .items.map((i: { holderDisplay: string }) => i.holderDisplay)
        .sort(),
    ).toEqual(made.map((m) => m.display).sort());
  });

  it('filters by country, area subtree, tier and number prefix, in keyset pages', async () => {
    const ashanti = made.filter((m) => m.area === 'obuasi' || m.area === 'amansie').map((m) => m.number);
    expect(numbers(await get('/api/v1/public/licences?area=GH-AH'))).toEqual(ashanti);
    expect(numbers(await get('/api/v1/public/licences?area=gh-ah-d01&tier=community_permit'))).toEqual(
      made.filter((m) => m.area === 'obuasi' && m.tier === 'community_permit').map((m) => m.number),
    );
    expect(numbers(await get('/api/v1/public/licences?country=gh'))).toHaveLength(made.length);
    expect(numbers(await get('/api/v1/public/licences?country=CD'))).toEqual([]);
    const prefix = made[0]!.number.slice(0, 12).toLowerCase();
    expect(numbers(await get(`/api/v1/public/licences?number=${prefix}`))).toEqual(
      made.filter((m) => m.number.startsWith(prefix.toUpperCase())).map((m) => m.number),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/v1/public/licences?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      seen.push(...numbers(page));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((m) => m.number));

    const unknown = await get('/api/v1/public/licences?area=XX-NOPE');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0]).toMatchObject({ path: 'query.area', code: 'unknown_area' });
    expect((await get('/api/v1/public/licences?cursor=garbage')).json().code).toBe('request.invalid_cursor');
    expect((await get('/api/v1/public/licences?tier=Bad-Tier')).statusCode).toBe(400);
  });

  it('downloads the filtered register as CSV', async () => {
    const res = await get('/api/v1/public/licences.csv?area=GH-AH');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([...PUBLIC_REGISTER_CSV_COLUMNS]);
    const ashanti = made.filter((m) => m.area === 'obuasi' || m.area === 'amansie');
    expect(rows.slice(1).map((r) => r[0])).toEqual(ashanti.map((m) => m.number));
    const person = rows.find((r) => r[3]!.startsWith('E. '))!;
    expect(person.slice(1, 7)).toEqual([
      'community_permit',
      'Community permit',
      person[3],
      person[5] === 'GH-AH-D01' ? 'Obuasi (test)' : 'Amansie (test)',
      person[5],
      'GH',
    ]);
    const bad = await get('/api/v1/public/licences.csv?area=XX-NOPE');
    expect(bad.statusCode).toBe(400);
  });

  it('streams many pages of licences as CSV, in order, none lost or repeated', {
    timeout: 120_000,
  }, async () => {
    const area = t.fx.areas.sefwi.id;
    const ROWS = CSV_PAGE * 10 + 7;
    // Straight into the tables: ten CSV pages and a bit of issued applications and their active licences.
    await sql`
      INSERT INTO licence_applications (id, reference, tier_code, holder_kind, holder_id, area_id, status,
                                        requested_area_hectares, fee_assessed_minor, currency)
      SELECT gen_random_uuid(), 'BULK-' || g, 'community_permit', 'person', gen_random_uuid(), ${area}::uuid,
             'issued', 1, 0, 'GHS'
        FROM generate_series(1, ${ROWS}) g`.execute(t.database.db);
    await sql`
      INSERT INTO licences (id, number, application_id, tier_code, holder_kind, holder_id, area_id,
                            valid_from, valid_to)
      SELECT gen_random_uuid(), 'GH-AS-BULK-' || lpad(substr(a.reference, 6), 7, '0'), a.id, a.tier_code,
             a.holder_kind, a.holder_id, a.area_id, DATE '2026-01-01', DATE '2027-01-01'
        FROM licence_applications a WHERE a.reference LIKE 'BULK-%'`.execute(t.database.db);
    // As autovacuum would after such a load: without statistics the planner takes the tables as tiny.
    await t.database.asOwner((c) => c.query('ANALYZE licences; ANALYZE licence_applications'));
    const res = await get('/api/v1/public/licences.csv?area=GH-WN-D02&number=GH-AS-BULK');
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe(PUBLIC_REGISTER_CSV_COLUMNS.join(','));
    expect(lines.at(-1)).toBe('');
    expect(lines.length - 2).toBe(ROWS);
    expect(lines[1]!.startsWith('GH-AS-BULK-0000001,')).toBe(true);
    expect(lines[ROWS]!.startsWith(`GH-AS-BULK-${String(ROWS).padStart(7, '0')},`)).toBe(true);
    const numbers = lines.slice(1, -1).map((l) => l.split(',')[0]);
    expect(new Set(numbers).size).toBe(ROWS);
    expect([...numbers].sort()).toEqual(numbers);
  });
});
