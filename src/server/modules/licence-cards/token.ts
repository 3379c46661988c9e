import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** What a licence card's QR code carries: short keys so that the token fits a QR code comfortably. */
export interface LicenceTokenPayload {
  v: 1;
  /** Licence id. */
  l: string;
  /** Licence number, as printed. */
  n: string;
  /** Last day of validity (YYYY-MM-DD). */
  e: string;
}

export type TokenCheck =
  | { ok: true; payload: LicenceTokenPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' };

/** Prefix of the signed bytes, so that no other signature by the same key can pass for a card token. */
const DOMAIN = 'openasm-licence-card:v1:';
const B64URL = /^[A-Za-z0-9_-]+$/;

const signed = (body: string) => Buffer.from(DOMAIN + body, 'utf8');

/** `<base64url JSON payload>.<base64url Ed25519 signature>` */
export function signLicenceToken(key: KeyObject, payload: LicenceTokenPayload): string {
  const body = Buffer.from(JSON.stringify({ v: 1, l: payload.l, n: payload.n, e: payload.e })).toString(
    'base64url',
  );
  return `${body}.${sign(null, signed(body), key).toString('base64url')}`;
}

/** The payload of a token signed by the key (public, or the private key whose public half is used). */
export function verifyLicenceToken(key: KeyObject, token: string): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!) || token.length > 1000) {
    return { ok: false, reason: 'malformed' };
  }
  const [body, signature] = parts as [string, string];
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  let valid = false;
  try {
    valid = verify(null, signed(body), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = payload as Partial<LicenceTokenPayload> | null;
  if (
    !p ||
    typeof p !== 'object' ||
    p.v !== 1 ||
    typeof p.l !== 'string' ||
    typeof p.n !== 'string' ||
    typeof p.e !== 'string'
  ) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, payload: { v: 1, l: p.l, n: p.n, e: p.e } };
}
