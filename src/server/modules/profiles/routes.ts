import { z } from 'zod';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission } from '../../platform/access/access.ts';
import { problems } from '../../platform/errors.ts';

const summary = z.object({
  country: z.string(),
  profileId: z.string(),
  version: z.string(),
  checksum: z.string(),
  loadedAt: z.string(),
});

/** Country profiles are read-only through the API: they change by loading a new file version. */
export function registerProfileRoutes(app: TypedApp, { database, config }: ModuleDeps): void {
  app.get(
    '/profiles',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Loaded country profiles',
        response: { 200: z.object({ items: z.array(summary), active: z.string() }) },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'profiles.read');
      const rows = await database.db
        .selectFrom('country_profiles')
        .select(['country', 'profile_id', 'version', 'checksum', 'loaded_at'])
        .orderBy('country')
        .execute();
      return {
        active: config.profile,
        items: rows.map((r) => ({
          country: r.country,
          profileId: r.profile_id,
          version: r.version,
          checksum: r.checksum,
          loadedAt: r.loaded_at.toISOString(),
        })),
      };
    },
  );

  app.get(
    '/profiles/:profileId',
    {
      schema: {
        tags: ['profiles'],
        summary:
          'One country profile, whole (tiers, fees, royalties, languages…); "current" for the active one',
        params: z.object({ profileId: z.string().regex(/^[a-z][a-z0-9-]{1,40}$/) }),
        response: { 200: summary.extend({ document: z.record(z.string(), z.unknown()) }) },
      },
    },
    async (request) => {
      requirePermission(request.ctx, 'profiles.read');
      const id = request.params.profileId === 'current' ? config.profile : request.params.profileId;
      const r = await database.db
        .selectFrom('country_profiles')
        .selectAll()
        .where('profile_id', '=', id)
        .executeTakeFirst();
      if (!r) throw problems.notFound('Country profile');
      return {
        country: r.country,
        profileId: r.profile_id,
        version: r.version,
        checksum: r.checksum,
        loadedAt: r.loaded_at.toISOString(),
        document: r.document as Record<string, unknown>,
      };
    },
  );
}
