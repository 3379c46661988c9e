/**
 * The demo chain of custody (issue 6): after the demo accounts, registry and licensing, as bootstrap
 * loads them, the Ghana and DRC profiles get actors, about twenty lots of gold from three demo sites,
 * purchases (all but one confirmed), a merge, a melt, a split and an export whose upstream trace
 * reaches the sites with shares adding up to exactly 1. A daily illustrative reference price of gold
 * for the last 90 days comes first, so the purchases are compared with it (and, priced a little under
 * it, raise no price flag). Loaded once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustodyDemoResult, seedCustodyDemo } from '../../src/server/demo/custody-seed.ts';
import { seedLicensingDemo } from '../../src/server/demo/licensing-seed.ts';
import { DEMO_PRICE_SOURCE } from '../../src/server/demo/reference-prices-seed.ts';
import { seedRegistryDemo } from '../../src/server/demo/registry-seed.ts';
import { seedDemo } from '../../src/server/demo/seed.ts';
import { createCustodyService } from '../../src/server/modules/custody/service.ts';
import { loadProfileByName } from '../../src/server/modules/profiles/loader.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import { addDays, countryToday } from '../../src/server/platform/calendar.ts';
import { systemContext } from '../../src/server/platform/context.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const ctx = systemContext('test');
const DAY = 86_400_000;

describe.each([
  // The illustrative reference: GHS 1,400 and CDF 360,000 a gram of fine gold, in minor units.
  { profile: 'ghana', country: 'GH', currency: 'GHS', reference: 140_000, demo: /\(demo\)$/ },
  { profile: 'drc', country: 'CD', currency: 'CDF', reference: 36_000_000, demo: /\(démo\)$/ },
])('the $profile demo chain of custody', ({ profile, country, currency, reference, demo }) => {
  let t: TestApp;
  let seeded: CustodyDemoResult | null;
  const deps = () => ({ audit: createAuditLog({ clock: t.clock }), clock: t.clock });
  const seed = () => seedCustodyDemo(t.database, deps(), ctx, profile);
  const rows = async <R>(query: ReturnType<typeof sql<R>>) => (await query.execute(t.database.db)).rows;

  beforeAll(async () => {
    t = await createTestApp();
    const d = deps();
    // As bootstrap does, in its order (the cadastre, fees and detections demos play no part here).
    await loadProfileByName(t.database, d.audit, ctx, profile);
    await seedDemo(t.database, d.audit, ctx, profile);
    expect(await seedRegistryDemo(t.database, d, ctx, profile)).toBeGreaterThan(0);
    expect(await seedLicensingDemo(t.database, d, ctx)).toBeGreaterThan(0);
    seeded = await seed();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  it('creates the actors: two miners who are demo people, the cooperative, and invented traders marked demo', async () => {
    expect(seeded).not.toBeNull();
    const actors = await rows(sql<{
      kind: string;
      name: string;
      person_id: string | null;
      enterprise_id: string | null;
    }>`
      SELECT kind, name, person_id, enterprise_id FROM custody_actors WHERE country = ${country} ORDER BY kind, name`);
    expect(actors.map((a) => a.kind).sort()).toEqual(
      ['buying_station', 'enterprise', 'exporter', 'miner', 'miner', 'trader'].sort(),
    );
    const people = await rows(sql<{ id: string; name: string }>`
      SELECT id, given_name || ' ' || family_name AS name FROM people`);
    for (const m of actors.filter((a) => a.kind === 'miner'))
      expect(people).toContainEqual({ id: m.person_id, name: m.name });
    expect(actors.find((a) => a.kind === 'enterprise')!.enterprise_id).not.toBeNull();
    for (const a of actors.filter((x) => ['trader', 'buying_station', 'exporter'].includes(x.kind)))
      expect(a.name).toMatch(demo);
    // The miners' pits are new sites, named as invented; the third is the registry's cooperative unit.
    const pits = await rows(sql<{ name: string }>`
      SELECT name FROM production_units WHERE id = ANY(${seeded!.siteIds.slice(0, 2)}::uuid[])`);
    expect(pits).toHaveLength(2);
    for (const p of pits) expect(p.name).toMatch(demo);
  });

  it('records about twenty lots of gold over six weeks with realistic masses and fineness', async () => {
    const lots = await rows(sql<{
      mass_mg: number;
      fineness_ptt: number;
      occurred_at: Date;
      origin_site_id: string;
    }>`
      SELECT l.mass_mg, l.fineness_ptt, e.occurred_at, l.origin_site_id
        FROM lots l JOIN custody_events e ON e.id = l.created_by_event
       WHERE e.kind = 'production' AND l.country = ${country}`);
    expect(lots).toHaveLength(seeded!.productionLots);
    expect(lots.length).toBeGreaterThanOrEqual(18);
    const now = t.clock.now().getTime();
    for (const l of lots) {
      expect(l.mass_mg).toBeGreaterThanOrEqual(1_000);
      expect(l.mass_mg).toBeLessThanOrEqual(50_000);
      expect(l.fineness_ptt).toBeGreaterThanOrEqual(8_000);
      expect(l.fineness_ptt).toBeLessThanOrEqual(9_200);
      expect(now - new Date(l.occurred_at).getTime()).toBeLessThanOrEqual(43 * DAY);
      expect(new Date(l.occurred_at).getTime()).toBeLessThanOrEqual(now);
    }
    expect(new Set(lots.map((l) => l.origin_site_id))).toEqual(new Set(seeded!.siteIds));
  });

  it('has purchases priced in the country currency, all confirmed but the latest one', async () => {
    const transfers = await rows(sql<{
      price_minor: number | null;
      currency: string | null;
      confirmed_at: Date | null;
    }>`
      SELECT price_minor, currency, confirmed_at FROM custody_events WHERE kind = 'transfer' AND country = ${country}`);
    expect(transfers.length).toBeGreaterThan(10);
    for (const x of transfers) {
      expect(x.currency).toBe(currency);
      expect(x.price_minor).toBeGreaterThan(0);
    }
    expect(transfers.filter((x) => x.confirmed_at === null)).toHaveLength(1);
    const kinds = await rows(sql<{ kind: string; n: number }>`
      SELECT kind, count(*)::int AS n FROM custody_events WHERE country = ${country} GROUP BY kind`);
    expect(Object.fromEntries(kinds.map((k) => [k.kind, k.n]))).toMatchObject({
      merge: 1,
      processing: 1,
      split: 1,
      export: 1,
    });
  });

  it('records a reference price of gold for each of the last 90 days, drifting gently around the reference', async () => {
    const prices = await rows(sql<{ day: string; price_minor: number; currency: string; source: string }>`
      SELECT day::text AS day, price_minor::float8 AS price_minor, currency, source
        FROM reference_prices WHERE country = ${country} AND mineral = 'gold' ORDER BY day DESC`);
    const today = await countryToday(t.database.db, country, t.clock.now());
    expect(prices.map((p) => p.day)).toEqual(Array.from({ length: 90 }, (_, i) => addDays(today, -i)));
    for (const p of prices) {
      expect(p).toMatchObject({ currency, source: DEMO_PRICE_SOURCE });
      expect(Math.abs(p.price_minor - reference)).toBeLessThanOrEqual((reference * 3) / 100);
    }
    // It moves: not one price repeated 90 times, nor a jump from one day to the next.
    expect(new Set(prices.map((p) => p.price_minor)).size).toBeGreaterThan(10);
    for (let i = 1; i < prices.length; i++)
      expect(Math.abs(prices[i]!.price_minor / prices[i - 1]!.price_minor - 1)).toBeLessThanOrEqual(0.015);
  });

  it('compares every priced purchase with that day’s reference, and none is far enough from it to be flagged', async () => {
    // The references were set before the first purchase was recorded (flags are raised then)…
    const [order] = await rows(sql<{ last_price: string; first_transfer: string }>`
      SELECT (SELECT max(seq) FROM audit_events
               WHERE action = 'custody.reference_price_set' AND entity_id LIKE ${`${country}/gold/%`}) AS last_price,
             (SELECT min(a.seq) FROM audit_events a JOIN custody_events e ON e.id::text = a.entity_id
               WHERE a.action = 'custody.transfer_recorded' AND e.country = ${country}) AS first_transfer`);
    expect(BigInt(order!.last_price)).toBeLessThan(BigInt(order!.first_transfer));
    // …each transfer's day in the profile's time zone has one in the same currency, so the price
    // checks ran (flags.ts compares only then)…
    const unreferenced = await rows(sql<{ id: string }>`
      SELECT e.id FROM custody_events e
        JOIN country_profiles cp ON cp.country = e.country
       WHERE e.kind = 'transfer' AND e.country = ${country} AND e.price_minor IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM reference_prices r
            WHERE r.country = e.country AND r.mineral = 'gold' AND r.currency = e.currency
              AND r.day = (e.occurred_at AT TIME ZONE (cp.document ->> 'timeZone'))::date)`);
    expect(unreferenced).toEqual([]);
    // …and the purchases, a little under the reference, are within the profile's 70–130 %.
    const flags = await rows(sql<{ code: string }>`
      SELECT code FROM custody_flags WHERE country = ${country} AND code LIKE 'price%'`);
    expect(flags).toEqual([]);
  });

  it('traces the exported lot back to the demo sites, with shares adding up to exactly 1', async () => {
    const service = createCustodyService(deps());
    const lot = await service.lot(t.database.db, ctx, seeded!.exportLotId);
    expect(lot.status).toBe('exported');
    const trace = await service.trace(t.database.db, ctx, seeded!.exportLotId, 'upstream');
    const sites = new Set(trace.origins.map((o) => o.originSiteId));
    expect(sites).toEqual(new Set(seeded!.siteIds));
    // Σ n/d = 1 exactly, with BigInt arithmetic.
    let n = 0n;
    let d = 1n;
    for (const o of trace.origins) {
      const [on, od] = [BigInt(o.share.numerator), BigInt(o.share.denominator)];
      [n, d] = [n * od + on * d, d * od];
    }
    expect(n).toBe(d);
    const mass = trace.origins.reduce((s, o) => s + o.massMg, 0);
    expect(Math.abs(mass - lot.massMg)).toBeLessThanOrEqual(trace.origins.length);
  });

  it('adds nothing when it runs again', async () => {
    const count = async () =>
      (
        await rows(sql<{ n: string }>`
          SELECT (SELECT count(*) FROM custody_actors) + (SELECT count(*) FROM lots)
               + (SELECT count(*) FROM custody_events) + (SELECT count(*) FROM production_units)
               + (SELECT count(*) FROM reference_prices) + (SELECT count(*) FROM audit_events) AS n`)
      )[0]!.n;
    const before = await count();
    expect(await seed()).toBeNull();
    expect(await count()).toBe(before);
  });

  it('started again ten days later, adds the ten days of prices it missed, and none after an officer’s', async () => {
    const prices = () =>
      rows(sql<{ day: string; price_minor: string; source: string }>`
        SELECT day::text AS day, price_minor::text AS price_minor, source
          FROM reference_prices WHERE country = ${country} AND mineral = 'gold' ORDER BY day`);
    const before = await prices();
    t.clock.set(new Date(t.clock.now().getTime() + 10 * DAY));
    expect(await seed()).toBeNull(); // the chain of custody is there already
    const after = await prices();
    const today = await countryToday(t.database.db, country, t.clock.now());
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((p) => p.day)).toEqual(
      Array.from({ length: 10 }, (_, i) => addDays(today, i - 9)),
    );
    for (const p of after.slice(before.length)) {
      expect(p.source).toBe(DEMO_PRICE_SOURCE);
      expect(Math.abs(Number(p.price_minor) - reference)).toBeLessThanOrEqual((reference * 3) / 100);
    }
    // A day's price is that of its date, whenever it was recorded: no jump where the new days begin.
    const last = Number(before.at(-1)!.price_minor);
    expect(Math.abs(Number(after[before.length]!.price_minor) / last - 1)).toBeLessThanOrEqual(0.015);

    // An officer sets today's price; two days later the demo adds nothing.
    await t.database.asOwner((c) =>
      c.query(`UPDATE reference_prices SET source = 'Bank of the country' WHERE country = $1 AND day = $2`, [
        country,
        today,
      ]),
    );
    t.clock.set(new Date(t.clock.now().getTime() + 2 * DAY));
    expect(await seed()).toBeNull();
    expect(await prices()).toHaveLength(after.length);
  });
});
