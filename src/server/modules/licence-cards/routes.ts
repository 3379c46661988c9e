import type { KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { UUID_PATTERN, uuidSchema, uuidv7 } from '../../../shared/ids.ts';
import { licenceCardSchema } from '../../../shared/schemas/licence-cards.ts';
import type { ModuleDeps, TypedApp } from '../../app.ts';
import { loadSigningKey } from '../../platform/audit/checkpoint.ts';
import { countryToday } from '../../platform/calendar.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { documentLocale, tierName } from '../../platform/documents/language.ts';
import { AppError, problems } from '../../platform/errors.ts';
import { effectiveStatus } from '../licensing/lifecycle.ts';
import { profileOf } from '../licensing/repo.ts';
import { createLicensingService } from '../licensing/service.ts';
import { cardVerifyUrl, renderLicenceCard } from './card.pdf.ts';
import { signLicenceToken, verifyLicenceToken } from './token.ts';

const tags = ['licensing'];

export const verifyResponse = z.object({
  valid: z.boolean(),
  status: z.string(),
  number: z.string(),
  tierCode: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  holderDisplay: z.string(),
  areaName: z.string(),
});

interface CardRow {
  id: string;
  number: string;
  tier_code: string;
  holder_kind: string;
  status: string;
  valid_from: string;
  valid_to: string;
  area_name: string;
  country: string;
  given_name: string | null;
  family_name: string | null;
  enterprise_name: string | null;
  unit_name: string | null;
}

/** The licence with only what may be shown publicly: names of the holder, area and dates. */
async function cardFacts(db: Queryable, id: string): Promise<CardRow | undefined> {
  const { rows } = await sql<CardRow>`
    SELECT l.id, l.number, l.tier_code, l.holder_kind, l.status,
           l.valid_from::text AS valid_from, l.valid_to::text AS valid_to, a.name AS area_name, a.country,
           p.given_name, p.family_name, e.name AS enterprise_name, u.name AS unit_name
      FROM licences l
      JOIN admin_areas a ON a.id = l.area_id
      LEFT JOIN people p ON l.holder_kind = 'person' AND p.id = l.holder_id
      LEFT JOIN enterprises e ON l.holder_kind = 'enterprise' AND e.id = l.holder_id
      LEFT JOIN production_units u ON l.holder_kind = 'production_unit' AND u.id = l.holder_id
     WHERE l.id = ${id}`.execute(db);
  return rows[0];
}

/** A person shows as initial and family name (A. Mensah); an enterprise or a unit by its name. */
export function holderDisplay(
  row: Pick<CardRow, 'given_name' | 'family_name' | 'enterprise_name' | 'unit_name'>,
) {
  if (row.family_name !== null) {
    const initial = [...(row.given_name ?? '').trim()][0];
    return initial ? `${initial.toUpperCase()}. ${row.family_name}` : row.family_name;
  }
  return row.enterprise_name ?? row.unit_name ?? '';
}

/** Valid: active, and today (in the licence's country) within its first and last day. */
export const isValidOn = (row: Pick<CardRow, 'status' | 'valid_from' | 'valid_to'>, today: string) =>
  row.status === 'active' && row.valid_from <= today && today <= row.valid_to;

/** The origin the request came to, as the client saw it (protocol from a trusted proxy if any). */
export function originOf(request: Pick<FastifyRequest, 'protocol' | 'host'>): string {
  return `${request.protocol}://${request.host}`;
}

const invalidToken = () =>
  new AppError(
    400,
    'verify.invalid_token',
    'This licence card code is not valid: it may be damaged or forged.',
  );

/** Printable licence cards with a signed QR code, and the public verification of those codes. */
export function registerLicenceCardRoutes(
  app: TypedApp,
  { database, audit, clock, config }: ModuleDeps,
): void {
  const service = createLicensingService({ audit, clock });
  let signingKey: KeyObject | null = null;
  const key = () => {
    signingKey ??= loadSigningKey(config.auditSigningKey, config.dataDir, config.env);
    return signingKey;
  };

  /** The licence (read permission and jurisdiction checked), its public facts and its QR URL. */
  async function card(request: FastifyRequest, id: string) {
    const l = await service.getLicence(database.db, request.ctx, id);
    const row = await cardFacts(database.db, l.id);
    if (!row) throw problems.notFound('Licence');
    const token = signLicenceToken(key(), { v: 1, l: row.id, n: row.number, e: row.valid_to });
    return { row, verifyUrl: cardVerifyUrl(originOf(request), token) };
  }

  app.get(
    '/licences/:id/card',
    {
      schema: {
        tags,
        summary:
          'What the licence card shows, with the verification URL its QR code holds (for an on-screen preview)',
        params: z.object({ id: uuidSchema }),
        response: { 200: licenceCardSchema },
      },
    },
    async (request, reply) => {
      const { row, verifyUrl } = await card(request, request.params.id);
      reply.header('cache-control', 'no-store');
      return {
        licenceId: row.id,
        number: row.number,
        tierCode: row.tier_code,
        status: row.status,
        holderDisplay: holderDisplay(row),
        validFrom: row.valid_from,
        validTo: row.valid_to,
        areaName: row.area_name,
        verifyUrl,
      };
    },
  );

  app.get(
    '/licences/:id/card.pdf',
    {
      schema: {
        tags,
        summary: 'The licence card: a credit-card-size PDF with a QR code that opens its verification',
        params: z.object({ id: uuidSchema }),
      },
    },
    async (request, reply) => {
      const { row, verifyUrl } = await card(request, request.params.id);
      // Printed in the country's language, whoever prints it.
      const profile = await profileOf(database.db, row.country);
      const { language } = documentLocale(profile);
      const pdf = await renderLicenceCard({
        language,
        number: row.number,
        tierName: tierName(profile, row.tier_code, language),
        holderDisplay: holderDisplay(row),
        validFrom: row.valid_from,
        validTo: row.valid_to,
        areaName: row.area_name,
        qrText: verifyUrl,
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="licence-${row.number}.pdf"`)
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf));
    },
  );

  app.get(
    // A wildcard: a signed token is longer than the router's limit for a named parameter (100).
    '/verify/*',
    {
      schema: {
        tags,
        summary: 'Public: check a licence from the code of its card (no sign-in; non-sensitive facts only)',
        security: [],
        params: z.object({ '*': z.string().max(1000) }),
        response: { 200: verifyResponse },
      },
    },
    async (request) => {
      const check = verifyLicenceToken(key(), request.params['*']);
      // Malformed or forged: the same answer, so that the reason is never revealed.
      if (!check.ok || !UUID_PATTERN.test(check.payload.l)) throw invalidToken();
      const row = await cardFacts(database.db, check.payload.l);
      if (!row) throw problems.notFound('Licence');
      if (row.number !== check.payload.n) throw invalidToken();
      const now = clock.now();
      const today = await countryToday(database.db, row.country, now);
      const valid = isValidOn(row, today);
      await sql`INSERT INTO licence_checks (id, licence_id, checked_at, outcome)
                VALUES (${uuidv7()}, ${row.id}, ${now.toISOString()}, ${valid ? 'valid' : 'invalid'})`.execute(
        database.db,
      );
      return {
        valid,
        // Past its last day but not yet swept by the nightly expiry job: expired all the same.
        status: effectiveStatus(row.status, row.valid_to, today),
        number: row.number,
        tierCode: row.tier_code,
        validFrom: row.valid_from,
        validTo: row.valid_to,
        holderDisplay: holderDisplay(row),
        areaName: row.area_name,
      };
    },
  );
}
