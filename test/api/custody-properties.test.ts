/**
 * Properties of the chain of custody over random sequences of production, transfers, splits,
 * merges, processing and exports sent through the API: no sequence creates or destroys mass (what
 * was produced is, to the milligram, in open lots, exported lots or recorded processing losses),
 * every lot's upstream shares add up to exactly 1 and equal the composition this test follows forward
 * on its own (a merge mixes its inputs by mass; a split, processing or transfer keeps the mix), and
 * every site's production is accounted for downstream to the milligram.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, type Headers, lotsIn, post, produce, site } from '../support/custody-flow.ts';

let t: TestApp;
let admin: Headers;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

type Op =
  | { op: 'produce'; mass: number; tin: boolean }
  | { op: 'transfer'; lot: number; to: number }
  | { op: 'split'; lot: number; cuts: number[] }
  | { op: 'merge'; holder: number; take: number }
  | { op: 'process'; lot: number; recoveryPermille: number }
  | { op: 'export'; lot: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('produce' as const),
    mass: fc.integer({ min: 1, max: 5_000_000 }),
    tin: fc.boolean(),
  }),
  fc.record({ op: fc.constant('transfer' as const), lot: fc.nat(), to: fc.nat() }),
  fc.record({
    op: fc.constant('split' as const),
    lot: fc.nat(),
    cuts: fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 1, maxLength: 3 }),
  }),
  {
    // Merges are what mix origins: drawn more often than the rest.
    arbitrary: fc.record({
      op: fc.constant('merge' as const),
      holder: fc.nat(),
      take: fc.integer({ min: 2, max: 4 }),
    }),
    weight: 3,
  },
  fc.record({
    op: fc.constant('process' as const),
    lot: fc.nat(),
    recoveryPermille: fc.integer({ min: 0, max: 1000 }),
  }),
  fc.record({ op: fc.constant('export' as const), lot: fc.nat() }),
);

interface OpenLot {
  id: string;
  holder: string;
  mass: number;
  mineral: string;
}

/** Exact sum of fractions given as decimal strings, reduced to n/d. */
function sumFractions(shares: { numerator: string; denominator: string }[]): [bigint, bigint] {
  let n = 0n;
  let d = 1n;
  for (const s of shares) {
    const [a, b] = [BigInt(s.numerator), BigInt(s.denominator)];
    [n, d] = [n * b + a * d, d * b];
  }
  return [n, d];
}

/** Exact fractions as [numerator, denominator], kept by the test itself, apart from the server's. */
type Q = readonly [bigint, bigint];
/** Origin lot id → its exact part of a lot. */
type Mix = Map<string, Q>;
const reduce = ([n, d]: Q): Q => {
  let [a, b] = [n < 0n ? -n : n, d];
  while (b !== 0n) [a, b] = [b, a % b];
  return [n / a, d / a];
};
const addQ = (x: Q, y: Q): Q => reduce([x[0] * y[1] + y[0] * x[1], x[1] * y[1]]);

/** A merge: each input's mix, weighted by its mass in the total. */
function mixOf(inputs: { mix: Mix; mass: number }[]): Mix {
  const total = BigInt(inputs.reduce((s, i) => s + i.mass, 0));
  const out: Mix = new Map();
  for (const input of inputs)
    for (const [origin, [n, d]] of input.mix) {
      const part = reduce([n * BigInt(input.mass), d * total]);
      out.set(origin, addQ(out.get(origin) ?? [0n, 1n], part));
    }
  return out;
}

async function totals() {
  return (
    await sql<{ produced: number; open: number; exported: number; lost: number }>`
      SELECT (SELECT coalesce(sum(output_mg), 0) FROM custody_events WHERE kind = 'production')::bigint AS produced,
             (SELECT coalesce(sum(mass_mg), 0) FROM lots WHERE status = 'open')::bigint AS open,
             (SELECT coalesce(sum(mass_mg), 0) FROM lots WHERE status = 'exported')::bigint AS exported,
             (SELECT coalesce(sum(loss_mg), 0) FROM custody_events)::bigint AS lost`.execute(t.database.db)
  ).rows[0]!;
}

describe('random custody sequences', () => {
  it('never create or destroy mass, and trace shares always add up to 1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const miner = await custodyActor(t, admin, 'obuasi', 'miner');
        const holders = [
          miner,
          await custodyActor(t, admin, 'obuasi', 'trader'),
          await custodyActor(t, admin, 'obuasi', 'processing_plant'),
        ];
        const exporter = await custodyActor(t, admin, 'obuasi', 'exporter');
        const pit = await site(t, admin, 'obuasi');
        let open: OpenLot[] = [];
        // Every lot of this run, with its mix of origins as this test computes it.
        const touched = new Map<string, Mix>();
        const add = (
          event: { lots: { lotId: string; role: string; massMg: number }[] },
          holder: string,
          mineral: string,
          mix: Mix,
        ) => {
          for (const o of lotsIn(event as never, 'output')) {
            open.push({ id: o.lotId, holder, mass: o.massMg, mineral });
            touched.set(o.lotId, mix);
          }
        };
        const own = (id: string): Mix => new Map([[id, [1n, 1n] as const]]);
        const drop = (ids: string[]) => {
          open = open.filter((l) => !ids.includes(l.id));
        };
        // Always something to work on: three gold lots of unequal mass, so that merges mix origins.
        for (const mass of [1_000_000, 370_001, 52_913]) {
          const first = await produce(t, admin, miner, pit, mass);
          open.push({ id: first.id, holder: miner, mass: first.massMg, mineral: 'gold' });
          touched.set(first.id, own(first.id));
        }

        for (const op of ops) {
          const pick = (i: number) => open[i % open.length];
          if (op.op === 'produce') {
            const mineral = op.tin ? 'tin' : 'gold';
            const lot = await produce(t, admin, miner, pit, op.mass, { mineral });
            open.push({ id: lot.id, holder: miner, mass: lot.massMg, mineral });
            touched.set(lot.id, own(lot.id));
          } else if (open.length === 0) {
          } else if (op.op === 'transfer') {
            const lot = pick(op.lot)!;
            const to = holders[op.to % holders.length]!;
            if (to === lot.holder) continue;
            const res = await post(t, admin, '/api/v1/custody/transfers', {
              lotIds: [lot.id],
              sellerActorId: lot.holder,
              buyerActorId: to,
              recordedSide: 'seller',
            });
            expect(res.statusCode, res.body).toBe(201);
            lot.holder = to;
          } else if (op.op === 'split') {
            const lot = pick(op.lot)!;
            // Cut points in per mille of the mass; parts of 0 mg are left out, the last part takes the rest.
            const points = [...new Set(op.cuts.map((c) => Math.floor((lot.mass * c) / 1000)))]
              .filter((p) => p > 0 && p < lot.mass)
              .sort((a, b) => a - b);
            if (points.length === 0) continue;
            const parts = [...points, lot.mass].map((p, i, all) => p - (i === 0 ? 0 : all[i - 1]!));
            const res = await post(t, admin, '/api/v1/custody/splits', {
              lotId: lot.id,
              outputs: parts.map((massMg) => ({ massMg })),
            });
            expect(res.statusCode, res.body).toBe(201);
            drop([lot.id]);
            add(res.json(), lot.holder, lot.mineral, touched.get(lot.id)!);
          } else if (op.op === 'merge') {
            const holder = holders[op.holder % holders.length]!;
            const mine = open.filter((l) => l.holder === holder).slice(0, op.take);
            if (mine.length < 2) continue;
            const res = await post(t, admin, '/api/v1/custody/merges', { lotIds: mine.map((l) => l.id) });
            if (new Set(mine.map((l) => l.mineral)).size > 1) {
              expect(res.statusCode, res.body).toBe(422);
              expect(res.json().code).toBe('custody.mixed_minerals');
              continue;
            }
            expect(res.statusCode, res.body).toBe(201);
            drop(mine.map((l) => l.id));
            const mix = mixOf(mine.map((l) => ({ mix: touched.get(l.id)!, mass: l.mass })));
            add(res.json(), holder, mine[0]!.mineral, mix);
          } else if (op.op === 'process') {
            const lot = pick(op.lot)!;
            const massMg = Math.floor((lot.mass * op.recoveryPermille) / 1000);
            if (massMg === 0) continue;
            const res = await post(t, admin, '/api/v1/custody/processings', {
              lotIds: [lot.id],
              output: { form: 'concentrate', massMg },
            });
            expect(res.statusCode, res.body).toBe(201);
            expect(res.json().lossMg).toBe(lot.mass - massMg);
            drop([lot.id]);
            add(res.json(), lot.holder, lot.mineral, touched.get(lot.id)!);
          } else {
            const lot = pick(op.lot)!;
            const sale = await post(t, admin, '/api/v1/custody/transfers', {
              lotIds: [lot.id],
              sellerActorId: lot.holder,
              buyerActorId: exporter,
              recordedSide: 'buyer',
            });
            expect(sale.statusCode, sale.body).toBe(201);
            const res = await post(t, admin, '/api/v1/custody/exports', {
              lotIds: [lot.id],
              exportPermit: 'PROP-1',
              destinationCountry: 'CH',
            });
            expect(res.statusCode, res.body).toBe(201);
            drop([lot.id]);
          }
        }

        // Mass: everything produced is in an open lot, an exported lot or a recorded loss, exactly.
        const sums = await totals();
        expect(sums.open + sums.exported + sums.lost).toBe(sums.produced);

        // Shares: every lot of this run is made, exactly, of its origins, as followed here.
        for (const [id, mix] of touched) {
          const res = await t.app.inject({
            method: 'GET',
            url: `/api/v1/lots/${id}/trace?direction=upstream`,
            headers: admin,
          });
          expect(res.statusCode, res.body).toBe(200);
          const origins: { lotId: string; share: { numerator: string; denominator: string } }[] =
            res.json().origins;
          const [n, d] = sumFractions(origins.map((o) => o.share));
          expect(n).toBe(d);
          const served = new Map(
            origins.map((o) => [o.lotId, reduce([BigInt(o.share.numerator), BigInt(o.share.denominator)])]),
          );
          expect(served).toEqual(mix);
        }

        // The pit's production, followed downstream, is all accounted for.
        const down = await t.app.inject({
          method: 'GET',
          url: `/api/v1/custody/sites/${pit}/downstream`,
          headers: admin,
        });
        expect(down.statusCode, down.body).toBe(200);
        const s = down.json();
        const [n, d] = sumFractions([s.openMg, s.exportedMg, s.lostMg]);
        expect(n).toBe(BigInt(s.producedMg) * d);
      }),
      { numRuns: 15 },
    );
  });
});
