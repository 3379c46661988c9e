import { z } from 'zod';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Sorted by creation time, which
 * keeps indexes compact and lets records made offline carry their own id.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const uuidSchema = z.string().regex(UUID_PATTERN, 'must be a UUID');

/** Milliseconds since the epoch carried by a UUIDv7, or null for another version. */
export function uuidv7Time(id: string): number | null {
  if (!UUID_PATTERN.test(id) || id[14] !== '7') return null;
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/**
 * Human reference numbers (GH-AS-SSL-2026-000042-7) end in a check character computed with
 * ISO/IEC 7064 MOD 37-2 over the letters and digits: the weights are powers of 2 modulo the prime
 * 37, so every single mistyped character and every swap of two neighbouring characters changes the
 * sum and is caught when an officer types the number from paper or a caller reads it out. The check
 * character is one of 0-9, A-Z or '*' (the 37th symbol). Separators do not count.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHECK_SYMBOLS = `${ALPHABET}*`;
const MODULUS = 37;

function charValue(ch: string): number {
  const i = ALPHABET.indexOf(ch);
  if (i < 0) throw new RangeError(`character ${ch} cannot be used in a reference number`);
  return i;
}

export function checkCharacter(body: string): string {
  const chars = body.toUpperCase().replace(/[^0-9A-Z]/g, '');
  let p = 0;
  for (const ch of chars) p = ((p + charValue(ch)) * 2) % MODULUS;
  return CHECK_SYMBOLS[(MODULUS + 1 - p) % MODULUS]!;
}

export function withCheckCharacter(body: string): string {
  return `${body}-${checkCharacter(body)}`;
}

/** True when the last character is the right check character of the rest. */
export function isValidReference(reference: string): boolean {
  const m = /^(.+)-([0-9A-Z*])$/.exec(normaliseReference(reference));
  if (!m) return false;
  try {
    return checkCharacter(m[1]!) === m[2];
  } catch {
    return false;
  }
}

/** Reads a reference as typed by a person: case and spaces forgiven. */
export function normaliseReference(input: string): string {
  return input.toUpperCase().replace(/\s+/g, '');
}
