import { AppError } from '../../platform/errors.ts';

/**
 * The arithmetic of a fee account, in integer minor units: what is left to pay is the assessed fee
 * minus the payments, and a payment that would take it below zero is refused.
 */
export function balanceOf(assessedMinor: number | null, paidMinor: number): number {
  return Math.max(0, (assessedMinor ?? 0) - paidMinor);
}

/** The balance after one more payment; refuses an over-payment (the balance never goes below 0). */
export function balanceAfterPayment(assessedMinor: number, paidMinor: number, amountMinor: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new AppError(400, 'request.validation_failed', 'The amount must be a positive whole number.', {
      errors: [{ path: 'body.amountMinor', code: 'positive', message: 'must be greater than 0' }],
    });
  }
  const balance = assessedMinor - paidMinor;
  if (amountMinor > balance) {
    throw new AppError(409, 'fees.overpayment', 'The payment is more than what is left to pay.', {
      balanceMinor: Math.max(0, balance),
    });
  }
  return balance - amountMinor;
}
