import { sql } from 'kysely';
import type { LogbookReportDto } from '../../../shared/schemas/logbooks.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';

/**
 * The risk hook for mercury (issue 6, "Mass balance and risk flags"): a report of mercury used is
 * evidence for a flag. The flags module (custody_flags) calls mercuryUseReported for a report, or is
 * wired as the logbook service's onMercuryUse, which receives the same signal in the transaction of
 * the report. This module never writes flags itself.
 */
export interface MercuryUseSignal {
  reason: 'mercury_use';
  reportId: string;
  reportVersion: number;
  licenceId: string | null;
  productionUnitId: string | null;
  areaId: string;
  country: string;
  periodStart: string;
  periodEnd: string;
  mercuryUsedMg: number;
  /** The custody actors this licence or unit is (a flag on the chain attaches to them). */
  custodyActorIds: string[];
}

export type MercuryUseHook = (tx: Tx, signal: MercuryUseSignal) => Promise<void>;

/** The flag evidence of a report that used mercury; null when it reported none or did not say. */
export async function mercuryUseReported(
  tx: Queryable,
  report: LogbookReportDto,
): Promise<MercuryUseSignal | null> {
  if (report.mercuryUsedMg === null || report.mercuryUsedMg <= 0) return null;
  // A licence is held by a person, an enterprise or a unit; custody actors name which one they are.
  const { rows } = report.licenceId
    ? await sql<{ id: string }>`
        SELECT c.id FROM custody_actors c JOIN licences l ON l.id = ${report.licenceId}
         WHERE (l.holder_kind = 'person' AND c.person_id = l.holder_id)
            OR (l.holder_kind = 'enterprise' AND c.enterprise_id = l.holder_id)
            OR (l.holder_kind = 'production_unit' AND c.production_unit_id = l.holder_id)
         ORDER BY c.id`.execute(tx)
    : await sql<{ id: string }>`
        SELECT id FROM custody_actors WHERE production_unit_id = ${report.productionUnitId} ORDER BY id`.execute(
        tx,
      );
  return {
    reason: 'mercury_use',
    reportId: report.id,
    reportVersion: report.version,
    licenceId: report.licenceId,
    productionUnitId: report.productionUnitId,
    areaId: report.areaId,
    country: report.country,
    periodStart: report.periodStart,
    periodEnd: report.periodEnd,
    mercuryUsedMg: report.mercuryUsedMg,
    custodyActorIds: rows.map((r) => r.id),
  };
}
