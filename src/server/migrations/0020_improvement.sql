-- The improvement standard (issue 6): assessments of a producer against the country's standard of the
-- CRAFT shape (modules, requirements that apply from a level, deadlines), and its improvement plan.
-- The standard itself is data in the country profile (improvementStandard); these tables hold what
-- was found and what is to be done. An assessment is never changed: a correction is a new one.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE improvement_assessments (
  id                uuid PRIMARY KEY,
  country           text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  subject_kind      text NOT NULL CHECK (subject_kind IN ('person', 'enterprise', 'production_unit')),
  subject_id        uuid NOT NULL,
  area_id           uuid NOT NULL REFERENCES admin_areas (id),
  kind              text NOT NULL CHECK (kind IN ('self', 'verification')),
  assessed_at       timestamptz NOT NULL,
  standard_code     text NOT NULL CHECK (standard_code ~ '^[a-z][a-z0-9_]*$'),
  profile_version   text NOT NULL CHECK (length(profile_version) BETWEEN 1 AND 100),
  level             integer NOT NULL CHECK (level BETWEEN 0 AND 10),
  met_count         integer NOT NULL CHECK (met_count >= 0),
  applicable_count  integer NOT NULL CHECK (applicable_count >= met_count),
  note              text CHECK (length(note) BETWEEN 1 AND 2000),
  recorded_by       uuid,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);
-- The licence check reads the latest verification of a holder; the subject page reads them all.
CREATE INDEX improvement_assessments_subject
  ON improvement_assessments (subject_kind, subject_id, kind, assessed_at DESC, recorded_at DESC, id DESC);
CREATE INDEX improvement_assessments_recent ON improvement_assessments (recorded_at DESC, id DESC);

COMMENT ON TABLE improvement_assessments IS 'One assessment of a producer (person, enterprise or production unit) against the improvement standard of its country: a self-assessment, or a verification by an officer or community monitor.';
COMMENT ON COLUMN improvement_assessments.subject_id IS 'The person, enterprise or production unit assessed (subject_kind says which table).';
COMMENT ON COLUMN improvement_assessments.area_id IS 'The area of the subject when it was assessed: the jurisdiction of the assessment.';
COMMENT ON COLUMN improvement_assessments.kind IS 'self: what the producer declares (an officer may record it on its behalf); verification: what an officer or monitor found, with evidence. Only verifications count for licence conditions.';
COMMENT ON COLUMN improvement_assessments.assessed_at IS 'When the assessment took place (it may be entered later from paper).';
COMMENT ON COLUMN improvement_assessments.profile_version IS 'Version of the country profile whose standard the answers were checked against.';
COMMENT ON COLUMN improvement_assessments.level IS 'Highest level whose requirements (and those of every lower level) were all met or not applicable; 0 when level 1 is not reached. Computed when recorded and kept, so that a later change of the standard does not rewrite history.';
COMMENT ON COLUMN improvement_assessments.met_count IS 'Requirements of the standard answered met.';
COMMENT ON COLUMN improvement_assessments.applicable_count IS 'Requirements of the standard not answered not_applicable (unanswered ones count as applicable and not met).';

CREATE TABLE improvement_answers (
  assessment_id     uuid NOT NULL REFERENCES improvement_assessments (id),
  requirement_code  text NOT NULL CHECK (requirement_code ~ '^[a-z][a-z0-9_]*$'),
  answer            text NOT NULL CHECK (answer IN ('met', 'partly', 'not_met', 'not_applicable')),
  note              text CHECK (length(note) BETWEEN 1 AND 2000),
  evidence          jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(evidence) = 'array'),
  PRIMARY KEY (assessment_id, requirement_code)
);

COMMENT ON TABLE improvement_answers IS 'The answer of an assessment to one requirement of the standard.';
COMMENT ON COLUMN improvement_answers.evidence IS 'List of {kind, reference, note?}: photos, documents, site-visit reports that support the answer.';

CREATE TABLE improvement_plans (
  id            uuid PRIMARY KEY,
  country       text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  subject_kind  text NOT NULL CHECK (subject_kind IN ('person', 'enterprise', 'production_unit')),
  subject_id    uuid NOT NULL,
  area_id       uuid NOT NULL REFERENCES admin_areas (id),
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject_kind, subject_id)
);

COMMENT ON TABLE improvement_plans IS 'The improvement plan of a producer: one per subject, made with its first action.';

CREATE TABLE improvement_actions (
  id                uuid PRIMARY KEY,
  plan_id           uuid NOT NULL REFERENCES improvement_plans (id),
  requirement_code  text NOT NULL CHECK (requirement_code ~ '^[a-z][a-z0-9_]*$'),
  action            text NOT NULL CHECK (length(action) BETWEEN 1 AND 2000),
  owner             text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  deadline          date NOT NULL,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
  done_at           timestamptz,
  status_note       text CHECK (length(status_note) BETWEEN 1 AND 2000),
  created_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  version           integer NOT NULL DEFAULT 1,
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX improvement_actions_plan ON improvement_actions (plan_id, deadline, id);

COMMENT ON TABLE improvement_actions IS 'One step of an improvement plan: what is to be done for a requirement, by whom, by when.';
COMMENT ON COLUMN improvement_actions.owner IS 'Who in the enterprise (or which partner) is responsible, as people name them.';
COMMENT ON COLUMN improvement_actions.deadline IS 'Day by which it is due; by default the requirement''s deadline counted from the first assessment.';
COMMENT ON COLUMN improvement_actions.status IS 'open, done (done_at set) or dropped (no longer needed, with a note).';

UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['improvement.read', 'improvement.assess', 'improvement.verify']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin')
   AND NOT (permissions @> ARRAY['improvement.read', 'improvement.assess', 'improvement.verify']);
UPDATE roles
   SET permissions = permissions || ARRAY(
         SELECT p FROM unnest(ARRAY['improvement.read', 'improvement.verify']) AS p
          WHERE NOT (p = ANY (roles.permissions))),
       version = version + 1, updated_at = now()
 WHERE is_system AND code = 'community_monitor'
   AND NOT (permissions @> ARRAY['improvement.read', 'improvement.verify']);
UPDATE roles SET permissions = permissions || ARRAY['improvement.read'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('national_supervisor', 'regional_officer', 'auditor', 'buying_station_agent')
   AND NOT ('improvement.read' = ANY (permissions));

GRANT SELECT, INSERT ON improvement_assessments, improvement_answers, improvement_plans TO {{app_role}};
GRANT SELECT, INSERT ON improvement_actions TO {{app_role}};
GRANT UPDATE (status, done_at, status_note, updated_at, version) ON improvement_actions TO {{app_role}};
