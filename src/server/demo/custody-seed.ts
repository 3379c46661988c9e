import { sql } from 'kysely';
import { createProductionUnitBody } from '../../shared/schemas/enterprises.ts';
import { createCustodyRecorder } from '../modules/custody/record.ts';
import { createCustodyService } from '../modules/custody/service.ts';
import { createEnterpriseService } from '../modules/enterprises/service.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Database } from '../platform/db/database.ts';
import type { Tx } from '../platform/db/schema.ts';
import { seedReferencePricesDemo } from './reference-prices-seed.ts';

/**
 * A demonstration chain of custody in the district of the demo cooperative, so the lots, the trace
 * and the labels have something to show: two demo miners and the cooperative produce about twenty
 * lots of raw gold over six weeks at three sites (the cooperative's unit and a pit of each miner);
 * a buying station buys them, directly or through a trader, and the district officer confirms most
 * purchases (the latest stays unconfirmed); the station merges what it bought, melts it into a doré
 * bar, splits the bar and sells the larger part to an exporter, who exports it under a permit.
 * Everything goes through the custody services, so the masses balance as any request's must.
 * Masses are a few grams per miner and day, fineness 80–92 %, prices near an illustrative
 * reference, which is recorded as the daily reference price of the last 90 days first, so every
 * purchase is compared with it (reference-prices-seed.ts). Invented names say "(demo)". Loaded once:
 * nothing happens when the country has any custody actor (and any reference price of gold).
 */

interface CountryDemo {
  country: string;
  /** The district of the demo cooperative (registry-seed.ts). */
  district: string;
  currency: string;
  /** Illustrative price of a gram of fine gold in minor units: a buying station pays a little under it. */
  referencePerFineGram: number;
  destination: string;
  permit: string;
  names: {
    trader: string;
    station: string;
    exporter: string;
    pit: (person: string) => string;
  };
  /** The pits' locations, near the cooperative's unit. */
  pits: [[number, number], [number, number]];
}

const DEMOS: Record<string, CountryDemo> = {
  ghana: {
    country: 'GH',
    district: 'GH-AH-D01',
    currency: 'GHS',
    // About GHS 1,400 a gram of fine gold: illustrative, not a published price.
    referencePerFineGram: 140_000,
    destination: 'CH',
    permit: 'GH-EXP-2026-DEMO-0001',
    names: {
      trader: 'Adansi gold traders (demo)',
      station: 'Obuasi accredited buying station (demo)',
      exporter: 'Gold Coast bullion exporters (demo)',
      pit: (person) => `Pit of ${person} (demo)`,
    },
    pits: [
      [-1.962, 6.395],
      [-1.941, 6.41],
    ],
  },
  drc: {
    country: 'CD',
    district: 'CD-SK-D01',
    currency: 'CDF',
    // About CDF 360,000 a gram of fine gold: illustrative, not a published price.
    referencePerFineGram: 36_000_000,
    destination: 'AE',
    permit: 'CD-EXP-2026-DEMO-0001',
    names: {
      trader: 'Négociant en or de Kamituga (démo)',
      station: "Comptoir d'achat agréé du Sud-Kivu (démo)",
      exporter: "Exportateur d'or de Bukavu (démo)",
      pit: (person) => `Puits de ${person} (démo)`,
    },
    pits: [
      [28.612, -2.905],
      [28.59, -2.89],
    ],
  },
};

export interface CustodyDemoResult {
  actors: number;
  productionLots: number;
  exportLotId: string;
  siteIds: string[];
}

const DAY = 86_400_000;

/** A fixed spread of values, the same at every start (no randomness in demo data). */
const spread = (i: number, prime: number, span: number) => (i * prime) % span;

/**
 * Someone who may confirm a transfer for an actor in this area: an active account holding
 * custody.record over it, the most local first (the district officer before the administrator).
 * Confirming needs a person: the system records, but never confirms, a transfer.
 */
async function confirmerFor(tx: Tx, areaId: string): Promise<RequestContext | null> {
  const r = await sql<{
    user_id: string;
    home_area_id: string;
    role_code: string;
    grant_area_id: string;
    grant_path: string;
    permissions: string[];
  }>`
    SELECT u.id AS user_id, u.area_id AS home_area_id, a.role_code, a.area_id AS grant_area_id,
           ga.path AS grant_path, r.permissions
      FROM users u
      JOIN user_assignments a ON a.user_id = u.id
      JOIN roles r ON r.code = a.role_code
      JOIN admin_areas ga ON ga.id = a.area_id
      JOIN admin_areas target ON target.id = ${areaId}
     WHERE u.status = 'active' AND 'custody.record' = ANY (r.permissions)
       AND r.code <> 'buying_station_agent'
       AND starts_with(target.path, ga.path)
     ORDER BY length(ga.path) DESC, u.phone
     LIMIT 1`.execute(tx);
  const g = r.rows[0];
  if (!g) return null;
  return {
    requestId: 'demo-custody',
    ip: null,
    userAgent: null,
    actor: {
      kind: 'user',
      id: g.user_id,
      homeAreaId: g.home_area_id,
      grants: [
        {
          roleCode: g.role_code,
          areaId: g.grant_area_id,
          areaPath: g.grant_path,
          permissions: new Set(g.permissions),
        },
      ],
    },
  };
}

export async function seedCustodyDemo(
  database: Database,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  profileName: string,
  log: (msg: string) => void = () => {},
): Promise<CustodyDemoResult | null> {
  const demo = DEMOS[profileName];
  if (!demo) return null;
  const custody = createCustodyService(deps);
  const recorder = createCustodyRecorder(deps);
  const enterprises = createEnterpriseService(deps);
  return database.db.transaction().execute(async (tx) => {
    await seedReferencePricesDemo(tx, deps, ctx, demo, log);
    const existing = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM custody_actors WHERE country = ${demo.country}`.execute(tx);
    if (existing.rows[0]!.n > 0) return null;

    // The registry demo's district, its first two miners and its cooperative with its unit.
    const district = (
      await sql<{ id: string; parent_id: string | null; name: string }>`
        SELECT id, parent_id, name FROM admin_areas WHERE code = ${demo.district}`.execute(tx)
    ).rows[0];
    if (!district?.parent_id) return null;
    const people = (
      await sql<{ id: string; name: string; licence_id: string | null }>`
        SELECT p.id, p.given_name || ' ' || p.family_name AS name,
               (SELECT l.id FROM licences l WHERE l.holder_kind = 'person' AND l.holder_id = p.id
                   AND l.status = 'active' ORDER BY l.valid_to DESC LIMIT 1) AS licence_id
          FROM people p WHERE p.area_id = ${district.id} ORDER BY p.reference LIMIT 2`.execute(tx)
    ).rows;
    const coop = (
      await sql<{ id: string; name: string; unit_id: string }>`
        SELECT e.id, e.name, u.id AS unit_id
          FROM enterprises e JOIN production_units u ON u.operator_enterprise_id = e.id
         WHERE e.area_id = ${district.id} ORDER BY e.name, u.name LIMIT 1`.execute(tx)
    ).rows[0];
    if (people.length < 2 || !coop) return null;

    const now = deps.clock.now().getTime();
    // Mid-afternoon, when miners come to sell, `days` ago.
    const at = (days: number, hour = 0) =>
      new Date(Math.floor((now - days * DAY) / DAY) * DAY + (14 + hour) * 3_600_000).toISOString();

    const actor = async (input: Parameters<typeof custody.createActor>[2]) =>
      (await custody.createActor(tx, ctx, input)).actor.id;
    // Each miner digs a pit of its own, registered for the demo under the cooperative.
    const pits: string[] = [];
    const miners: string[] = [];
    for (const [i, person] of people.entries()) {
      const { unit } = await enterprises.createUnit(
        tx,
        ctx,
        createProductionUnitBody.parse({
          kind: 'pit',
          name: demo.names.pit(person.name),
          areaId: district.id,
          location: { type: 'Point', coordinates: demo.pits[i] },
          operatorEnterpriseId: coop.id,
        }),
      );
      pits.push(unit.id);
      miners.push(
        await actor({
          kind: 'miner',
          name: person.name,
          areaId: district.id,
          personId: person.id,
          productionUnitId: unit.id,
        }),
      );
    }
    const cooperative = await actor({
      kind: 'enterprise',
      name: coop.name,
      areaId: district.id,
      enterpriseId: coop.id,
      productionUnitId: coop.unit_id,
    });
    const trader = await actor({ kind: 'trader', name: demo.names.trader, areaId: district.id });
    const station = await actor({ kind: 'buying_station', name: demo.names.station, areaId: district.id });
    // The exporter works from the regional capital: its lots are the region's to oversee.
    const exporter = await actor({ kind: 'exporter', name: demo.names.exporter, areaId: district.parent_id });

    // About twenty lots over six weeks, every other day, in turn from each miner's pit and the
    // cooperative's unit: a miner's lot is a few days' work (2–9 g), the cooperative's 15–30 g.
    const producers = [
      { actor: miners[0]!, site: pits[0]!, licence: people[0]!.licence_id, base: 2_000, span: 7_000 },
      { actor: miners[1]!, site: pits[1]!, licence: people[1]!.licence_id, base: 2_000, span: 7_000 },
      { actor: cooperative, site: coop.unit_id, licence: null, base: 15_000, span: 15_000 },
    ];
    interface Made {
      id: string;
      massMg: number;
      fineness: number;
      producer: number;
      day: number;
    }
    const made: Made[] = [];
    for (let i = 0; i < 20; i++) {
      const p = i % producers.length;
      const producer = producers[p]!;
      const massMg = producer.base + spread(i + 1, 7_919, producer.span);
      const fineness = 8_000 + spread(i + 1, 373, 1_201);
      const day = 42 - 2 * i;
      const { event } = await recorder.production(tx, ctx, {
        holderActorId: producer.actor,
        originSiteId: producer.site,
        ...(producer.licence ? { originLicenceId: producer.licence } : {}),
        mineral: 'gold',
        form: 'dore',
        massMg,
        finenessPtt: fineness,
        place: district.name,
        occurredAt: at(day),
      });
      made.push({ id: event.lots[0]!.lotId, massMg, fineness, producer: p, day });
    }

    // Purchases: a little under the reference for the fine gold in the lot.
    const price = (lots: readonly Made[], discountPtt: number) => ({
      priceMinor: Math.round(
        lots.reduce((s, l) => s + (l.massMg / 1000) * (l.fineness / 10_000), 0) *
          demo.referencePerFineGram *
          (1 - discountPtt / 10_000),
      ),
      currency: demo.currency,
    });
    const transfers: { id: string; day: number; buyer: string }[] = [];
    /** The day each lot reached the station. */
    const atStation = new Map<string, number>();
    const sell = async (
      lots: Made[],
      seller: string,
      buyer: string,
      day: number,
      side: 'seller' | 'buyer',
    ) => {
      const { event } = await recorder.transfer(tx, ctx, {
        lotIds: lots.map((l) => l.id),
        sellerActorId: seller,
        buyerActorId: buyer,
        recordedSide: side,
        ...price(lots, 150 + spread(day, 37, 200)),
        place: district.name,
        occurredAt: at(day, 1),
        documents: [
          { kind: 'receipt', reference: `DEMO-RCPT-${String(transfers.length + 1).padStart(4, '0')}` },
        ],
      });
      transfers.push({ id: event.id, day, buyer });
      if (buyer === station) for (const l of lots) atStation.set(l.id, day);
    };
    // The two newest lots are still with their producers: not sold yet.
    const sold = made.slice(0, -2);
    for (const lot of sold.filter((l) => l.producer < 2))
      await sell([lot], producers[lot.producer]!.actor, station, lot.day - 1, 'buyer');
    const coopLots = sold.filter((l) => l.producer === 2);
    for (const lot of coopLots) await sell([lot], cooperative, trader, lot.day - 1, 'seller');
    // The trader takes what it bought to the station in two trips.
    const half = Math.ceil(coopLots.length / 2);
    for (const trip of [coopLots.slice(0, half), coopLots.slice(half)])
      if (trip.length > 0) await sell(trip, trader, station, trip.at(-1)!.day - 2, 'seller');

    // What reached the station more than ten days ago goes into one melt; later purchases wait.
    const batch = sold.filter((l) => (atStation.get(l.id) ?? 0) > 10);
    const merge = await recorder.merge(tx, ctx, {
      lotIds: batch.map((l) => l.id),
      place: district.name,
      occurredAt: at(10),
    });
    const merged = merge.event.lots.find((l) => l.role === 'output')!;
    const batchFineness = Math.round(
      batch.reduce((s, l) => s + l.massMg * l.fineness, 0) / batch.reduce((s, l) => s + l.massMg, 0),
    );
    // Melting burns off moisture and slag: about 1.4 % of the mass, so the bar is a little finer.
    const barMg = merged.massMg - Math.round(merged.massMg * 0.014);
    const melt = await recorder.processing(tx, ctx, {
      lotIds: [merged.lotId],
      output: { form: 'dore', massMg: barMg, finenessPtt: Math.min(9_500, batchFineness + 120) },
      place: district.name,
      occurredAt: at(9),
      documents: [{ kind: 'assay_certificate', reference: 'DEMO-ASSAY-0001' }],
    });
    const bar = melt.event.lots.find((l) => l.role === 'output')!;
    const exportPart = Math.round(bar.massMg * 0.7);
    const split = await recorder.split(tx, ctx, {
      lotId: bar.lotId,
      outputs: [{ massMg: exportPart }, { massMg: bar.massMg - exportPart }],
      place: district.name,
      occurredAt: at(8),
    });
    const [forExport] = split.event.lots.filter((l) => l.role === 'output');
    const toExporter = await recorder.transfer(tx, ctx, {
      lotIds: [forExport!.lotId],
      sellerActorId: station,
      buyerActorId: exporter,
      recordedSide: 'seller',
      priceMinor: Math.round(
        (forExport!.massMg / 1000) * ((batchFineness + 120) / 10_000) * demo.referencePerFineGram,
      ),
      currency: demo.currency,
      place: district.name,
      occurredAt: at(6),
    });
    transfers.push({ id: toExporter.event.id, day: 6, buyer: exporter });
    await recorder.export(tx, ctx, {
      lotIds: [forExport!.lotId],
      exportPermit: demo.permit,
      destinationCountry: demo.destination,
      occurredAt: at(3),
      documents: [{ kind: 'export_permit', reference: demo.permit }],
    });

    // The other side confirms every transfer but the station's latest purchase, which stays visibly
    // unconfirmed. Without an account that may confirm (no demo accounts), all stay unconfirmed.
    const purchases = transfers.filter((x) => x.buyer === station);
    const latest = purchases.reduce((a, b) => (b.day < a.day ? b : a));
    let confirmed = 0;
    for (const { id } of transfers.filter((x) => x !== latest)) {
      const other = await sql<{ area_id: string }>`
        SELECT a.area_id FROM custody_events e
          JOIN custody_actors a
            ON a.id = CASE WHEN e.recorded_side = 'seller' THEN e.counterpart_id ELSE e.actor_id END
         WHERE e.id = ${id}`.execute(tx);
      const confirmer = await confirmerFor(tx, other.rows[0]!.area_id);
      if (!confirmer) continue;
      await recorder.confirm(tx, confirmer, id);
      confirmed++;
    }

    log(
      `created a demo chain of custody: ${made.length} lots produced, ${transfers.length} transfers ` +
        `(${confirmed} confirmed), one export`,
    );
    return {
      actors: 6,
      productionLots: made.length,
      exportLotId: forExport!.lotId,
      siteIds: [...pits, coop.unit_id],
    };
  });
}
