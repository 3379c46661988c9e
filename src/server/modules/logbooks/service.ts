import { uuidv7 } from '../../../shared/ids.ts';
import { type LogbookInput, type LogbookReportDto, oreKg } from '../../../shared/schemas/logbooks.ts';
import {
  assertCanRead,
  assertCanWrite,
  covers,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { addDays, localDate, timeZoneOfProfile } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { profileOf } from '../licensing/repo.ts';
import { type MercuryUseHook, mercuryUseReported } from './mercury.ts';
import { periodOf } from './periods.ts';
import { logbookProblems } from './problems.ts';
import * as repo from './repo.ts';
import { logbookSettings, periodKindFor } from './rules.ts';
import { reportTarget, toReportDto } from './views.ts';

export interface Submitted {
  report: LogbookReportDto;
  /** 'created': a new period; 'updated': figures corrected; 'unchanged': the same figures sent again. */
  outcome: 'created' | 'updated' | 'unchanged';
}

/** The subject of a report (a licence or a unit), with what the rules need of it. */
interface Subject {
  licenceId: string | null;
  productionUnitId: string | null;
  areaId: string;
  areaPath: string;
  country: string;
  tierCode: string | null;
  validity: { from: string; to: string } | null;
}

async function loadSubject(db: Queryable, input: LogbookInput): Promise<Subject> {
  if (Boolean(input.licenceId) === Boolean(input.productionUnitId)) throw logbookProblems.oneSubject();
  if (input.licenceId) {
    const l = await repo.findLicence(db, input.licenceId);
    if (!l) throw logbookProblems.unknownSubject('body.licenceId', 'Licence');
    return {
      licenceId: l.id,
      productionUnitId: null,
      areaId: l.area_id,
      areaPath: l.area_path,
      country: l.country,
      tierCode: l.tier_code,
      validity: { from: l.valid_from, to: l.valid_to },
    };
  }
  const u = await repo.findUnit(db, input.productionUnitId!);
  if (!u) throw logbookProblems.unknownSubject('body.productionUnitId', 'Production unit');
  return {
    licenceId: null,
    productionUnitId: u.id,
    areaId: u.area_id,
    areaPath: u.area_path,
    country: u.country,
    tierCode: null,
    validity: null,
  };
}

function figuresOf(input: LogbookInput): repo.ReportFigures {
  const ore = input.oreMined ?? null;
  return {
    ore_mined_kg: ore ? oreKg(ore) : null,
    ore_unit: ore ? ore.unit : null,
    mineral: input.mineral,
    mineral_mass_mg: input.mineralMassMg,
    fineness_ptt: input.finenessPtt ?? null,
    workers_women: input.workers.women,
    workers_men: input.workers.men,
    workers_other: input.workers.otherOrUnknown,
    workers_youth: input.workers.youth ?? null,
    equipment_bought: input.equipmentBought,
    operating_cost_minor: input.operatingCosts?.amountMinor ?? null,
    currency: input.operatingCosts?.currency ?? null,
    mercury_used_mg: input.mercuryUsedMg ?? null,
    source: input.source,
  };
}

/** What a report says; who typed it (source) does not change that. */
const SAID: readonly (keyof repo.ReportFigures)[] = [
  'ore_mined_kg',
  'ore_unit',
  'mineral',
  'mineral_mass_mg',
  'fineness_ptt',
  'workers_women',
  'workers_men',
  'workers_other',
  'workers_youth',
  'equipment_bought',
  'operating_cost_minor',
  'currency',
  'mercury_used_mg',
];
const sameFigures = (a: repo.ReportFigures, b: repo.ReportFigures) =>
  SAID.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));

/** Production logbooks: one report per licence or unit and period, its corrections, and lists. */
export function createLogbookService({
  audit,
  clock,
  onMercuryUse,
}: {
  audit: AuditLog;
  clock: Clock;
  /** Where a report of mercury use goes (the flags module); nowhere when absent. */
  onMercuryUse?: MercuryUseHook;
}) {
  async function mercuryHook(tx: Tx, report: LogbookReportDto) {
    const signal = await mercuryUseReported(tx, report);
    if (signal && onMercuryUse) await onMercuryUse(tx, signal);
    return signal !== null;
  }

  return {
    /**
     * Creates the report of a period, or corrects it. The same figures sent again change nothing
     * (a phone that retries, or the paper copy typed after the phone sent it); other figures for a
     * period already reported need the ETag of the report read (checkVersion: If-Match).
     */
    async submit(
      tx: Tx,
      ctx: RequestContext,
      input: LogbookInput,
      checkVersion: (currentVersion: number) => void,
    ): Promise<Submitted> {
      const actor = requirePermission(ctx, 'logbooks.record');
      const subject = await loadSubject(tx, input);
      assertCanWrite(ctx, 'logbooks.record', {
        entityType: subject.licenceId ? 'Licence' : 'Production unit',
        entityId: subject.licenceId ?? subject.productionUnitId,
        areaId: subject.areaId,
        areaPath: subject.areaPath,
      });
      const profile = await profileOf(tx, subject.country);
      const kind = periodKindFor(profile, subject.tierCode);
      const period = periodOf(kind, input.periodStart);
      if (period.start !== input.periodStart) throw logbookProblems.periodMisaligned(kind, period.start);
      const now = clock.now();
      const today = localDate(now, timeZoneOfProfile(profile));
      if (period.start > today) throw logbookProblems.futurePeriod(today);
      const v = subject.validity;
      if (v && (period.end < v.from || period.start > v.to))
        throw logbookProblems.outsideLicence(v.from, v.to);
      const w = input.workers;
      if (w.youth != null && w.youth > w.women + w.men + w.otherOrUnknown)
        throw logbookProblems.youthExceedsWorkers();

      const figures = figuresOf(input);
      const by = actor.kind === 'system' ? null : actor.id;
      let existing = await repo.findReportForPeriod(tx, subject, period.start);
      if (!existing) {
        const dueOn = addDays(period.end, logbookSettings(profile).dueDays);
        const id = uuidv7();
        const inserted = await repo.insertReport(tx, {
          id,
          country: subject.country,
          licence_id: subject.licenceId,
          production_unit_id: subject.productionUnitId,
          area_id: subject.areaId,
          period_kind: kind,
          period_start: period.start,
          period_end: period.end,
          due_on: dueOn,
          ...figures,
          submitted_by: by,
          submitted_at: now,
          submitted_late: today > dueOn,
        });
        if (inserted) {
          const report = toReportDto((await repo.findReport(tx, id))!);
          const mercury = await mercuryHook(tx, report);
          await audit.record(tx, ctx, {
            action: 'logbook.submitted',
            entityType: 'logbook_report',
            entityId: id,
            areaId: subject.areaId,
            after: report,
            meta: { mercuryUseReported: mercury },
          });
          return { report, outcome: 'created' };
        }
        // Another send of the same period won the race: this one is a repeat or a correction of it.
        existing = (await repo.findReportForPeriod(tx, subject, period.start))!;
      }
      if (sameFigures(existing, figures)) return { report: toReportDto(existing), outcome: 'unchanged' };
      checkVersion(existing.version);
      if (!(await repo.updateReport(tx, existing.id, existing.version, figures, by, now)))
        throw problems.preconditionFailed();
      const before = toReportDto(existing);
      const report = toReportDto((await repo.findReport(tx, existing.id))!);
      const mercury = await mercuryHook(tx, report);
      await audit.record(tx, ctx, {
        action: 'logbook.corrected',
        entityType: 'logbook_report',
        entityId: report.id,
        areaId: report.areaId,
        before,
        after: report,
        meta: { mercuryUseReported: mercury },
      });
      return { report, outcome: 'updated' };
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<LogbookReportDto> {
      const row = await repo.findReport(db, id);
      // The permission is checked before existence, so a caller without it learns nothing.
      if (!row) {
        requirePermission(ctx, 'logbooks.read');
        throw problems.notFound('Logbook report');
      }
      assertCanRead(ctx, 'logbooks.read', reportTarget(row));
      return toReportDto(row);
    },

    async list(
      db: Queryable,
      ctx: RequestContext,
      q: {
        licenceId?: string | undefined;
        productionUnitId?: string | undefined;
        areaId?: string | undefined;
        from?: string | undefined;
        to?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ): Promise<Page<LogbookReportDto>> {
      const actor = requirePermission(ctx, 'logbooks.read');
      const scope = scopePaths(actor, 'logbooks.read');
      let areaPath: string | undefined;
      if (q.areaId) {
        const area = await repo.areaById(db, q.areaId);
        // An area outside the caller's jurisdiction lists nothing, as an unknown one.
        if (!area || !covers(scope, area.path)) return { items: [], nextCursor: null };
        areaPath = area.path;
      }
      const before = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await repo.listReports(db, {
        scopePaths: scope,
        licenceId: q.licenceId,
        productionUnitId: q.productionUnitId,
        areaPath,
        from: q.from,
        to: q.to,
        before,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toReportDto, (r) => [r.period_start, r.id]);
    },
  };
}

export type LogbookService = ReturnType<typeof createLogbookService>;
