/**
 * Locale-aware formatting of the quantities OpenASM shows. Values arrive as the API stores them:
 * mass in integer milligrams, fineness in parts per ten thousand, money in integer minor units.
 * Used by the web client and, later, by PDFs and SMS texts, so every channel writes them alike.
 */
export function formatNumber(locale: string, value: number, digits?: number): string {
  return new Intl.NumberFormat(
    locale,
    digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits },
  ).format(value);
}

/** Mass: grams below a kilogram, kilograms above, with the precision a buying station reads. */
export function formatMass(locale: string, milligrams: number): string {
  const grams = milligrams / 1000;
  if (Math.abs(grams) >= 1000) {
    return new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: 'kilogram',
      maximumFractionDigits: 3,
    }).format(grams / 1000);
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'gram', maximumFractionDigits: 3 }).format(
    grams,
  );
}

/** Fineness in per mille (9167 → 916.7 ‰). */
export function formatFineness(locale: string, partsPerTenThousand: number): string {
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(partsPerTenThousand / 10)} ‰`;
}

/** Money from integer minor units; the currency's own number of decimals comes from Intl. */
export function formatMoney(locale: string, minorUnits: number, currency: string): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minorUnits / 10 ** digits);
}

export function formatDate(locale: string, value: Date | string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(
    new Date(value),
  );
}

export function formatDateTime(locale: string, value: Date | string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(value));
}
