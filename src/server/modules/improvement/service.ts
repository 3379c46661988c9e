import { uuidv7 } from '../../../shared/ids.ts';
import { type ImprovementAnswer, levelReached } from '../../../shared/improvement-level.ts';
import type { ImprovementStandard } from '../../../shared/profile-schema.ts';
import type {
  ActionDto,
  AssessmentDto,
  AssessmentSummaryDto,
  CreateActionInput,
  CreateAssessmentInput,
  StandardResponse,
  SubjectDto,
  UpdateActionInput,
} from '../../../shared/schemas/improvement.ts';
import {
  assertCanRead,
  assertCanWrite,
  requireActor,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import { localDate, timeZoneOf } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { improvementProblems } from './problems.ts';
import * as repo from './repo.ts';
import { areaTarget, subjectEntity, toActionDto, toAssessmentDto, toSummaryDto } from './views.ts';

/** A device clock a little ahead of the server's is not an assessment "in the future". */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The day `months` calendar months after `date` (clamped to the month's last day). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = m - 1 + months;
  const year = y + Math.floor(total / 12);
  const month = total % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Assessments against the improvement standard, the level they reach, and improvement plans. */
export function createImprovementService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  const userId = (ctx: RequestContext) => {
    const actor = requireActor(ctx);
    return actor.kind === 'system' ? null : actor.id;
  };

  async function standardFor(db: Queryable, country: string) {
    const profile = await repo.standardOf(db, country);
    if (!profile?.standard) throw improvementProblems.noStandard(country);
    return { version: profile.version, standard: profile.standard };
  }

  /** The answers as a map, refusing repeated and unknown requirements and unsupported findings. */
  function checkedAnswers(standard: ImprovementStandard, input: CreateAssessmentInput) {
    const known = new Set(standard.requirements.map((r) => r.code));
    const seen = new Map<string, ImprovementAnswer>();
    const repeated = new Set<string>();
    for (const a of input.answers) {
      if (seen.has(a.requirementCode)) repeated.add(a.requirementCode);
      seen.set(a.requirementCode, a.answer);
    }
    if (repeated.size > 0) throw improvementProblems.duplicateAnswer([...repeated]);
    const unknown = [...seen.keys()].filter((c) => !known.has(c));
    if (unknown.length > 0) throw improvementProblems.unknownRequirement(unknown);
    if (input.kind === 'verification') {
      // A finding that counts for licences rests on something another person can look at again.
      const bare = input.answers.filter((a) => a.answer === 'met' && (a.evidence ?? []).length === 0);
      if (bare.length > 0) throw improvementProblems.evidenceRequired(bare.map((a) => a.requirementCode));
    }
    return seen;
  }

  async function loadSubject(db: Queryable, ctx: RequestContext, kind: repo.SubjectKind, id: string) {
    requirePermission(ctx, 'improvement.read');
    const area = await repo.subjectArea(db, kind, id);
    if (!area) throw problems.notFound(subjectEntity(kind));
    assertCanRead(
      ctx,
      'improvement.read',
      areaTarget(subjectEntity(kind), id, { ...area, area_path: area.path }),
    );
    return area;
  }

  async function today(db: Queryable, country: string) {
    return localDate(clock.now(), await timeZoneOf(db, country));
  }

  return {
    async standard(db: Queryable, ctx: RequestContext, country: string): Promise<StandardResponse> {
      requirePermission(ctx, 'profiles.read');
      const profile = await repo.standardOf(db, country);
      if (!profile?.standard) throw problems.notFound('Improvement standard');
      return { country, profileVersion: profile.version, standard: profile.standard };
    },

    async record(
      tx: Tx,
      ctx: RequestContext,
      input: CreateAssessmentInput,
    ): Promise<{ assessment: AssessmentDto; created: boolean }> {
      const permission = input.kind === 'self' ? 'improvement.assess' : 'improvement.verify';
      requirePermission(ctx, permission);
      const area = await repo.subjectArea(tx, input.subjectKind, input.subjectId);
      if (!area) throw improvementProblems.unknownSubject('body.subjectId');
      assertCanWrite(
        ctx,
        permission,
        areaTarget('Improvement assessment', input.id ?? null, { ...area, area_path: area.path }),
      );
      if (input.id) {
        const existing = await repo.findAssessment(tx, input.id);
        if (existing) {
          // Made offline and sent twice: the second send changes nothing.
          const same =
            existing.subject_kind === input.subjectKind &&
            existing.subject_id === input.subjectId &&
            existing.kind === input.kind;
          if (!same) throw improvementProblems.idConflict();
          return {
            assessment: toAssessmentDto(existing, await repo.answersOf(tx, existing.id)),
            created: false,
          };
        }
      }
      const now = clock.now();
      const assessedAt = input.assessedAt ? new Date(input.assessedAt) : now;
      if (assessedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw improvementProblems.assessedInFuture();
      const { version, standard } = await standardFor(tx, area.country);
      const result = levelReached(standard, checkedAnswers(standard, input));
      const id = input.id ?? uuidv7();
      await repo.insertAssessment(
        tx,
        {
          id,
          country: area.country,
          subject_kind: input.subjectKind,
          subject_id: input.subjectId,
          area_id: area.area_id,
          kind: input.kind,
          assessed_at: assessedAt,
          standard_code: standard.code,
          profile_version: version,
          level: result.level,
          met_count: result.met,
          applicable_count: result.applicable,
          note: input.note ?? null,
          recorded_by: userId(ctx),
          recorded_at: now,
        },
        input.answers.map((a) => ({
          requirement_code: a.requirementCode,
          answer: a.answer,
          note: a.note ?? null,
          evidence: a.evidence ?? [],
        })),
      );
      const dto = toAssessmentDto((await repo.findAssessment(tx, id))!, await repo.answersOf(tx, id));
      await audit.record(tx, ctx, {
        action: input.kind === 'self' ? 'improvement.self_assessed' : 'improvement.verified',
        entityType: input.subjectKind,
        entityId: input.subjectId,
        areaId: area.area_id,
        after: { assessmentId: id, level: dto.level, met: dto.met, applicable: dto.applicable },
      });
      return { assessment: dto, created: true };
    },

    async assessment(db: Queryable, ctx: RequestContext, id: string): Promise<AssessmentDto> {
      const a = await repo.findAssessment(db, id);
      // The permission is checked before existence, so a caller without it learns nothing.
      if (!a) {
        requirePermission(ctx, 'improvement.read');
        throw problems.notFound('Improvement assessment');
      }
      assertCanRead(ctx, 'improvement.read', areaTarget('Improvement assessment', a.id, a));
      return toAssessmentDto(a, await repo.answersOf(db, a.id));
    },

    async assessments(
      db: Queryable,
      ctx: RequestContext,
      q: {
        subjectKind?: string | undefined;
        subjectId?: string | undefined;
        kind?: string | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ): Promise<Page<AssessmentSummaryDto>> {
      const actor = requirePermission(ctx, 'improvement.read');
      const before = decodeCursor(q.cursor, 2) as [string, string] | null;
      const rows = await repo.listAssessments(db, {
        scopePaths: scopePaths(actor, 'improvement.read'),
        subjectKind: q.subjectKind,
        subjectId: q.subjectId,
        kind: q.kind,
        before,
        limit: q.limit,
      });
      return toPage(rows, q.limit, toSummaryDto, (r) => [new Date(r.recorded_at).toISOString(), r.id]);
    },

    async subject(
      db: Queryable,
      ctx: RequestContext,
      kind: repo.SubjectKind,
      id: string,
    ): Promise<SubjectDto> {
      const area = await loadSubject(db, ctx, kind, id);
      const history = (await repo.assessmentsOfSubject(db, kind, id)).map(toSummaryDto);
      const latest = (k: 'self' | 'verification') => {
        const a = history.filter((h) => h.kind === k).at(-1);
        return a ? { level: a.level, assessedAt: a.assessedAt, assessmentId: a.id } : null;
      };
      const profile = await repo.standardOf(db, area.country);
      const day = await today(db, area.country);
      return {
        subjectKind: kind,
        subjectId: id,
        areaId: area.area_id,
        country: area.country,
        levelCount: profile?.standard?.levels.length ?? 0,
        verified: latest('verification'),
        self: latest('self'),
        firstAssessedAt: history[0]?.assessedAt ?? null,
        history,
        actions: (await repo.actionsOfSubject(db, kind, id)).map((x) => toActionDto(x, day)),
      };
    },

    async addAction(
      tx: Tx,
      ctx: RequestContext,
      kind: repo.SubjectKind,
      subjectId: string,
      input: CreateActionInput,
    ): Promise<{ action: ActionDto; created: boolean }> {
      requirePermission(ctx, 'improvement.assess');
      const area = await repo.subjectArea(tx, kind, subjectId);
      if (!area) throw problems.notFound(subjectEntity(kind));
      const target = { ...area, area_path: area.path };
      assertCanWrite(ctx, 'improvement.assess', areaTarget('Improvement action', input.id ?? null, target));
      const day = await today(tx, area.country);
      if (input.id) {
        const existing = await repo.findAction(tx, input.id);
        if (existing) {
          const same =
            existing.subject_kind === kind &&
            existing.subject_id === subjectId &&
            existing.requirement_code === input.requirementCode;
          if (!same) throw improvementProblems.idConflict();
          return { action: toActionDto(existing, day), created: false };
        }
      }
      const { standard } = await standardFor(tx, area.country);
      const requirement = standard.requirements.find((r) => r.code === input.requirementCode);
      if (!requirement) throw improvementProblems.unknownRequirement([input.requirementCode]);
      // The standard gives each requirement so many months from the producer's first assessment.
      const first = (await repo.assessmentsOfSubject(tx, kind, subjectId))[0];
      const start = first ? localDate(first.assessed_at, await timeZoneOf(tx, area.country)) : day;
      const deadline = input.deadline ?? addMonths(start, requirement.deadlineMonths);
      const now = clock.now();
      const planId = await repo.planOf(
        tx,
        {
          id: uuidv7(),
          country: area.country,
          subject_kind: kind,
          subject_id: subjectId,
          area_id: area.area_id,
        },
        userId(ctx),
        now,
      );
      const id = input.id ?? uuidv7();
      await repo.insertAction(tx, {
        id,
        plan_id: planId,
        requirement_code: requirement.code,
        action: input.action,
        owner: input.owner,
        deadline,
        created_by: userId(ctx),
        created_at: now,
      });
      const action = toActionDto((await repo.findAction(tx, id))!, day);
      await audit.record(tx, ctx, {
        action: 'improvement.action_added',
        entityType: kind,
        entityId: subjectId,
        areaId: area.area_id,
        after: action,
      });
      return { action, created: true };
    },

    async updateAction(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdateActionInput,
      checkVersion: (current: number) => void,
    ): Promise<ActionDto> {
      const x = await repo.findAction(tx, id);
      if (!x) {
        requirePermission(ctx, 'improvement.assess');
        throw problems.notFound('Improvement action');
      }
      assertCanWrite(ctx, 'improvement.assess', areaTarget('Improvement action', x.id, x));
      checkVersion(x.version);
      // Done or dropped actions can be reopened (a verifier finds the work undone); otherwise an
      // action leaves open once.
      if (x.status === input.status || (x.status !== 'open' && input.status !== 'open'))
        throw improvementProblems.invalidTransition(x.status, input.status);
      if (input.status === 'dropped' && !input.note) throw improvementProblems.noteRequired();
      const now = clock.now();
      const changed = await repo.updateActionStatus(tx, x.id, x.version, {
        status: input.status,
        done_at: input.status === 'done' ? now : null,
        status_note: input.note ?? null,
        now,
      });
      if (!changed) throw problems.preconditionFailed();
      const after = toActionDto((await repo.findAction(tx, id))!, await today(tx, x.country));
      await audit.record(tx, ctx, {
        action: 'improvement.action_updated',
        entityType: x.subject_kind,
        entityId: x.subject_id,
        areaId: x.area_id,
        before: { actionId: x.id, status: x.status },
        after: { actionId: x.id, status: after.status, note: after.statusNote },
      });
      return after;
    },
  };
}
