import type { KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { UUID_PATTERN } from '../../../shared/ids.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { assertCanRead, requirePermission } from '../../platform/access/access.ts';
import { loadSigningKey } from '../../platform/audit/checkpoint.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { documentLocale, tierName } from '../../platform/documents/language.ts';
import { problems } from '../../platform/errors.ts';
import { profileOf } from '../licensing/repo.ts';
import { cardVerifyUrl } from './card.pdf.ts';
import { holderDisplay, originOf } from './routes.ts';
import { renderCardSheet } from './sheet.pdf.ts';
import { signLicenceToken } from './token.ts';

/** Most cards in one sheet request: 20 A4 pages. */
export const MAX_SHEET_CARDS = 200;

interface SheetRow {
  id: string;
  number: string;
  tier_code: string;
  valid_from: string;
  valid_to: string;
  area_id: string;
  area_path: string;
  area_name: string;
  country: string;
  given_name: string | null;
  family_name: string | null;
  enterprise_name: string | null;
  unit_name: string | null;
}

async function sheetRows(db: Queryable, ids: string[]): Promise<SheetRow[]> {
  const { rows } = await sql<SheetRow>`
    SELECT l.id, l.number, l.tier_code, l.valid_from::text AS valid_from, l.valid_to::text AS valid_to,
           l.area_id, a.path AS area_path, a.name AS area_name, a.country,
           p.given_name, p.family_name, e.name AS enterprise_name, u.name AS unit_name
      FROM licences l
      JOIN admin_areas a ON a.id = l.area_id
      LEFT JOIN people p ON l.holder_kind = 'person' AND p.id = l.holder_id
      LEFT JOIN enterprises e ON l.holder_kind = 'enterprise' AND e.id = l.holder_id
      LEFT JOIN production_units u ON l.holder_kind = 'production_unit' AND u.id = l.holder_id
     WHERE l.id = ANY(${ids}::uuid[])`.execute(db);
  return rows;
}

/** The ids of ?ids=a,b,c: UUIDs, at most MAX_SHEET_CARDS, each once, in the order given. */
export function parseIds(raw: string): string[] {
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  const bad = ids.find((id) => !UUID_PATTERN.test(id));
  if (ids.length === 0 || bad !== undefined) {
    throw problems.validation([
      { path: 'query.ids', code: 'invalid', message: 'Give licence ids, comma-separated.' },
    ]);
  }
  if (ids.length > MAX_SHEET_CARDS) {
    throw problems.validation([
      { path: 'query.ids', code: 'too_many', message: `At most ${MAX_SHEET_CARDS} licences per sheet.` },
    ]);
  }
  return ids;
}

/** A4 sheets of licence cards for printing, ten to a page with cut marks. */
export function registerLicenceCardSheetRoutes(app: TypedApp, { database, config }: ModuleDeps): void {
  let signingKey: KeyObject | null = null;
  const key = () => {
    signingKey ??= loadSigningKey(config.auditSigningKey, config.dataDir, config.env);
    return signingKey;
  };

  app.get(
    '/licences/cards.pdf',
    {
      schema: {
        tags: ['licensing'],
        summary: `Cards of several licences on A4 sheets with cut marks (ids=a,b,c; at most ${MAX_SHEET_CARDS})`,
        querystring: z.object({ ids: z.string().max(MAX_SHEET_CARDS * 40) }),
      },
    },
    async (request, reply) => {
      requirePermission(request.ctx, 'licensing.read');
      const ids = parseIds(request.query.ids);
      const rows = new Map((await sheetRows(database.db, ids)).map((r) => [r.id, r]));
      // One licence the caller may not read, or that does not exist, answers for the whole sheet.
      for (const id of ids) {
        const row = rows.get(id);
        if (!row) throw problems.notFound('Licence');
        assertCanRead(request.ctx, 'licensing.read', {
          entityType: 'Licence',
          entityId: row.id,
          areaId: row.area_id,
          areaPath: row.area_path,
        });
      }
      const origin = originOf(request);
      // Each card in its own country's language (a sheet normally holds one country's cards).
      const countries = [...new Set([...rows.values()].map((r) => r.country))];
      const profiles = new Map(
        await Promise.all(countries.map(async (c) => [c, await profileOf(database.db, c)] as const)),
      );
      const pdf = await renderCardSheet(
        ids.map((id) => {
          const row = rows.get(id)!;
          const token = signLicenceToken(key(), { v: 1, l: row.id, n: row.number, e: row.valid_to });
          const profile = profiles.get(row.country);
          const { language } = documentLocale(profile);
          return {
            language,
            number: row.number,
            tierName: tierName(profile, row.tier_code, language),
            holderDisplay: holderDisplay(row),
            validFrom: row.valid_from,
            validTo: row.valid_to,
            areaName: row.area_name,
            qrText: cardVerifyUrl(origin, token),
          };
        }),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', 'inline; filename="licence-cards.pdf"')
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf));
    },
  );
}
