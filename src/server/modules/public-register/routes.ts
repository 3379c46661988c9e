import { Readable } from 'node:stream';
import {
  PUBLIC_REGISTER_CSV_COLUMNS,
  publicLicenceQuery,
  publicLicenceSchema,
} from '../../../shared/schemas/public-register.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { pageResponse } from '../../platform/http/pagination.ts';
import { csvLine } from '../audit/export.ts';
import { createPublicRegisterService, type RegisterFilter } from './service.ts';

const tags = ['public register'];

/** The public register of active licences, as pages of JSON and as one CSV (no sign-in). */
export function registerPublicRegisterRoutes(app: TypedApp, { database, clock }: ModuleDeps): void {
  const service = createPublicRegisterService({ clock });

  app.get(
    '/public/licences',
    {
      schema: {
        tags,
        summary:
          'Public: active licences by number (filter by country, area and its sub-areas, tier, number prefix)',
        security: [],
        querystring: publicLicenceQuery,
        response: { 200: pageResponse(publicLicenceSchema) },
      },
    },
    async (request) => service.list(database.db, request.query),
  );

  app.get(
    '/public/licences.csv',
    {
      schema: {
        tags,
        summary: 'Public: the whole filtered register as CSV, streamed',
        security: [],
        querystring: publicLicenceQuery.omit({ limit: true, cursor: true }),
      },
    },
    async (request, reply) => {
      const filter: RegisterFilter = request.query;
      const pages = service.pages(database.db, filter);
      // The first page is read before answering, so a bad filter still answers as a problem, not a
      // cut stream; each page then goes out as one chunk.
      const first = await pages.next();
      async function* chunks() {
        yield csvLine(PUBLIC_REGISTER_CSV_COLUMNS);
        for (let next = first; !next.done; next = await pages.next()) {
          yield next.value
            .map((l) =>
              csvLine([
                l.number,
                l.tierCode,
                l.tierNames.en ?? Object.values(l.tierNames)[0] ?? l.tierCode,
                l.holderDisplay,
                l.areaName,
                l.areaCode,
                l.country,
                l.validFrom,
                l.validTo,
              ]),
            )
            .join('');
        }
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="licence-register.csv"')
        .send(Readable.from(chunks()));
    },
  );
}
