import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROTTLE } from '../../src/server/modules/auth/service.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const login = (phone: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { phone, password },
    remoteAddress: ip,
  });

describe('sign-in and sessions', () => {
  it('signs in with phone and password and answers who I am, with grants', async () => {
    const res = await login(t.fx.users.obuasiOfficer.phone, TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.cookies.find((c) => c.name === 'openasm_session')?.httpOnly).toBe(true);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().grants).toEqual([
      expect.objectContaining({
        roleCode: 'district_officer',
        areaId: t.fx.areas.obuasi.id,
        areaPath: '/GH/GH-AH/GH-AH-D01/',
      }),
    ]);
  });

  it('stores only a hash of the session token', async () => {
    const res = await login(t.fx.users.monitor.phone, TEST_PASSWORD);
    const token: string = res.json().token;
    const rows = await t.database.db.selectFrom('sessions').select('token_hash').execute();
    for (const r of rows) expect(Buffer.from(r.token_hash).toString('base64url')).not.toBe(token);
  });

  it('refuses a wrong password with a stable code and audits it', async () => {
    const res = await login(t.fx.users.agent.phone, 'wrong password!', '10.0.0.2');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'auth.invalid_credentials', status: 401 });
    const ev = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'auth.login_failed')
      .where('entity_id', '=', t.fx.users.agent.id)
      .execute();
    expect(ev.length).toBe(1);
  });

  it('throttles an account after repeated failures, whatever the address', async () => {
    const phone = t.fx.users.bibianiAdmin.phone;
    for (let i = 0; i < THROTTLE.perAccount; i++) {
      expect((await login(phone, 'nope nope nope', `10.1.0.${i}`)).statusCode).toBe(401);
    }
    const blocked = await login(phone, TEST_PASSWORD, '10.1.1.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('auth.throttled');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(THROTTLE.windowMs + 1000);
    expect((await login(phone, TEST_PASSWORD, '10.1.1.1')).statusCode).toBe(200);
  });

  it('throttles an address that tries many accounts', async () => {
    for (let i = 0; i < THROTTLE.perAddress; i++) {
      await login(`+23355000${String(i).padStart(4, '0')}`, 'guessing guess', '10.9.9.9');
    }
    const res = await login(t.fx.users.supervisor.phone, TEST_PASSWORD, '10.9.9.9');
    expect(res.statusCode).toBe(429);
    expect((await login(t.fx.users.supervisor.phone, TEST_PASSWORD, '10.9.9.10')).statusCode).toBe(200);
  });

  it('ends a session after 30 idle minutes and after 12 hours in any case', async () => {
    const headers = await t.login('ashantiOfficer');
    const me = () => t.app.inject({ method: 'GET', url: '/api/v1/me', headers });
    t.clock.advance(29 * 60_000);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    const expired = await me();
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('auth.session_expired');

    const h2 = await t.login('ashantiOfficer');
    for (let i = 0; i < 24; i++) {
      t.clock.advance(29 * 60_000);
      const r = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: h2 });
      if (i < 24 && (i + 1) * 29 < 12 * 60) expect(r.statusCode).toBe(200);
      else expect(r.statusCode).toBe(401);
    }
  });

  it('signs out: the token stops working', async () => {
    const headers = await t.login('supervisor');
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
    expect(out.statusCode).toBe(204);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers });
    expect(me.statusCode).toBe(401);
  });

  it('answers 401 auth.unauthenticated without credentials and rejects a garbage token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(none.json().code).toBe('auth.unauthenticated');
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: 'Bearer abc' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('auth.session_expired');
  });

  it('hashes passwords with argon2id at m=19 MiB, t=2, p=1', async () => {
    const u = await t.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', t.fx.users.admin.id)
      .executeTakeFirstOrThrow();
    expect(u.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('credential cache across servers', () => {
  it('a second server on the same database stops accepting a session as soon as the account is disabled', async () => {
    const { buildApp } = await import('../../src/server/app.ts');
    const { loadConfig } = await import('../../src/server/config.ts');
    const other = await buildApp({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS: 'off' }),
      database: t.database,
      clock: t.clock,
    });
    try {
      const admin = await t.login('admin');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin,
        payload: {
          name: 'Two Servers',
          phone: '+233266000001',
          password: 'a long password 2',
          areaId: t.fx.areas.obuasi.id,
        },
      });
      expect(created.statusCode).toBe(201);
      const session = await login('+233266000001', 'a long password 2', '10.7.0.1');
      const bearer = { authorization: `Bearer ${session.json().token}` };
      // The other server resolves the session once and then answers from its cache.
      expect((await other.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode).toBe(
        200,
      );
      expect((await other.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode).toBe(
        200,
      );
      const disabled = await t.app.inject({
        method: 'POST',
        url: `/api/v1/users/${created.json().id}/disable`,
        headers: admin,
      });
      expect(disabled.statusCode).toBe(200);
      // The notification is delivered after the commit, asynchronously: allow it a moment.
      let status = 200;
      for (let i = 0; i < 50 && status === 200; i++) {
        status = (await other.inject({ method: 'GET', url: '/api/v1/me', headers: bearer })).statusCode;
        if (status === 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
