-- =============================================================================
-- 0002_holidays_and_mismatches.sql -- the bank's holidays, and payments that
-- could not count for a promise because of their currency.
--
-- New tables in workflow_service, owned by this project (app `promises`):
--   business_holidays             the bank's non-working days besides the
--                                 weekend (BUSINESS_WEEKEND_DAYS), kept by
--                                 supervisors in the admin.  The follow-up of
--                                 a promise not kept is the next day that is
--                                 neither.
--   promise_currency_mismatches   a payment passed over for a pending promise
--                                 of the customer because its currency differs
--                                 (or is unknown): not appropriated, reported.
--                                 Supervisors review them in the admin
--                                 (reviewed_at/reviewed_by/review_note); the
--                                 unreviewed count is a /metrics gauge.  Unique
--                                 per (payment, promise): a redelivered payment
--                                 reports nothing new.
--
-- Timestamps are `timestamp without time zone` holding UTC.
-- Ordering: after promises 0001 and payments 0001 (payments.payment_id).
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0002_holidays_and_mismatches_reverse.sql (drops both tables).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.business_holidays (
    holiday_date date PRIMARY KEY,
    name varchar(100) NOT NULL,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    updated_by varchar(50) NOT NULL
);
COMMENT ON TABLE workflow_service.business_holidays IS
    'The bank''s holidays: not business days (follow-ups of promises not kept skip them)';

CREATE TABLE IF NOT EXISTS workflow_service.promise_currency_mismatches (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    payment_id varchar(64) NOT NULL,
    promise_id uuid NOT NULL,
    cif varchar(20) NOT NULL,
    payment_amount numeric(18,2) NOT NULL,
    payment_currency varchar(3),
    promise_currency varchar(3) NOT NULL,
    detected_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    reviewed_at timestamp,
    reviewed_by varchar(50),
    review_note text,
    CONSTRAINT uk_promise_currency_mismatches_payment_promise UNIQUE (payment_id, promise_id),
    CONSTRAINT fk_promise_currency_mismatches_promise_id FOREIGN KEY (promise_id)
        REFERENCES workflow_service.payment_promises (id),
    CONSTRAINT fk_promise_currency_mismatches_payment_id FOREIGN KEY (payment_id)
        REFERENCES workflow_service.payments (payment_id)
);
COMMENT ON TABLE workflow_service.promise_currency_mismatches IS
    'Payments not applied to a pending promise of the customer because of their currency';
COMMENT ON COLUMN workflow_service.promise_currency_mismatches.payment_currency IS
    'The payment''s currency; NULL: neither the event nor its loan gave one';

CREATE INDEX IF NOT EXISTS idx_promise_currency_mismatches_unreviewed
    ON workflow_service.promise_currency_mismatches (detected_at)
    WHERE reviewed_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_promise_currency_mismatches_promise_id
    ON workflow_service.promise_currency_mismatches (promise_id);
