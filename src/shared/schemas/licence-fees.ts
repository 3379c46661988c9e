import { z } from 'zod';
import { uuidSchema } from '../ids.ts';

/** Licence fee payments and their receipts (issue 4). Money is in integer minor units. */
export const PAYMENT_METHODS = ['cash', 'mobile_money', 'bank'] as const;

const minor = z.number().int('must be whole minor units').positive('must be greater than 0').max(1e13);

export const recordPaymentBody = z.strictObject({
  amountMinor: minor,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  method: z.enum(PAYMENT_METHODS),
  /** Cash receipt book number, mobile money transaction id or bank reference. */
  reference: z.string().trim().min(1).max(100),
  /** When the money was received; now when left out. */
  paidAt: z.iso.datetime({ offset: true }).optional(),
  /** Who paid, when not the holder themself. */
  payerName: z.string().trim().min(1).max(200).optional(),
});
export type RecordPaymentInput = z.infer<typeof recordPaymentBody>;

export const feePaymentSchema = z.object({
  id: uuidSchema,
  receiptNumber: z.string(),
  applicationId: uuidSchema,
  amountMinor: z.number().int(),
  currency: z.string(),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string(),
  payerName: z.string().nullable(),
  paidAt: z.string(),
  balanceAfterMinor: z.number().int(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string(),
});
export type FeePaymentDto = z.infer<typeof feePaymentSchema>;

/** The fee of an application: what was assessed, what was paid, what is left, and the payments. */
export const feeAccountSchema = z.object({
  applicationId: uuidSchema,
  assessedMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  paidMinor: z.number().int(),
  balanceMinor: z.number().int(),
  payments: z.array(feePaymentSchema),
});
export type FeeAccountDto = z.infer<typeof feeAccountSchema>;
