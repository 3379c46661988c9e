import { z } from 'zod';
import { uuidSchema } from '../../../shared/ids.ts';
import {
  encumbranceSchema,
  nextTierSchema,
  registerEncumbranceBody,
  releaseEncumbranceBody,
  transferBody,
  transferResultSchema,
  transferSchema,
} from '../../../shared/schemas/licence-rights.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { createLicenceRightsService } from './service.ts';

const tags = ['licensing'];
const idParams = z.object({ id: uuidSchema });
const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Encumbrances and transfers of a licence (when its tier grants the right), and its next tier. */
export function registerLicenceRightsRoutes(
  app: TypedApp,
  { database, audit, clock, runWrite }: ModuleDeps,
): void {
  const service = createLicenceRightsService({ audit, clock });

  app.get(
    '/licences/:id/encumbrances',
    {
      schema: {
        tags,
        summary: 'The encumbrance register of a licence: mortgages, liens and charges, active or released',
        params: idParams,
        response: { 200: items(encumbranceSchema) },
      },
    },
    async (request) => ({ items: await service.encumbrances(database.db, request.ctx, request.params.id) }),
  );

  app.post(
    '/licences/:id/encumbrances',
    {
      schema: {
        tags,
        summary: 'Register a mortgage, lien or charge on an active licence whose tier grants mortgage_right',
        params: idParams,
        body: registerEncumbranceBody,
        response: { 201: encumbranceSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 201,
        body: await service.registerEncumbrance(tx, request.ctx, request.params.id, request.body),
      })),
  );

  app.post(
    '/licences/:id/encumbrances/:encumbranceId/release',
    {
      schema: {
        tags,
        summary: 'Release an encumbrance (the debt is settled or the creditor lets go)',
        params: z.object({ id: uuidSchema, encumbranceId: uuidSchema }),
        body: releaseEncumbranceBody.optional(),
        response: { 200: encumbranceSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 200,
        body: await service.releaseEncumbrance(
          tx,
          request.ctx,
          request.params.id,
          request.params.encumbranceId,
          request.body?.note,
        ),
      })),
  );

  app.get(
    '/licences/:id/transfers',
    {
      schema: {
        tags,
        summary: 'The transfers of a licence from one holder to another, oldest first',
        params: idParams,
        response: { 200: items(transferSchema) },
      },
    },
    async (request) => ({ items: await service.transfers(database.db, request.ctx, request.params.id) }),
  );

  app.post(
    '/licences/:id/transfers',
    {
      schema: {
        tags,
        summary:
          'Transfer an active licence to a new holder (tier with transfer_right; creditor consent while encumbered)',
        params: idParams,
        body: transferBody,
        response: { 201: transferResultSchema },
      },
    },
    (request, reply) =>
      runWrite(request, reply, request.ctx, async (tx) => ({
        status: 201,
        body: await service.transfer(tx, request.ctx, request.params.id, request.body),
      })),
  );

  app.get(
    '/licences/:id/next-tier',
    {
      schema: {
        tags,
        summary:
          'The next tier of the profile for this licence: each requirement met, missing or to check, with the support offered',
        params: idParams,
        response: { 200: nextTierSchema },
      },
    },
    async (request) => service.nextTier(database.db, request.ctx, request.params.id),
  );
}
