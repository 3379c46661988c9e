import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Config } from '../../config.ts';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import type { Tx } from '../db/schema.ts';
import type { AuditLog } from './audit.ts';

export const DEV_KEY_FILE = 'dev-audit-key.pem';

/**
 * The exact text a checkpoint signs. Versioned and prefixed so that a signature made by this key
 * for anything else can never pass for a checkpoint; signed_at is in it so a checkpoint cannot be
 * re-dated without breaking the signature.
 */
export function checkpointStatement(seq: number, hash: string, signedAt: Date): string {
  return `openasm-audit-checkpoint:v1:${seq}:${hash}:${signedAt.toISOString()}`;
}

export class SigningKeyError extends Error {}

function parsePrivateKey(value: string, origin: string): KeyObject {
  const text = value.trim();
  let key: KeyObject;
  try {
    key = text.startsWith('-----BEGIN')
      ? createPrivateKey({ key: text, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    // The parser's message can quote the input; never echo key material.
    throw new SigningKeyError(`${origin} is not a PKCS#8 private key (PEM or base64 DER)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`${origin} must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/**
 * The key that signs checkpoints: AUDIT_SIGNING_KEY when set. Outside production, without one, a
 * key is generated once and kept in the data directory so that checkpoints stay verifiable with
 * the same key across restarts.
 */
export function loadSigningKey(configValue: string | null, dataDir: string, env: Config['env']): KeyObject {
  if (configValue) return parsePrivateKey(configValue, 'AUDIT_SIGNING_KEY');
  if (env === 'production') throw new SigningKeyError('AUDIT_SIGNING_KEY is required in production');

  const file = join(dataDir, DEV_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing !== null) return parsePrivateKey(existing, file);

  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    // 'wx': when two processes start together, the second keeps the first one's key.
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parsePrivateKey(readFileSync(file, 'utf8'), file);
  }
}

function readKeyFile(file: string): string | null {
  try {
    const text = readFileSync(file, 'utf8');
    // A copied data directory can widen the mode; a private key readable by others is not private.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The public half as stored beside each checkpoint and published: base64 of the SPKI DER. */
export function publicKeyOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Any spelling of a public key (base64 SPKI DER, PEM, KeyObject, or the private key) as base64 SPKI DER. */
export function normalisePublicKey(key: string | KeyObject): string {
  if (typeof key !== 'string') return publicKeyOf(key);
  const text = key.trim();
  const object = text.startsWith('-----BEGIN')
    ? createPublicKey(text)
    : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  return publicKeyOf(object);
}

export interface Checkpoint {
  id: string;
  seq: number;
  hash: string;
  signedAt: Date;
  publicKey: string;
  signature: string;
}

/**
 * Signs the chain head and stores the checkpoint, in the caller's transaction.
 *
 * The 'audit.checkpoint' event is recorded first and the checkpoint then signs the new head, which
 * is that event: the checkpoint covers its own record, so nothing written up to and including the
 * act of checkpointing can later be cut off or rewritten unseen. The other order would leave the
 * latest checkpoint's own event outside every signature until the next checkpoint. The price is
 * that the event cannot carry the signature (it does not exist yet); it names the checkpoint id and
 * key, and the checkpoints table holds the rest.
 */
export async function writeCheckpoint(
  tx: Tx,
  ctx: RequestContext,
  audit: AuditLog,
  key: KeyObject,
  clock: Clock,
): Promise<Checkpoint> {
  // Taken before recording so no other append can slip between the event and the signature.
  const before = await lockHead(tx);
  const id = uuidv7(clock.now().getTime());
  const publicKey = publicKeyOf(key);
  await audit.record(tx, ctx, {
    action: 'audit.checkpoint',
    entityType: 'audit_checkpoint',
    entityId: id,
    meta: { publicKey, previousSeq: before.seq },
  });
  const head = await lockHead(tx);
  const signedAt = clock.now();
  const signature = sign(
    null,
    Buffer.from(checkpointStatement(head.seq, head.hash, signedAt), 'utf8'),
    key,
  ).toString('base64');
  await tx
    .insertInto('audit_checkpoints')
    .values({ id, seq: head.seq, hash: head.hash, signed_at: signedAt, public_key: publicKey, signature })
    .execute();
  return { id, seq: head.seq, hash: head.hash, signedAt, publicKey, signature };
}

async function lockHead(tx: Tx): Promise<{ seq: number; hash: string }> {
  const r = await sql<{ seq: number | string; hash: string }>`
    SELECT seq, hash FROM audit_head WHERE singleton FOR UPDATE`.execute(tx);
  const row = r.rows[0];
  if (!row) throw new Error('audit_head row is missing');
  return { seq: Number(row.seq), hash: row.hash };
}
