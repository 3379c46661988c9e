import { z } from 'zod';

/**
 * What the web client needs before anyone signs in: the active profile's languages, currency and
 * time zone (for formatting and local days), and the optional map tile source.
 */
export const clientConfigSchema = z.object({
  profile: z
    .object({
      profileId: z.string(),
      country: z.string(),
      languages: z.array(z.string()),
      currency: z.string(),
      timeZone: z.string(),
    })
    .nullable(),
  mapTiles: z.object({ url: z.string(), attribution: z.string() }).nullable(),
});
export type ClientConfigDto = z.infer<typeof clientConfigSchema>;
