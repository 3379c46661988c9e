import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PhotoType } from '../../../shared/schemas/people.ts';

const EXTENSIONS: Record<PhotoType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};
const TYPES_BY_EXTENSION = new Map(Object.entries(EXTENSIONS).map(([type, ext]) => [ext, type as PhotoType]));

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** What the bytes are, from their signature: the Content-Type header alone proves nothing. */
export function detectPhotoType(bytes: Uint8Array): PhotoType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A stored photo's type, from the extension of its file name. */
export function photoTypeOf(file: string): PhotoType | null {
  return TYPES_BY_EXTENSION.get(file.slice(file.lastIndexOf('.') + 1)) ?? null;
}

/** The ETag of a stored photo: its file name carries the start of the content's SHA-256. */
export function photoEtagOf(file: string): string {
  const name = file.slice(file.lastIndexOf('/') + 1).split('.');
  return `"${name[name.length - 2] ?? ''}"`;
}

/**
 * Photos of people under DATA_DIR/photos/<first 2 characters of the id>/, one directory level so
 * no directory grows huge. The file name is <person id>.<first 16 hex of the SHA-256>.<ext>: a new
 * picture never overwrites the one the committed row names, so a replacement that rolls back
 * leaves the old row and the old file exactly as they were.
 */
export function createPhotoStore(dataDir: string) {
  const absolute = (file: string) => {
    // Only names this store made are ever read or removed.
    if (!/^photos\/[0-9a-f]{2}\/[0-9a-f-]{36}\.[0-9a-f]{16}\.(jpg|png|webp)$/.test(file)) {
      throw new Error('not a photo path');
    }
    return join(dataDir, file);
  };

  return {
    /**
     * Writes the picture atomically (a temporary file, flushed, then renamed into place) and
     * returns its path relative to DATA_DIR. The caller records that path afterwards: a crash in
     * between leaves an orphan file, which is harmless, never a row naming a missing file.
     */
    async write(personId: string, bytes: Uint8Array, type: PhotoType): Promise<string> {
      const file = `photos/${personId.slice(0, 2)}/${personId}.${sha256Hex(bytes).slice(0, 16)}.${EXTENSIONS[type]}`;
      const target = absolute(file);
      await mkdir(dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temporary, 'wx', 0o640);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(temporary, target);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
      return file;
    },

    /** The picture's bytes, or null when the file is gone (removed by hand, a lost disk). */
    async read(file: string): Promise<Buffer | null> {
      try {
        return await readFile(absolute(file));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },

    /** Removes a picture no committed row names any longer. */
    async remove(file: string): Promise<void> {
      await rm(absolute(file), { force: true });
    },
  };
}

export type PhotoStore = ReturnType<typeof createPhotoStore>;
