import { sql } from 'kysely';
import {
  type TransferBatchDto,
  transferBatchBody,
  transferBatchSchema,
} from '../../../shared/schemas/custody.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { requirePermission } from '../../platform/access/access.ts';
import { auditBuffer } from '../../platform/audit/audit.ts';
import { problems } from '../../platform/errors.ts';
import { toAppError } from '../../platform/http/problem.ts';
import { createCustodyRecorder } from './record.ts';

/**
 * Transfers in batches: a buying station's day of purchases, captured offline and sent when the
 * network returns. The batch is one transaction; each transfer in it is kept or refused on its own
 * (a savepoint each), so one mistyped lot does not hold back two hundred good purchases. The refused
 * ones come back with the problem that refused them, to be corrected and sent again (a transfer
 * outside the caller's areas refuses the whole batch: that is no typing mistake). Every item
 * carries its client id: a batch sent twice answers the first outcome of each transfer (200) and
 * records nothing twice.
 *
 * The batch's audit events are appended together at its end (auditBuffer): the chain's head, which
 * every audited write waits for, is not held while hundreds of transfers are checked and written.
 * Batches then run side by side; two that lock the same actors' monthly totals in opposite orders
 * can deadlock; the one PostgreSQL stops is run again from the start (nothing of it was kept).
 */
export function registerCustodyBatchRoutes(app: TypedApp, { audit, clock, runWrite }: ModuleDeps): void {
  app.post(
    '/custody/transfers/batch',
    {
      schema: {
        tags: ['custody'],
        summary:
          'Record up to 500 transfers at once (offline capture); each is recorded or refused on its own, with its problem',
        body: transferBatchBody,
        response: { 200: transferBatchSchema },
      },
    },
    (request, reply) =>
      runWrite(
        request,
        reply,
        request.ctx,
        async (tx) => {
          requirePermission(request.ctx, 'custody.record');
          const { items } = request.body;
          const missing = items.flatMap((item, i) =>
            item.id
              ? []
              : [
                  {
                    path: `body.items.${i}.id`,
                    code: 'required',
                    message: 'Each transfer in a batch needs its id.',
                  },
                ],
          );
          if (missing.length > 0) throw problems.validation(missing);
          const ids = new Set<string>();
          const repeated = items.flatMap((item, i) => {
            if (!ids.has(item.id!)) {
              ids.add(item.id!);
              return [];
            }
            return [
              {
                path: `body.items.${i}.id`,
                code: 'duplicate',
                message: 'This id is used twice in the batch.',
              },
            ];
          });
          if (repeated.length > 0) throw problems.validation(repeated);

          const held = auditBuffer(audit);
          const recorder = createCustodyRecorder({ audit: held.sink, clock });
          const body: TransferBatchDto = { recorded: 0, replayed: 0, refused: 0, items: [] };
          for (const [index, item] of items.entries()) {
            const mark = held.mark();
            await sql`SAVEPOINT batch_item`.execute(tx);
            try {
              const { event, created } = await recorder.transfer(tx, request.ctx, item);
              await sql`RELEASE SAVEPOINT batch_item`.execute(tx);
              body.items.push({ index, status: created ? 201 : 200, event });
              if (created) body.recorded++;
              else body.replayed++;
            } catch (error) {
              const refusal = toAppError(error);
              // A fault of the server is no answer about this transfer, and a transfer the caller may
              // not record (401, 403) says the batch came from the wrong hands: either way the whole
              // batch fails, and nothing of it is kept.
              if (refusal.status >= 500 || refusal.status === 401 || refusal.status === 403) throw error;
              await sql`ROLLBACK TO SAVEPOINT batch_item`.execute(tx);
              await sql`RELEASE SAVEPOINT batch_item`.execute(tx);
              held.dropFrom(mark);
              body.refused++;
              body.items.push({
                index,
                status: refusal.status,
                problem: {
                  code: refusal.code,
                  detail: refusal.message,
                  ...(refusal.extra.errors ? { errors: refusal.extra.errors } : {}),
                },
              });
            }
          }
          await held.flush(tx);
          return { status: 200, body };
        },
        { retryDeadlocks: true },
      ),
  );
}
