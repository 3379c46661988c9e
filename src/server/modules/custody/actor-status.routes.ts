import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import { actorSchema } from '../../../shared/schemas/custody.ts';
import { actorStatusBody } from '../../../shared/schemas/custody-extras.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { createActorStatusService } from './actor-status.ts';

/** POST /custody/actors/:id/suspend and /reinstate, each with its reason. */
export function registerCustodyActorStatusRoutes(app: TypedApp, { audit, runWrite }: ModuleDeps): void {
  const service = createActorStatusService({ audit });
  const summaries = {
    suspend:
      'Suspend a custody actor: it can no longer produce, trade or process lots (a reason is required)',
    reinstate: 'Reinstate a suspended custody actor (a reason is required)',
  } as const;
  for (const action of ['suspend', 'reinstate'] as const) {
    app.post(
      `/custody/actors/:id/${action}`,
      {
        schema: {
          tags: ['custody'],
          summary: summaries[action],
          params: z.object({ id: uuidSchema }),
          body: actorStatusBody,
          response: { 200: actorSchema },
        },
      },
      (request, reply) =>
        runWrite(request, reply, request.ctx, async (tx) => ({
          status: 200,
          body: await service.change(tx, request.ctx, request.params.id, action, request.body.reason),
        })),
    );
  }
}
