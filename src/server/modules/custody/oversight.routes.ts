import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  createIncidentBody,
  flagListQuery,
  flagSchema,
  incidentListQuery,
  incidentPlanBody,
  incidentSchema,
  incidentStatusBody,
  massBalanceQuery,
  massBalanceSchema,
  referencePriceBody,
  referencePriceQuery,
  referencePriceSchema,
  resolveFlagBody,
} from '../../../shared/schemas/custody-oversight.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { wantsCsv } from '../audit/export.ts';
import { createMassBalanceService } from './balance.ts';
import { createIncidentService } from './incidents.ts';
import { createOversightService } from './oversight.ts';

const tags = ['custody'];
const idParams = z.object({ id: uuidSchema });

/** Due diligence on the chain of custody: mass balances, risk flags, reference prices, incidents. */
export function registerCustodyOversightRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
) {
  const balances = createMassBalanceService();
  const oversight = createOversightService({ audit, clock });
  const incidents = createIncidentService({ audit, clock });
  const db = database.db;

  app.get(
    '/custody/mass-balance',
    {
      schema: {
        tags,
        summary:
          'Mass balance per actor over a period: opening stock, production, purchases, sales, exports, processing loss, closing stock (JSON pages, or CSV with format=csv)',
        querystring: massBalanceQuery,
        response: { 200: pageResponse(massBalanceSchema) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (!wantsCsv(q.format, request.headers.accept)) return balances.page(db, request.ctx, q);
      const lines = balances.csv(db, request.ctx, q);
      // The first line is the header: waiting for it runs the permission and area checks before the
      // stream starts, so a refusal is still a problem+json answer.
      const first = await lines.next();
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="mass-balance-${q.from}-${q.to}.csv"`)
        .header('cache-control', 'no-store');
      async function* all() {
        if (!first.done) yield first.value;
        yield* lines;
      }
      return (reply as FastifyReply).send(Readable.from(all()));
    },
  );

  app.get(
    '/custody/flags',
    {
      schema: {
        tags,
        summary: 'Risk flags on custody events and incidents in your areas, newest first',
        querystring: flagListQuery,
        response: { 200: pageResponse(flagSchema) },
      },
    },
    async (request) => oversight.flags(db, request.ctx, request.query),
  );
  app.get(
    '/custody/flags/:id',
    { schema: { tags, summary: 'One risk flag', params: idParams, response: { 200: flagSchema } } },
    async (request) => oversight.flag(db, request.ctx, request.params.id),
  );
  app.post(
    '/custody/flags/:id/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve a risk flag, with what was checked and found',
        params: idParams,
        body: resolveFlagBody,
        response: { 200: flagSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await oversight.resolve(tx, request.ctx, request.params.id, request.body.reason),
      })),
  );

  app.get(
    '/custody/reference-prices',
    {
      schema: {
        tags,
        summary: 'Reference prices of a mineral in a country, newest day first',
        querystring: referencePriceQuery,
        response: { 200: pageResponse(referencePriceSchema) },
      },
    },
    async (request) => oversight.prices(db, request.ctx, request.query),
  );
  app.post(
    '/custody/reference-prices',
    {
      schema: {
        tags,
        summary: "Set a day's reference price of a mineral (per gram of fine mineral); replaces that day's",
        body: referencePriceBody,
        response: { 200: referencePriceSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await oversight.setPrice(tx, request.ctx, request.body),
      })),
  );

  app.post(
    '/custody/incidents',
    {
      schema: {
        tags,
        summary:
          'Record an incident or site observation (OECD Annex II); class 1 suspends trade with the actor or site',
        body: createIncidentBody,
        response: { 200: incidentSchema, 201: incidentSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { incident, created } = await incidents.create(tx, request.ctx, request.body);
        return {
          status: created ? 201 : 200,
          body: incident,
          headers: { location: `/api/v1/custody/incidents/${incident.id}` },
        };
      }),
  );
  app.get(
    '/custody/incidents',
    {
      schema: {
        tags,
        summary: 'Incidents in your areas, newest first',
        querystring: incidentListQuery,
        response: { 200: pageResponse(incidentSchema) },
      },
    },
    async (request) => incidents.list(db, request.ctx, request.query),
  );
  app.get(
    '/custody/incidents/:id',
    { schema: { tags, summary: 'One incident', params: idParams, response: { 200: incidentSchema } } },
    async (request) => incidents.get(db, request.ctx, request.params.id),
  );
  app.post(
    '/custody/incidents/:id/plan',
    {
      schema: {
        tags,
        summary: 'Set the mitigation plan of an incident: actions with owner, deadline and whether done',
        params: idParams,
        body: incidentPlanBody,
        response: { 200: incidentSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await incidents.plan(tx, request.ctx, request.params.id, request.body),
      })),
  );
  app.post(
    '/custody/incidents/:id/status',
    {
      schema: {
        tags,
        summary: 'Change the status of an incident (mitigating, resolved, disengaged), with the reason',
        params: idParams,
        body: incidentStatusBody,
        response: { 200: incidentSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await incidents.status(tx, request.ctx, request.params.id, request.body),
      })),
  );
}
