import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/**
 * A licence card as the signed-in client previews it: the facts printed on the card (nothing the
 * public verification page would not show) and the verification URL its QR code holds.
 */
export const licenceCardSchema = z.object({
  licenceId: uuidSchema,
  number: z.string(),
  tierCode: z.string(),
  status: z.string(),
  holderDisplay: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  areaName: z.string(),
  verifyUrl: z.string(),
});
export type LicenceCardDto = z.infer<typeof licenceCardSchema>;
