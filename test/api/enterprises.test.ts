/**
 * The registry of enterprises and production units: registration, form changes kept as history,
 * members and leadership terms with the share of women, units with validated locations, and
 * jurisdiction.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryDb } from '../../src/server/modules/enterprises/repo.ts';
import { memberFigures } from '../../src/server/modules/enterprises/service.ts';
import { isValidReference, uuidv7 } from '../../src/shared/ids.ts';
import { sharePercent } from '../../src/shared/schemas/enterprises.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let officer: Record<string, string>;
let bibiani: Record<string, string>;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  officer = await t.login('obuasiOfficer');
  bibiani = await t.login('bibianiAdmin');
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PATCH';
const call = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function createEnterprise(headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/enterprises', headers, {
    name: 'Obuasi Gold Cooperative',
    form: 'association',
    areaId: t.fx.areas.obuasi.id,
    ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const events = (action: string, entityId: string) =>
  t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('action', '=', action)
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();

describe('enterprises', () => {
  it('creates, reads and updates an enterprise, with a checked reference and the audit trail', async () => {
    const e = await createEnterprise(officer, {
      registration: { authority: 'Registrar of Cooperatives', number: 'COOP/2026/17', date: '2026-01-15' },
      benefitSharingRules: 'Equal shares after costs; 10% to the community fund.',
      paymentAccount: { kind: 'mobile_money', provider: 'MTN MoMo', account: '+233241234567' },
    });
    expect(e).toMatchObject({
      name: 'Obuasi Gold Cooperative',
      form: 'association',
      status: 'active',
      areaId: t.fx.areas.obuasi.id,
      version: 1,
      members: [],
      figures: { currentMembers: 0, currentLeaders: 0, womenShareOfMembers: null, womenShareOfLeaders: null },
    });
    expect(e.reference).toMatch(/^ENT-\d{6}-[0-9A-Z*]$/);
    expect(isValidReference(e.reference)).toBe(true);
    expect((await events('enterprise.created', e.id)).length).toBe(1);

    const read = await call('GET', `/api/v1/enterprises/${e.id}`, officer);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"v1"');
    expect(read.json().paymentAccount).toEqual({
      kind: 'mobile_money',
      provider: 'MTN MoMo',
      account: '+233241234567',
    });

    const noMatch = await call('PATCH', `/api/v1/enterprises/${e.id}`, officer, { name: 'X' });
    expect(noMatch.statusCode).toBe(428);
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v9"' },
      payload: { name: 'X' },
    });
    expect(stale.statusCode).toBe(412);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v1"' },
      payload: { name: 'Obuasi Gold Miners', paymentAccount: null },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Obuasi Gold Miners', paymentAccount: null, version: 2 });
    expect(patched.headers.etag).toBe('"v2"');
    expect((await events('enterprise.updated', e.id)).length).toBe(1);
  });

  it('validates the payment account', async () => {
    const res = await call('POST', '/api/v1/enterprises', officer, {
      name: 'Bad account',
      form: 'company',
      areaId: t.fx.areas.obuasi.id,
      paymentAccount: { kind: 'mobile_money', provider: 'MTN', account: '024 not a phone' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((x: { path: string }) => x.path)).toContain('body.paymentAccount.account');
  });

  it('keeps the history of a change of form', async () => {
    const e = await createEnterprise(officer, { name: 'Nkran Miners Association' });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v1"' },
      payload: {
        form: 'cooperative',
        formChange: { date: '2026-02-20', reason: 'Members voted to register.' },
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().form).toBe('cooperative');
    const again = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v2"' },
      payload: { form: 'company' },
    });
    expect(again.statusCode, again.body).toBe(200);
    // A PATCH that does not change the form writes no history.
    const same = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v3"' },
      payload: { form: 'company', name: 'Nkran Mining Company' },
    });
    expect(same.statusCode, same.body).toBe(200);

    const history = await call('GET', `/api/v1/enterprises/${e.id}/history`, officer);
    expect(history.statusCode).toBe(200);
    expect(history.json().items).toMatchObject([
      {
        fromForm: 'association',
        toForm: 'cooperative',
        date: '2026-02-20',
        reason: 'Members voted to register.',
        changedBy: t.fx.users.obuasiOfficer.id,
      },
      { fromForm: 'cooperative', toForm: 'company', date: '2026-03-02', reason: null },
    ]);
    const formless = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/enterprises/${e.id}`,
      headers: { ...officer, 'if-match': '"v4"' },
      payload: { formChange: { reason: 'no new form' } },
    });
    expect(formless.statusCode).toBe(400);
    expect(formless.json().errors[0].path).toBe('body.formChange');
  });

  it('lists by name search and filters, only inside the jurisdiction', async () => {
    await createEnterprise(officer, { name: 'Adansi Galamsey Partners', form: 'partnership' });
    await createEnterprise(bibiani, { name: 'Adansi Bibiani Group', areaId: t.fx.areas.bibiani.id });
    const typo = await call('GET', '/api/v1/enterprises?q=Adansy%20Galamsey', officer);
    expect(typo.statusCode).toBe(200);
    expect(typo.json().items.map((i: { name: string }) => i.name)).toEqual(['Adansi Galamsey Partners']);
    const mine = await call('GET', '/api/v1/enterprises?q=adansi', officer);
    expect(mine.json().items.map((i: { name: string }) => i.name)).toEqual(['Adansi Galamsey Partners']);
    const all = await call('GET', '/api/v1/enterprises?q=adansi', admin);
    expect(all.json().items.length).toBe(2);
    const byForm = await call('GET', '/api/v1/enterprises?form=partnership', admin);
    expect(byForm.json().items.every((i: { form: string }) => i.form === 'partnership')).toBe(true);
    const byArea = await call('GET', `/api/v1/enterprises?areaId=${t.fx.areas.westernNorth.id}`, admin);
    expect(byArea.json().items.map((i: { name: string }) => i.name)).toEqual(['Adansi Bibiani Group']);

    // Pages by name, each row once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(
        'GET',
        `/api/v1/enterprises?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        admin,
      );
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.json().items.map((i: { id: string }) => i.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await call('GET', '/api/v1/enterprises?limit=500', admin)).json().items.length);
  });

  it('keeps to the jurisdiction: 404 to read outside it, 403 to write', async () => {
    const e = await createEnterprise(bibiani, { name: 'Bibiani Diggers', areaId: t.fx.areas.bibiani.id });
    const read = await call('GET', `/api/v1/enterprises/${e.id}`, officer);
    expect(read.statusCode).toBe(404);
    expect(read.json().code).toBe('resource.not_found');
    expect((await call('GET', `/api/v1/enterprises/${e.id}/history`, officer)).statusCode).toBe(404);
    const create = await call('POST', '/api/v1/enterprises', officer, {
      name: 'Out of area',
      form: 'individual',
      areaId: t.fx.areas.bibiani.id,
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().code).toBe('access.outside_jurisdiction');
    const member = await call('POST', `/api/v1/enterprises/${e.id}/members`, officer, {
      memberName: 'Ama',
      sex: 'female',
      role: 'member',
      startDate: '2026-01-01',
    });
    expect(member.statusCode).toBe(403);
    // Agents read the registry but do not write it.
    const agent = await t.login('agent');
    expect((await call('GET', '/api/v1/enterprises', agent)).statusCode).toBe(200);
    expect(
      (
        await call('POST', '/api/v1/enterprises', agent, {
          name: 'A',
          form: 'individual',
          areaId: t.fx.areas.obuasi.id,
        })
      ).statusCode,
    ).toBe(403);
  });

  it('treats a repeat create with the same client id as a no-op', async () => {
    const id = uuidv7();
    const body = { id, name: 'Offline Cooperative', form: 'cooperative', areaId: t.fx.areas.obuasi.id };
    const first = await call('POST', '/api/v1/enterprises', officer, body);
    expect(first.statusCode).toBe(201);
    const second = await call('POST', '/api/v1/enterprises', officer, body);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect((await events('enterprise.created', id)).length).toBe(1);
    const clash = await call('POST', '/api/v1/enterprises', officer, { ...body, name: 'Someone else' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('resource.id_conflict');
    // With an Idempotency-Key, a replay returns the first answer exactly.
    const key = { ...officer, 'idempotency-key': `ent-${uuidv7()}` };
    const body2 = { name: 'Keyed Partners', form: 'partnership', areaId: t.fx.areas.obuasi.id };
    const a = await call('POST', '/api/v1/enterprises', key, body2);
    const b = await call('POST', '/api/v1/enterprises', key, body2);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
  });
});

describe('members and leadership', () => {
  it('counts the share of women among current members and leaders, and ends a leadership term', async () => {
    const e = await createEnterprise(officer, { name: 'Women in Mining Obuasi', form: 'cooperative' });
    const add = (body: object) => call('POST', `/api/v1/enterprises/${e.id}/members`, officer, body);
    const chair = await add({
      memberName: 'Akosua Mensah',
      sex: 'female',
      role: 'chair',
      startDate: '2025-06-01',
    });
    expect(chair.statusCode, chair.body).toBe(201);
    await add({ memberName: 'Kofi Boateng', sex: 'male', role: 'treasurer', startDate: '2025-06-01' });
    await add({ memberName: 'Abena Owusu', sex: 'female', role: 'member', startDate: '2025-06-01' });
    const last = await add({
      memberName: 'Yaw Asante',
      sex: 'male',
      role: 'worker',
      startDate: '2025-07-01',
    });
    // A former member does not count.
    await add({
      memberName: 'Kwame Old',
      sex: 'male',
      role: 'member',
      startDate: '2024-01-01',
      endDate: '2025-01-01',
    });
    // Nor one who has not started yet.
    const fut = await add({
      memberName: 'Efua Later',
      sex: 'female',
      role: 'member',
      startDate: '2026-12-01',
    });
    expect(fut.statusCode).toBe(201);
    const detail = last.json();
    expect(detail.members.length).toBe(4);
    const now = (await call('GET', `/api/v1/enterprises/${e.id}`, officer)).json();
    expect(now.figures).toEqual({
      currentMembers: 4,
      currentLeaders: 2,
      womenShareOfMembers: 50,
      womenShareOfLeaders: 50,
    });
    const chairId = chair.json().members.find((m: { role: string }) => m.role === 'chair').id;
    expect(chair.json().members[0]).toMatchObject({ leadership: true, endDate: null, current: true });

    // One open term per seat.
    const second = await add({
      memberName: 'Ama Serwaa',
      sex: 'female',
      role: 'chair',
      startDate: '2026-03-01',
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('enterprise.seat_taken');

    // The chair's term ends yesterday (its last day); the seat is free for a successor.
    const end = await call('POST', `/api/v1/enterprises/${e.id}/members/${chairId}/end`, officer, {
      endDate: '2026-03-01',
    });
    expect(end.statusCode, end.body).toBe(200);
    expect(end.json().members.find((m: { id: string }) => m.id === chairId)).toMatchObject({
      endDate: '2026-03-01',
      current: false,
    });
    const again = await call('POST', `/api/v1/enterprises/${e.id}/members/${chairId}/end`, officer, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('enterprise.member_already_ended');
    const successor = await add({
      memberName: 'Ama Serwaa',
      sex: 'female',
      role: 'chair',
      startDate: '2026-03-02',
    });
    expect(successor.statusCode, successor.body).toBe(201);
    const after = (await call('GET', `/api/v1/enterprises/${e.id}`, officer)).json();
    // Today is 2026-03-02: the outgoing chair's last day is over, the successor counts.
    expect(after.figures.currentLeaders).toBe(2);
    expect(after.figures.womenShareOfLeaders).toBe(50);
    expect((await events('enterprise.member_ended', e.id)).length).toBe(1);

    const unknown = await call('POST', `/api/v1/enterprises/${e.id}/members/${uuidv7()}/end`, officer, {});
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses an end date before the start', async () => {
    const e = await createEnterprise(officer, { name: 'Dates Check' });
    const m = await call('POST', `/api/v1/enterprises/${e.id}/members`, officer, {
      memberName: 'Adjoa',
      sex: 'female',
      role: 'secretary',
      startDate: '2026-01-10',
    });
    const id = m.json().members[0].id;
    const res = await call('POST', `/api/v1/enterprises/${e.id}/members/${id}/end`, officer, {
      endDate: '2026-01-01',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.endDate');
  });

  it('computes the shares exactly (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (a, b) => {
        const whole = a + b;
        const p = sharePercent(a, whole);
        if (whole === 0) return p === null;
        // p is the exact ratio rounded half up: |100a/whole - p| <= 1/2, ties upwards.
        const twice = 200 * a - 2 * p! * whole; // 2·whole·(100a/whole - p)
        return Number.isInteger(p) && p! >= 0 && p! <= 100 && twice >= -whole && twice < whole;
      }),
    );
    const member = fc.record({
      sex: fc.constantFrom('female' as const, 'male' as const),
      leadership: fc.boolean(),
      start_date: fc.constantFrom('2025-01-01', '2026-03-02', '2026-06-01'),
      end_date: fc.constantFrom(null, '2025-12-31', '2026-03-02', '2027-01-01'),
    });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 60 }), (members) => {
        const valid = members.filter((m) => m.end_date === null || m.end_date >= m.start_date);
        const f = memberFigures(valid, '2026-03-02');
        const current = valid.filter(
          (m) => m.start_date <= '2026-03-02' && (m.end_date === null || m.end_date >= '2026-03-02'),
        );
        const leaders = current.filter((m) => m.leadership);
        const w = (l: typeof current) => l.filter((m) => m.sex === 'female').length;
        expect(f.currentMembers).toBe(current.length);
        expect(f.currentLeaders).toBe(leaders.length);
        expect(f.womenShareOfMembers).toBe(
          current.length ? Math.round((100 * w(current)) / current.length) : null,
        );
        expect(f.womenShareOfLeaders).toBe(
          leaders.length ? Math.round((100 * w(leaders)) / leaders.length) : null,
        );
      }),
    );
  });
});

describe('production units', () => {
  it('registers a unit with location, equipment, capacity and operator, and updates it', async () => {
    const e = await createEnterprise(officer, { name: 'Dredge Operators Ltd', form: 'company' });
    const res = await call('POST', '/api/v1/production-units', officer, {
      kind: 'washing_plant',
      name: 'Sansu washing plant',
      areaId: t.fx.areas.obuasi.id,
      location: { type: 'Point', coordinates: [-1.6623, 6.2027] },
      equipment: [
        { item: 'sluice box', count: 2 },
        { item: 'water pump', count: 1 },
      ],
      capacity: { value: 12.5, unit: 't_ore_per_day' },
      operatorEnterpriseId: e.id,
    });
    expect(res.statusCode, res.body).toBe(201);
    const unit = res.json();
    expect(unit.reference).toMatch(/^PU-\d{6}-[0-9A-Z*]$/);
    expect(isValidReference(unit.reference)).toBe(true);
    expect(unit).toMatchObject({
      operatorEnterpriseId: e.id,
      capacity: { value: 12.5, unit: 't_ore_per_day' },
    });
    const read = await call('GET', `/api/v1/production-units/${unit.id}`, officer);
    expect(read.json()).toEqual(unit);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/production-units/${unit.id}`,
      headers: { ...officer, 'if-match': read.headers.etag as string },
      payload: { equipment: [{ item: 'sluice box', count: 3 }], operatorEnterpriseId: null },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      version: 2,
      operatorEnterpriseId: null,
      equipment: [{ count: 3 }],
    });
    const list = await call('GET', '/api/v1/production-units?kind=washing_plant', officer);
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(unit.id);
  });

  it('answers 400 with the field path for invalid coordinates', async () => {
    const res = await call('POST', '/api/v1/production-units', officer, {
      kind: 'pit',
      name: 'Upside-down pit',
      areaId: t.fx.areas.obuasi.id,
      location: { type: 'Point', coordinates: [6.2, 191.5] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.validation_failed');
    expect(res.json().errors.map((x: { path: string }) => x.path)).toContain('body.location.coordinates.1');
    const stored = await registryDb(t.database.db)
      .selectFrom('production_units')
      .select('id')
      .where('name', '=', 'Upside-down pit')
      .execute();
    expect(stored).toEqual([]);
  });

  it('refuses an operator outside what the caller can see, and writes outside the area', async () => {
    const foreign = await createEnterprise(bibiani, {
      name: 'Foreign operator',
      areaId: t.fx.areas.bibiani.id,
    });
    const res = await call('POST', '/api/v1/production-units', officer, {
      kind: 'dredge',
      name: 'River dredge 1',
      areaId: t.fx.areas.obuasi.id,
      operatorEnterpriseId: foreign.id,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({
      path: 'body.operatorEnterpriseId',
      code: 'unknown_enterprise',
    });
    const out = await call('POST', '/api/v1/production-units', officer, {
      kind: 'dredge',
      name: 'River dredge 2',
      areaId: t.fx.areas.bibiani.id,
    });
    expect(out.statusCode).toBe(403);
    const theirs = await call('POST', '/api/v1/production-units', bibiani, {
      kind: 'shaft',
      name: 'Bibiani shaft',
      areaId: t.fx.areas.bibiani.id,
    });
    expect(theirs.statusCode).toBe(201);
    expect((await call('GET', `/api/v1/production-units/${theirs.json().id}`, officer)).statusCode).toBe(404);
  });
});
