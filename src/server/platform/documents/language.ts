/**
 * Printed documents (licence cards, fee receipts) speak the country's language: the first of its
 * profile's `languages`, with the labels of the "documents" catalog and the tier names the profile
 * gives. A language without a catalog falls back to English.
 */

import { formatDate } from '../../../shared/format.ts';
import en from '../../../shared/i18n/en/documents.json' with { type: 'json' };
import es from '../../../shared/i18n/es/documents.json' with { type: 'json' };
import fr from '../../../shared/i18n/fr/documents.json' with { type: 'json' };
import pt from '../../../shared/i18n/pt/documents.json' with { type: 'json' };
import sw from '../../../shared/i18n/sw/documents.json' with { type: 'json' };
import { timeZoneOfProfile } from '../calendar.ts';

export type DocumentTexts = typeof en;
const CATALOGS: Record<string, DocumentTexts> = { en, fr, sw, es, pt };

/** What a printed document needs to know of its country, resolved once from the profile. */
export interface DocumentLocale {
  language: string;
  texts: DocumentTexts;
  timeZone: string;
}

interface ProfileLanguages {
  languages?: unknown;
  licenceTiers?: { code: string; names?: Record<string, string> }[];
}

/** The profile's first language if there is a catalog for it, else English. */
export function documentLocale(profile: unknown): DocumentLocale {
  const languages = (profile as ProfileLanguages | null | undefined)?.languages;
  const first = Array.isArray(languages) && typeof languages[0] === 'string' ? languages[0] : 'en';
  const language = first in CATALOGS ? first : 'en';
  return { language, texts: CATALOGS[language]!, timeZone: timeZoneOfProfile(profile) };
}

/** The labels of a language's documents (English when there is no catalog for it). */
export const documentTexts = (language: string): DocumentTexts => CATALOGS[language] ?? en;

/** A tier's name in the language, else its first name, else its code. */
export function tierName(profile: unknown, code: string, language: string): string {
  const tier = (profile as ProfileLanguages | null | undefined)?.licenceTiers?.find((t) => t.code === code);
  const names = tier?.names ?? {};
  return names[language] ?? Object.values(names)[0] ?? code;
}

/** Fills the {{variables}} of a catalog text. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A calendar date (YYYY-MM-DD) as the language writes it, the same day everywhere. */
export const documentDate = (language: string, date: string): string =>
  formatDate(language, `${date.slice(0, 10)}T00:00:00Z`, 'UTC');

/** An instant as the language writes it, in the country's time zone, with the zone's short name. */
export function documentDateTime(locale: DocumentLocale, instant: string | Date): string {
  const at = new Date(instant);
  const { language, timeZone } = locale;
  const text = new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(at);
  const zone = new Intl.DateTimeFormat(language, { timeZone, timeZoneName: 'short' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  return zone ? `${text} ${zone}` : text;
}
