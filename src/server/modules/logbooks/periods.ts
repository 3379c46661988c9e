import { addDays } from '../../platform/calendar.ts';

/**
 * Reporting periods as calendar dates (YYYY-MM-DD) in the country's time zone. A week runs Monday to
 * Sunday (ISO 8601), so a paper logbook and a phone agree on where a week starts; months and
 * quarters start on the 1st.
 */
export type PeriodKind = 'weekly' | 'monthly' | 'quarterly';

export interface Period {
  start: string;
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const firstOfMonth = (year: number, month0: number) => {
  // Date.UTC rolls a month of 12 over into the next year.
  const d = new Date(Date.UTC(year, month0, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-01`;
};

/** The period of this kind that holds the date. */
export function periodOf(kind: PeriodKind, date: string): Period {
  const d = new Date(`${date}T00:00:00Z`);
  if (kind === 'weekly') {
    const sinceMonday = (d.getUTCDay() + 6) % 7;
    const start = addDays(date, -sinceMonday);
    return { start, end: addDays(start, 6) };
  }
  const months = kind === 'monthly' ? 1 : 3;
  const month0 = d.getUTCMonth() - (d.getUTCMonth() % months);
  const start = firstOfMonth(d.getUTCFullYear(), month0);
  const next = firstOfMonth(d.getUTCFullYear(), month0 + months);
  return { start, end: addDays(next, -1) };
}

/** Whether the date is the first day of a period of this kind. */
export const isPeriodStart = (kind: PeriodKind, date: string): boolean => periodOf(kind, date).start === date;

/** The period right after this one. */
export const nextPeriod = (kind: PeriodKind, p: Period): Period => periodOf(kind, addDays(p.end, 1));

/** The periods of this kind from the one holding `from` up to the one holding `to`, in order. */
export function periodsBetween(kind: PeriodKind, from: string, to: string): Period[] {
  const out: Period[] = [];
  for (let p = periodOf(kind, from); p.start <= to; p = nextPeriod(kind, p)) out.push(p);
  return out;
}
