/**
 * The incident register (OECD Annex II): community monitors and officers record what they saw;
 * serious abuses and support to armed groups (class 1) flag the actor or site and stop trade with it
 * until the incident is resolved; the mitigation plan and the status, with their reasons; who may
 * read and change what, where.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, type Headers, post, produce, site } from '../support/custody-flow.ts';
import type { UserKey } from '../support/fixtures.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Headers>> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['admin', 'obuasiOfficer', 'monitor', 'auditor', 'agent'] as const) h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Headers = h.admin!) => t.app.inject({ method: 'GET', url, headers });
const OBSERVED = '2026-03-01T15:00:00Z';
const counts = async () =>
  (
    await sql<{ events: number; incidents: number }>`
      SELECT (SELECT count(*)::int FROM custody_events) AS events,
             (SELECT count(*)::int FROM custody_incidents) AS incidents`.execute(t.database.db)
  ).rows[0]!;

describe('recording incidents', () => {
  it('a community monitor records an observation at a site in its area, and only there', async () => {
    const pit = await site(t, h.admin!, 'bibiani');
    const res = await post(t, h.monitor!, '/api/v1/custody/incidents', {
      category: 'bribery',
      siteId: pit,
      description: 'The pit manager asked for cash to let the buyer in.',
      observedAt: OBSERVED,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      category: 'bribery',
      annexClass: 'class_2',
      status: 'open',
      siteId: pit,
      areaId: t.fx.areas.bibiani.id,
      reportedBy: t.fx.users.monitor.id,
      plan: [],
    });
    const audit = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events
       WHERE action = 'custody.incident_recorded' AND entity_id = ${res.json().id}`.execute(t.database.db);
    expect(audit.rows[0]!.n).toBe(1);
    // A class 2 incident raises no flag and stops nothing.
    const flags = await get('/api/v1/custody/flags?code=class_1_incident');
    expect(flags.json().items.map((f: { incidentId: string }) => f.incidentId)).not.toContain(res.json().id);

    const elsewhere = await post(t, h.monitor!, '/api/v1/custody/incidents', {
      category: 'other',
      siteId: await site(t, h.admin!, 'obuasi'),
      description: 'Outside my area',
      observedAt: OBSERVED,
    });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().code).toBe('access.outside_jurisdiction');
    // A buying-station agent records purchases, not incidents.
    const agent = await post(t, h.agent!, '/api/v1/custody/incidents', {
      category: 'other',
      areaId: t.fx.areas.obuasi.id,
      description: 'Not allowed',
      observedAt: OBSERVED,
    });
    expect(agent.statusCode).toBe(403);
  });

  it('refuses an incident that names nothing, or something that does not exist, and writes nothing', async () => {
    const before = await counts();
    const nothing = await post(t, h.admin!, '/api/v1/custody/incidents', {
      category: 'other',
      description: 'Where?',
      observedAt: OBSERVED,
    });
    expect(nothing.statusCode).toBe(400);
    const unknown = await post(t, h.admin!, '/api/v1/custody/incidents', {
      category: 'other',
      actorId: uuidv7(),
      description: 'Who?',
      observedAt: OBSERVED,
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'custody.unknown_reference', path: 'body.actorId' });
    expect(await counts()).toEqual(before);
  });

  it('a client id sent twice records once; the same id with other content is a conflict', async () => {
    const id = uuidv7();
    const body = {
      id,
      category: 'tax_evasion',
      areaId: t.fx.areas.bibiani.id,
      description: 'Gold leaving by the back road at night.',
      observedAt: OBSERVED,
    };
    expect((await post(t, h.monitor!, '/api/v1/custody/incidents', body)).statusCode).toBe(201);
    const again = await post(t, h.monitor!, '/api/v1/custody/incidents', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(id);
    const other = await post(t, h.monitor!, '/api/v1/custody/incidents', { ...body, description: 'Else' });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('resource.id_conflict');
  });
});

describe('class 1: disengage', () => {
  it('flags the actor and site, refuses trade with them (409, nothing written) until resolved', async () => {
    const officer = h.obuasiOfficer!;
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const trader = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    const station = await custodyActor(t, h.admin!, 'obuasi', 'buying_station');
    const pit = await site(t, h.admin!, 'obuasi');
    const otherPit = await site(t, h.admin!, 'obuasi');
    const lot = await produce(t, officer, miner, pit, 10_000);

    const res = await post(t, officer, '/api/v1/custody/incidents', {
      category: 'armed_group_support',
      actorId: trader,
      siteId: pit,
      description: 'Armed men collect a tax on every bag leaving the pit and the trader pays them.',
      observedAt: OBSERVED,
    });
    expect(res.statusCode, res.body).toBe(201);
    const incident = res.json();
    expect(incident.annexClass).toBe('class_1');
    const flags = await get('/api/v1/custody/flags?code=class_1_incident&status=open');
    const flag = flags.json().items.find((f: { incidentId: string }) => f.incidentId === incident.id);
    expect(flag).toMatchObject({ actorId: trader, siteId: pit, params: { category: 'armed_group_support' } });

    const before = await counts();
    const sale = await post(t, officer, '/api/v1/custody/transfers', {
      lotIds: [lot.id],
      sellerActorId: miner,
      buyerActorId: trader,
      recordedSide: 'seller',
    });
    expect(sale.statusCode, sale.body).toBe(409);
    expect(sale.json()).toMatchObject({ code: 'custody.disengaged', incidentIds: [incident.id] });
    const fromSite = await post(t, officer, '/api/v1/lots', {
      holderActorId: miner,
      originSiteId: pit,
      mineral: 'gold',
      form: 'ore',
      massMg: 5_000,
    });
    expect(fromSite.statusCode).toBe(409);
    expect(fromSite.json().code).toBe('custody.disengaged');
    expect(await counts()).toEqual(before);
    // Others trade on: the miner sells to the station, and produces at another pit.
    expect(
      (
        await post(t, officer, '/api/v1/custody/transfers', {
          lotIds: [lot.id],
          sellerActorId: miner,
          buyerActorId: station,
          recordedSide: 'seller',
        })
      ).statusCode,
    ).toBe(201);
    await produce(t, officer, miner, otherPit, 1_000);

    // Disengaging keeps trade stopped; resolving lifts it and resolves the flag.
    const disengaged = await post(t, officer, `/api/v1/custody/incidents/${incident.id}/status`, {
      status: 'disengaged',
      reason: 'Buyers told to stop buying from this trader.',
    });
    expect(disengaged.statusCode, disengaged.body).toBe(200);
    expect(
      (
        await post(t, officer, '/api/v1/lots', {
          holderActorId: miner,
          originSiteId: pit,
          mineral: 'gold',
          form: 'ore',
          massMg: 5,
        })
      ).statusCode,
    ).toBe(409);
    const resolved = await post(t, officer, `/api/v1/custody/incidents/${incident.id}/status`, {
      status: 'resolved',
      reason: 'Army removed the checkpoint; the trader signed the code of conduct; verified on site.',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect((await get(`/api/v1/custody/flags/${flag.id}`)).json()).toMatchObject({ status: 'resolved' });
    await produce(t, officer, miner, pit, 1_000);
    const closed = await post(t, officer, `/api/v1/custody/incidents/${incident.id}/status`, {
      status: 'open',
      reason: 'Reopen',
    });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('custody.incident_closed');
  });
});

describe('mitigation plans and reading', () => {
  it('a plan moves an open incident to mitigating; monitors may record but not manage', async () => {
    const created = await post(t, h.monitor!, '/api/v1/custody/incidents', {
      category: 'public_security',
      areaId: t.fx.areas.bibiani.id,
      description: 'Police at the washing plant demand gold from the women who wash.',
      observedAt: OBSERVED,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const plan = {
      actions: [
        { action: 'Meet the district police commander', owner: 'District officer', deadline: '2026-03-15' },
        {
          action: 'Visit the plant with the women’s group',
          owner: 'Community monitor',
          deadline: '2026-03-20',
          done: true,
        },
      ],
    };
    const byMonitor = await post(t, h.monitor!, `/api/v1/custody/incidents/${id}/plan`, plan);
    expect(byMonitor.statusCode).toBe(403);
    // The Obuasi officer serves another district.
    const outside = await post(t, h.obuasiOfficer!, `/api/v1/custody/incidents/${id}/plan`, plan);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');
    const set = await post(t, h.admin!, `/api/v1/custody/incidents/${id}/plan`, plan);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ status: 'mitigating', version: 2 });
    expect(set.json().plan).toEqual([
      {
        action: 'Meet the district police commander',
        owner: 'District officer',
        deadline: '2026-03-15',
        done: false,
      },
      {
        action: 'Visit the plant with the women’s group',
        owner: 'Community monitor',
        deadline: '2026-03-20',
        done: true,
      },
    ]);

    // Readers see incidents of their areas; others' are as if they did not exist.
    expect((await get(`/api/v1/custody/incidents/${id}`, h.monitor!)).statusCode).toBe(200);
    expect((await get(`/api/v1/custody/incidents/${id}`, h.auditor!)).statusCode).toBe(200);
    const hidden = await get(`/api/v1/custody/incidents/${id}`, h.obuasiOfficer!);
    expect(hidden.statusCode).toBe(404);
    const mine = await get('/api/v1/custody/incidents?limit=500', h.monitor!);
    for (const i of mine.json().items) expect(i.areaId).toBe(t.fx.areas.bibiani.id);
    const mitigating = await get('/api/v1/custody/incidents?status=mitigating&annexClass=class_2&limit=500');
    expect(mitigating.json().items.map((i: { id: string }) => i.id)).toContain(id);
  });
});
