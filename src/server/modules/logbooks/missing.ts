import type { MissingDto, MissingItemDto } from '../../../shared/schemas/logbooks.ts';
import { assertCanRead, requirePermission } from '../../platform/access/access.ts';
import { addDays, daysBetween, localDate, timeZoneOfProfile } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { profileOf } from '../licensing/repo.ts';
import { type PeriodKind, periodsBetween } from './periods.ts';
import { logbookProblems } from './problems.ts';
import * as repo from './repo.ts';
import { logbookSettings, periodKindFor } from './rules.ts';

/** Longest window one request may ask about: a year of weekly periods for every licence of an office. */
export const MISSING_MAX_DAYS = 366;
/** The list stops here (the counts per area do not): more than an office can chase at once. */
export const MISSING_LIST_CAP = 5_000;
/** Without `from`: the last 13 weeks, a quarter. */
const DEFAULT_WINDOW_DAYS = 91;

interface Due {
  subjectKind: 'licence' | 'production_unit';
  id: string;
  reference: string;
  areaId: string;
  areaName: string;
  kind: PeriodKind;
  /** The first and last day the subject owed reports (the licence's validity; a unit from its first report). */
  owesFrom: string;
  owesTo: string;
}

/**
 * The licences and units of an office whose reports are missing (due date passed, nothing sent) or
 * were late (first sent after the due date), for periods starting from `from` whose due date is
 * before `asOf`. A licence owes reports while valid; a production unit, which no tier binds, from the
 * first period it reported.
 */
export async function missingReports(
  db: Queryable,
  ctx: RequestContext,
  clock: Clock,
  q: { areaId: string; asOf?: string | undefined; from?: string | undefined },
): Promise<MissingDto> {
  requirePermission(ctx, 'logbooks.read');
  const area = await repo.areaById(db, q.areaId);
  if (!area) throw problems.notFound('Area');
  assertCanRead(ctx, 'logbooks.read', {
    entityType: 'Area',
    entityId: area.id,
    areaId: area.id,
    areaPath: area.path,
  });
  const profile = await profileOf(db, area.country);
  const timeZone = timeZoneOfProfile(profile);
  const asOf = q.asOf ?? localDate(clock.now(), timeZone);
  const from = q.from ?? addDays(asOf, -DEFAULT_WINDOW_DAYS);
  if (from > asOf)
    throw problems.validation([
      { path: 'query.from', code: 'after_as_of', message: 'from must not be after asOf.' },
    ]);
  if (daysBetween(from, asOf) > MISSING_MAX_DAYS) throw logbookProblems.windowTooLong(MISSING_MAX_DAYS);
  const { dueDays } = logbookSettings(profile);

  const licences = await repo.licencesDueIn(db, area.path, from, asOf);
  const units = await repo.reportingUnitsIn(db, area.path);
  const subjects: Due[] = [
    ...licences.map((l) => ({
      subjectKind: 'licence' as const,
      id: l.id,
      reference: l.number,
      areaId: l.area_id,
      areaName: l.area_name,
      kind: periodKindFor(profile, l.tier_code),
      owesFrom: l.valid_from,
      owesTo: l.valid_to,
    })),
    ...units.map((u) => ({
      subjectKind: 'production_unit' as const,
      id: u.id,
      reference: u.reference,
      areaId: u.area_id,
      areaName: u.area_name,
      kind: periodKindFor(profile, null),
      owesFrom: u.first_period,
      owesTo: asOf,
    })),
  ];
  const reports = await repo.reportsOf(
    db,
    licences.map((l) => l.id),
    units.map((u) => u.id),
    from,
    asOf,
  );
  const sent = new Map(reports.map((r) => [`${r.licence_id ?? r.production_unit_id}|${r.period_start}`, r]));

  const items: MissingItemDto[] = [];
  for (const s of subjects) {
    for (const p of periodsBetween(s.kind, from, asOf)) {
      const dueOn = addDays(p.end, dueDays);
      // Only periods wholly asked about, already due, and while the subject owed reports.
      if (p.start < from || dueOn >= asOf || p.end < s.owesFrom || p.start > s.owesTo) continue;
      const report = sent.get(`${s.id}|${p.start}`);
      if (report && !report.submitted_late) continue;
      const base = {
        subjectKind: s.subjectKind,
        licenceId: s.subjectKind === 'licence' ? s.id : null,
        productionUnitId: s.subjectKind === 'production_unit' ? s.id : null,
        reference: s.reference,
        areaId: s.areaId,
        areaName: s.areaName,
        periodKind: s.kind,
        periodStart: p.start,
        periodEnd: p.end,
        dueOn,
      };
      items.push(
        report
          ? {
              ...base,
              status: 'late',
              reportId: report.id,
              submittedAt: new Date(report.submitted_at).toISOString(),
              daysOverdue: daysBetween(dueOn, localDate(new Date(report.submitted_at), timeZone)),
            }
          : {
              ...base,
              status: 'missing',
              reportId: null,
              submittedAt: null,
              daysOverdue: daysBetween(dueOn, asOf),
            },
      );
    }
  }

  const byArea = new Map<string, { areaId: string; areaName: string; missing: number; late: number }>();
  for (const item of items) {
    const counts = byArea.get(item.areaId) ?? {
      areaId: item.areaId,
      areaName: item.areaName,
      missing: 0,
      late: 0,
    };
    counts[item.status] += 1;
    byArea.set(item.areaId, counts);
  }
  return {
    asOf,
    from,
    items: items.slice(0, MISSING_LIST_CAP),
    byArea: [...byArea.values()].sort((a, b) => a.areaName.localeCompare(b.areaName)),
    truncated: items.length > MISSING_LIST_CAP,
  };
}

export const MISSING_CSV_COLUMNS = [
  'status',
  'subjectKind',
  'reference',
  'areaName',
  'periodKind',
  'periodStart',
  'periodEnd',
  'dueOn',
  'submittedAt',
  'daysOverdue',
  'licenceId',
  'productionUnitId',
  'areaId',
  'reportId',
] as const;
