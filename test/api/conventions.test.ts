import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidReference, uuidv7, uuidv7Time, withCheckCharacter } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

let phoneSeq = 0;
const newPhone = () => `+23327${String(++phoneSeq).padStart(7, '0')}`;
const count = async (table: 'users' | 'audit_events' | 'idempotency_keys') =>
  Number(
    (
      await t.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const post = (url: string, payload: unknown, extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...admin, ...extra } });

describe('problem+json errors', () => {
  it('malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'request.malformed_json',
      status: 400,
      requestId: expect.any(String),
    });
  });

  it('wrong types name the field', async () => {
    const res = await post('/api/v1/users', { name: 42, phone: newPhone(), areaId: t.fx.areas.obuasi.id });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.validation_failed');
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.name' })]);
  });

  it('unknown fields are rejected, not ignored', async () => {
    const res = await post('/api/v1/users', {
      name: 'A',
      phone: newPhone(),
      areaId: t.fx.areas.obuasi.id,
      isAdmin: true,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.unknown_field');
    expect(res.json().errors[0].path).toBe('body.isAdmin');
  });

  it('unknown query parameters too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users?colour=red', headers: admin });
    expect(res.json().code).toBe('request.unknown_field');
  });

  it('oversize bodies', async () => {
    const res = await post('/api/v1/users', {
      name: 'x'.repeat(5000),
      phone: newPhone(),
      areaId: t.fx.areas.obuasi.id,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'request.body_too_large', limit: 4096 });
  });

  it('bad ids', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users/not-a-uuid', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('request.invalid_id');
  });

  it('a body that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('request.unsupported_media_type');
  });

  it('unknown routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: admin });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route.not_found');
  });

  it('never leaks SQL or stack traces', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users?q=%27%3B%20DROP%20TABLE%20users%3B--',
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const bad = await post('/api/v1/users', { name: 'A', phone: '0244', areaId: t.fx.areas.obuasi.id });
    expect(bad.body).not.toMatch(/select|insert|at \w+ \(|node_modules/i);
  });
});

describe('no partial writes', () => {
  it('a create that fails half-way leaves no user, no assignment and no audit event', async () => {
    const users = await count('users');
    const events = await count('audit_events');
    const res = await post('/api/v1/users', {
      name: 'Half Way',
      phone: newPhone(),
      areaId: t.fx.areas.obuasi.id,
      assignments: [
        { roleCode: 'district_officer', areaId: t.fx.areas.obuasi.id },
        { roleCode: 'no_such_role', areaId: t.fx.areas.obuasi.id },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'body.assignments.1.roleCode', code: 'unknown_role' });
    expect(await count('users')).toBe(users);
    expect(await count('audit_events')).toBe(events);
  });

  it('a duplicate phone is a conflict with its own code', async () => {
    const phone = newPhone();
    expect(
      (await post('/api/v1/users', { name: 'One', phone, areaId: t.fx.areas.obuasi.id })).statusCode,
    ).toBe(201);
    const res = await post('/api/v1/users', { name: 'Two', phone, areaId: t.fx.areas.obuasi.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('user.phone_taken');
  });
});

describe('Idempotency-Key', () => {
  it('a replay returns the first answer and creates nothing more', async () => {
    const key = `k-${uuidv7()}`;
    const body = { name: 'Idem Potent', phone: newPhone(), areaId: t.fx.areas.obuasi.id };
    const first = await post('/api/v1/users', body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const users = await count('users');
    const events = await count('audit_events');
    const again = await post('/api/v1/users', body, { 'idempotency-key': key });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count('users')).toBe(users);
    expect(await count('audit_events')).toBe(events);
  });

  it('the same key with another body is 422', async () => {
    const key = `k-${uuidv7()}`;
    await post(
      '/api/v1/users',
      { name: 'First', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
      { 'idempotency-key': key },
    );
    const res = await post(
      '/api/v1/users',
      { name: 'Second', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
      { 'idempotency-key': key },
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('idempotency.key_reused');
  });

  it('concurrent requests with one key create one record (409 while the first runs, or its replay)', async () => {
    const key = `k-${uuidv7()}`;
    const body = { name: 'Racing', phone: newPhone(), areaId: t.fx.areas.obuasi.id };
    const users = await count('users');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post('/api/v1/users', body, { 'idempotency-key': key })),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const r of results) {
      if (r.statusCode === 409) expect(r.json().code).toBe('idempotency.in_progress');
      else expect(r.statusCode).toBe(201);
    }
    const created = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().id));
    expect(created.size).toBe(1);
    expect(await count('users')).toBe(users + 1);
  });

  it('keys are per caller: another user with the same key is a new request', async () => {
    const key = `k-${uuidv7()}`;
    const other = await t.login('obuasiAdmin');
    const a = await post(
      '/api/v1/users',
      { name: 'By Admin', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
      { 'idempotency-key': key },
    );
    const b = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...other, 'idempotency-key': key },
      payload: { name: 'By Office', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
    });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).not.toBe(a.json().id);
  });

  it('a failed request is not stored: the same key can be retried after fixing the cause', async () => {
    const key = `k-${uuidv7()}`;
    const phone = newPhone();
    const bad = await post(
      '/api/v1/users',
      { name: 'Retry', phone, areaId: uuidv7() },
      { 'idempotency-key': key },
    );
    expect(bad.statusCode).toBe(400);
    const good = await post(
      '/api/v1/users',
      { name: 'Retry', phone, areaId: uuidv7() },
      { 'idempotency-key': key },
    );
    expect(good.statusCode).toBe(400);
  });

  it('an invalid key is refused', async () => {
    const res = await post(
      '/api/v1/users',
      { name: 'K', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
      { 'idempotency-key': 'has space' },
    );
    expect(res.json().code).toBe('idempotency.key_invalid');
  });

  it('a client-supplied id (record made offline) sent twice is created once', async () => {
    const id = uuidv7();
    const body = { id, name: 'Offline Made', phone: newPhone(), areaId: t.fx.areas.obuasi.id };
    const a = await post('/api/v1/users', body);
    const b = await post('/api/v1/users', body);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(200);
    expect(b.json().id).toBe(id);
    const clash = await post('/api/v1/users', { ...body, name: 'Someone Else', phone: newPhone() });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().code).toBe('resource.id_conflict');
  });
});

describe('ETag and If-Match', () => {
  it('updates need the current ETag', async () => {
    const created = await post('/api/v1/users', {
      name: 'Etag Person',
      phone: newPhone(),
      areaId: t.fx.areas.obuasi.id,
    });
    const id = created.json().id;
    const etag = created.headers.etag as string;
    expect(etag).toBe('"v1"');
    const patch = (h: Record<string, string>) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: { ...admin, ...h },
        payload: { name: 'Renamed' },
      });
    const missing = await patch({});
    expect(missing.statusCode).toBe(428);
    expect(missing.json().code).toBe('precondition.required');
    const ok = await patch({ 'if-match': etag });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"v2"');
    const stale = await patch({ 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('precondition.failed');
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/users/${id}`, headers: admin });
    expect(got.json().name).toBe('Renamed');
    expect(got.headers.etag).toBe('"v2"');
  });
});

describe('cursor pagination', () => {
  it('walks every record exactly once', async () => {
    for (let i = 0; i < 7; i++)
      await post('/api/v1/users', { name: `Page ${i}`, phone: newPhone(), areaId: t.fx.areas.amansie.id });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url, headers: admin });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await count('users'));
  });

  it('a forged cursor is a clear error', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users?cursor=bm9wZQ', headers: admin });
    expect(res.json().code).toBe('request.invalid_cursor');
  });
});

describe('disabling an account', () => {
  it('revokes its sessions at once', async () => {
    const created = await post('/api/v1/users', {
      name: 'Leaving Officer',
      phone: newPhone(),
      password: 'a long password 1',
      areaId: t.fx.areas.obuasi.id,
    });
    const id = created.json().id;
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { phone: created.json().phone, password: 'a long password 1' },
    });
    const bearer = { authorization: `Bearer ${login.json().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode).toBe(200);
    expect((await post(`/api/v1/users/${id}/disable`, undefined)).statusCode).toBe(200);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer });
    expect(me.statusCode).toBe(401);
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { phone: created.json().phone, password: 'a long password 1' },
    });
    expect(relogin.json().code).toBe('auth.account_disabled');
  });

  it('cannot grant a role with more power than the granter holds', async () => {
    const office = await t.login('obuasiAdmin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: office,
      payload: {
        name: 'Sneaky',
        phone: newPhone(),
        areaId: t.fx.areas.obuasi.id,
        assignments: [{ roleCode: 'system_admin', areaId: t.fx.areas.obuasi.id }],
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('access.role_escalation');
  });
});

describe('platform endpoints', () => {
  it('serves OpenAPI 3.1 generated from the route schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}', '/api/v1/auth/login']),
    );
    expect(doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'phone', 'areaId']),
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBeLessThan(400);
  });

  it('gives the web client its start-up settings without sign-in, and nothing personal', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/client-config' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ profile: null, mapTiles: null });
  });

  it('health, readiness and metrics', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', migrations: expect.any(Number) });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/);
  });

  it('echoes a request id and uses it in the audit trail', async () => {
    const res = await post(
      '/api/v1/users',
      { name: 'Traced', phone: newPhone(), areaId: t.fx.areas.obuasi.id },
      { 'x-request-id': 'req-12345' },
    );
    expect(res.headers['x-request-id']).toBe('req-12345');
    const ev = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('request_id', '=', 'req-12345')
      .executeTakeFirstOrThrow();
    expect(ev).toMatchObject({ action: 'user.created', entity_id: res.json().id });
    expect(JSON.stringify(ev.after)).not.toMatch(/argon2|password/);
  });
});

describe('ids and reference numbers', () => {
  it('UUIDv7 carries its time and sorts by it', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(uuidv7Time(a)).toBe(1_700_000_000_000);
    expect(a < b).toBe(true);
  });
  it('reference numbers carry a check character', () => {
    const ref = withCheckCharacter('GH-AS-SSL-2026-000042');
    expect(isValidReference(ref)).toBe(true);
    expect(isValidReference(ref.replace('000042', '000024'))).toBe(false);
  });
});

describe('check characters (property)', () => {
  const body = fc.stringMatching(/^[0-9A-Z]{4,20}$/);
  it('catch every single-character substitution', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.integer({ min: 1, max: 35 }), (b, pos, shift) => {
        const i = pos % b.length;
        const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
        const changed = b.slice(0, i) + alphabet[(alphabet.indexOf(b[i]!) + shift) % 36] + b.slice(i + 1);
        const ref = withCheckCharacter(b);
        return !isValidReference(`${changed}-${ref.slice(-1)}`);
      }),
    );
  });
  it('catch every swap of two different neighbours', () => {
    fc.assert(
      fc.property(body, fc.nat(), (b, pos) => {
        const i = pos % (b.length - 1);
        fc.pre(b[i] !== b[i + 1]);
        const swapped = b.slice(0, i) + b[i + 1] + b[i] + b.slice(i + 2);
        return !isValidReference(`${swapped}-${withCheckCharacter(b).slice(-1)}`);
      }),
    );
  });
});

describe('check characters (exhaustive)', () => {
  const A = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  it('catch every swap of two different neighbours and every substitution, for all character pairs', () => {
    let missed = 0;
    for (const a of A) {
      for (const b of A) {
        if (a === b) continue;
        const check = withCheckCharacter(`GH${a}${b}2026`).slice(-1);
        if (isValidReference(`GH${b}${a}2026-${check}`)) missed++;
        if (isValidReference(`GH${a}${a}2026-${check}`)) missed++;
      }
    }
    expect(missed).toBe(0);
  });
});

describe('uniqueness enforced by the database under concurrency', () => {
  it('answers a unique violation as a conflict with a stable code, not a server error', async () => {
    const { toAppError } = await import('../../src/server/platform/http/problem.ts');
    const known = toAppError(
      Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'users_phone_key' }),
    );
    expect([known.status, known.code]).toEqual([409, 'user.phone_taken']);
    const other = toAppError(
      Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'something_else' }),
    );
    expect([other.status, other.code]).toEqual([409, 'resource.conflict']);
  });

  it('two simultaneous creations of the same phone number: one account, one conflict', async () => {
    const phone = newPhone();
    const results = await Promise.all(
      [1, 2].map((n) => post('/api/v1/users', { name: `Racer ${n}`, phone, areaId: t.fx.areas.obuasi.id })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('user.phone_taken');
  });
});
