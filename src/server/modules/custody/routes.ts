import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  actorListQuery,
  actorSchema,
  createActorBody,
  eventSchema,
  exportBody,
  lotListQuery,
  lotSchema,
  mergeBody,
  processingBody,
  productionBody,
  siteDownstreamSchema,
  splitBody,
  traceQuery,
  traceSchema,
  transferBody,
} from '../../../shared/schemas/custody.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/schema.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { createCustodyRecorder, type Recorded } from './record.ts';
import { createCustodyService } from './service.ts';

const tags = ['custody'];
const idParams = z.object({ id: uuidSchema });
const recorded = { 200: eventSchema, 201: eventSchema };
/** 201 for a new event, 200 when the same client id was sent again (nothing changed). */
const answer = ({ event, created }: Recorded) => ({ status: created ? 201 : 200, body: event });

/** Custody actors, lots, the events that move and transform them, and the trace. */
export function registerCustodyRoutes(app: TypedApp, { database, audit, clock, runWrite }: ModuleDeps): void {
  const service = createCustodyService({ audit, clock });
  const recorder = createCustodyRecorder({ audit, clock });
  const db = database.db;

  app.get(
    '/custody/actors',
    {
      schema: {
        tags,
        summary: 'Custody actors in your areas',
        querystring: actorListQuery,
        response: { 200: pageResponse(actorSchema) },
      },
    },
    async (request) => service.actors(db, request.ctx, request.query),
  );
  app.post(
    '/custody/actors',
    {
      schema: {
        tags,
        summary: 'Register who holds minerals: miner, enterprise, trader, plant, buying station, exporter',
        body: createActorBody,
        response: { 200: actorSchema, 201: actorSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { actor, created } = await service.createActor(tx, request.ctx, request.body);
        return {
          status: created ? 201 : 200,
          body: actor,
          headers: { location: `/api/v1/custody/actors/${actor.id}` },
        };
      }),
  );
  app.get(
    '/custody/actors/:id',
    { schema: { tags, summary: 'One custody actor', params: idParams, response: { 200: actorSchema } } },
    async (request) => service.actor(db, request.ctx, request.params.id),
  );

  app.post(
    '/lots',
    {
      schema: {
        tags,
        summary: 'Record production: a new lot at a site, held by the miner or enterprise that produced it',
        body: productionBody,
        response: recorded,
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        answer(await recorder.production(tx, request.ctx, request.body)),
      ),
  );
  app.get(
    '/lots',
    {
      schema: {
        tags,
        summary: 'Lots held in your areas, newest first',
        querystring: lotListQuery,
        response: { 200: pageResponse(lotSchema) },
      },
    },
    async (request) => service.lots(db, request.ctx, request.query),
  );
  app.get(
    '/lots/by-tag/:tag',
    {
      schema: {
        tags,
        summary: 'The lot with this tag (the check character is verified)',
        params: z.object({ tag: z.string().min(3).max(60) }),
        response: { 200: lotSchema },
      },
    },
    async (request) => service.lotByTag(db, request.ctx, request.params.tag),
  );
  app.get(
    '/lots/:id',
    { schema: { tags, summary: 'One lot', params: idParams, response: { 200: lotSchema } } },
    async (request) => service.lot(db, request.ctx, request.params.id),
  );
  app.get(
    '/lots/:id/events',
    {
      schema: {
        tags,
        summary: 'Every event the lot took part in, oldest first',
        params: idParams,
        response: { 200: z.object({ items: z.array(eventSchema) }) },
      },
    },
    async (request) => ({ items: await service.events(db, request.ctx, request.params.id) }),
  );
  app.get(
    '/lots/:id/trace',
    {
      schema: {
        tags,
        summary:
          'Upstream: every origin lot with its exact share of the mass; downstream: where the mineral went. With the graph',
        params: idParams,
        querystring: traceQuery,
        response: { 200: traceSchema },
      },
      // A trace of 1,000 origins is thousands of objects that the service built to this schema
      // (checked by TypeScript and the tests): checking each again on the way out took longer than
      // the query. The schema still documents the answer.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) =>
      service.trace(db, request.ctx, request.params.id, request.query.direction, {
        graph: request.query.graph === 'true',
      }),
  );
  app.get(
    '/custody/sites/:id/downstream',
    {
      schema: {
        tags,
        summary: "Where a site's production went: lots holding some of it, exported, lost in processing",
        params: idParams,
        response: { 200: siteDownstreamSchema },
      },
    },
    async (request) => service.siteDownstream(db, request.ctx, request.params.id),
  );

  const write = <B>(
    url: string,
    summary: string,
    body: z.ZodType<B>,
    record: (tx: Tx, ctx: RequestContext, input: B) => Promise<Recorded>,
  ) =>
    app.post(url, { schema: { tags, summary, body, response: recorded } }, (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) =>
        answer(await record(tx, request.ctx, request.body as B)),
      ),
    );
  write(
    '/custody/transfers',
    'Record a sale or hand-over of lots; the other side confirms it',
    transferBody,
    recorder.transfer,
  );
  write('/custody/splits', 'Split a lot into parts that add up to it exactly', splitBody, recorder.split);
  write('/custody/merges', 'Merge lots of one mineral into one lot', mergeBody, recorder.merge);
  write(
    '/custody/processings',
    'Process lots into one lot (ore to concentrate to doré); the loss is recorded',
    processingBody,
    recorder.processing,
  );
  write('/custody/exports', 'Export lots under a permit', exportBody, recorder.export);

  app.post(
    '/custody/transfers/:id/confirm',
    {
      schema: {
        tags,
        summary: 'The other side confirms a transfer',
        params: idParams,
        response: { 200: eventSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await recorder.confirm(tx, request.ctx, request.params.id),
      })),
  );
}
