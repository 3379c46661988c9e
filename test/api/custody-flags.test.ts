/**
 * Risk flags raised when custody events are recorded: origin without a valid licence or with a
 * suspended one, near an area where armed groups are reported, beyond the site's capacity; a trade
 * with a side whose licences are suspended; prices far from the day's reference price (with the real
 * World Bank gold price when ../shared/data is there). Then listing, jurisdiction and resolving.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids.ts';
import { BALANCE_FLAGS, FLAG_CODES } from '../../src/shared/schemas/custody-oversight.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { custodyActor, type Headers, post, produce } from '../support/custody-flow.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';
import { reportMissing, sharedDataFile } from '../support/shared-data.ts';

let t: TestApp;
let admin: Headers;
const DAY = '2026-03-02';

beforeAll(async () => {
  t = await createTestApp();
  await installTestProfile(t.database, [COMMUNITY_PERMIT], {
    custody: {
      priceBelowReferencePercent: 70,
      priceAboveReferencePercent: 130,
      armedGroupDistanceMetres: 5000,
    },
  });
  // After every event the tests date.
  t.clock.set(new Date('2026-03-10T00:00:00Z'));
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Headers = admin) => t.app.inject({ method: 'GET', url, headers });

async function unit(extra: object = {}, area: 'obuasi' | 'bibiani' = 'obuasi'): Promise<string> {
  const res = await post(t, admin, '/api/v1/production-units', {
    kind: 'pit',
    name: `Flag pit ${uuidv7()}`,
    areaId: t.fx.areas[area].id,
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** A licence straight into the tables (issuing one through the API is licensing's own test). */
async function licence(
  holderKind: 'person' | 'enterprise' | 'production_unit',
  holderId: string,
  status: 'active' | 'suspended',
  validTo = '2027-01-01',
) {
  const app = uuidv7();
  const area = t.fx.areas.obuasi.id;
  await sql`
    INSERT INTO licence_applications (id, reference, tier_code, holder_kind, holder_id, area_id, status,
                                      requested_area_hectares, fee_assessed_minor, currency)
    VALUES (${app}, ${`FLAG-${app}`}, 'community_permit', ${holderKind}, ${holderId}, ${area}, 'issued', 1, 0, 'GHS')`.execute(
    t.database.db,
  );
  const number = `GH-AS-FLAG-${app.slice(-8)}`;
  await sql`
    INSERT INTO licences (id, number, application_id, tier_code, holder_kind, holder_id, area_id, status,
                          valid_from, valid_to)
    VALUES (${uuidv7()}, ${number}, ${app}, 'community_permit', ${holderKind}, ${holderId}, ${area}, ${status},
            DATE '2026-01-01', ${validTo}::date)`.execute(t.database.db);
  return number;
}

async function flagsOf(query: string, headers: Headers = admin) {
  const res = await get(`/api/v1/custody/flags?limit=500&${query}`, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as {
    id: string;
    code: string;
    lotId: string | null;
    siteId: string | null;
    actorId: string | null;
    eventId: string | null;
    params: Record<string, unknown>;
    evidence: Record<string, unknown>;
    status: string;
  }[];
}

const codesFor = async (lotId: string) =>
  (await flagsOf('')).filter((f) => f.lotId === lotId).map((f) => f.code);

describe('origin flags', () => {
  it('flags production at a site without a valid licence, or with a suspended one', async () => {
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    const bare = await unit();
    const lot = await produce(t, admin, miner, bare, 1_000);
    const [flag] = (await flagsOf('code=origin_unlicensed')).filter((f) => f.lotId === lot.id);
    expect(flag).toMatchObject({ siteId: bare, actorId: miner, status: 'open', evidence: { licences: [] } });

    const licensed = await unit();
    await licence('production_unit', licensed, 'active');
    expect(await codesFor((await produce(t, admin, miner, licensed, 1_000)).id)).toEqual([]);

    const suspended = await unit();
    const number = await licence('production_unit', suspended, 'suspended');
    const s = await produce(t, admin, miner, suspended, 1_000);
    const [sf] = (await flagsOf('code=origin_licence_suspended')).filter((f) => f.lotId === s.id);
    expect(sf?.params).toMatchObject({ licenceNumbers: number });

    // Active on paper but past its last day: no valid licence on the day of production.
    const lapsed = await unit();
    await licence('production_unit', lapsed, 'active', '2026-02-28');
    expect(await codesFor((await produce(t, admin, miner, lapsed, 1_000)).id)).toEqual(['origin_unlicensed']);
  });

  it('flags production in or near an area where armed groups are reported, not farther', async () => {
    const layer = await post(t, admin, '/api/v1/cadastre/layers', {
      country: 'GH',
      kind: 'armed_group_presence',
      name: 'Reported armed group presence (test)',
    });
    expect(layer.statusCode, layer.body).toBe(201);
    const square = [
      [-2.0, 6.0],
      [-1.9, 6.0],
      [-1.9, 6.1],
      [-2.0, 6.1],
      [-2.0, 6.0],
    ];
    const imported = await post(t, admin, `/api/v1/cadastre/layers/${layer.json().id}/import`, {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'Zone A' },
          geometry: { type: 'Polygon', coordinates: [square] },
        },
      ],
    });
    expect(imported.statusCode, imported.body).toBeLessThan(300);
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    const point = (lon: number, lat: number) => ({ location: { type: 'Point', coordinates: [lon, lat] } });
    const inside = await produce(t, admin, miner, await unit(point(-1.95, 6.05)), 1_000);
    // 0.03° of longitude east of the edge at 6° N is about 3.3 km: within 5 km.
    const near = await produce(t, admin, miner, await unit(point(-1.87, 6.05)), 1_000);
    // 0.1° east is about 11 km.
    const far = await produce(t, admin, miner, await unit(point(-1.8, 6.05)), 1_000);
    const armed = await flagsOf('code=origin_in_armed_group_area');
    const of = (lotId: string) => armed.find((f) => f.lotId === lotId);
    expect(of(inside.id)?.params).toMatchObject({ distanceMetres: 0, limitMetres: 5000 });
    expect(of(near.id)?.params.distanceMetres).toBeGreaterThan(3000);
    expect(of(near.id)?.params.distanceMetres).toBeLessThan(3600);
    expect(of(far.id)).toBeUndefined();
  });

  it('flags the production that takes a day beyond the site’s recorded capacity', async () => {
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    // 0.001 t of ore a day is 1,000,000 mg.
    const pit = await unit({ capacity: { value: 0.001, unit: 't_ore_per_day' } });
    const first = await produce(t, admin, miner, pit, 600_000, { occurredAt: `${DAY}T07:00:00Z` });
    const second = await produce(t, admin, miner, pit, 600_000, { occurredAt: `${DAY}T07:30:00Z` });
    const nextDay = await produce(t, admin, miner, pit, 600_000, { occurredAt: '2026-03-01T07:00:00Z' });
    const capacity = await flagsOf('code=volume_beyond_capacity');
    expect(capacity.filter((f) => [first.id, nextDay.id].includes(f.lotId!))).toEqual([]);
    expect(capacity.find((f) => f.lotId === second.id)?.params).toMatchObject({
      producedMg: 1_200_000,
      capacityMg: 1_000_000,
    });
  });
});

describe('trade flags', () => {
  it('flags a trade with a side whose licences are all suspended', async () => {
    const person = await post(t, admin, '/api/v1/people', {
      givenName: 'Suspended',
      familyName: 'Seller',
      sex: 'not_stated',
      areaId: t.fx.areas.obuasi.id,
    });
    expect(person.statusCode, person.body).toBe(201);
    await licence('person', person.json().id, 'suspended');
    const seller = await post(t, admin, '/api/v1/custody/actors', {
      kind: 'miner',
      name: 'Miner with a suspended licence',
      areaId: t.fx.areas.obuasi.id,
      personId: person.json().id,
    });
    expect(seller.statusCode, seller.body).toBe(201);
    const buyer = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const lot = await produce(t, admin, seller.json().id, await unit(), 1_000);
    const sale = await post(t, admin, '/api/v1/custody/transfers', {
      lotIds: [lot.id],
      sellerActorId: seller.json().id,
      buyerActorId: buyer,
      recordedSide: 'buyer',
    });
    expect(sale.statusCode, sale.body).toBe(201);
    const [flag] = (await flagsOf('code=counterpart_suspended')).filter((f) => f.eventId === sale.json().id);
    expect(flag).toMatchObject({ actorId: seller.json().id, params: { side: 'seller' } });
  });

  it('compares prices with the day’s reference per gram of fine gold, both ways', async () => {
    const set = await post(t, admin, '/api/v1/custody/reference-prices', {
      country: 'GH',
      mineral: 'gold',
      day: DAY,
      priceMinor: 100_000,
      currency: 'GHS',
      source: 'Test fixing',
    });
    expect(set.statusCode, set.body).toBe(200);
    const miner = await custodyActor(t, admin, 'obuasi', 'miner');
    const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
    const pit = await unit();
    const sell = async (finenessPtt: number, priceMinor: number) => {
      // 10 g of ore; at 5000 parts per ten thousand, 5 g of fine gold.
      const lot = await produce(t, admin, miner, pit, 10_000, {
        finenessPtt,
        occurredAt: `${DAY}T06:00:00Z`,
      });
      const res = await post(t, admin, '/api/v1/custody/transfers', {
        lotIds: [lot.id],
        sellerActorId: miner,
        buyerActorId: station,
        recordedSide: 'seller',
        priceMinor,
        currency: 'GHS',
        occurredAt: `${DAY}T09:00:00Z`,
      });
      expect(res.statusCode, res.body).toBe(201);
      const flags = await flagsOf('');
      return flags.filter((f) => f.eventId === res.json().id && f.code.startsWith('price_'));
    };
    expect(await sell(10_000, 1_000_000)).toEqual([]);
    const [low] = await sell(10_000, 600_000);
    expect(low).toMatchObject({
      code: 'price_below_reference',
      params: { ratioPercent: 60, limitPercent: 70 },
    });
    const [high] = await sell(10_000, 1_400_000);
    expect(high).toMatchObject({ code: 'price_above_reference', params: { ratioPercent: 140 } });
    // Half as fine, half the reference: a fair price, not a low one.
    expect(await sell(5_000, 500_000)).toEqual([]);

    const list = await get('/api/v1/custody/reference-prices?country=GH&mineral=gold');
    expect(list.json().items[0]).toMatchObject({ day: DAY, priceMinor: 100_000, source: 'Test fixing' });
    // A regional officer may manage incidents in the region, but not set the country's prices.
    const regional = await t.login('ashantiOfficer');
    const { recordedAt: _r, ...body } = set.json();
    expect((await post(t, regional, '/api/v1/custody/reference-prices', body)).statusCode).toBe(403);
  });

  const GOLD_FILE = 'gold/gold_monthly_usd_1833-2026_datahub.csv';
  const GOLD = sharedDataFile(GOLD_FILE);
  if (!GOLD) reportMissing('The real gold price test', [GOLD_FILE]);
  it.skipIf(!GOLD)(
    'with the real monthly gold price (World Bank Pink Sheet, PDDL), a fair price passes and a half price does not',
    async () => {
      const row = readFileSync(GOLD!, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('2026-02,'));
      if (!row) {
        console.warn(`${GOLD} has no price for 2026-02; nothing to compare`);
        return;
      }
      const usdPerOunce = Number(row.split(',')[1]);
      const centsPerGram = Math.round((usdPerOunce / 31.1034768) * 100);
      const day = '2026-02-27';
      const set = await post(t, admin, '/api/v1/custody/reference-prices', {
        country: 'GH',
        mineral: 'gold',
        day,
        priceMinor: centsPerGram,
        currency: 'USD',
        source: 'World Bank Pink Sheet, monthly average (datahub gold-prices)',
      });
      expect(set.statusCode, set.body).toBe(200);
      const miner = await custodyActor(t, admin, 'obuasi', 'miner');
      const station = await custodyActor(t, admin, 'obuasi', 'buying_station');
      const pit = await unit();
      const codes = async (share: number) => {
        // 31.1 g of doré at 900 fine: 28 g of fine gold.
        const lot = await produce(t, admin, miner, pit, 31_103, {
          finenessPtt: 9000,
          occurredAt: `${day}T08:00:00Z`,
        });
        const res = await post(t, admin, '/api/v1/custody/transfers', {
          lotIds: [lot.id],
          sellerActorId: miner,
          buyerActorId: station,
          recordedSide: 'seller',
          priceMinor: Math.round(31.103 * 0.9 * centsPerGram * share),
          currency: 'USD',
          occurredAt: `${day}T10:00:00Z`,
        });
        expect(res.statusCode, res.body).toBe(201);
        return (await flagsOf('')).filter((f) => f.eventId === res.json().id).map((f) => f.code);
      };
      expect(await codes(0.95)).not.toContain('price_below_reference');
      expect(await codes(0.5)).toContain('price_below_reference');
    },
  );
});

describe('listing and resolving', () => {
  it('lists flags in the caller’s areas only, and resolves one once, with a reason', async () => {
    const there = await custodyActor(t, admin, 'bibiani', 'miner');
    const theirs = await produce(t, admin, there, await unit({}, 'bibiani'), 1_000);
    const here = await custodyActor(t, admin, 'obuasi', 'miner');
    const ours = await produce(t, admin, here, await unit(), 1_000);
    const officer = await t.login('obuasiOfficer');
    const seen = (await flagsOf('code=origin_unlicensed', officer)).map((f) => f.lotId);
    expect(seen).toContain(ours.id);
    expect(seen).not.toContain(theirs.id);

    const flag = (await flagsOf('code=origin_unlicensed')).find((f) => f.lotId === ours.id)!;
    const monitor = await t.login('monitor');
    const denied = await post(t, monitor, `/api/v1/custody/flags/${flag.id}/resolve`, { reason: 'Checked' });
    expect(denied.statusCode).toBe(403);
    const outside = await post(
      t,
      officer,
      `/api/v1/custody/flags/${(await flagsOf('code=origin_unlicensed')).find((f) => f.lotId === theirs.id)!.id}/resolve`,
      {
        reason: 'Not mine to resolve',
      },
    );
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('access.outside_jurisdiction');

    const res = await post(t, officer, `/api/v1/custody/flags/${flag.id}/resolve`, {
      reason: 'The licence was issued the same week; the register was late.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'resolved', resolvedBy: t.fx.users.obuasiOfficer.id });
    const again = await post(t, officer, `/api/v1/custody/flags/${flag.id}/resolve`, { reason: 'Twice' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('custody.flag_resolved');
    expect((await flagsOf('status=open&code=origin_unlicensed')).map((f) => f.id)).not.toContain(flag.id);
    const audit = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_events WHERE action = 'custody.flag_resolved' AND entity_id = ${flag.id}`.execute(
      t.database.db,
    );
    expect(audit.rows[0]!.n).toBe(1);
    expect((await get(`/api/v1/custody/flags/${flag.id}`, monitor)).statusCode).toBe(403);
  });

  it('has a reason text for every flag code and balance flag', () => {
    const catalog = JSON.parse(readFileSync('src/shared/i18n/en/custody-oversight.json', 'utf8'));
    expect(Object.keys(catalog.flags).sort()).toEqual([...FLAG_CODES].sort());
    expect(Object.keys(catalog.balanceFlags).sort()).toEqual([...BALANCE_FLAGS].sort());
  });

  it('walks every flag once through the pages', async () => {
    const all = await flagsOf('');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/custody/flags?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.json().items.map((f: { id: string }) => f.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((f) => f.id));
  });
});
