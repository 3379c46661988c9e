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
 * Loaded once: nothing happens when the country has any reference price of gold.
 */

export const DEMO_PRICE_SOURCE = 'Illustrative (demo)';
export const DEMO_PRICE_DAYS = 90;

/**
 * The day's price, `daysAgo` days before today, in parts per ten thousand of the reference: a swing
 * of ±2.5 % over a month and a small daily wobble of ±0.5 %. Integer arithmetic, so every start gives
 * the same prices. Within ±3 %, a demo purchase a little under the reference stays far inside the
 * profile's tolerance (70–130 %).
 */
export function demoPriceShare(daysAgo: number): number {
  const phase = daysAgo % 30;
  const swing = (phase < 15 ? phase : 30 - phase) * 33 - 250;
  const wobble = ((daysAgo * 37) % 11) * 10 - 50;
  return 10_000 + swing + wobble;
}

export async function seedReferencePricesDemo(
  tx: Tx,
  deps: { audit: AuditLog; clock: Clock },
  ctx: RequestContext,
  demo: { country: string; currency: string; referencePerFineGram: number },
  log: (msg: string) => void = () => {},
): Promise<number> {
  const existing = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM reference_prices WHERE country = ${demo.country} AND mineral = 'gold'`.execute(
    tx,
  );
  if (existing.rows[0]!.n > 0) return 0;
  // Through the service, as an officer's would be: checked, and in the audit trail as the system's.
  const oversight = createOversightService(deps);
  const today = await countryToday(tx, demo.country, deps.clock.now());
  for (let daysAgo = DEMO_PRICE_DAYS - 1; daysAgo >= 0; daysAgo--) {
    await oversight.setPrice(tx, ctx, {
      country: demo.country,
      mineral: 'gold',
      day: addDays(today, -daysAgo),
      priceMinor: Math.round((demo.referencePerFineGram * demoPriceShare(daysAgo)) / 10_000),
      currency: demo.currency,
      source: DEMO_PRICE_SOURCE,
    });
  }
  log(`recorded ${DEMO_PRICE_DAYS} days of illustrative reference prices of gold`);
  return DEMO_PRICE_DAYS;
}
