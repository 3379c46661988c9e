import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { adminAreaListQuery, adminAreaSchema } from '../../../shared/schemas/admin-areas.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission } from '../../platform/access/access.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, pageResponse } from '../../platform/http/pagination.ts';
import * as repo from './repo.ts';

/**
 * Admin areas are the shared geography: any signed-in role with areas.read sees the whole tree (it
 * is public information); what is scoped is the records that carry an area, not the areas.
 */
function toDto(r: {
  id: string;
  country: string;
  code: string;
  level: number;
  level_name: string;
  parent_id: string | null;
  path: string;
  name: string;
  names: Record<string, string>;
  is_demo: boolean;
  source: string | null;
}) {
  return {
    id: r.id,
    country: r.country,
    code: r.code,
    level: r.level,
    levelName: r.level_name,
    parentId: r.parent_id,
    path: r.path,
    name: r.name,
    names: r.names,
    isDemo: r.is_demo,
    source: r.source,
  };
}

export function registerAdminAreaRoutes(app: TypedApp, { database }: ModuleDeps): void {
  app.get(
    '/admin-areas',
    {
      schema: {
        tags: ['geography'],
        summary: 'List admin areas (country, regions, districts…) in tree order',
        querystring: adminAreaListQuery,
        response: { 200: pageResponse(adminAreaSchema) },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'areas.read');
      const q = request.query;
      const after = decodeCursor(q.cursor, 1);
      const rows = await repo.list(database.db, { ...q, afterPath: after ? String(after[0]) : undefined });
      const more = rows.length > q.limit;
      const items = rows.slice(0, q.limit);
      return {
        items: items.map(toDto),
        nextCursor: more ? encodeCursor([items[items.length - 1]!.path]) : null,
      };
    },
  );

  app.get(
    '/admin-areas.geojson',
    {
      schema: {
        tags: ['geography'],
        summary: 'Admin areas with their boundaries as a GeoJSON FeatureCollection',
        querystring: z
          .object({
            country: z
              .string()
              .regex(/^[A-Z]{2}$/)
              .optional(),
            level: z.coerce.number().int().min(0).max(6).optional(),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      requirePermission(request.ctx, 'areas.read');
      const rows = await repo.geometries(database.db, request.query);
      reply.type('application/geo+json');
      return {
        type: 'FeatureCollection',
        features: rows.map((r) => ({
          type: 'Feature',
          id: r.id,
          geometry: r.geometry,
          properties: {
            id: r.id,
            code: r.code,
            name: r.name,
            level: r.level,
            levelName: r.level_name,
            parentId: r.parent_id,
            isDemo: r.is_demo,
          },
        })),
      };
    },
  );

  app.get(
    '/admin-areas/:id',
    {
      schema: {
        tags: ['geography'],
        summary: 'One admin area',
        params: z.object({ id: uuidSchema }),
        response: { 200: adminAreaSchema },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'areas.read');
      const area = await repo.findById(database.db, request.params.id);
      if (!area) throw problems.notFound('Admin area');
      return toDto(area);
    },
  );
}
