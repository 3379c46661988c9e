/**
 * Transfers in batches (a buying station's day sent at once): each transfer recorded or refused on
 * its own with its problem, a chain of sales inside one batch, a batch sent again records nothing
 * twice, and shape mistakes or a transfer outside the caller's areas refuse the whole batch.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/server/platform/audit/verify.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, type Headers, post, produce, site } from '../support/custody-flow.ts';

let t: TestApp;
let admin: Headers;
let officer: Headers;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
  officer = await t.login('obuasiOfficer');
});
afterAll(async () => {
  await t?.close();
});

const URL = '/api/v1/custody/transfers/batch';
const counts = async () =>
  (
    await sql<{ events: number; audit: number }>`
      SELECT (SELECT count(*)::int FROM custody_events WHERE kind = 'transfer') AS events,
             (SELECT count(*)::int FROM audit_events WHERE action = 'custody.transfer_recorded') AS audit`.execute(
      t.database.db,
    )
  ).rows[0]!;
const holderOf = async (lotId: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/lots/${lotId}`, headers: admin })).json().holderActorId;

describe('a batch of transfers', () => {
  it('records the good ones, refuses the bad ones with their problem, and is safe to send again', async () => {
    const pit = await site(t, admin, 'obuasi');
    const miners = [
      await custodyActor(t, admin, 'obuasi', 'miner'),
      await custodyActor(t, admin, 'obuasi', 'miner'),
    ];
    const trader = await custodyActor(t, admin, 'obuasi', 'trader');
    const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const a = await produce(t, admin, miners[0]!, pit, 2_500);
    const b = await produce(t, admin, miners[1]!, pit, 1_750);
    const items = [
      // a goes miner → trader → station within the batch: the second sale sees the first.
      { id: uuidv7(), lotIds: [a.id], sellerActorId: miners[0], buyerActorId: trader, recordedSide: 'buyer' },
      { id: uuidv7(), lotIds: [a.id], sellerActorId: trader, buyerActorId: station, recordedSide: 'buyer' },
      // Sold again by the first miner, who no longer holds it.
      {
        id: uuidv7(),
        lotIds: [a.id],
        sellerActorId: miners[0],
        buyerActorId: station,
        recordedSide: 'buyer',
      },
      // A lot nobody has.
      {
        id: uuidv7(),
        lotIds: [uuidv7()],
        sellerActorId: miners[1],
        buyerActorId: station,
        recordedSide: 'buyer',
      },
      {
        id: uuidv7(),
        lotIds: [b.id],
        sellerActorId: miners[1],
        buyerActorId: station,
        recordedSide: 'buyer',
        priceMinor: 1_250_000,
        currency: 'GHS',
      },
    ];
    const before = await counts();
    const res = await post(t, officer, URL, { items });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { status: number }) => i.status)).toEqual([201, 201, 409, 422, 201]);
    expect([body.recorded, body.replayed, body.refused]).toEqual([3, 0, 2]);
    expect(body.items[2].problem.code).toBe('custody.not_holder');
    expect(body.items[3].problem.code).toBe('custody.unknown_reference');
    expect(body.items[0].event.counterpartId).toBe(trader);
    expect(await holderOf(a.id)).toBe(station);
    expect(await holderOf(b.id)).toBe(station);
    const after = await counts();
    // Three transfers, three audit entries: the refused ones left nothing behind.
    expect(after.events - before.events).toBe(3);
    expect(after.audit - before.audit).toBe(3);
    // Appended together at the batch's end, in the order of the items, one request's events.
    const trail = await t.database.db
      .selectFrom('audit_events')
      .select(['seq', 'entity_id', 'request_id'])
      .where('action', '=', 'custody.transfer_recorded')
      .orderBy('seq', 'desc')
      .limit(3)
      .execute();
    trail.reverse();
    expect(trail.map((r) => r.entity_id)).toEqual([0, 1, 4].map((i) => body.items[i].event.id));
    expect(trail[2]!.seq - trail[0]!.seq).toBe(2);
    expect(new Set(trail.map((r) => r.request_id)).size).toBe(1);
    expect((await verifyChain(t.database.db)).ok).toBe(true);

    // The same batch again (the network dropped the answer): the three answer 200, nothing is added.
    const again = await post(t, officer, URL, { items });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().items.map((i: { status: number }) => i.status)).toEqual([200, 200, 409, 422, 200]);
    expect(again.json().items[1].event.id).toBe(body.items[1].event.id);
    expect(await counts()).toEqual(after);
  });

  it('refuses a batch whose shape is wrong, or whose ids are missing or repeated, and keeps nothing', async () => {
    const pit = await site(t, admin, 'obuasi');
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const lot = await produce(t, admin, miner, pit, 900);
    const good = { lotIds: [lot.id], sellerActorId: miner, buyerActorId: station, recordedSide: 'buyer' };
    const before = await counts();

    const noId = await post(t, officer, URL, { items: [{ ...good }] });
    expect(noId.statusCode).toBe(400);
    expect(noId.json().errors[0].path).toBe('body.items.0.id');

    const id = uuidv7();
    const twice = await post(t, officer, URL, {
      items: [
        { ...good, id },
        { ...good, id },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([
      expect.objectContaining({ path: 'body.items.1.id', code: 'duplicate' }),
    ]);

    const empty = await post(t, officer, URL, { items: [] });
    expect(empty.statusCode).toBe(400);
    const tooMany = await post(t, officer, URL, {
      items: Array.from({ length: 501 }, () => ({ ...good, id: uuidv7() })),
    });
    expect(tooMany.statusCode).toBe(400);
    const badPrice = await post(t, officer, URL, { items: [{ ...good, id: uuidv7(), priceMinor: 10 }] });
    expect(badPrice.statusCode).toBe(400);

    expect(await counts()).toEqual(before);
    expect(await holderOf(lot.id)).toBe(miner);
  });

  it('refuses the whole batch when one transfer is outside the caller’s areas', async () => {
    const pit = await site(t, admin, 'obuasi');
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const farMiner = await custodyActor(t, admin, 'bibiani', 'miner');
    const farStation = await custodyActor(t, admin, 'bibiani', 'buying_station');
    const farPit = await site(t, admin, 'bibiani');
    const near = await produce(t, admin, miner, pit, 1_000);
    const far = await produce(t, admin, farMiner, farPit, 1_000);
    const before = await counts();
    const res = await post(t, officer, URL, {
      items: [
        {
          id: uuidv7(),
          lotIds: [near.id],
          sellerActorId: miner,
          buyerActorId: station,
          recordedSide: 'buyer',
        },
        {
          id: uuidv7(),
          lotIds: [far.id],
          sellerActorId: farMiner,
          buyerActorId: farStation,
          recordedSide: 'buyer',
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json().code).toBe('access.outside_jurisdiction');
    // The first transfer, within the officer's district, was rolled back with the rest.
    expect(await counts()).toEqual(before);
    expect(await holderOf(near.id)).toBe(miner);
  });
});
