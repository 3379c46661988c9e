import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { phoneSchema } from './accounts.ts';

export const SEXES = ['female', 'male', 'other', 'not_stated'] as const;
export const AGE_BANDS = ['<18', '18-24', '25-34', '35-49', '50-64', '65+'] as const;
export const LEGAL_BASES = ['consent', 'legal_obligation', 'public_task', 'vital_interest'] as const;

/** A name part: trimmed, no control characters. */
const namePart = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

const birthDate = z.iso.date();
const birthYear = z.number().int().min(1900).max(2100);

export const idDocumentSchema = z
  .object({ type: namePart(40), number: namePart(60) })
  .strict()
  .describe('An identity document (national ID card, voter card, passport...). Optional.');

export const personSchema = z.object({
  id: z.string(),
  reference: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  otherNames: z.string().nullable(),
  sex: z.enum(SEXES),
  birthDate: z.string().nullable(),
  birthYear: z.number().int().nullable(),
  ageBand: z.enum(AGE_BANDS).nullable(),
  phone: z.string().nullable(),
  idDocument: z.object({ type: z.string(), number: z.string() }).nullable(),
  areaId: z.string(),
  /** Whether a photo is on file (GET /people/:id/photo); where it is stored stays internal. */
  hasPhoto: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type PersonDto = z.infer<typeof personSchema>;

/** The year of a birth date and a separately given year must agree. */
function birthAgrees(v: { birthDate?: string | null | undefined; birthYear?: number | null | undefined }) {
  return !v.birthDate || v.birthYear == null || Number(v.birthDate.slice(0, 4)) === v.birthYear;
}
const birthMismatch = { message: 'must be the year of birthDate', path: ['birthYear'] };

export const createPersonBody = z
  .object({
    id: uuidSchema.optional(),
    givenName: namePart(100),
    familyName: namePart(100),
    otherNames: namePart(200).optional(),
    sex: z.enum(SEXES),
    birthDate: birthDate.optional(),
    birthYear: birthYear.optional(),
    ageBand: z.enum(AGE_BANDS).optional(),
    phone: phoneSchema.optional(),
    idDocument: idDocumentSchema.optional(),
    areaId: uuidSchema,
    /**
     * true (default): a likely duplicate (same phone, or a similar name with the same birth year in
     * the same area) answers 409 person.possible_duplicate with the candidates and writes nothing.
     * false: the officer has looked at them and registers the person anyway.
     */
    checkDuplicates: z.boolean().default(true),
  })
  .strict()
  .refine(birthAgrees, birthMismatch);
export type CreatePersonInput = z.infer<typeof createPersonBody>;

export const updatePersonBody = z
  .object({
    givenName: namePart(100).optional(),
    familyName: namePart(100).optional(),
    otherNames: namePart(200).nullable().optional(),
    sex: z.enum(SEXES).optional(),
    birthDate: birthDate.nullable().optional(),
    birthYear: birthYear.nullable().optional(),
    ageBand: z.enum(AGE_BANDS).nullable().optional(),
    phone: phoneSchema.nullable().optional(),
    idDocument: idDocumentSchema.nullable().optional(),
    areaId: uuidSchema.optional(),
  })
  .strict()
  .refine(birthAgrees, birthMismatch);
export type UpdatePersonInput = z.infer<typeof updatePersonBody>;

export const personListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
    /** A name (typo-tolerant, best match first), a reference number or a phone number. */
    q: z.string().trim().min(1).max(200).optional(),
    /** People of this area and the areas under it. */
    areaId: uuidSchema.optional(),
    sex: z.enum(SEXES).optional(),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe(
        'csv (or Accept: text/csv) streams the whole filtered set in the list order, up to 100000 rows, ' +
          'without vulnerable-group attributes; limit and cursor are ignored and X-Export-Truncated: true ' +
          'says the cap was reached.',
      ),
  })
  .strict();
export type PersonListQuery = z.infer<typeof personListQuery>;

/** A likely duplicate, as shown to the registering officer. */
export const duplicateCandidateSchema = z.object({
  id: z.string(),
  reference: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  areaId: z.string(),
  birthYear: z.number().int().nullable(),
  reasons: z.array(z.enum(['same_phone', 'similar_name_same_birth_year_and_area'])),
});
export type DuplicateCandidate = z.infer<typeof duplicateCandidateSchema>;

export const personSensitiveSchema = z.object({
  personId: z.string(),
  disability: z.boolean().nullable(),
  migrant: z.boolean().nullable(),
  ethnicMinority: z.boolean().nullable(),
  /** null when nothing has been recorded for the person. */
  legalBasis: z.enum(LEGAL_BASES).nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string().nullable(),
});
export type PersonSensitiveDto = z.infer<typeof personSensitiveSchema>;

export const putPersonSensitiveBody = z
  .object({
    disability: z.boolean().nullable(),
    migrant: z.boolean().nullable(),
    ethnicMinority: z.boolean().nullable(),
    legalBasis: z.enum(LEGAL_BASES),
  })
  .strict();
export type PutPersonSensitiveInput = z.infer<typeof putPersonSensitiveBody>;

/** The picture formats a person's photo may have, recognised by their first bytes. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
/** The largest photo accepted. The web client sends about 100 KB (longest side 800 px, JPEG 0.8). */
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
