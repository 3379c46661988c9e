import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer secrets: 256 random bits, base64url. Only their SHA-256 is stored, so a copy of the
 * database cannot be used to sign in. API tokens carry a short public prefix so an administrator can
 * recognise one in a list without seeing the secret.
 */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiToken(): { token: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { token: `oat_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function isApiToken(secret: string): boolean {
  return /^oat_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/.test(secret);
}

export function tokenHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
