-- Licence cards (issue 4): every check of a licence through its card's QR code (/verify/…).
-- No personal data of the person checking is kept: not the address, not the browser.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE TABLE licence_checks (
  id          uuid PRIMARY KEY,
  licence_id  uuid NOT NULL REFERENCES licences (id),
  checked_at  timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('valid', 'invalid'))
);
CREATE INDEX licence_checks_licence ON licence_checks (licence_id, checked_at);

COMMENT ON TABLE licence_checks IS 'Each verification of a licence from its card QR code: when, and whether it was valid then; nothing about who checked.';
COMMENT ON COLUMN licence_checks.outcome IS 'valid: active and within its validity on that day; invalid otherwise.';

GRANT SELECT, INSERT ON licence_checks TO {{app_role}};
