import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  checkBody,
  checkResultSchema,
  createLayerBody,
  featureSchema,
  featuresGeojsonQuery,
  importBody,
  importQuery,
  importResultSchema,
  layerListQuery,
  layerSchema,
} from '../../../shared/schemas/cadastre.ts';
import {
  HOTSPOTS_CSV_COLUMNS,
  hotspotsQuery,
  hotspotsResultSchema,
} from '../../../shared/schemas/hotspots.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { csvLine } from '../audit/export.ts';
import { listHotspots } from './hotspots.ts';
import { createCadastreService } from './service.ts';

const idParams = z.object({ id: uuidSchema });
const tags = ['cadastre'];
/** A national cadastre as GeoJSON runs to tens of megabytes (the 2,973 DRC titles of 2016: 14 MB). */
const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

/** Cadastre layers, their features, and the overlap check of an application area. */
export function registerCadastreRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createCadastreService({ audit, clock });

  app.get(
    '/cadastre/layers',
    {
      schema: {
        tags,
        summary:
          'Cadastre layers (licence areas, ASM zones, large-scale titles, protected areas, customary lands)',
        querystring: layerListQuery,
        response: { 200: z.object({ items: z.array(layerSchema) }) },
      },
    },
    async (request) => service.listLayers(database.db, request.ctx, request.query),
  );

  app.post(
    '/cadastre/layers',
    {
      schema: {
        tags,
        summary: 'Create a layer in a country (cadastre.manage at the country level)',
        body: createLayerBody,
        response: { 200: layerSchema, 201: layerSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => {
        const { layer, created } = await service.createLayer(tx, request.ctx, request.body);
        return {
          status: created ? 201 : 200,
          body: layer,
          headers: { location: `/api/v1/cadastre/layers/${layer.id}` },
        };
      }),
  );

  app.post(
    '/cadastre/layers/:id/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Import a GeoJSON FeatureCollection into a layer: all or nothing unless skipInvalid=true; safe repairs with repair=safe',
        params: idParams,
        querystring: importQuery,
        body: importBody,
        response: { 200: importResultSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await service.importFeatures(tx, request.ctx, request.params.id, request.body, request.query),
      })),
  );

  // A scope of its own, so the text/csv parser applies to this route only: elsewhere the API is JSON.
  app.register(async (scope) => {
    const csvApi = scope.withTypeProvider<ZodTypeProvider>();
    csvApi.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    csvApi.post(
      '/cadastre/layers/:id/import.csv',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary:
            'Import a CSV of corner coordinates (text/csv: lon and lat columns, optional ring and feature columns; one feature per feature id) as the GeoJSON import does; unreadable lines answer 422 cadastre.csv_invalid',
          consumes: ['text/csv'],
          params: idParams,
          querystring: importQuery,
          body: z.string(),
          response: { 200: importResultSchema },
        },
      },
      (request, reply) =>
        runWrite(request, reply, request.ctx, async (tx) => ({
          status: 200,
          body: await service.importCsv(tx, request.ctx, request.params.id, request.body, request.query),
        })),
    );
  });

  app.get(
    '/cadastre/layers/:id/features.geojson',
    {
      schema: {
        tags,
        summary:
          'The features of a layer in my areas as GeoJSON, in id order; `next` at the end is the `after` of the following page',
        params: idParams,
        querystring: featuresGeojsonQuery,
      },
    },
    async (request, reply) => {
      const chunks = await service.openFeatureStream(
        database.db,
        request.ctx,
        request.params.id,
        request.query,
      );
      reply.type('application/geo+json; charset=utf-8');
      return reply.send(Readable.from(chunks));
    },
  );

  app.get(
    '/cadastre/features/:id',
    {
      schema: {
        tags,
        summary: 'One cadastre feature with its geometry',
        params: idParams,
        response: { 200: featureSchema },
      },
    },
    async (request) => service.getFeature(database.db, request.ctx, request.params.id),
  );

  app.post(
    '/cadastre/checks',
    {
      schema: {
        tags,
        summary:
          'Check an application area: overlaps with rights, zones and protected areas, the free part, and the profile rules (reads only)',
        body: checkBody,
        response: { 200: checkResultSchema },
      },
    },
    async (request) => service.check(database.db, request.ctx, request.body),
  );

  app.get(
    '/cadastre/hotspots',
    {
      schema: {
        tags,
        summary:
          'Mining activity to reach: detections in my districts outside every licence area and ASM zone, with totals per district (JSON pages, or CSV with format=csv)',
        querystring: hotspotsQuery,
        response: { 200: hotspotsResultSchema },
      },
    },
    async (request, reply) => {
      const { format, ...q } = request.query;
      if (format !== 'csv') return listHotspots(database.db, request.ctx, q);
      const result = await listHotspots(database.db, request.ctx, { ...q, after: undefined, all: true });
      let text = csvLine(HOTSPOTS_CSV_COLUMNS);
      for (const h of result.items) {
        text += csvLine([
          h.featureId,
          h.externalRef,
          h.areaCode,
          h.areaName,
          h.detectedHectares,
          h.outsideHectares,
          h.centre[0],
          h.centre[1],
        ]);
      }
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="mining-activity-to-reach.csv"')
        .header('cache-control', 'no-store');
      // A stream bypasses the JSON serializer; the typed reply only knows the JSON page.
      return (reply as FastifyReply).send(Readable.from([text]));
    },
  );
}
