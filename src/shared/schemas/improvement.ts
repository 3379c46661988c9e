import { z } from 'zod';
import { uuidSchema } from '../ids.ts';
import { improvementStandardSchema } from '../profile-schema.ts';

/**
 * The improvement standard (issue 6): assessments of producers against the country's standard, and
 * their improvement plans. A subject is whoever can hold a licence: a person, an enterprise or a
 * production unit, so that licence conditions can ask for a level.
 */
export const SUBJECT_KINDS = ['person', 'enterprise', 'production_unit'] as const;
export const ASSESSMENT_KINDS = ['self', 'verification'] as const;
export const ANSWERS = ['met', 'partly', 'not_met', 'not_applicable'] as const;
export const ACTION_STATUSES = ['open', 'done', 'dropped'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const requirementCode = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a requirement code of the standard');
const day = z.iso.date();
const instant = z.iso.datetime({ offset: true });

export const evidenceSchema = z.strictObject({
  kind: text(50).describe('photo, document, site_visit_report, training_record, ...'),
  reference: text(200).describe('Where the evidence can be found: a file name, a document number.'),
  note: text(500).optional(),
});

export const standardQuery = z.strictObject({
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
});
export const standardResponse = z.object({
  country: z.string(),
  profileVersion: z.string(),
  standard: improvementStandardSchema,
});
export type StandardResponse = z.infer<typeof standardResponse>;

// Assessments ---------------------------------------------------------------------------------------

export const answerInput = z.strictObject({
  requirementCode,
  answer: z.enum(ANSWERS),
  note: text(2000).optional(),
  evidence: z.array(evidenceSchema).max(20).optional(),
});

export const createAssessmentBody = z.strictObject({
  id: uuidSchema
    .optional()
    .describe('Client id (assessment made offline): sending it again answers the same.'),
  subjectKind: z.enum(SUBJECT_KINDS),
  subjectId: uuidSchema,
  kind: z
    .enum(ASSESSMENT_KINDS)
    .describe(
      'self: what the producer declares (an officer may enter it); verification: found with evidence.',
    ),
  assessedAt: instant.optional().describe('When the assessment took place; now when left out.'),
  note: text(2000).optional(),
  answers: z.array(answerInput).min(1).max(500).describe('Unanswered requirements count as not met.'),
});
export type CreateAssessmentInput = z.infer<typeof createAssessmentBody>;

export const assessmentSummarySchema = z.object({
  id: z.string(),
  country: z.string(),
  subjectKind: z.enum(SUBJECT_KINDS),
  subjectId: z.string(),
  areaId: z.string(),
  kind: z.enum(ASSESSMENT_KINDS),
  assessedAt: z.string(),
  standardCode: z.string(),
  profileVersion: z.string(),
  /** Highest level reached; 0 before level 1. */
  level: z.number().int(),
  met: z.number().int(),
  applicable: z.number().int(),
  metPercent: z.number().int(),
  note: z.string().nullable(),
  recordedBy: z.string().nullable(),
  recordedAt: z.string(),
});
export type AssessmentSummaryDto = z.infer<typeof assessmentSummarySchema>;

export const assessmentSchema = assessmentSummarySchema.extend({
  answers: z.array(
    z.object({
      requirementCode: z.string(),
      answer: z.enum(ANSWERS),
      note: z.string().nullable(),
      evidence: z.array(evidenceSchema),
    }),
  ),
});
export type AssessmentDto = z.infer<typeof assessmentSchema>;

export const assessmentListQuery = z.strictObject({
  subjectKind: z.enum(SUBJECT_KINDS).optional(),
  subjectId: uuidSchema.optional(),
  kind: z.enum(ASSESSMENT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

// Plans ---------------------------------------------------------------------------------------------

export const subjectParams = z.object({ kind: z.enum(SUBJECT_KINDS), id: uuidSchema });

export const actionSchema = z.object({
  id: z.string(),
  planId: z.string(),
  subjectKind: z.enum(SUBJECT_KINDS),
  subjectId: z.string(),
  requirementCode: z.string(),
  action: z.string(),
  owner: z.string(),
  deadline: z.string(),
  status: z.enum(ACTION_STATUSES),
  /** Open and past its deadline in the country's calendar. */
  overdue: z.boolean(),
  doneAt: z.string().nullable(),
  statusNote: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type ActionDto = z.infer<typeof actionSchema>;

export const createActionBody = z.strictObject({
  id: uuidSchema.optional(),
  requirementCode,
  action: text(2000),
  owner: text(200).describe('Who is responsible, as people name them.'),
  deadline: day
    .optional()
    .describe("Day it is due; by default the requirement's deadline counted from the first assessment."),
});
export type CreateActionInput = z.infer<typeof createActionBody>;

export const updateActionBody = z.strictObject({
  status: z.enum(ACTION_STATUSES),
  note: text(2000).optional().describe('Why: required when an action is dropped.'),
});
export type UpdateActionInput = z.infer<typeof updateActionBody>;

const levelSeen = z
  .object({ level: z.number().int(), assessedAt: z.string(), assessmentId: z.string() })
  .nullable();

export const subjectSchema = z.object({
  subjectKind: z.enum(SUBJECT_KINDS),
  subjectId: z.string(),
  areaId: z.string(),
  country: z.string(),
  /** Levels of the standard now in force (0 when the country has none). */
  levelCount: z.number().int(),
  /** The latest verification: the level licence conditions and buyers rely on. */
  verified: levelSeen,
  /** The latest self-assessment, shown apart: it is a claim, not a finding. */
  self: levelSeen,
  firstAssessedAt: z.string().nullable(),
  /** Every assessment, oldest first: progress over time. */
  history: z.array(assessmentSummarySchema),
  actions: z.array(actionSchema),
});
export type SubjectDto = z.infer<typeof subjectSchema>;
