/**
 * A person's photo: uploaded as raw bytes, checked by its signature, stored as a file under
 * DATA_DIR before the row names it, served privately with an ETag, replaced, removed, audited by
 * hash and never by content, and confined to the caller's areas.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonPhotoService } from '../../src/server/modules/people/photo-service.ts';
import { createPhotoStore, detectPhotoType } from '../../src/server/modules/people/photo-store.ts';
import { peopleDb } from '../../src/server/modules/people/repo.ts';
import { createAuditLog } from '../../src/server/platform/audit/audit.ts';
import type { RequestContext } from '../../src/server/platform/context.ts';
import { PHOTO_MAX_BYTES } from '../../src/shared/schemas/people.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
let dataDir: string;
let admin: Record<string, string>;
let obuasiOfficer: Record<string, string>;

function png(width = 4, height = 3): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([200, 120, 40, 255], i);
  return PNG.sync.write(image);
}
/** The server reads signatures only, so the start of a JFIF file stands for a JPEG. */
const jpeg = (size = 600) => {
  const b = Buffer.alloc(size, 0x11);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).copy(b);
  return b;
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function newPerson(area: 'obuasi' | 'bibiani'): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/people',
    headers: admin,
    payload: {
      givenName: 'Photo',
      familyName: area,
      sex: 'female',
      areaId: t.fx.areas[area].id,
      checkDuplicates: false,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}
const put = (id: string, body: Buffer | string, type: string, headers = obuasiOfficer) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/people/${id}/photo`,
    headers: { ...headers, 'content-type': type },
    payload: body,
  });
const getPhoto = (id: string, headers = obuasiOfficer) =>
  t.app.inject({ method: 'GET', url: `/api/v1/people/${id}/photo`, headers });
const row = (id: string) =>
  peopleDb(t.database.db)
    .selectFrom('people')
    .select(['photo_file', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const photoFiles = (): string[] => {
  const root = join(dataDir, 'photos');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `photos/${d}/${f}`));
};
const auditOf = (id: string, action: string) =>
  t.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('entity_id', '=', id)
    .where('action', '=', action)
    .orderBy('seq')
    .execute();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'openasm-photo-'));
  t = await createTestApp({ DATA_DIR: dataDir });
  admin = await t.login('admin');
  obuasiOfficer = await t.login('obuasiOfficer');
});
afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('uploading, reading, replacing and removing a photo', () => {
  it('stores a PNG, names it on the person and serves it privately with an ETag', async () => {
    const id = await newPerson('obuasi');
    expect((await getPhoto(id)).json().code).toBe('person.no_photo');
    const before = await row(id);
    const picture = png();

    const res = await put(id, picture, 'image/png');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, hasPhoto: true, version: before.version + 1 });
    expect(res.json()).not.toHaveProperty('photoFile');
    expect(res.headers.etag).toBe(`"v${before.version + 1}"`);

    const stored = await row(id);
    expect(stored.photo_file).toBe(`photos/${id.slice(0, 2)}/${id}.${sha256(picture).slice(0, 16)}.png`);
    expect(photoFiles()).toContain(stored.photo_file);
    // The temporary file was renamed into place, not left behind.
    expect(photoFiles().filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const got = await getPhoto(id);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['cache-control']).toContain('private');
    expect(got.rawPayload.equals(picture)).toBe(true);
    const etag = got.headers.etag as string;
    expect(etag).toBe(`"${sha256(picture).slice(0, 16)}"`);
    const again = await t.app.inject({
      method: 'GET',
      url: `/api/v1/people/${id}/photo`,
      headers: { ...obuasiOfficer, 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);

    const person = await t.app.inject({ method: 'GET', url: `/api/v1/people/${id}`, headers: obuasiOfficer });
    expect(person.json().hasPhoto).toBe(true);
  });

  it('replaces the picture with a JPEG and removes the old file once committed', async () => {
    const id = await newPerson('obuasi');
    expect((await put(id, png(), 'image/png')).statusCode).toBe(200);
    const first = (await row(id)).photo_file!;
    const picture = jpeg();
    const res = await put(id, picture, 'image/jpeg; charset=binary');
    expect(res.statusCode, res.body).toBe(200);
    const second = (await row(id)).photo_file!;
    expect(second).toMatch(/\.jpg$/);
    expect(photoFiles()).toContain(second);
    expect(photoFiles()).not.toContain(first);
    const got = await getPhoto(id);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.rawPayload.equals(picture)).toBe(true);
    const events = await auditOf(id, 'person.photo_set');
    expect(events.map((e) => (e.meta as { replaced: boolean }).replaced)).toEqual([false, true]);
  });

  it('removes the row first, then the file; a second removal has nothing to remove', async () => {
    const id = await newPerson('obuasi');
    expect((await put(id, png(), 'image/png')).statusCode).toBe(200);
    const file = (await row(id)).photo_file!;
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/people/${id}/photo`,
      headers: obuasiOfficer,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().hasPhoto).toBe(false);
    expect((await row(id)).photo_file).toBeNull();
    expect(photoFiles()).not.toContain(file);
    expect((await getPhoto(id)).json().code).toBe('person.no_photo');
    expect(await auditOf(id, 'person.photo_removed')).toHaveLength(1);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/people/${id}/photo`,
      headers: obuasiOfficer,
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('person.no_photo');
  });
});

describe('refusals change nothing', () => {
  const unchanged = async (
    id: string,
    run: () => Promise<{ statusCode: number; json(): { code: string } }>,
  ) => {
    const before = await row(id);
    const files = photoFiles();
    const res = await run();
    expect(await row(id)).toEqual(before);
    expect(photoFiles()).toEqual(files);
    return res;
  };

  it('a text file sent as an image, a PNG called a JPEG, JSON, an empty body: 415', async () => {
    const id = await newPerson('obuasi');
    for (const [body, type] of [
      ['just some text, not a picture', 'image/jpeg'],
      [png(), 'image/jpeg'],
      ['{"photo":"x"}', 'application/json'],
      [png(), 'image/gif'],
      ['', 'image/png'],
    ] as const) {
      const res = await unchanged(id, () => put(id, body, type));
      expect(res.statusCode, `${type}`).toBe(415);
      expect(res.json().code).toBe('person.photo_unsupported');
    }
  });

  it('over 2 MB: 413 person.photo_too_large; exactly 2 MB is accepted', async () => {
    const id = await newPerson('obuasi');
    const res = await unchanged(id, () => put(id, jpeg(PHOTO_MAX_BYTES + 1), 'image/jpeg'));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('person.photo_too_large');
    expect((await put(id, jpeg(PHOTO_MAX_BYTES), 'image/jpeg')).statusCode).toBe(200);
  });

  it('another district: writes 403, reads 404, and no file is written', async () => {
    const id = await newPerson('bibiani');
    const res = await unchanged(id, () => put(id, png(), 'image/png'));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('access.outside_jurisdiction');
    expect((await put(id, png(), 'image/png', admin)).statusCode).toBe(200);
    const read = await getPhoto(id);
    expect(read.statusCode).toBe(404);
    expect(read.json().code).toBe('resource.not_found');
    const removal = await unchanged(id, () =>
      t.app.inject({ method: 'DELETE', url: `/api/v1/people/${id}/photo`, headers: obuasiOfficer }),
    );
    expect(removal.statusCode).toBe(403);
    expect(removal.json().code).toBe('access.outside_jurisdiction');
  });
});

describe('audit and retries', () => {
  it('the audit record holds the size, type and SHA-256, never the bytes', async () => {
    const id = await newPerson('obuasi');
    const picture = png(16, 16);
    expect((await put(id, picture, 'image/png')).statusCode).toBe(200);
    const [event] = await auditOf(id, 'person.photo_set');
    expect(event?.meta).toEqual({
      contentType: 'image/png',
      bytes: picture.length,
      sha256: sha256(picture),
      replaced: false,
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain(picture.toString('base64').slice(0, 40));
    expect(text).not.toContain(picture.toString('hex').slice(0, 40));
  });

  it('the same upload sent again (same Idempotency-Key) counts once', async () => {
    const id = await newPerson('obuasi');
    const picture = png(5, 5);
    const headers = { ...obuasiOfficer, 'idempotency-key': `photo-${id}` };
    const first = await put(id, picture, 'image/png', headers);
    const second = await put(id, picture, 'image/png', headers);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await auditOf(id, 'person.photo_set')).toHaveLength(1);
    expect(photoFiles().filter((f) => f.includes(id))).toHaveLength(1);
  });

  it('recognises pictures by their signature alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        expect(detectPhotoType(Buffer.concat([png(1, 1).subarray(0, 8), tail]))).toBe('image/png');
        expect(detectPhotoType(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), tail]))).toBe('image/jpeg');
        const riff = Buffer.from('RIFF\0\0\0\0WEBP', 'latin1');
        expect(detectPhotoType(Buffer.concat([riff, tail]))).toBe('image/webp');
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (text) => {
        expect(detectPhotoType(Buffer.from(text, 'utf8'))).toBeNull();
      }),
    );
  });
});

describe('a crash between the file and the commit', () => {
  it('leaves the row naming the old picture, which is still there; the new file is only an orphan', async () => {
    const id = await newPerson('obuasi');
    const old = png();
    expect((await put(id, old, 'image/png')).statusCode).toBe(200);
    const before = await row(id);
    const officer = t.fx.users.obuasiOfficer;
    const ctx: RequestContext = {
      requestId: 'crash-test',
      ip: null,
      userAgent: null,
      actor: {
        kind: 'user',
        id: officer.id,
        homeAreaId: officer.areaId,
        grants: [
          {
            roleCode: 'district_officer',
            areaId: t.fx.areas.obuasi.id,
            areaPath: t.fx.areas.obuasi.path,
            permissions: new Set(['registry.read', 'registry.write']),
          },
        ],
      },
    };
    const photos = createPersonPhotoService({
      audit: createAuditLog({ clock: t.clock }),
      clock: t.clock,
      photos: createPhotoStore(dataDir),
    });
    const replacement = jpeg(900);
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await photos.put(tx, ctx, id, { bytes: replacement, contentType: 'image/jpeg' });
        throw new Error('the process died before the commit');
      }),
    ).rejects.toThrow('died');
    expect(await row(id)).toEqual(before);
    expect((await getPhoto(id)).rawPayload.equals(old)).toBe(true);
    expect(photoFiles()).toContain(`photos/${id.slice(0, 2)}/${id}.${sha256(replacement).slice(0, 16)}.jpg`);
    // The orphan does not stop the same picture being uploaded properly later.
    expect((await put(id, replacement, 'image/jpeg')).statusCode).toBe(200);
    expect((await getPhoto(id)).rawPayload.equals(replacement)).toBe(true);
  });
});
