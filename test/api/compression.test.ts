/**
 * Answers are compressed for clients that accept it (brotli, else gzip), decompress to exactly the
 * uncompressed answer, and answers that carry a secret are never compressed (BREACH).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/server/platform/context.ts';
import { registerCompression } from '../../src/server/platform/http/compression.ts';
import { createWriteRunner } from '../../src/server/platform/http/write.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../support/app.ts';
import { createTestDatabase } from '../support/db.ts';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(async () => t?.close());

const decode = (encoding: string | undefined, raw: Buffer): string => {
  if (encoding === 'br') return brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(raw).toString('utf8');
  if (encoding === undefined) return raw.toString('utf8');
  throw new Error(`unexpected content-encoding ${encoding}`);
};

async function fetchAs(url: string, acceptEncoding: string | undefined, headers = admin) {
  const res = await t.app.inject({
    method: 'GET',
    url,
    headers: { ...headers, ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) },
  });
  const encoding = res.headers['content-encoding'] as string | undefined;
  return { res, encoding, text: decode(encoding, res.rawPayload), wire: res.rawPayload.length };
}

describe('compressed answers', () => {
  it('sends JSON as brotli or gzip, whichever the client accepts, identical once decoded', async () => {
    const plain = await fetchAs('/api/v1/openapi.json', undefined);
    expect(plain.encoding).toBeUndefined();
    expect(plain.wire).toBeGreaterThan(100_000);
    const br = await fetchAs('/api/v1/openapi.json', 'gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(br.res.headers.vary).toContain('accept-encoding');
    expect(br.text).toBe(plain.text);
    expect(br.wire).toBeLessThan(plain.wire / 5);
    const gz = await fetchAs('/api/v1/openapi.json', 'gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gz.text).toBe(plain.text);
    expect(gz.wire).toBeLessThan(plain.wire / 5);
    const identity = await fetchAs('/api/v1/openapi.json', 'identity');
    expect(identity.encoding).toBeUndefined();
    expect(identity.text).toBe(plain.text);
  });

  it('compresses CSV exports and problem answers alike, and leaves small answers alone', async () => {
    const url = `/api/v1/custody/mass-balance?from=2026-03-01&to=2026-03-31&format=csv`;
    const plain = await fetchAs(url, undefined);
    expect(plain.res.statusCode).toBe(200);
    expect(plain.res.headers['content-type']).toContain('text/csv');
    const gz = await fetchAs(url, 'gzip');
    expect(gz.res.statusCode).toBe(200);
    expect(gz.text).toBe(plain.text);
    // Under 1 KB: not worth a compressor.
    const small = await fetchAs('/api/v1/me', 'gzip, br');
    expect(small.res.statusCode).toBe(200);
    expect(small.wire).toBeLessThan(1024);
    expect(small.encoding).toBeUndefined();
  });

  it('never compresses an answer that holds a session or machine token', async () => {
    // More assignments, so that the sign-in answer (which describes them) passes the 1 KB threshold.
    for (const area of ['obuasi', 'bibiani', 'ashanti'] as const)
      await t.database.db
        .insertInto('user_assignments')
        .values({
          id: crypto.randomUUID(),
          user_id: t.fx.users.admin.id,
          role_code: 'auditor',
          area_id: t.fx.areas[area].id,
        })
        .execute();
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
      payload: { phone: t.fx.users.admin.phone, password: TEST_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.headers['content-encoding']).toBeUndefined();
    expect((login.json() as { token: string }).token.length).toBeGreaterThan(20);
    // Big enough that it would be compressed, were it not for the secret.
    expect(login.rawPayload.length).toBeGreaterThan(1024);

    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { ...admin, 'accept-encoding': 'gzip, deflate, br', 'idempotency-key': crypto.randomUUID() },
      payload: {
        name: `Station tablet ${'with a long name '.repeat(4)}`.slice(0, 100),
        roleCode: 'buying_station_agent',
        areaId: t.fx.areas.obuasi.id,
        scopes: ['areas.read'],
      },
    });
    expect(token.statusCode).toBe(201);
    expect(token.headers['content-encoding']).toBeUndefined();
    expect((token.json() as { token: string }).token.length).toBeGreaterThan(20);
    // That answer stays under 1 KB today; the route is marked all the same, should it grow.
    expect(t.app.routeTable.filter((r) => !r.compressed).map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/v1/auth/login',
      'POST /api/v1/api-tokens',
    ]);
  });
});

describe('a written answer compressed as a stream', () => {
  // Above 64 KB the compressor streams: the answer leaves after the write's promise settles, and
  // fastify must not take the route for one that had not answered (it sent an empty second answer:
  // content-length 0, the browser read nothing).
  it('reaches the client whole over a real connection, compressed or not', async () => {
    const database = await createTestDatabase();
    const app = Fastify();
    try {
      await registerCompression(app);
      const runWrite = createWriteRunner(database);
      const rows = Array.from({ length: 4000 }, (_, i) => ({ i, note: `row ${i} ${'x'.repeat(i % 50)}` }));
      app.post('/write', (request, reply) =>
        runWrite(request, reply, systemContext(request.id), async () => ({ status: 201, body: { rows } })),
      );
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      const expected = JSON.stringify({ rows });
      expect(expected.length).toBeGreaterThan(65_536);
      for (const encoding of ['br', 'gzip', 'identity']) {
        const res = await fetch(`${base}/write`, {
          method: 'POST',
          headers: { 'accept-encoding': encoding, 'content-type': 'application/json' },
          body: '{}',
        });
        expect(res.status).toBe(201);
        expect(res.headers.get('content-encoding') ?? 'identity').toBe(encoding);
        expect(await res.text()).toBe(expected);
      }
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('with HTTP_COMPRESSION=off', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await createTestApp({ HTTP_COMPRESSION: 'off' });
  });
  afterAll(async () => off?.close());

  it('answers uncompressed whatever the client accepts', async () => {
    const res = await off.app.inject({
      method: 'GET',
      url: '/api/v1/openapi.json',
      headers: { ...(await off.login('admin')), 'accept-encoding': 'gzip, br' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.length).toBeGreaterThan(100_000);
  });
});
