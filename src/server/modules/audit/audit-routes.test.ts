import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { parseCsv } from '../../../../test/support/csv.ts';
import { createAuditLog } from '../../platform/audit/audit.ts';
import { systemContext } from '../../platform/context.ts';

interface EventItem {
  seq: number;
  id: string;
  occurredAt: string;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string | null;
  areaId: string | null;
  meta: unknown;
  hash: string;
  prevHash: string;
}
interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
}

let t: TestApp;
let dataDir: string;
let auditor: Record<string, string>;
let ashanti: Record<string, string>;
let obuasiOfficer: Record<string, string>;
/** Area of each seeded event, by entity id. */
const seeded = new Map<string, string | null>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-audit-routes-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  auditor = await t.login('auditor');
  ashanti = await t.login('ashantiOfficer');
  obuasiOfficer = await t.login('obuasiOfficer');

  const audit = createAuditLog({ clock: t.clock });
  const a = t.fx.areas;
  const areas = [
    a.obuasi.id,
    a.amansie.id,
    a.ashanti.id,
    a.bibiani.id,
    a.sefwi.id,
    a.westernNorth.id,
    a.country.id,
    null,
  ];
  await t.database.db.transaction().execute(async (tx) => {
    for (let i = 0; i < 40; i++) {
      t.clock.advance(1_000);
      const areaId = areas[i % areas.length]!;
      const entityId = `w-${i}`;
      seeded.set(entityId, areaId);
      await audit.record(tx, systemContext(), {
        action: i % 2 ? 'widget.updated' : 'widget.created',
        entityType: 'widget',
        entityId,
        areaId,
        after: { name: `Widget "${i}", with, commas`, i },
      });
    }
  });
});

afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function listAll(headers: Record<string, string>, query = '', limit = 500): Promise<EventItem[]> {
  const items: EventItem[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams(query);
    qs.set('limit', String(limit));
    if (cursor) qs.set('cursor', cursor);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/audit-events?${qs}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as EventPage;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

async function totalEvents(): Promise<number> {
  const r = await t.database.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('GET /audit-events', () => {
  it('shows the auditor every event, newest first, with the chain fields', async () => {
    const total = await totalEvents();
    const items = await listAll(auditor);
    expect(items).toHaveLength(total);
    const seqs = items.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(items.at(-1)).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
    expect(items[0]!.prevHash).toBe(items[1]!.hash);
    expect(items.filter((i) => i.areaId === null).length).toBeGreaterThan(0);
  });

  it('shows a regional officer only the events of areas inside the region', async () => {
    const a = t.fx.areas;
    const inside = new Set([a.ashanti.id, a.obuasi.id, a.amansie.id]);
    const items = await listAll(ashanti);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(inside.has(item.areaId ?? 'none'), JSON.stringify(item)).toBe(true);
    const expected = [...seeded].filter(([, area]) => area !== null && inside.has(area)).map(([id]) => id);
    const seen = items.filter((i) => i.entityType === 'widget').map((i) => i.entityId);
    expect(seen.sort()).toEqual(expected.sort());
    // Not even a filter reaches outside the jurisdiction.
    const bibiani = await listAll(ashanti, `areaId=${a.bibiani.id}`);
    expect(bibiani).toEqual([]);
  });

  it('refuses a role without audit.read', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit-events', headers: obuasiOfficer });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'access.forbidden' });
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/audit-events' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('returns every event exactly once across pages', async () => {
    const all = await listAll(auditor);
    const paged = await listAll(auditor, '', 7);
    expect(paged.map((i) => i.seq)).toEqual(all.map((i) => i.seq));
    expect(new Set(paged.map((i) => i.id)).size).toBe(paged.length);
    const scoped = await listAll(ashanti, '', 3);
    expect(new Set(scoped.map((i) => i.seq)).size).toBe(scoped.length);
    expect(scoped.map((i) => i.seq)).toEqual((await listAll(ashanti)).map((i) => i.seq));
  });

  it('filters by entity, action, area and time', async () => {
    const one = await listAll(auditor, 'entityType=widget&entityId=w-3');
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ entityId: 'w-3', action: 'widget.updated' });

    const created = await listAll(auditor, 'entityType=widget&action=widget.created');
    expect(created).toHaveLength(20);

    const obuasi = await listAll(auditor, `entityType=widget&areaId=${t.fx.areas.obuasi.id}`);
    expect(obuasi).toHaveLength(5);

    const widgets = (await listAll(auditor, 'entityType=widget')).reverse();
    const from = widgets[10]!.occurredAt;
    const to = widgets[20]!.occurredAt;
    const window = await listAll(auditor, `entityType=widget&from=${from}&to=${encodeURIComponent(to)}`);
    expect(window.map((i) => i.entityId).reverse()).toEqual(widgets.slice(10, 20).map((i) => i.entityId));

    const byActor = await listAll(auditor, `actorId=${t.fx.users.auditor.id}&action=auth.login`);
    expect(byActor.length).toBeGreaterThan(0);
  });

  it('rejects unknown query parameters and bad cursors', async () => {
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-events?colour=red',
      headers: auditor,
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'request.unknown_field' });
    const cursor = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-events?cursor=nope',
      headers: auditor,
    });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ code: 'request.invalid_cursor' });
    const limit = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-events?limit=501',
      headers: auditor,
    });
    expect(limit.statusCode).toBe(400);
  });

  it('exports the same filtered set as CSV', async () => {
    const json = await listAll(auditor);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-events?format=csv',
      headers: auditor,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-export-truncated']).toBeUndefined();
    const rows = parseCsv(res.body);
    expect(rows[0]).toEqual([
      'seq',
      'id',
      'occurredAt',
      'actorKind',
      'actorId',
      'action',
      'entityType',
      'entityId',
      'areaId',
      'requestId',
      'before',
      'after',
      'meta',
      'hash',
      'prevHash',
    ]);
    expect(rows).toHaveLength(json.length + 1);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(json.map((i) => i.seq));
    const w7 = rows.find((r) => r[7] === 'w-7')!;
    expect(JSON.parse(w7[11]!)).toEqual({ name: 'Widget "7", with, commas', i: 7 });

    const scoped = await t.app.inject({
      method: 'GET',
      url: '/api/v1/audit-events?entityType=widget',
      headers: { ...ashanti, accept: 'text/csv' },
    });
    expect(scoped.headers['content-type']).toMatch(/^text\/csv/);
    expect(parseCsv(scoped.body)).toHaveLength(1 + (await listAll(ashanti, 'entityType=widget')).length);
  });
});

describe('POST /audit/verify and checkpoints', () => {
  it('verifies the chain and records the verification', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: auditor });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, firstBrokenLink: null });
    expect(body.eventsChecked).toBe(body.headSeq);
    const recorded = await listAll(auditor, 'action=audit.verified');
    expect(recorded[0]).toMatchObject({ actorKind: 'user', meta: expect.objectContaining({ ok: true }) });
    expect(recorded[0]!.seq).toBe(body.headSeq + 1);
  });

  it('replays a verification sent again with the same Idempotency-Key', async () => {
    const headers = { ...auditor, 'idempotency-key': 'verify-1' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers });
    const before = await totalEvents();
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await totalEvents()).toBe(before);
  });

  it('refuses verification and checkpoints to a role without audit.verify', async () => {
    for (const url of ['/api/v1/audit/verify', '/api/v1/audit/checkpoints']) {
      const res = await t.app.inject({ method: 'POST', url, headers: ashanti });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'access.forbidden' });
    }
  });

  it('creates checkpoints, lists them newest first, and verifies them', async () => {
    const created = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1_000);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/audit/checkpoints', headers: auditor });
      expect(res.statusCode, res.body).toBe(201);
      created.push(res.json());
    }
    const [first] = created;
    expect(first.statement).toBe(`openasm-audit-checkpoint:v1:${first.seq}:${first.hash}:${first.signedAt}`);
    const [event] = await listAll(auditor, `action=audit.checkpoint&entityId=${first.id}`);
    expect(event).toMatchObject({ seq: first.seq, hash: first.hash });

    const pages = [];
    let cursor: string | null = null;
    do {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/audit/checkpoints?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        headers: ashanti,
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
      pages.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(created.map((c) => c.id).reverse());

    const verified = await t.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: auditor });
    expect(verified.json()).toMatchObject({ ok: true, checkpointsChecked: 3 });

    const other = generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    const pinned = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/verify',
      headers: auditor,
      payload: { publicKeys: [other] },
    });
    expect(pinned.json()).toMatchObject({
      ok: false,
      firstBrokenLink: { seq: first.seq, reason: 'checkpoint_signature_invalid' },
    });
    const withOwn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/verify',
      headers: auditor,
      payload: { publicKeys: [other, first.publicKey] },
    });
    expect(withOwn.json()).toMatchObject({ ok: true });

    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/audit/verify',
      headers: auditor,
      payload: { publicKeys: ['not-a-key'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request.validation_failed' });
  });
});

describe('OpenAPI', () => {
  it('documents the audit routes under the audit tag', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = res.json().paths as Record<string, Record<string, { tags?: string[] }>>;
    expect(paths['/api/v1/audit-events']?.get?.tags).toEqual(['audit']);
    expect(paths['/api/v1/audit/verify']?.post?.tags).toEqual(['audit']);
    expect(paths['/api/v1/audit/checkpoints']?.get?.tags).toEqual(['audit']);
    expect(paths['/api/v1/audit/checkpoints']?.post?.tags).toEqual(['audit']);
  });
});
