import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { HOLDER_KINDS, licenceSchema } from './licensing.ts';

/** Encumbrances and transfers of licences, and the supported move to the next tier (issue 4). */
export const ENCUMBRANCE_KINDS = ['mortgage', 'lien', 'charge'] as const;
export const REQUIREMENT_STATUSES = ['met', 'missing', 'to_check'] as const;

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code');
const amountMinor = z.number().int('must be whole minor units').positive('must be greater than 0').max(1e15);
const localized = z.record(z.string(), z.string());

export const registerEncumbranceBody = z.strictObject({
  kind: z.enum(ENCUMBRANCE_KINDS),
  creditorName: z.string().trim().min(1).max(200),
  amountMinor,
  currency,
  reference: z.string().trim().min(1).max(100).optional(),
  documentsNote: z.string().trim().max(2000).optional(),
  /** When the charge took effect; now when left out. */
  registeredAt: z.iso.datetime({ offset: true }).optional(),
});
export type RegisterEncumbranceInput = z.infer<typeof registerEncumbranceBody>;

export const releaseEncumbranceBody = z.strictObject({ note: z.string().trim().max(2000).optional() });

export const encumbranceSchema = z.object({
  id: uuidSchema,
  licenceId: uuidSchema,
  kind: z.enum(ENCUMBRANCE_KINDS),
  creditorName: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  reference: z.string().nullable(),
  documentsNote: z.string().nullable(),
  registeredAt: z.string(),
  registeredBy: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),
  releaseNote: z.string().nullable(),
  active: z.boolean(),
});
export type EncumbranceDto = z.infer<typeof encumbranceSchema>;

export const transferBody = z.strictObject({
  toHolderKind: z.enum(HOLDER_KINDS),
  toHolderId: uuidSchema,
  reason: z.string().trim().min(1).max(2000),
  /** The price paid for the licence, when declared. */
  consideration: z.strictObject({ amountMinor: z.number().int().min(0).max(1e15), currency }).optional(),
  /** Required while an encumbrance is active: its creditor agreed, as consentNote records. */
  creditorConsent: z.boolean().optional(),
  consentNote: z.string().trim().min(1).max(2000).optional(),
});
export type TransferInput = z.infer<typeof transferBody>;

export const transferSchema = z.object({
  id: uuidSchema,
  licenceId: uuidSchema,
  fromHolderKind: z.enum(HOLDER_KINDS),
  fromHolderId: uuidSchema,
  toHolderKind: z.enum(HOLDER_KINDS),
  toHolderId: uuidSchema,
  reason: z.string(),
  consideration: z.object({ amountMinor: z.number().int(), currency: z.string() }).nullable(),
  creditorConsent: z.boolean(),
  consentNote: z.string().nullable(),
  actorId: z.string().nullable(),
  at: z.string(),
});
export type TransferDto = z.infer<typeof transferSchema>;

export const transferResultSchema = z.object({ transfer: transferSchema, licence: licenceSchema });

export const nextTierSchema = z.object({
  licenceId: uuidSchema,
  tierCode: z.string(),
  nextTier: z
    .object({
      code: z.string(),
      names: localized,
      /** Whether the licence's holder kind may hold the next tier at all. */
      holderKindAllowed: z.boolean(),
      holderKinds: z.array(z.string()),
      fee: z.object({ amountMinor: z.number().int(), currency: z.string() }),
      requirements: z.array(
        z.object({
          code: z.string(),
          names: localized,
          status: z.enum(REQUIREMENT_STATUSES),
          /** Where a met or missing status comes from: the registry, or the checklist of an earlier review. */
          source: z.enum(['registry', 'checklist']).nullable(),
          support: z.array(z.object({ kind: z.string(), names: localized })),
        }),
      ),
      /** Incentives of the next tier the current tier does not give. */
      incentivesGained: z.array(z.object({ code: z.string(), names: localized })),
    })
    .nullable(),
});
export type NextTierDto = z.infer<typeof nextTierSchema>;
