import { metPercent } from '../../../shared/improvement-level.ts';
import type { ActionDto, AssessmentDto, AssessmentSummaryDto } from '../../../shared/schemas/improvement.ts';
import type { ActionRow, AnswerRow, AssessmentRow } from './repo.ts';

/** Rows to the API's shapes, and the access targets of each record. */
const iso = (d: Date | string) => new Date(d).toISOString();

export function toSummaryDto(a: AssessmentRow): AssessmentSummaryDto {
  const counts = { met: a.met_count, applicable: a.applicable_count };
  return {
    id: a.id,
    country: a.country,
    subjectKind: a.subject_kind,
    subjectId: a.subject_id,
    areaId: a.area_id,
    kind: a.kind,
    assessedAt: iso(a.assessed_at),
    standardCode: a.standard_code,
    profileVersion: a.profile_version,
    level: a.level,
    ...counts,
    metPercent: metPercent(counts),
    note: a.note,
    recordedBy: a.recorded_by,
    recordedAt: iso(a.recorded_at),
  };
}

export function toAssessmentDto(a: AssessmentRow, answers: readonly AnswerRow[]): AssessmentDto {
  return {
    ...toSummaryDto(a),
    answers: answers.map((x) => ({
      requirementCode: x.requirement_code,
      answer: x.answer,
      note: x.note,
      evidence: x.evidence,
    })),
  };
}

export function toActionDto(x: ActionRow, today: string): ActionDto {
  return {
    id: x.id,
    planId: x.plan_id,
    subjectKind: x.subject_kind,
    subjectId: x.subject_id,
    requirementCode: x.requirement_code,
    action: x.action,
    owner: x.owner,
    deadline: x.deadline,
    status: x.status,
    overdue: x.status === 'open' && x.deadline < today,
    doneAt: x.done_at ? iso(x.done_at) : null,
    statusNote: x.status_note,
    createdAt: iso(x.created_at),
    updatedAt: iso(x.updated_at),
    version: x.version,
  };
}

const ENTITY = { person: 'Person', enterprise: 'Enterprise', production_unit: 'Production unit' } as const;
export const subjectEntity = (kind: keyof typeof ENTITY) => ENTITY[kind];

export const areaTarget = (
  entityType: string,
  entityId: string | null,
  area: { area_id: string; area_path: string },
) => ({ entityType, entityId, areaId: area.area_id, areaPath: area.area_path });
