import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  createPersonBody,
  type PersonDto,
  personListQuery,
  personSchema,
  personSensitiveSchema,
  putPersonSensitiveBody,
  updatePersonBody,
} from '../../../shared/schemas/people.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { etagOf, requireIfMatch } from '../../platform/http/write.ts';
import { wantsCsv } from '../audit/export.ts';
import { sendPeopleCsv } from './export.ts';
import { registerPersonPhotoRoutes } from './photo-routes.ts';
import { createPeopleService } from './service.ts';

const idParams = z.object({ id: uuidSchema });
const tags = ['registry'];

export function registerPeopleRoutes(app: TypedApp, deps: ModuleDeps): void {
  const { database, audit, clock, runWrite } = deps;
  const people = createPeopleService({ audit, clock });
  const withEtag = (person: PersonDto, status = 200) => ({
    status,
    body: person,
    headers: { etag: etagOf(person.version) },
  });

  app.get(
    '/people',
    {
      schema: {
        tags,
        summary:
          'People (miners and workers) in my areas: newest first, or best match first for q (a name, typos forgiven; a reference; a phone); CSV with format=csv',
        querystring: personListQuery,
        response: { 200: pageResponse(personSchema) },
      },
    },
    async (request, reply) =>
      // format=csv: the whole filtered list as a stream (people/export.ts); the typed reply only
      // knows the JSON page.
      wantsCsv(request.query.format, request.headers.accept)
        ? sendPeopleCsv(database.db, audit, request.ctx, request.query, reply as FastifyReply)
        : people.list(database.db, request.ctx, request.query),
  );

  app.post(
    '/people',
    {
      schema: {
        tags,
        summary:
          'Register a person. Likely duplicates answer 409 person.possible_duplicate with the candidates; send checkDuplicates: false to register anyway',
        body: createPersonBody,
        response: { 200: personSchema, 201: personSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { person, created } = await people.create(tx, request.ctx, request.body);
        return {
          ...withEtag(person, created ? 201 : 200),
          headers: { etag: etagOf(person.version), location: `/api/v1/people/${person.id}` },
        };
      }),
  );

  app.get(
    '/people/:id',
    { schema: { tags, summary: 'One person', params: idParams, response: { 200: personSchema } } },
    async (request, reply) => {
      const person = await people.get(database.db, request.ctx, request.params.id);
      reply.header('etag', etagOf(person.version));
      return person;
    },
  );

  app.patch(
    '/people/:id',
    {
      schema: {
        tags,
        summary: 'Change a person (send If-Match with its ETag)',
        params: idParams,
        body: updatePersonBody,
        response: { 200: personSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        withEtag(
          await people.update(tx, request.ctx, request.params.id, request.body, (v) =>
            requireIfMatch(request, v),
          ),
        ),
      ),
  );

  app.get(
    '/people/:id/sensitive',
    {
      schema: {
        tags,
        summary: 'Vulnerable-group attributes of a person (every read is audited)',
        params: idParams,
        response: { 200: personSensitiveSchema },
      },
    },
    async (request, reply) => {
      const body = await database.db
        .transaction()
        .execute((tx) => people.getSensitive(tx, request.ctx, request.params.id));
      reply.header('cache-control', 'no-store');
      return body;
    },
  );

  app.put(
    '/people/:id/sensitive',
    {
      schema: {
        tags,
        summary: 'Record the vulnerable-group attributes of a person, with their legal basis',
        params: idParams,
        body: putPersonSensitiveBody,
        response: { 200: personSensitiveSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await people.putSensitive(tx, request.ctx, request.params.id, request.body),
        headers: { 'cache-control': 'no-store' },
      })),
  );

  registerPersonPhotoRoutes(app, deps);
}
