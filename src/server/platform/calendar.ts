import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from './db/schema.ts';

/**
 * Calendar days. An instant is stored in UTC; which day it is depends on where: the country
 * profile's time zone decides (architecture, "Data conventions"). A profile without a time zone
 * (test fixtures) counts in UTC.
 */

export const DEFAULT_TIME_ZONE = 'UTC';

const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}

/** The calendar date of an instant in a time zone, YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = formatIn(timeZone).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A date plus whole days (negative to go back). */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole days from `from` to `to` (dates); negative when `to` is earlier. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** The time zone a profile document names, or UTC. */
export function timeZoneOfProfile(document: unknown): string {
  const zone = (document as { timeZone?: unknown } | null | undefined)?.timeZone;
  return typeof zone === 'string' && zone !== '' ? zone : DEFAULT_TIME_ZONE;
}

/** The time zone of a country's loaded profile, or UTC. */
export async function timeZoneOf(db: Queryable, country: string): Promise<string> {
  const { rows } = await sql<{ zone: string | null }>`
    SELECT document ->> 'timeZone' AS zone FROM country_profiles WHERE country = ${country}`.execute(db);
  return rows[0]?.zone || DEFAULT_TIME_ZONE;
}

/** Today's date in a country (its profile's time zone) at the instant `now`. */
export async function countryToday(db: Queryable, country: string, now: Date): Promise<string> {
  return localDate(now, await timeZoneOf(db, country));
}

/**
 * SQL for the date at `now` in the zone `zone` (an expression, e.g. `cp.document ->> 'timeZone'`
 * from a LEFT JOIN of country_profiles cp); a missing zone counts in UTC. For set-based queries
 * where each row's country decides its day.
 */
export function localDateSql(now: Date, zone: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`(${now.toISOString()}::timestamptz AT TIME ZONE coalesce(${zone}, 'UTC'))::date`;
}

/** Today's date in the country of an admin area (its profile's time zone) at the instant `now`. */
export async function areaToday(db: Queryable, areaId: string, now: Date): Promise<string> {
  const { rows } = await sql<{ zone: string | null }>`
    SELECT cp.document ->> 'timeZone' AS zone
      FROM admin_areas a LEFT JOIN country_profiles cp ON cp.country = a.country
     WHERE a.id = ${areaId}`.execute(db);
  return localDate(now, rows[0]?.zone || DEFAULT_TIME_ZONE);
}
