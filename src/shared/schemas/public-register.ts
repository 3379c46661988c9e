import { z } from 'zod';

/** The public register of active licences (issue 4): what anyone may see without signing in. */
export const publicLicenceQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
    .optional(),
  /** An area code (GH-AH): the licences of the area and every area inside it. */
  area: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'must be an area code')
    .optional(),
  tier: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a tier code')
    .optional(),
  /** The start of a licence number, any case. */
  number: z.string().trim().min(2).max(40).optional(),
});
export type PublicLicenceQuery = z.infer<typeof publicLicenceQuery>;

export const publicLicenceSchema = z.object({
  number: z.string(),
  tierCode: z.string(),
  /** The tier's name in each language of the profile. */
  tierNames: z.record(z.string(), z.string()),
  /** An enterprise or unit by its name; a person by initial and family name (A. Mensah). */
  holderDisplay: z.string(),
  areaName: z.string(),
  areaCode: z.string(),
  country: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
});
export type PublicLicenceDto = z.infer<typeof publicLicenceSchema>;

/** The columns of the CSV download, in order. */
export const PUBLIC_REGISTER_CSV_COLUMNS = [
  'number',
  'tier_code',
  'tier_name',
  'holder',
  'area_name',
  'area_code',
  'country',
  'valid_from',
  'valid_to',
] as const;
