-- Background tasks (exports today): started by a request, run by a worker, watched and collected later.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE tasks (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress_done   bigint NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
  progress_total  bigint CHECK (progress_total >= 0),
  message         text,
  params          jsonb NOT NULL DEFAULT '{}'::jsonb,
  result_file     text CHECK (result_file ~ '^exports/[0-9a-f-]{36}\.[a-z]+$'),
  result_name     text,
  result_type     text,
  result_bytes    bigint CHECK (result_bytes >= 0),
  error_code      text,
  created_by      uuid NOT NULL REFERENCES users (id),
  area_id         uuid NOT NULL REFERENCES admin_areas (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  version         integer NOT NULL DEFAULT 1,
  -- Only a task that succeeded has a result (a later clean-up may remove it); a failure always says why.
  CHECK (status = 'succeeded' OR result_file IS NULL),
  CHECK ((status = 'failed') = (error_code IS NOT NULL)),
  CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
-- "My tasks, newest first" (ids are UUIDv7, so id order is creation order).
CREATE INDEX tasks_owner ON tasks (created_by, id DESC);
-- Unfinished tasks, for a worker re-queueing the ones whose job was lost.
CREATE INDEX tasks_unfinished ON tasks (created_at) WHERE status IN ('queued', 'running');

COMMENT ON TABLE tasks IS 'Long-running work started by an account (exports): status, progress, and where the result file is. Only the account that started a task may see, cancel or download it.';
COMMENT ON COLUMN tasks.kind IS 'What the task does, such as export.users or export.audit; each kind names the permission needed to start it.';
COMMENT ON COLUMN tasks.status IS 'queued → running → succeeded | failed | cancelled. A cancelled task stops at its next batch.';
COMMENT ON COLUMN tasks.progress_done IS 'Rows written so far, updated after every batch.';
COMMENT ON COLUMN tasks.progress_total IS 'Rows the task will write (after any cap); null until counted.';
COMMENT ON COLUMN tasks.message IS 'A short note for people: why it failed, or that the export cap cut it short. Never personal data.';
COMMENT ON COLUMN tasks.params IS 'The request of the task (for exports: the filter and order), validated for its kind.';
COMMENT ON COLUMN tasks.result_file IS 'Path of the result relative to DATA_DIR (exports/<id>.csv). Internal: never shown through the API.';
COMMENT ON COLUMN tasks.result_name IS 'File name offered to the downloader (Content-Disposition).';
COMMENT ON COLUMN tasks.result_type IS 'Media type of the result file.';
COMMENT ON COLUMN tasks.result_bytes IS 'Size of the result file in bytes.';
COMMENT ON COLUMN tasks.error_code IS 'Stable code of the failure (task.owner_disabled, task.internal ...).';
COMMENT ON COLUMN tasks.created_by IS 'The account that started the task; the task runs with that account''s current grants, re-read when it runs.';
COMMENT ON COLUMN tasks.area_id IS 'The home area (office) of the account that started it: the area its audit events are recorded against.';

GRANT SELECT, INSERT, UPDATE, DELETE ON tasks TO {{app_role}};
