import { sql } from 'kysely';
import type { ImprovementStandard } from '../../../shared/profile-schema.ts';
import type { ActionDto, AssessmentDto, AssessmentSummaryDto } from '../../../shared/schemas/improvement.ts';
import { subtreePatterns } from '../../platform/access/access.ts';
import type { Queryable } from '../../platform/db/schema.ts';

/** The tables of migration 0020, read with plain SQL. */
export type SubjectKind = AssessmentSummaryDto['subjectKind'];

export interface AssessmentRow {
  id: string;
  country: string;
  subject_kind: SubjectKind;
  subject_id: string;
  area_id: string;
  area_path: string;
  kind: AssessmentSummaryDto['kind'];
  assessed_at: Date;
  standard_code: string;
  profile_version: string;
  level: number;
  met_count: number;
  applicable_count: number;
  note: string | null;
  recorded_by: string | null;
  recorded_at: Date;
}

export type AnswerRow = {
  assessment_id: string;
  requirement_code: string;
  answer: AssessmentDto['answers'][number]['answer'];
  note: string | null;
  evidence: AssessmentDto['answers'][number]['evidence'];
};

export interface ActionRow {
  id: string;
  plan_id: string;
  subject_kind: SubjectKind;
  subject_id: string;
  country: string;
  area_id: string;
  area_path: string;
  requirement_code: string;
  action: string;
  owner: string;
  deadline: string;
  status: ActionDto['status'];
  done_at: Date | null;
  status_note: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const SUBJECT_TABLES = { person: 'people', enterprise: 'enterprises', production_unit: 'production_units' };

/** The area (with path and country) of a person, enterprise or production unit, if it exists. */
export async function subjectArea(db: Queryable, kind: SubjectKind, id: string) {
  const r = await sql<{ area_id: string; path: string; country: string }>`
    SELECT s.area_id, a.path, a.country FROM ${sql.table(SUBJECT_TABLES[kind])} s
      JOIN admin_areas a ON a.id = s.area_id
     WHERE s.id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/** The improvement standard of a country's loaded profile, with the profile's version. */
export async function standardOf(
  db: Queryable,
  country: string,
): Promise<{ version: string; standard: ImprovementStandard | null } | undefined> {
  const r = await sql<{ version: string; standard: ImprovementStandard | null }>`
    SELECT version, document -> 'improvementStandard' AS standard
      FROM country_profiles WHERE country = ${country}`.execute(db);
  return r.rows[0];
}

const ASSESSMENT_COLUMNS = sql`s.id, s.country, s.subject_kind, s.subject_id, s.area_id, ar.path AS area_path,
  s.kind, s.assessed_at, s.standard_code, s.profile_version, s.level, s.met_count, s.applicable_count, s.note,
  s.recorded_by, s.recorded_at`;

export async function findAssessment(db: Queryable, id: string): Promise<AssessmentRow | undefined> {
  const r = await sql<AssessmentRow>`
    SELECT ${ASSESSMENT_COLUMNS} FROM improvement_assessments s JOIN admin_areas ar ON ar.id = s.area_id
     WHERE s.id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

export async function answersOf(db: Queryable, assessmentId: string): Promise<AnswerRow[]> {
  const r = await sql<AnswerRow>`
    SELECT assessment_id, requirement_code, answer, note, evidence FROM improvement_answers
     WHERE assessment_id = ${assessmentId}::uuid ORDER BY requirement_code`.execute(db);
  return r.rows;
}

export async function insertAssessment(
  db: Queryable,
  a: Omit<AssessmentRow, 'area_path'>,
  answers: readonly Omit<AnswerRow, 'assessment_id'>[],
): Promise<void> {
  await sql`
    INSERT INTO improvement_assessments (id, country, subject_kind, subject_id, area_id, kind, assessed_at,
                                         standard_code, profile_version, level, met_count, applicable_count,
                                         note, recorded_by, recorded_at)
    VALUES (${a.id}, ${a.country}, ${a.subject_kind}, ${a.subject_id}, ${a.area_id}, ${a.kind}, ${a.assessed_at},
            ${a.standard_code}, ${a.profile_version}, ${a.level}, ${a.met_count}, ${a.applicable_count},
            ${a.note}, ${a.recorded_by}, ${a.recorded_at})`.execute(db);
  for (const x of answers) {
    await sql`
      INSERT INTO improvement_answers (assessment_id, requirement_code, answer, note, evidence)
      VALUES (${a.id}, ${x.requirement_code}, ${x.answer}, ${x.note}, ${JSON.stringify(x.evidence)}::jsonb)`.execute(
      db,
    );
  }
}

export interface AssessmentFilter {
  scopePaths: string[];
  subjectKind?: string | undefined;
  subjectId?: string | undefined;
  kind?: string | undefined;
  /** Keyset: recorded_at and id of the last row of the previous page. */
  before: [string, string] | null;
  limit: number;
}

/** Newest recorded first, inside the caller's areas. */
export async function listAssessments(db: Queryable, f: AssessmentFilter): Promise<AssessmentRow[]> {
  const r = await sql<AssessmentRow>`
    SELECT ${ASSESSMENT_COLUMNS} FROM improvement_assessments s JOIN admin_areas ar ON ar.id = s.area_id
     WHERE ar.path LIKE ANY(${sql.val(subtreePatterns(f.scopePaths))})
       ${f.subjectKind ? sql`AND s.subject_kind = ${f.subjectKind}` : sql``}
       ${f.subjectId ? sql`AND s.subject_id = ${f.subjectId}::uuid` : sql``}
       ${f.kind ? sql`AND s.kind = ${f.kind}` : sql``}
       ${f.before ? sql`AND (s.recorded_at, s.id) < (${f.before[0]}::timestamptz, ${f.before[1]}::uuid)` : sql``}
     ORDER BY s.recorded_at DESC, s.id DESC LIMIT ${f.limit + 1}`.execute(db);
  return r.rows;
}

/** Every assessment of a subject, in the order they took place. */
export async function assessmentsOfSubject(
  db: Queryable,
  kind: SubjectKind,
  id: string,
): Promise<AssessmentRow[]> {
  const r = await sql<AssessmentRow>`
    SELECT ${ASSESSMENT_COLUMNS} FROM improvement_assessments s JOIN admin_areas ar ON ar.id = s.area_id
     WHERE s.subject_kind = ${kind} AND s.subject_id = ${id}::uuid
     ORDER BY s.assessed_at, s.recorded_at, s.id`.execute(db);
  return r.rows;
}

/**
 * The level found by the latest verification of a subject (by when it took place, then when it was
 * recorded), or null when it was never verified.
 */
export async function verifiedLevel(db: Queryable, kind: string, id: string): Promise<number | null> {
  const r = await sql<{ level: number }>`
    SELECT level FROM improvement_assessments
     WHERE subject_kind = ${kind} AND subject_id = ${id}::uuid AND kind = 'verification'
     ORDER BY assessed_at DESC, recorded_at DESC, id DESC LIMIT 1`.execute(db);
  return r.rows[0]?.level ?? null;
}

/** The plan of a subject, made on first use; concurrent first actions share one plan. */
export async function planOf(
  db: Queryable,
  p: { id: string; country: string; subject_kind: SubjectKind; subject_id: string; area_id: string },
  createdBy: string | null,
  now: Date,
): Promise<string> {
  await sql`
    INSERT INTO improvement_plans (id, country, subject_kind, subject_id, area_id, created_by, created_at)
    VALUES (${p.id}, ${p.country}, ${p.subject_kind}, ${p.subject_id}, ${p.area_id}, ${createdBy}, ${now})
    ON CONFLICT (subject_kind, subject_id) DO NOTHING`.execute(db);
  const r = await sql<{ id: string }>`
    SELECT id FROM improvement_plans WHERE subject_kind = ${p.subject_kind} AND subject_id = ${p.subject_id}::uuid`.execute(
    db,
  );
  return r.rows[0]!.id;
}

const ACTION_COLUMNS = sql`x.id, x.plan_id, p.subject_kind, p.subject_id, p.country, p.area_id, ar.path AS area_path,
  x.requirement_code, x.action, x.owner, x.deadline::text AS deadline, x.status, x.done_at, x.status_note,
  x.created_at, x.updated_at, x.version`;
const ACTION_FROM = sql`improvement_actions x JOIN improvement_plans p ON p.id = x.plan_id
  JOIN admin_areas ar ON ar.id = p.area_id`;

export async function findAction(db: Queryable, id: string): Promise<ActionRow | undefined> {
  const r =
    await sql<ActionRow>`SELECT ${ACTION_COLUMNS} FROM ${ACTION_FROM} WHERE x.id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

export async function actionsOfSubject(db: Queryable, kind: SubjectKind, id: string): Promise<ActionRow[]> {
  const r = await sql<ActionRow>`
    SELECT ${ACTION_COLUMNS} FROM ${ACTION_FROM}
     WHERE p.subject_kind = ${kind} AND p.subject_id = ${id}::uuid
     ORDER BY x.deadline, x.id`.execute(db);
  return r.rows;
}

export async function insertAction(
  db: Queryable,
  a: Pick<ActionRow, 'id' | 'plan_id' | 'requirement_code' | 'action' | 'owner' | 'deadline'> & {
    created_by: string | null;
    created_at: Date;
  },
): Promise<void> {
  await sql`
    INSERT INTO improvement_actions (id, plan_id, requirement_code, action, owner, deadline, created_by,
                                     created_at, updated_at)
    VALUES (${a.id}, ${a.plan_id}, ${a.requirement_code}, ${a.action}, ${a.owner}, ${a.deadline}::date,
            ${a.created_by}, ${a.created_at}, ${a.created_at})`.execute(db);
}

/** Changes the status only if the version is still the one read: a lost update answers false. */
export async function updateActionStatus(
  db: Queryable,
  id: string,
  version: number,
  change: { status: ActionRow['status']; done_at: Date | null; status_note: string | null; now: Date },
): Promise<boolean> {
  const r = await sql`
    UPDATE improvement_actions
       SET status = ${change.status}, done_at = ${change.done_at}, status_note = ${change.status_note},
           updated_at = ${change.now}, version = version + 1
     WHERE id = ${id}::uuid AND version = ${version}`.execute(db);
  return Number(r.numAffectedRows ?? 0) === 1;
}
