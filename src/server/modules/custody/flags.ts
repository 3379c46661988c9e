import { areaDistance, expandBoxByMetres } from '../../../shared/geo/distance.ts';
import type { AreaGeometry } from '../../../shared/geo/types.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { FlagCode } from '../../../shared/schemas/custody-oversight.ts';
import { addDays, DEFAULT_TIME_ZONE, localDate } from '../../platform/calendar.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { custodySettings } from './balance.ts';
import * as orepo from './oversight-repo.ts';

/**
 * Risk flags raised when a custody event is recorded, in the same transaction: each names what it
 * was raised on (evidence) as it stood then, so a later change of licence or price does not rewrite
 * why a flag was raised. Flags never block an event; they put it in front of a person.
 */

interface Raise {
  code: FlagCode;
  lotId?: string | null;
  actorId?: string | null;
  siteId?: string | null;
  params: Record<string, unknown>;
  evidence: Record<string, unknown>;
}

/** Production rates a site's recorded capacity may be given in, as milligrams per day. */
const CAPACITY_MG_PER_DAY: Record<string, number> = {
  t_ore_per_day: 1e9,
  kg_per_day: 1e6,
  g_per_day: 1e3,
};

type LicenceVerdict = {
  code: 'origin_unlicensed' | 'origin_licence_suspended';
  licences: orepo.LicenceRow[];
};

/** None valid on the day: suspended when one of them is suspended, else unlicensed. */
function licenceVerdict(licences: orepo.LicenceRow[], day: string): LicenceVerdict | null {
  const valid = licences.some((l) => l.status === 'active' && l.valid_from <= day && day <= l.valid_to);
  if (valid) return null;
  return {
    code: licences.some((l) => l.status === 'suspended') ? 'origin_licence_suspended' : 'origin_unlicensed',
    licences,
  };
}

const holdersOf = (a: orepo.ActorLinks | undefined, site?: orepo.SiteRow) => {
  const out: { kind: 'person' | 'enterprise' | 'production_unit'; id: string }[] = [];
  if (a?.person_id) out.push({ kind: 'person', id: a.person_id });
  if (a?.enterprise_id) out.push({ kind: 'enterprise', id: a.enterprise_id });
  if (a?.production_unit_id) out.push({ kind: 'production_unit', id: a.production_unit_id });
  if (site) out.push({ kind: 'production_unit', id: site.id });
  if (site?.operator_enterprise_id) out.push({ kind: 'enterprise', id: site.operator_enterprise_id });
  return out;
};

const evidenceOf = (licences: orepo.LicenceRow[]) =>
  licences.map((l) => ({
    id: l.id,
    number: l.number,
    status: l.status,
    validFrom: l.valid_from,
    validTo: l.valid_to,
  }));

async function productionFlags(
  db: Queryable,
  e: orepo.FlagEventRow,
  day: string,
  zone: string,
): Promise<Raise[]> {
  const out: Raise[] = [];
  const lot = (await orepo.lotsOfEvent(db, e.id)).find((l) => l.role === 'output');
  if (!lot?.origin_site_id) return out;
  const site = (await orepo.site(db, lot.origin_site_id))!;
  const settings = custodySettings(await orepo.profileCustody(db, e.country));
  const base = { lotId: lot.id, actorId: e.actor_id, siteId: site.id };

  // The licence the producer named decides alone; without one, any licence of the producer or site.
  const licences = lot.origin_licence_id
    ? await orepo.licencesOf(db, [], [lot.origin_licence_id])
    : await orepo.licencesOf(db, holdersOf(await orepo.actorLinks(db, e.actor_id), site), []);
  const verdict = licenceVerdict(licences, day);
  if (verdict)
    out.push({
      ...base,
      code: verdict.code,
      params: { day, licenceNumbers: licences.map((l) => l.number).join(', ') },
      evidence: { licences: evidenceOf(licences), day },
    });

  if (site.location) {
    const [lon, lat] = site.location.coordinates;
    const metres = settings.armedGroupDistanceMetres;
    const point: AreaGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [lon, lat],
          [lon, lat],
          [lon, lat],
          [lon, lat],
        ],
      ],
    };
    const near = (await orepo.armedGroupAreas(db, e.country, expandBoxByMetres([lon, lat, lon, lat], metres)))
      .map((f) => ({ ...f, distance: areaDistance(point, f.geometry) }))
      .filter((f) => f.distance <= metres)
      .sort((a, b) => a.distance - b.distance);
    if (near.length > 0)
      out.push({
        ...base,
        code: 'origin_in_armed_group_area',
        params: { distanceMetres: Math.round(near[0]!.distance), limitMetres: metres },
        evidence: {
          location: [lon, lat],
          features: near.map((f) => ({
            id: f.id,
            name: f.name,
            layerId: f.layer_id,
            distanceMetres: Math.round(f.distance),
          })),
        },
      });
  }

  const perDay = site.capacity ? CAPACITY_MG_PER_DAY[site.capacity.unit] : undefined;
  if (site.capacity && perDay !== undefined) {
    const start = await orepo.startOfDay(db, day, zone);
    const end = await orepo.startOfDay(db, addDays(day, 1), zone);
    const produced = await orepo.producedAtSite(db, site.id, start, end);
    const capacityMg = site.capacity.value * perDay;
    if (produced > capacityMg)
      out.push({
        ...base,
        code: 'volume_beyond_capacity',
        params: { day, producedMg: produced, capacityMg },
        evidence: { capacity: site.capacity, day, producedMg: produced },
      });
  }
  return out;
}

async function transferFlags(db: Queryable, e: orepo.FlagEventRow, day: string): Promise<Raise[]> {
  const out: Raise[] = [];
  // A side whose licences are all suspended: trading with it launders what it may not sell or buy.
  for (const [side, id] of [
    ['seller', e.actor_id],
    ['buyer', e.counterpart_id!],
  ] as const) {
    const licences = await orepo.licencesOf(db, holdersOf(await orepo.actorLinks(db, id)), []);
    if (licences.length > 0 && licenceVerdict(licences, day)?.code === 'origin_licence_suspended') {
      out.push({
        code: 'counterpart_suspended',
        actorId: id,
        params: { side, licenceNumbers: licences.map((l) => l.number).join(', ') },
        evidence: { side, licences: evidenceOf(licences), day },
      });
      break;
    }
  }

  if (e.price_minor !== null && e.currency !== null) {
    const lots = await orepo.lotsOfEvent(db, e.id);
    const minerals = [...new Set(lots.map((l) => l.mineral))];
    const ref =
      minerals.length === 1 ? await orepo.referencePrice(db, e.country, minerals[0]!, day) : undefined;
    if (ref && ref.currency === e.currency) {
      // Reference prices are per gram of fine mineral: weigh the fine content when every lot's is known.
      const fineKnown = lots.every((l) => l.fineness_ptt !== null);
      const mg = lots.reduce(
        (s, l) => s + (fineKnown ? (l.mass_mg * l.fineness_ptt!) / 10_000 : l.mass_mg),
        0,
      );
      const referenceMinor = (mg / 1000) * ref.price_minor;
      const ratioPercent = referenceMinor > 0 ? (100 * e.price_minor) / referenceMinor : null;
      const settings = custodySettings(await orepo.profileCustody(db, e.country));
      const code =
        ratioPercent === null
          ? null
          : ratioPercent < settings.priceBelowReferencePercent
            ? 'price_below_reference'
            : ratioPercent > settings.priceAboveReferencePercent
              ? 'price_above_reference'
              : null;
      if (code)
        out.push({
          code,
          actorId: e.actor_id,
          params: {
            ratioPercent: Math.round(ratioPercent! * 10) / 10,
            limitPercent:
              code === 'price_below_reference'
                ? settings.priceBelowReferencePercent
                : settings.priceAboveReferencePercent,
          },
          evidence: {
            priceMinor: e.price_minor,
            currency: e.currency,
            massMg: mg,
            massBasis: fineKnown ? 'fine' : 'gross',
            reference: { day: ref.day, priceMinorPerGram: ref.price_minor, source: ref.source },
          },
        });
    }
  }
  return out;
}

/** Writes the flags, once each; returns the codes raised. */
export async function raise(
  db: Queryable,
  at: Date,
  e: orepo.FlagEventRow | null,
  raises: Raise[],
  scope?: {
    country: string;
    areaId: string;
    incidentId?: string;
  },
): Promise<FlagCode[]> {
  const codes: FlagCode[] = [];
  for (const r of raises) {
    const inserted = await orepo.insertFlag(db, {
      id: uuidv7(),
      code: r.code,
      country: e?.country ?? scope!.country,
      area_id: e?.area_id ?? scope!.areaId,
      event_id: e?.id ?? null,
      lot_id: r.lotId ?? null,
      actor_id: r.actorId ?? null,
      site_id: r.siteId ?? null,
      incident_id: scope?.incidentId ?? null,
      params: r.params,
      evidence: r.evidence,
      raised_at: at,
    });
    if (inserted) codes.push(r.code);
  }
  return codes;
}

/**
 * The flags of one recorded event. Called by the recorder after the event and its lots are written;
 * safe to call again (a recompute raises nothing twice).
 */
export async function flagRecordedEvent(db: Queryable, eventId: string, at: Date): Promise<FlagCode[]> {
  const e = await orepo.flagEvent(db, eventId);
  if (!e) return [];
  const zone = e.zone || DEFAULT_TIME_ZONE;
  const day = localDate(new Date(e.occurred_at), zone);
  const raises =
    e.kind === 'production'
      ? await productionFlags(db, e, day, zone)
      : e.kind === 'transfer'
        ? await transferFlags(db, e, day)
        : [];
  return raise(db, at, e, raises);
}

/**
 * Called by the logbooks: a site's logbook that records mercury bought or used raises this flag on
 * the site, with what the logbook says as evidence.
 */
export async function flagMercuryUse(
  db: Queryable,
  at: Date,
  site: { id: string | null; country: string; areaId: string },
  evidence: Record<string, unknown>,
): Promise<FlagCode[]> {
  return raise(db, at, null, [{ code: 'mercury_use', siteId: site.id, params: {}, evidence }], {
    country: site.country,
    areaId: site.areaId,
  });
}
