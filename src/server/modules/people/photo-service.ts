import { type Kysely, sql } from 'kysely';
import {
  type PersonDto,
  PHOTO_MAX_BYTES,
  PHOTO_TYPES,
  type PhotoType,
} from '../../../shared/schemas/people.ts';
import { assertCanRead, assertCanWrite, requirePermission } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { DB, Queryable, Tx } from '../../platform/db/schema.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { detectPhotoType, type PhotoStore, photoEtagOf, photoTypeOf, sha256Hex } from './photo-store.ts';
import * as repo from './repo.ts';
import { toPersonDto } from './service.ts';

export const photoProblems = {
  unsupported: (detail: string) =>
    new AppError(415, 'person.photo_unsupported', `${detail} Send a JPEG, PNG or WebP picture.`, {
      accepted: [...PHOTO_TYPES],
    }),
  tooLarge: () =>
    new AppError(413, 'person.photo_too_large', `The photo is larger than ${PHOTO_MAX_BYTES} bytes.`, {
      limit: PHOTO_MAX_BYTES,
    }),
  none: () => new AppError(404, 'person.no_photo', 'This person has no photo.'),
};

export interface PhotoUpload {
  /** The body as received; anything other than bytes (a JSON body) is refused. */
  bytes: unknown;
  /** The Content-Type header, parameters and all. */
  contentType: string | undefined;
}

/** What a committed photo change leaves to do: the file no row names any longer. */
export interface PhotoChange {
  person: PersonDto;
  staleFile: string | null;
}

const target = (p: repo.PersonWithArea) => ({
  entityType: 'person',
  entityId: p.id,
  areaId: p.area_id,
  areaPath: p.area_path,
});

/** Bytes that are really a picture of the type the header declares, or a 415. */
function checkUpload(upload: PhotoUpload): { bytes: Uint8Array; type: PhotoType } {
  const declared = upload.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(PHOTO_TYPES as readonly string[]).includes(declared)) {
    throw photoProblems.unsupported(`${declared || 'A body without a Content-Type'} is not a photo type.`);
  }
  if (!(upload.bytes instanceof Uint8Array) || upload.bytes.length === 0) {
    throw photoProblems.unsupported('The body is empty.');
  }
  const actual = detectPhotoType(upload.bytes);
  if (actual !== declared) {
    throw photoProblems.unsupported(
      `The content is not ${declared === 'image/jpeg' ? 'a' : 'an'} ${declared} picture.`,
    );
  }
  return { bytes: upload.bytes, type: actual };
}

/**
 * A person's photo: the picture is a file under DATA_DIR, the people row names it (photo_file).
 * The file is always written before the row and removed after it, so a committed row never names
 * a missing file; a crash in between leaves at most an orphan file, which is harmless.
 */
export function createPersonPhotoService({
  audit,
  clock,
  photos,
}: {
  audit: AuditLog;
  clock: Clock;
  photos: PhotoStore;
}) {
  async function lockForWrite(tx: Tx, ctx: RequestContext, id: string) {
    // Locked, so two uploads to one person in flight each see the file the other replaced.
    const p = await repo.findPerson(tx, id, { forUpdate: true });
    if (!p) throw problems.notFound('Person');
    assertCanWrite(ctx, 'registry.write', target(p));
    return p;
  }

  async function setPhotoFile(tx: Tx, id: string, file: string | null) {
    const row = await repo
      .peopleDb(tx)
      .updateTable('people')
      .set({ photo_file: file, updated_at: clock.now(), version: sql<number>`version + 1` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPersonDto(row);
  }

  return {
    /**
     * Stores the picture and names it on the person. The same picture sent again changes nothing
     * (no new version, no audit event), so a retried upload is harmless even without a key.
     */
    async put(tx: Tx, ctx: RequestContext, id: string, upload: PhotoUpload): Promise<PhotoChange> {
      requirePermission(ctx, 'registry.write');
      const { bytes, type } = checkUpload(upload);
      const p = await lockForWrite(tx, ctx, id);
      const sha256 = sha256Hex(bytes);
      // The file first: if the row is never written, the file is an orphan and nothing else.
      const file = await photos.write(p.id, bytes, type);
      if (file === p.photo_file) return { person: toPersonDto(p), staleFile: null };
      const person = await setPhotoFile(tx, p.id, file);
      await audit.record(tx, ctx, {
        action: 'person.photo_set',
        entityType: 'person',
        entityId: p.id,
        areaId: p.area_id,
        // What identifies the picture, never the picture itself.
        meta: { contentType: type, bytes: bytes.length, sha256, replaced: p.photo_file !== null },
      });
      return { person, staleFile: p.photo_file };
    },

    /** Takes the photo off the record; the caller removes the file once this has committed. */
    async remove(tx: Tx, ctx: RequestContext, id: string): Promise<PhotoChange> {
      const p = await lockForWrite(tx, ctx, id);
      if (!p.photo_file) throw photoProblems.none();
      const person = await setPhotoFile(tx, p.id, null);
      await audit.record(tx, ctx, {
        action: 'person.photo_removed',
        entityType: 'person',
        entityId: p.id,
        areaId: p.area_id,
        meta: {
          contentType: photoTypeOf(p.photo_file),
          sha256Prefix: photoEtagOf(p.photo_file).slice(1, -1),
        },
      });
      return { person, staleFile: p.photo_file };
    },

    /** The picture, its type and its ETag; 404 person.no_photo when there is none. */
    async get(
      db: Queryable,
      ctx: RequestContext,
      id: string,
    ): Promise<{ bytes: Buffer; type: PhotoType; etag: string }> {
      requirePermission(ctx, 'registry.read');
      const p = await repo.findPerson(db, id);
      if (!p) throw problems.notFound('Person');
      assertCanRead(ctx, 'registry.read', target(p));
      const type = p.photo_file ? photoTypeOf(p.photo_file) : null;
      const bytes = p.photo_file && type ? await photos.read(p.photo_file) : null;
      if (!p.photo_file || !type || !bytes) throw photoProblems.none();
      return { bytes, type, etag: photoEtagOf(p.photo_file) };
    },

    /**
     * After a commit: removes the file the change left behind, unless a later change already names
     * it again (the same picture uploaded back). The person's row is locked while the file goes, as
     * put() holds it while it writes: an upload of that same picture either committed before (the
     * row names it: kept) or writes the file again after (so no committed row names a missing file).
     */
    async discard(db: Kysely<DB>, personId: string, staleFile: string | null): Promise<void> {
      if (!staleFile) return;
      await db.transaction().execute(async (tx) => {
        const now = await repo.findPerson(tx, personId, { forUpdate: true });
        if (now?.photo_file !== staleFile) await photos.remove(staleFile);
      });
    },
  };
}

export type PersonPhotoService = ReturnType<typeof createPersonPhotoService>;
