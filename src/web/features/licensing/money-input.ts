/** The number of decimals a currency is written with (GHS 2, JPY 0…), from Intl. */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * An amount typed by an officer ("100", "100.5", "1 234,50") as integer minor units, or null when it
 * is not an amount of this currency (more decimals than it has, letters, a negative sign). Parsed as
 * text, never through floating point, so 0.29 is 29 and not 28.999….
 */
export function toMinorUnits(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  const m = /^(\d+)(?:[.,](\d*))?$/.exec(t);
  if (!m) return null;
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Minor units as the plain text the amount field shows ("10000" GHS → "100.00"). */
export function fromMinorUnits(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
