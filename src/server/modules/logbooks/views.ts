import type { LogbookReportDto } from '../../../shared/schemas/logbooks.ts';
import type { ReportRow } from './repo.ts';

/** A report row in the API's shape. */
export function toReportDto(r: ReportRow): LogbookReportDto {
  return {
    id: r.id,
    subjectKind: r.licence_id ? 'licence' : 'production_unit',
    licenceId: r.licence_id,
    productionUnitId: r.production_unit_id,
    areaId: r.area_id,
    country: r.country,
    periodKind: r.period_kind,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    dueOn: r.due_on,
    oreMinedKg: r.ore_mined_kg,
    oreUnit: r.ore_unit,
    mineral: r.mineral,
    mineralMassMg: r.mineral_mass_mg,
    finenessPtt: r.fineness_ptt,
    workers: {
      women: r.workers_women,
      men: r.workers_men,
      otherOrUnknown: r.workers_other,
      youth: r.workers_youth,
    },
    equipmentBought: r.equipment_bought,
    operatingCosts:
      r.operating_cost_minor === null || r.currency === null
        ? null
        : { amountMinor: r.operating_cost_minor, currency: r.currency },
    mercuryUsedMg: r.mercury_used_mg,
    source: r.source,
    submittedBy: r.submitted_by,
    submittedAt: new Date(r.submitted_at).toISOString(),
    submittedLate: r.submitted_late,
    updatedBy: r.updated_by,
    updatedAt: new Date(r.updated_at).toISOString(),
    version: r.version,
  };
}

/** The access target of a report: the area of its licence or unit. */
export const reportTarget = (r: ReportRow) => ({
  entityType: 'Logbook report',
  entityId: r.id,
  areaId: r.area_id,
  areaPath: r.area_path,
});
