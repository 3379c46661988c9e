import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { MissingDto } from '../../../shared/schemas/logbooks.ts';
import { assertCanRead, requirePermission } from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { localDate, timeZoneOfProfile } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { DB, Queryable } from '../../platform/db/schema.ts';
import { documentLocale, tierName } from '../../platform/documents/language.ts';
import { problems } from '../../platform/errors.ts';
import { sendCsvExport } from '../../platform/http/csv-reply.ts';
import { type CsvChunk, csvLine } from '../audit/export.ts';
import { profileOf } from '../licensing/repo.ts';
import { renderBlankLogbook } from './logbook.pdf.ts';
import { MISSING_CSV_COLUMNS } from './missing.ts';
import { nextPeriod, type Period, periodOf } from './periods.ts';
import * as repo from './repo.ts';
import { periodKindFor } from './rules.ts';

/** The screen where an officer types a paper logbook's figures for this licence (web client route). */
export const logbookEntryUrl = (origin: string, licenceId: string) =>
  `${origin.replace(/\/+$/, '')}/licensing/licences/${licenceId}/logbook`;

/** The holder's full name on their own logbook: a person's names, or the enterprise's or unit's. */
function holderName(l: repo.LicenceSubject): string {
  if (l.family_name !== null) return [l.given_name, l.family_name].filter(Boolean).join(' ');
  return l.enterprise_name ?? l.unit_name ?? '';
}

/**
 * The blank logbook PDF of a licence: the next `periods` periods of its tier's reporting duty from
 * the one holding `from` (today in the country when absent), in the country's language.
 */
export async function blankLogbook(
  db: Queryable,
  ctx: RequestContext,
  clock: Clock,
  q: { licenceId: string; periods: number; from?: string | undefined; origin: string },
): Promise<{ pdf: Uint8Array; number: string }> {
  const licence = await repo.findLicence(db, q.licenceId);
  if (!licence) {
    requirePermission(ctx, 'logbooks.read');
    throw problems.notFound('Licence');
  }
  assertCanRead(ctx, 'logbooks.read', {
    entityType: 'Licence',
    entityId: licence.id,
    areaId: licence.area_id,
    areaPath: licence.area_path,
  });
  const profile = await profileOf(db, licence.country);
  const { language } = documentLocale(profile);
  const kind = periodKindFor(profile, licence.tier_code);
  const first = q.from ?? localDate(clock.now(), timeZoneOfProfile(profile));
  const periods: Period[] = [periodOf(kind, first)];
  while (periods.length < q.periods) periods.push(nextPeriod(kind, periods[periods.length - 1]!));
  const pdf = await renderBlankLogbook({
    language,
    number: licence.number,
    tierName: tierName(profile, licence.tier_code, language),
    holderName: holderName(licence),
    areaName: licence.area_name,
    periodKind: kind,
    periods,
    qrText: logbookEntryUrl(q.origin, licence.id),
  });
  return { pdf, number: licence.number };
}

/** The missing and late list as CSV; the bulk read is recorded in the audit trail like other exports. */
export function sendMissingCsv(
  db: Kysely<DB>,
  audit: AuditLog,
  ctx: RequestContext,
  reply: FastifyReply,
  filter: { areaId: string; asOf?: string | undefined; from?: string | undefined },
  result: MissingDto,
): Promise<FastifyReply> {
  async function* chunks(): AsyncGenerator<CsvChunk> {
    yield { text: csvLine(MISSING_CSV_COLUMNS), rows: 0 };
    for (const item of result.items)
      yield { text: csvLine(MISSING_CSV_COLUMNS.map((c) => item[c])), rows: 1 };
  }
  return sendCsvExport(db, audit, ctx, reply, {
    action: 'logbook.missing_exported',
    entityType: 'logbook_report',
    areaId: filter.areaId,
    fileName: `logbooks-missing-${result.asOf}.csv`,
    filter: { ...filter, asOf: result.asOf, from: result.from },
    extent: { rows: result.items.length, truncated: result.truncated },
    chunks: chunks(),
  });
}
