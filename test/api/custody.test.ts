/**
 * Chain of custody: the whole path of gold from two pits through a buying station, a processing
 * plant and a split to export; the trace upstream and downstream checked against fractions computed
 * here from the masses; the problem codes of bad requests with nothing half-written; replays; what
 * the database itself refuses; and two sales (or two merges) of one lot at the same moment.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCharacter } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  custodyActor,
  type Headers,
  lotsIn,
  post,
  produce,
  site,
  transfer,
} from '../support/custody-flow.ts';
import type { UserKey } from '../support/fixtures.ts';

let t: TestApp;
const h: Partial<Record<UserKey, Headers>> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['admin', 'obuasiOfficer', 'agent', 'auditor', 'bibianiAdmin', 'monitor'] as const)
    h[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Headers = h.admin!) => t.app.inject({ method: 'GET', url, headers });
const counts = async () =>
  (
    await sql<{ lots: number; events: number; links: number; audit: number }>`
      SELECT (SELECT count(*)::int FROM lots) AS lots, (SELECT count(*)::int FROM custody_events) AS events,
             (SELECT count(*)::int FROM custody_event_lots) AS links,
             (SELECT count(*)::int FROM audit_events WHERE action <> 'access.denied') AS audit`.execute(
      t.database.db,
    )
  ).rows[0]!;

/** a/b as exact integers, for comparing with the API's fractions without rounding. */
const frac = (s: { numerator: string; denominator: string }) =>
  [BigInt(s.numerator), BigInt(s.denominator)] as const;
const sameFraction = (s: { numerator: string; denominator: string }, n: bigint, d: bigint) => {
  const [a, b] = frac(s);
  return a * d === n * b;
};

describe('from two pits to export', () => {
  it('records production, transfers, a merge, processing, a split and an export, and traces them', async () => {
    const admin = h.admin!;
    const minerA = await custodyActor(t, admin, 'obuasi', 'miner');
    const minerB = await custodyActor(t, admin, 'obuasi', 'enterprise');
    const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const plant = await custodyActor(t, admin, 'obuasi', 'processing_plant');
    const exporter = await custodyActor(t, admin, 'obuasi', 'exporter');
    const pit1 = await site(t, admin, 'obuasi');
    const pit2 = await site(t, admin, 'obuasi');

    const officer = h.obuasiOfficer!;
    const l1 = await produce(t, officer, minerA, pit1, 10_000_000, { finenessPtt: 8000 });
    const l2 = await produce(t, officer, minerA, pit1, 2_500_000, { finenessPtt: 8000 });
    const l3 = await produce(t, officer, minerB, pit2, 7_333_333, { finenessPtt: 7000 });
    expect(checkCharacter(l1.tag.slice(0, -2))).toBe(l1.tag.slice(-1));

    // The station's agent records its purchase from miner A; the district officer confirms for A.
    const buy = await transfer(t, h.agent!, [l1.id, l2.id], minerA, station, 'buyer');
    expect(buy).toMatchObject({
      kind: 'transfer',
      confirmedAt: null,
      inputMg: 12_500_000,
      recordedSide: 'buyer',
    });
    const own = await post(t, h.agent!, `/api/v1/custody/transfers/${buy.id}/confirm`, {});
    expect(own.statusCode, own.body).toBe(409);
    expect(own.json().code).toBe('custody.own_confirmation');
    const confirmed = await post(t, officer, `/api/v1/custody/transfers/${buy.id}/confirm`, {});
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().confirmedBy).toBe(t.fx.users.obuasiOfficer.id);
    // Miner B's sale stays unconfirmed, and shows as such.
    const sale = await transfer(t, officer, [l3.id], minerB, station, 'seller');
    expect((await get(`/api/v1/lots/${l3.id}/events`)).json().items[1]).toMatchObject({
      id: sale.id,
      confirmedAt: null,
    });
    expect((await get(`/api/v1/lots/${l1.id}`)).json()).toMatchObject({
      holderActorId: station,
      status: 'open',
    });

    const merge = await post(t, h.agent!, '/api/v1/custody/merges', { lotIds: [l1.id, l2.id, l3.id] });
    expect(merge.statusCode, merge.body).toBe(201);
    const m = lotsIn(merge.json(), 'output')[0]!;
    const mMass = 10_000_000 + 2_500_000 + 7_333_333;
    expect(m.massMg).toBe(mMass);
    const merged = (await get(`/api/v1/lots/${m.lotId}`)).json();
    // Mass-weighted fineness: (12.5 g × 8000 + 7.333333 g × 7000) / 19.833333 g, rounded.
    expect(merged.finenessPtt).toBe(Math.round((12_500_000 * 8000 + 7_333_333 * 7000) / mMass));
    for (const l of [l1, l2, l3])
      expect((await get(`/api/v1/lots/${l.id}`)).json()).toMatchObject({ status: 'consumed' });

    await transfer(t, h.agent!, [m.lotId], station, plant);
    const processed = await post(t, officer, '/api/v1/custody/processings', {
      lotIds: [m.lotId],
      output: { form: 'dore', massMg: 15_000_000, finenessPtt: 9000 },
    });
    expect(processed.statusCode, processed.body).toBe(201);
    expect(processed.json()).toMatchObject({ lossMg: mMass - 15_000_000, recovery: 15_000_000 / mMass });
    const dore = lotsIn(processed.json(), 'output')[0]!;

    const split = await post(t, officer, '/api/v1/custody/splits', {
      lotId: dore.lotId,
      outputs: [{ massMg: 9_000_000 }, { massMg: 6_000_000 }],
    });
    expect(split.statusCode, split.body).toBe(201);
    const [d1, d2] = lotsIn(split.json(), 'output');
    await transfer(t, officer, [d1!.lotId], plant, exporter);
    const exported = await post(t, officer, '/api/v1/custody/exports', {
      lotIds: [d1!.lotId],
      exportPermit: 'EXP-2026-001',
      destinationCountry: 'AE',
    });
    expect(exported.statusCode, exported.body).toBe(201);
    expect((await get(`/api/v1/lots/${d1!.lotId}`)).json()).toMatchObject({
      status: 'exported',
      holderActorId: exporter,
    });

    // Upstream from the exported part: each origin's share is its mass over the merge's mass,
    // whatever the processing recovery and the split.
    const up = await get(`/api/v1/lots/${d1!.lotId}/trace?direction=upstream`);
    expect(up.statusCode, up.body).toBe(200);
    const origins = up.json().origins as {
      lotId: string;
      originSiteId: string;
      share: never;
      massMg: number;
    }[];
    expect(origins.map((o) => o.lotId).sort()).toEqual([l1.id, l2.id, l3.id].sort());
    for (const [lot, mass, pit] of [
      [l1, 10_000_000, pit1],
      [l2, 2_500_000, pit1],
      [l3, 7_333_333, pit2],
    ] as const) {
      const o = origins.find((x) => x.lotId === lot.id)!;
      expect(o.originSiteId).toBe(pit);
      expect(sameFraction(o.share, BigInt(mass), BigInt(mMass))).toBe(true);
      expect(o.massMg).toBe(Math.round((9_000_000 * mass) / mMass));
    }
    // d1 ← doré ← merged ← l1, l2, l3.
    expect(up.json().nodes).toHaveLength(6);
    expect(up.json().edges).toHaveLength(5);
    // Without the graph: the same origins and shares, no nodes or edges.
    const bare = await get(`/api/v1/lots/${d1!.lotId}/trace?direction=upstream&graph=false`);
    expect(bare.statusCode, bare.body).toBe(200);
    const byLot = (x: { lotId: string }, y: { lotId: string }) => x.lotId.localeCompare(y.lotId);
    expect({ ...bare.json(), origins: bare.json().origins.sort(byLot) }).toEqual({
      ...up.json(),
      origins: [...origins].sort(byLot),
      nodes: [],
      edges: [],
    });
    expect((await get(`/api/v1/lots/${d1!.lotId}/trace?graph=maybe`)).statusCode).toBe(400);

    // Downstream from pit 1: where its 12.5 g went, exactly.
    const down = await get(`/api/v1/custody/sites/${pit1}/downstream`);
    expect(down.statusCode, down.body).toBe(200);
    const d = down.json();
    expect(d.producedMg).toBe(12_500_000);
    const pitShare = [12_500_000n, BigInt(mMass)] as const;
    expect(sameFraction(d.exportedMg, 9_000_000n * pitShare[0], pitShare[1])).toBe(true);
    expect(sameFraction(d.openMg, 6_000_000n * pitShare[0], pitShare[1])).toBe(true);
    expect(sameFraction(d.lostMg, BigInt(mMass - 15_000_000) * pitShare[0], pitShare[1])).toBe(true);
    expect(d.destinations.map((x: { lotId: string }) => x.lotId).sort()).toEqual(
      [d1!.lotId, d2!.lotId].sort(),
    );

    const fromL3 = await get(`/api/v1/lots/${l3.id}/trace?direction=downstream`);
    const dest = fromL3.json().destinations as { lotId: string; status: string; share: never }[];
    expect(dest.find((x) => x.lotId === d2!.lotId)).toMatchObject({ status: 'open' });
    expect(sameFraction(dest.find((x) => x.lotId === d1!.lotId)!.share, 7_333_333n, BigInt(mMass))).toBe(
      true,
    );

    // The exported part's history, oldest first.
    const events = (await get(`/api/v1/lots/${d1!.lotId}/events`)).json().items as { kind: string }[];
    expect(events.map((e) => e.kind)).toEqual(['split', 'transfer', 'export']);

    // Found by its tag, typed in lower case with spaces; a mistyped tag is told apart.
    const byTag = await get(`/api/v1/lots/by-tag/${encodeURIComponent(` ${l1.tag.toLowerCase()}`)}`);
    expect(byTag.statusCode, byTag.body).toBe(200);
    expect(byTag.json().id).toBe(l1.id);
    const wrong = `${l1.tag.slice(0, -1)}${l1.tag.endsWith('0') ? '1' : '0'}`;
    const typo = await get(`/api/v1/lots/by-tag/${wrong}`);
    expect(typo.statusCode, typo.body).toBe(422);
    expect(typo.json().code).toBe('custody.invalid_tag');

    // The lot list: the station's lots, consumed ones included when asked.
    const list = (await get(`/api/v1/lots?holderActorId=${station}&status=consumed`)).json();
    expect(list.items.map((x: { id: string }) => x.id).sort()).toEqual([l1.id, l2.id, l3.id].sort());
  });
});

describe('bad requests change nothing', () => {
  let miner: string;
  let trader: string;
  let pit: string;
  beforeAll(async () => {
    miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    trader = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    pit = await site(t, h.admin!, 'obuasi');
  });

  const refused = async (url: string, body: object, status: number, code: string, headers = h.admin!) => {
    const before = await counts();
    const res = await post(t, headers, url, body);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().code).toBe(code);
    expect(await counts()).toEqual(before);
    return res;
  };

  it('refuses parts that do not add up, and mixed minerals', async () => {
    const lot = await produce(t, h.admin!, miner, pit, 1_000);
    await refused(
      '/api/v1/custody/splits',
      { lotId: lot.id, outputs: [{ massMg: 600 }, { massMg: 399 }] },
      422,
      'custody.mass_mismatch',
    );
    const tin = await produce(t, h.admin!, miner, pit, 500, { mineral: 'tin' });
    await refused('/api/v1/custody/merges', { lotIds: [lot.id, tin.id] }, 422, 'custody.mixed_minerals');
    await refused(
      '/api/v1/custody/processings',
      { lotIds: [lot.id], output: { form: 'concentrate', massMg: 1_001 } },
      422,
      'custody.mass_created',
    );
    const body = await refused(
      '/api/v1/custody/merges',
      { lotIds: [lot.id, lot.id] },
      400,
      'request.validation_failed',
    );
    expect(body.json().errors[0].path).toBe('body.lotIds');
  });

  it('refuses selling what the seller does not hold, or what is consumed', async () => {
    const a = await produce(t, h.admin!, miner, pit, 2_000);
    const b = await produce(t, h.admin!, miner, pit, 3_000);
    await refused(
      '/api/v1/custody/transfers',
      { lotIds: [a.id], sellerActorId: trader, buyerActorId: miner, recordedSide: 'seller' },
      409,
      'custody.not_holder',
    );
    await refused(
      '/api/v1/custody/transfers',
      { lotIds: [a.id], sellerActorId: miner, buyerActorId: miner, recordedSide: 'seller' },
      422,
      'custody.same_actor',
    );
    const merged = await post(t, h.admin!, '/api/v1/custody/merges', { lotIds: [a.id, b.id] });
    expect(merged.statusCode, merged.body).toBe(201);
    await refused(
      '/api/v1/custody/transfers',
      { lotIds: [a.id], sellerActorId: miner, buyerActorId: trader, recordedSide: 'seller' },
      409,
      'custody.lot_closed',
    );
    await refused(
      '/api/v1/custody/splits',
      { lotId: b.id, outputs: [{ massMg: 1 }, { massMg: 2_999 }] },
      409,
      'custody.lot_closed',
    );
  });

  it('refuses the wrong kind of actor, suspended actors and unknown sites', async () => {
    await refused(
      '/api/v1/lots',
      { holderActorId: trader, originSiteId: pit, mineral: 'gold', form: 'ore', massMg: 5 },
      422,
      'custody.wrong_actor_kind',
    );
    await refused(
      '/api/v1/lots',
      { holderActorId: miner, originSiteId: miner, mineral: 'gold', form: 'ore', massMg: 5 },
      422,
      'custody.unknown_reference',
    );
    const lot = await produce(t, h.admin!, miner, pit, 4_000);
    await refused(
      '/api/v1/custody/exports',
      { lotIds: [lot.id], exportPermit: 'P-1', destinationCountry: 'CH' },
      422,
      'custody.wrong_actor_kind',
    );
    const suspended = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    await sql`UPDATE custody_actors SET status = 'suspended' WHERE id = ${suspended}`.execute(t.database.db);
    await refused(
      '/api/v1/custody/transfers',
      { lotIds: [lot.id], sellerActorId: miner, buyerActorId: suspended, recordedSide: 'seller' },
      409,
      'custody.actor_suspended',
    );
  });

  it('refuses callers without the permission or outside their areas, and hides lots elsewhere', async () => {
    const lot = await produce(t, h.admin!, miner, pit, 7_000);
    await refused(
      '/api/v1/custody/splits',
      { lotId: lot.id, outputs: [{ massMg: 1_000 }, { massMg: 6_000 }] },
      403,
      'access.outside_jurisdiction',
      h.bibianiAdmin!,
    );
    await refused(
      '/api/v1/custody/splits',
      { lotId: lot.id, outputs: [{ massMg: 1_000 }, { massMg: 6_000 }] },
      403,
      'access.forbidden',
      h.monitor!,
    );
    expect((await get(`/api/v1/lots/${lot.id}`, h.bibianiAdmin!)).statusCode).toBe(404);
    // The denial is in the audit trail under the lot's code, as every other event about a lot.
    const denial = await t.database.db
      .selectFrom('audit_events')
      .select(['entity_type', 'entity_id', 'actor_id'])
      .where('action', '=', 'access.denied')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(denial).toEqual({ entity_type: 'lot', entity_id: lot.id, actor_id: t.fx.users.bibianiAdmin.id });
    expect((await get(`/api/v1/lots/${lot.id}`, h.auditor!)).statusCode).toBe(200);
    const listed = (await get('/api/v1/lots?limit=500', h.bibianiAdmin!)).json().items;
    expect(listed.some((x: { id: string }) => x.id === lot.id)).toBe(false);
  });
});

describe('a purchase across a district boundary', () => {
  it('is recorded by the buying side, confirmed by the selling side, and the lot follows its holder', async () => {
    const miner = await custodyActor(t, h.admin!, 'amansie', 'miner');
    const station = await custodyActor(t, h.admin!, 'obuasi', 'buying_station');
    const lot = await produce(t, h.admin!, miner, await site(t, h.admin!, 'amansie'), 3_000);
    const sale = { lotIds: [lot.id], sellerActorId: miner, buyerActorId: station };
    // The Obuasi agent serves the station, not the miner's district.
    const asSeller = await post(t, h.agent!, '/api/v1/custody/transfers', {
      ...sale,
      recordedSide: 'seller',
    });
    expect(asSeller.statusCode, asSeller.body).toBe(403);
    expect((await get(`/api/v1/lots/${lot.id}`, h.agent!)).statusCode).toBe(404);
    const bought = await post(t, h.agent!, '/api/v1/custody/transfers', { ...sale, recordedSide: 'buyer' });
    expect(bought.statusCode, bought.body).toBe(201);
    expect((await get(`/api/v1/lots/${lot.id}`, h.agent!)).json()).toMatchObject({
      holderActorId: station,
      areaId: t.fx.areas.obuasi.id,
    });
    // Only someone serving Amansie (the seller's side) confirms.
    const confirm = (u: UserKey) =>
      post(t, h[u]!, `/api/v1/custody/transfers/${bought.json().id}/confirm`, {});
    expect((await confirm('obuasiOfficer')).statusCode).toBe(403);
    const done = await confirm('admin');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().confirmedBy).toBe(t.fx.users.admin.id);
    // Confirming again changes nothing.
    const again = await confirm('admin');
    expect(again.json().confirmedAt).toBe(done.json().confirmedAt);
  });
});

describe('replays', () => {
  it('answers the same event for the same client id, and refuses the id with other content', async () => {
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const pit = await site(t, h.admin!, 'obuasi');
    const id = '01900000-0000-7000-8000-0000000000c1';
    const body = { id, holderActorId: miner, originSiteId: pit, mineral: 'gold', form: 'ore', massMg: 321 };
    const first = await post(t, h.admin!, '/api/v1/lots', body);
    expect(first.statusCode, first.body).toBe(201);
    const before = await counts();
    const again = await post(t, h.admin!, '/api/v1/lots', body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await counts()).toEqual(before);
    const other = await post(t, h.admin!, '/api/v1/lots', { ...body, massMg: 322 });
    expect(other.statusCode, other.body).toBe(409);
    expect(other.json().code).toBe('resource.id_conflict');

    // With an Idempotency-Key the stored answer is replayed, even after the lot moved on.
    const lot = lotsIn(first.json(), 'output')[0]!;
    const trader = await custodyActor(t, h.admin!, 'obuasi', 'trader');
    const sale = { lotIds: [lot.lotId], sellerActorId: miner, buyerActorId: trader, recordedSide: 'seller' };
    const key = { 'idempotency-key': 'custody-sale-1' };
    const s1 = await post(t, h.admin!, '/api/v1/custody/transfers', sale, key);
    const s2 = await post(t, h.admin!, '/api/v1/custody/transfers', sale, key);
    expect([s1.statusCode, s2.statusCode]).toEqual([201, 201]);
    expect(s2.headers['idempotent-replayed']).toBe('true');
    expect(s2.json()).toEqual(s1.json());
  });
});

describe('the database', () => {
  it('never lets the application change a mass or delete a link of the graph', async () => {
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const lot = await produce(t, h.admin!, miner, await site(t, h.admin!, 'obuasi'), 50);
    await expect(
      sql`UPDATE lots SET mass_mg = mass_mg + 1 WHERE id = ${lot.id}`.execute(t.database.db),
    ).rejects.toThrow(/permission denied/);
    await expect(
      sql`DELETE FROM custody_event_lots WHERE lot_id = ${lot.id}`.execute(t.database.db),
    ).rejects.toThrow(/permission denied/);
  });

  it('refuses at commit an event whose lots do not add up to what it records', async () => {
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const lot = await produce(t, h.admin!, miner, await site(t, h.admin!, 'obuasi'), 1_000);
    const before = await counts();
    // A split that records 1,000 mg in and out, but whose outputs hold 1,001 mg.
    const attempt = t.database.db.transaction().execute(async (tx) => {
      const e = '01900000-0000-7000-8000-0000000000e1';
      await sql`INSERT INTO custody_events (id, kind, country, actor_id, area_id, occurred_at, input_mg, output_mg,
                  request_fingerprint)
                VALUES (${e}, 'split', 'GH', ${miner}, ${t.fx.areas.obuasi.id}, now(), 1000, 1000, 'x')`.execute(
        tx,
      );
      await sql`UPDATE lots SET status = 'consumed', consumed_by_event = ${e} WHERE id = ${lot.id}`.execute(
        tx,
      );
      for (const [i, mass] of [
        [1, 500],
        [2, 501],
      ] as const) {
        const id = `01900000-0000-7000-8000-00000000000${i}`;
        await sql`INSERT INTO lots (id, tag, country, mineral, form, mass_mg, holder_actor_id, created_by_event)
                  VALUES (${id}, ${`GH-FAKE-${i}`}, 'GH', 'gold', 'ore', ${mass}, ${miner}, ${e})`.execute(
          tx,
        );
        await sql`INSERT INTO custody_event_lots VALUES (${e}, ${id}, 'output')`.execute(tx);
      }
      await sql`INSERT INTO custody_event_lots VALUES (${e}, ${lot.id}, 'input')`.execute(tx);
    });
    await expect(attempt).rejects.toThrow(/does not balance/);
    expect(await counts()).toEqual(before);
  });
});

describe('at the same moment', () => {
  it('sells a lot once when two sales of it come together', async () => {
    const seller = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const buyers = [
      await custodyActor(t, h.admin!, 'obuasi', 'trader'),
      await custodyActor(t, h.admin!, 'obuasi', 'buying_station'),
    ];
    const lot = await produce(t, h.admin!, seller, await site(t, h.admin!, 'obuasi'), 9_000);
    const results = await Promise.all(
      buyers.map((buyer) =>
        post(t, h.admin!, '/api/v1/custody/transfers', {
          lotIds: [lot.id],
          sellerActorId: seller,
          buyerActorId: buyer,
          recordedSide: 'seller',
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('custody.not_holder');
    const winner = results.find((r) => r.statusCode === 201)!.json().counterpartId;
    expect((await get(`/api/v1/lots/${lot.id}`)).json().holderActorId).toBe(winner);
    const moves = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM custody_event_lots WHERE lot_id = ${lot.id} AND role = 'moved'`.execute(
      t.database.db,
    );
    expect(moves.rows[0]!.n).toBe(1);
  });

  it('consumes a lot once when two merges of it come together', async () => {
    const holder = await custodyActor(t, h.admin!, 'obuasi', 'buying_station');
    const miner = await custodyActor(t, h.admin!, 'obuasi', 'miner');
    const pit = await site(t, h.admin!, 'obuasi');
    const [shared, x, y] = [
      await produce(t, h.admin!, miner, pit, 100),
      await produce(t, h.admin!, miner, pit, 200),
      await produce(t, h.admin!, miner, pit, 300),
    ];
    await transfer(t, h.admin!, [shared!.id, x!.id, y!.id], miner, holder);
    const results = await Promise.all(
      [x!, y!].map((other) =>
        post(t, h.admin!, '/api/v1/custody/merges', { lotIds: [shared!.id, other.id] }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('custody.lot_closed');
    const open = await sql<{ mg: number }>`
      SELECT coalesce(sum(mass_mg), 0)::bigint AS mg FROM lots WHERE holder_actor_id = ${holder} AND status = 'open'`.execute(
      t.database.db,
    );
    expect(open.rows[0]!.mg).toBe(600);
  });
});
