-- Licence lifecycle (issue 4): renewal applications, progressive conditions on licences, expiry, and
-- the outbox of notifications (expiry reminders, overdue queues). {{app_role}} is replaced by
-- APP_DB_ROLE when the migration runs. Never edit after it has landed.

-- Renewal: an application of kind 'renewal' extends the licence it names (same number) when issued.
ALTER TABLE licence_applications
  ADD COLUMN kind text NOT NULL DEFAULT 'new' CHECK (kind IN ('new', 'renewal')),
  ADD COLUMN renews_licence_id uuid REFERENCES licences (id),
  ADD CONSTRAINT licence_applications_renewal_names_licence
    CHECK ((kind = 'renewal') = (renews_licence_id IS NOT NULL));
-- At most one open renewal per licence; a rejected or issued one no longer counts.
CREATE UNIQUE INDEX licence_applications_one_open_renewal ON licence_applications (renews_licence_id)
  WHERE kind = 'renewal' AND status IN ('draft', 'submitted', 'under_review', 'approved');
-- The office queue: waiting applications, oldest submitted first.
CREATE INDEX licence_applications_waiting ON licence_applications (submitted_at, id)
  WHERE status IN ('submitted', 'under_review');

COMMENT ON COLUMN licence_applications.kind IS 'new: issuing creates a licence; renewal: issuing extends the licence in renews_licence_id.';
COMMENT ON COLUMN licence_applications.renews_licence_id IS 'For a renewal: the licence it renews (same holder, tier and area).';

ALTER TABLE licence_events ADD COLUMN action text;
COMMENT ON COLUMN licence_events.action IS 'What happened when the statuses alone do not say it: renewed (valid_to extended).';

-- The expiry sweep and the reminders select active licences by their last day.
CREATE INDEX licences_active_valid_to ON licences (valid_to, id) WHERE status = 'active';

CREATE TABLE licence_conditions (
  id             uuid PRIMARY KEY,
  licence_id     uuid NOT NULL REFERENCES licences (id),
  code           text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
  improvement_level integer CHECK (improvement_level BETWEEN 1 AND 10),
  due_date       date NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'met', 'waived')),
  evidence_note  text CHECK (length(evidence_note) <= 2000),
  decided_by     uuid,
  decided_at     timestamptz,
  created_by     uuid,
  created_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  UNIQUE (licence_id, code),
  -- A waiver always says why; a decided condition says who and when.
  CHECK (status <> 'waived' OR length(evidence_note) > 0),
  CHECK ((status = 'open') = (decided_at IS NULL))
);
CREATE INDEX licence_conditions_open_due ON licence_conditions (due_date) WHERE status = 'open';

COMMENT ON TABLE licence_conditions IS 'Progressive conditions a licence carries (from its tier at issue, or added by an officer): reach something by a due date; renewal is refused while one is overdue and open.';
COMMENT ON COLUMN licence_conditions.code IS 'The condition code of the tier in the profile, or one chosen by the officer who added it.';
COMMENT ON COLUMN licence_conditions.description IS 'What the holder must do, in words (the profile''s name of the condition at issue).';
COMMENT ON COLUMN licence_conditions.improvement_level IS 'When the condition is a level of the improvement standard (issue 6 supplies the levels).';
COMMENT ON COLUMN licence_conditions.due_date IS 'The last day to meet it: valid_from plus dueMonths for a tier condition.';
COMMENT ON COLUMN licence_conditions.evidence_note IS 'met: the evidence seen; waived: the reason (required).';

CREATE TABLE notifications (
  id              uuid PRIMARY KEY,
  dedupe_key      text NOT NULL UNIQUE,
  channel         text NOT NULL CHECK (channel IN ('sms', 'email', 'in_app')),
  template        text NOT NULL,
  params          jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(params) = 'object'),
  locale          text NOT NULL,
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('person', 'user', 'enterprise')),
  recipient_id    uuid NOT NULL,
  address         text,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  error           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notifications_pending ON notifications (created_at, id) WHERE status = 'pending';
CREATE INDEX notifications_recipient ON notifications (recipient_kind, recipient_id, created_at);

COMMENT ON TABLE notifications IS 'Outbox of messages to people, users and enterprises (SMS, email, in-app). dedupe_key makes a reminder go out once: a second insert with the same key does nothing.';
COMMENT ON COLUMN notifications.dedupe_key IS 'What makes the message unique, e.g. expiry:<licence>:<valid_to>:30 or overdue-queue:<user>:<date>.';
COMMENT ON COLUMN notifications.template IS 'Template code of the text (licence.expiry_reminder, licensing.queue_overdue); params fill it in the locale.';
COMMENT ON COLUMN notifications.address IS 'Phone (E.164) or email it goes to; personal data, never logged in clear.';
COMMENT ON COLUMN notifications.status IS 'pending → sending (claimed by one sender) → sent | failed. A message left in sending is not retried: at most once.';

GRANT SELECT, INSERT, UPDATE ON licence_conditions, notifications TO {{app_role}};
