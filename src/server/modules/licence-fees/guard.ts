import type { Queryable } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { balanceOf } from './balance.ts';
import { paidMinor } from './repo.ts';

/**
 * Refuses to issue a licence while its application's fee is not fully paid (a fee of 0 needs no
 * payment). Called by the issue path of the licensing service, inside its transaction.
 */
export async function assertFeePaid(
  db: Queryable,
  a: { id: string; fee_assessed_minor: string | number | null; currency: string | null },
): Promise<void> {
  const assessed = a.fee_assessed_minor === null ? 0 : Number(a.fee_assessed_minor);
  if (assessed === 0) return;
  const balance = balanceOf(assessed, await paidMinor(db, a.id));
  if (balance > 0) {
    throw problems.conflict('licensing.fee_unpaid', 'The licence fee is not fully paid yet.', {
      balanceMinor: balance,
      currency: a.currency,
    });
  }
}
