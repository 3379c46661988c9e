import { clientConfigSchema } from '../../../shared/schemas/client-config.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';

/**
 * What the web client needs before anyone signs in: the active profile's languages, currency and
 * time zone (for formatting), and the optional map tile source. Nothing here is personal or secret.
 */
export function registerClientConfigRoutes(app: TypedApp, { database, config }: ModuleDeps): void {
  app.get(
    '/client-config',
    {
      schema: {
        tags: ['platform'],
        summary: 'Settings the web client needs at start',
        security: [],
        response: { 200: clientConfigSchema },
      },
    },
    async (_request, reply) => {
      const row = await database.db
        .selectFrom('country_profiles')
        .select(['document'])
        .where('profile_id', '=', config.profile)
        .executeTakeFirst();
      const doc = row?.document as
        | { profileId: string; country: string; languages: string[]; currency: string; timeZone: string }
        | undefined;
      reply.header('cache-control', 'no-cache');
      return {
        profile: doc
          ? {
              profileId: doc.profileId,
              country: doc.country,
              languages: doc.languages,
              currency: doc.currency,
              timeZone: doc.timeZone,
            }
          : null,
        mapTiles: config.mapTiles,
      };
    },
  );
}
