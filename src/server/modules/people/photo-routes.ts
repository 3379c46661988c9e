import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { PHOTO_MAX_BYTES, PHOTO_TYPES, personSchema } from '../../../shared/schemas/people.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { etagOf } from '../../platform/http/write.ts';
import { createPersonPhotoService, type PhotoChange, photoProblems } from './photo-service.ts';
import { createPhotoStore } from './photo-store.ts';

const idParams = z.object({ id: uuidSchema });
const tags = ['registry'];

/**
 * The raw body, at most PHOTO_MAX_BYTES: a larger one is refused as soon as it is known to be, with
 * the photo's own problem (413 person.photo_too_large), not the JSON body limit of the API.
 */
function readPhotoBody(
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (err: Error | null, body?: Buffer) => void,
): void {
  if (Number(request.headers['content-length']) > PHOTO_MAX_BYTES) {
    done(photoProblems.tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > PHOTO_MAX_BYTES) {
      stop();
      done(photoProblems.tooLarge());
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (err?: Error) => {
    stop();
    if (err) done(err);
    else done(null, Buffer.concat(chunks));
  };
  const stop = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
}

/** What runWrite answers, held until the work after the commit is done, then sent. */
function holdReply() {
  const headers: [string, string][] = [];
  let code = 200;
  let payload: unknown;
  return {
    header(name: string, value: string) {
      headers.push([name, value]);
    },
    status(c: number) {
      code = c;
    },
    send(p?: unknown) {
      payload = p;
    },
    sendTo(reply: FastifyReply) {
      for (const [name, value] of headers) reply.header(name, value);
      return reply.status(code).send(payload);
    },
  };
}

/** PUT, GET and DELETE /people/:id/photo. */
export function registerPersonPhotoRoutes(
  app: TypedApp,
  { config, database, audit, clock, runWrite }: ModuleDeps,
) {
  const photos = createPersonPhotoService({ audit, clock, photos: createPhotoStore(config.dataDir) });
  const answer = (change: PhotoChange) => ({
    status: 200,
    body: change.person,
    headers: { etag: etagOf(change.person.version) },
  });

  // A scope of its own, so the raw-bytes parser applies to these routes only: everywhere else the
  // API takes JSON. Whatever the Content-Type, the body arrives as bytes, and the service answers
  // 415 person.photo_unsupported unless they are a JPEG, PNG or WebP picture of the declared type.
  app.register(async (scope) => {
    const api = scope.withTypeProvider<ZodTypeProvider>();
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', readPhotoBody);

    api.put(
      '/people/:id/photo',
      {
        schema: {
          tags,
          summary: `Set or replace the photo of a person: the picture itself as the body (${PHOTO_TYPES.join(', ')}), at most ${PHOTO_MAX_BYTES} bytes`,
          params: idParams,
          response: { 200: personSchema },
        },
      },
      async (request, reply) => {
        let stale: string | null = null;
        const held = holdReply();
        await runWrite(request, held, request.ctx, async (tx) => {
          const change = await photos.put(tx, request.ctx, request.params.id, {
            bytes: request.body,
            contentType: request.headers['content-type'],
          });
          stale = change.staleFile;
          return answer(change);
        });
        // Committed: the picture replaced is named by no row now. Removed before answering, so a
        // client that reads the directory after the answer never finds it.
        await discardQuietly(request, stale);
        return held.sendTo(reply);
      },
    );

    api.get(
      '/people/:id/photo',
      {
        schema: {
          tags,
          summary:
            'The photo of a person (image/jpeg, image/png or image/webp); 404 person.no_photo when none',
          params: idParams,
        },
      },
      async (request, reply) => {
        const photo = await photos.get(database.db, request.ctx, request.params.id);
        reply
          .header('cache-control', 'private, no-cache')
          .header('etag', photo.etag)
          .header('x-content-type-options', 'nosniff');
        if (request.headers['if-none-match'] === photo.etag) return reply.status(304).send();
        return reply.header('content-type', photo.type).send(photo.bytes);
      },
    );

    api.delete(
      '/people/:id/photo',
      {
        schema: {
          tags,
          summary: 'Remove the photo of a person',
          params: idParams,
          response: { 200: personSchema },
        },
      },
      async (request, reply) => {
        let stale: string | null = null;
        const held = holdReply();
        await runWrite(request, held, request.ctx, async (tx) => {
          const change = await photos.remove(tx, request.ctx, request.params.id);
          stale = change.staleFile;
          return answer(change);
        });
        await discardQuietly(request, stale);
        return held.sendTo(reply);
      },
    );

    /** The answer is already sent: a file that cannot be removed is logged, and stays an orphan. */
    async function discardQuietly(request: FastifyRequest & { params: { id: string } }, file: string | null) {
      await photos
        .discard(database.db, request.params.id, file)
        .catch((err: unknown) => request.log.warn({ err, file }, 'could not remove a replaced photo'));
    }
  });
}
