import { sql } from 'kysely';
import { createOversightService } from '../modules/custody/oversight.ts';
import type { AuditLog } from '../platform/audit/audit.ts';
import { addDays, countryToday } from '../platform/calendar.ts';
import type { Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Tx } from '../platform/db/schema.ts';

/**
 * Demo reference prices of gold: one a day for the last 90 days, drifting gently around the
 * illustrative reference the demo chain of custody buys at, so the price flags of a demo purchase
 * have a day's reference to compare with. Illustrative, never a published price: the source says so.
 * A demo started again days later gets the days it missed (at most 90), so today has a price too;
 * once an officer has set the latest price, the demo adds none, and it never replaces a price.
 */

export const DEMO_PRICE_SOURCE = 'Illustrative (demo)';
export const DEMO_PRICE_DAYS = 90;

/**
 * The price of day number `day` (days since 1970-01-01), in parts per ten thousand of the
 * reference: a swing of ±2.5 % over a month and a small daily wobble of ±0.5 %. Integer arithmetic
 * on the date, so a day has the same price whenever it is recorded. Within ±3 %, a demo purchase a
 * little under the reference stays far inside the profile's tolerance (70–130 %).
 */
export function demoPriceShare(day: number): number {
  const phase = day % 30;
  const swing = (phase < 15 ? phase : 30 - phase) * 33 - 250;
  const wobble = ((day * 37) % 11) * 10 - 50;
  return 10_000 + swing + wobble;
}

const dayNumber = (isoDay: string) => Math.round(Date.parse(`${isoDay}T00:00:00Z`) / 86_400_000);

export async function seedReferencePricesDemo(
  tx: Tx,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  demo: { country: string; currency: string; referencePerFineGram: number },
  log: (msg: string) => void = () => {},
): Promise<number> {
  const latest = (
    await sql<{ day: string | null; source: string | null }>`
      SELECT day::text AS day, source FROM reference_prices
       WHERE country = ${demo.country} AND mineral = 'gold'
       ORDER BY day DESC LIMIT 1`.execute(tx)
  ).rows[0];
  const today = await countryToday(tx, demo.country, deps.clock.now());
  if (latest && (latest.source !== DEMO_PRICE_SOURCE || latest.day! >= today)) return 0;
  const oldest = addDays(today, -(DEMO_PRICE_DAYS - 1));
  const first = latest && addDays(latest.day!, 1) > oldest ? addDays(latest.day!, 1) : oldest;
  // Through the service, as an officer's would be: checked, and in the audit trail as the system's.
  const oversight = createOversightService(deps);
  let recorded = 0;
  for (let day = first; day <= today; day = addDays(day, 1)) {
    await oversight.setPrice(tx, ctx, {
      country: demo.country,
      mineral: 'gold',
      day,
      priceMinor: Math.round((demo.referencePerFineGram * demoPriceShare(dayNumber(day))) / 10_000),
      currency: demo.currency,
      source: DEMO_PRICE_SOURCE,
    });
    recorded++;
  }
  log(`recorded ${recorded} days of illustrative reference prices of gold`);
  return recorded;
}
