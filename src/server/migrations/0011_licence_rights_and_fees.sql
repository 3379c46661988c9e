-- Licence fees, rights and the public register (issue 4): payments of the fee assessed at submission
-- (each with a receipt), the encumbrances (mortgage, lien, charge) registered on a licence, and the
-- transfers of a licence to a new holder. The permission fees.record is added to the system roles.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed.

CREATE SEQUENCE licence_receipt_seq;

CREATE TABLE licence_fee_payments (
  id                   uuid PRIMARY KEY,
  receipt_number       text NOT NULL UNIQUE,
  application_id       uuid NOT NULL REFERENCES licence_applications (id),
  amount_minor         bigint NOT NULL CHECK (amount_minor > 0),
  currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  method               text NOT NULL CHECK (method IN ('cash', 'mobile_money', 'bank')),
  reference            text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
  payer_name           text CHECK (length(payer_name) BETWEEN 1 AND 200),
  paid_at              timestamptz NOT NULL,
  balance_after_minor  bigint NOT NULL CHECK (balance_after_minor >= 0),
  recorded_by          uuid,
  recorded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licence_fee_payments_application ON licence_fee_payments (application_id, recorded_at, id);
-- The same cash receipt or mobile money transaction is never counted twice.
CREATE UNIQUE INDEX licence_fee_payments_reference ON licence_fee_payments (method, reference);

COMMENT ON TABLE licence_fee_payments IS 'Payments of the licence fee assessed on an application; never edited. The licence is issued once they add up to the fee.';
COMMENT ON COLUMN licence_fee_payments.receipt_number IS 'Receipt number with a check character (RC-000001-K).';
COMMENT ON COLUMN licence_fee_payments.amount_minor IS 'Amount in minor units of currency (the currency of the assessment).';
COMMENT ON COLUMN licence_fee_payments.reference IS 'Cash receipt book number, mobile money transaction id or bank reference: unique per method.';
COMMENT ON COLUMN licence_fee_payments.balance_after_minor IS 'What was left to pay after this payment, as printed on the receipt.';

CREATE TABLE licence_encumbrances (
  id              uuid PRIMARY KEY,
  licence_id      uuid NOT NULL REFERENCES licences (id),
  kind            text NOT NULL CHECK (kind IN ('mortgage', 'lien', 'charge')),
  creditor_name   text NOT NULL CHECK (length(creditor_name) BETWEEN 1 AND 200),
  amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
  currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reference       text CHECK (length(reference) BETWEEN 1 AND 100),
  documents_note  text CHECK (length(documents_note) <= 2000),
  registered_at   timestamptz NOT NULL,
  registered_by   uuid,
  released_at     timestamptz,
  released_by     uuid,
  release_note    text CHECK (length(release_note) <= 2000),
  version         integer NOT NULL DEFAULT 1,
  CHECK (released_at IS NULL OR released_at >= registered_at)
);
CREATE INDEX licence_encumbrances_licence ON licence_encumbrances (licence_id, registered_at, id);

COMMENT ON TABLE licence_encumbrances IS 'Mortgages, liens and charges registered on a licence (only for tiers granting mortgage_right); active while released_at is null.';
COMMENT ON COLUMN licence_encumbrances.amount_minor IS 'The secured amount in minor units of currency.';
COMMENT ON COLUMN licence_encumbrances.documents_note IS 'Where the loan or charge documents are kept, as noted by the officer.';

CREATE TABLE licence_transfers (
  id                   uuid PRIMARY KEY,
  licence_id           uuid NOT NULL REFERENCES licences (id),
  from_holder_kind     text NOT NULL CHECK (from_holder_kind IN ('person', 'enterprise', 'production_unit')),
  from_holder_id       uuid NOT NULL,
  to_holder_kind       text NOT NULL CHECK (to_holder_kind IN ('person', 'enterprise', 'production_unit')),
  to_holder_id         uuid NOT NULL,
  reason               text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  consideration_minor  bigint CHECK (consideration_minor >= 0),
  currency             text CHECK (currency ~ '^[A-Z]{3}$'),
  creditor_consent     boolean NOT NULL DEFAULT false,
  consent_note         text CHECK (length(consent_note) <= 2000),
  actor_id             uuid,
  at                   timestamptz NOT NULL DEFAULT now(),
  CHECK ((consideration_minor IS NULL) = (currency IS NULL))
);
CREATE INDEX licence_transfers_licence ON licence_transfers (licence_id, at, id);

COMMENT ON TABLE licence_transfers IS 'Each change of the holder of a licence (only for tiers granting transfer_right); never edited.';
COMMENT ON COLUMN licence_transfers.consideration_minor IS 'The price paid for the licence, if declared, in minor units of currency.';
COMMENT ON COLUMN licence_transfers.creditor_consent IS 'True when an active encumbrance existed and its creditor consented (consent_note says how).';

-- The public register lists active licences by area and number.
CREATE INDEX licences_public_register ON licences (status, number);

UPDATE roles SET permissions = permissions || ARRAY['fees.record'], version = version + 1, updated_at = now()
 WHERE is_system AND code IN ('system_admin', 'district_officer', 'office_admin')
   AND NOT ('fees.record' = ANY (permissions));

GRANT SELECT, INSERT ON licence_fee_payments, licence_transfers TO {{app_role}};
GRANT SELECT, INSERT, UPDATE ON licence_encumbrances TO {{app_role}};
GRANT USAGE ON SEQUENCE licence_receipt_seq TO {{app_role}};
