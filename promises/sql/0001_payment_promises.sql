-- =============================================================================
-- 0001_payment_promises.sql -- promises to pay and how payments kept them.
--
-- New tables in workflow_service, owned by this project (app `promises`):
--   promise_types          the terms supervisors configure per loan product
--                          and/or customer segment: grace_days (calendar days
--                          after the promised date during which a payment
--                          still counts) and tolerance_percent (a promise is
--                          KEPT once (100 - tolerance)% of it is paid).  A
--                          NULL product_type / segment matches any.  At most
--                          one active type per (product, segment) pair
--                          (uq_promise_types_active_scope).
--   payment_promises       one promise: customer (cif), optional loan (NULL =
--                          customer-level, covers all the customer's loans),
--                          the agent and the action that obtained it, amount
--                          and currency, promised_date, the terms copied from
--                          its type, status PENDING -> KEPT | PARTIALLY_KEPT |
--                          BROKEN | CANCELLED, paid_amount (sum of its live
--                          appropriations), resolved_at, who cancelled it and
--                          why, the promise that superseded it, and the
--                          follow-up the case gets when it is not kept
--                          (follow_up_date, follow_up_agent_id: the call agent
--                          assigned to the customer at that moment).
--                          due_date = promised_date + grace_days (generated):
--                          the last business day a payment counts.
--                          At most one PENDING promise per loan, and one
--                          PENDING customer-level promise per customer
--                          (partial unique indexes): a new one supersedes it.
--   promise_appropriations which payment paid how much of which promise
--                          (payment_id -> payments.payment_id).  A reversal
--                          sets reversed_at/reversed_by; only rows with
--                          reversed_at IS NULL count.  Unique per (payment,
--                          promise): a redelivered payment adds nothing.
--
-- No foreign key to bank sync's customers or loans (bank sync owns them, as
-- for payments); action_id has none either (action_records' key is
-- (id, action_date)).  Timestamps are `timestamp without time zone` holding
-- UTC; dates are the bank's business days (BUSINESS_TIME_ZONE).
-- Ordering: after workflow 0006 (payments) and 0001 (agents).
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0001_payment_promises_reverse.sql (drops the three tables).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.promise_types (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    name varchar(100) NOT NULL,
    product_type varchar(20),
    segment varchar(50),
    grace_days integer NOT NULL DEFAULT 3,
    tolerance_percent numeric(5,2) NOT NULL DEFAULT 0,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    updated_by varchar(50) NOT NULL,
    CONSTRAINT ck_promise_types_grace_days CHECK (grace_days BETWEEN 0 AND 60),
    CONSTRAINT ck_promise_types_tolerance CHECK (tolerance_percent >= 0 AND tolerance_percent < 100)
);
COMMENT ON TABLE workflow_service.promise_types IS
    'Promise terms per loan product and/or customer segment (NULL = any), set by supervisors';

CREATE UNIQUE INDEX IF NOT EXISTS uq_promise_types_active_scope
    ON workflow_service.promise_types (coalesce(product_type, ''), coalesce(segment, ''))
    WHERE is_active;

CREATE TABLE IF NOT EXISTS workflow_service.payment_promises (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    cif varchar(20) NOT NULL,
    loan_account_number varchar(20),
    agent_id uuid NOT NULL,
    action_id uuid,
    promise_type_id uuid,
    amount numeric(18,2) NOT NULL,
    currency varchar(3) NOT NULL,
    promised_date date NOT NULL,
    grace_days integer NOT NULL,
    tolerance_percent numeric(5,2) NOT NULL,
    due_date date GENERATED ALWAYS AS (promised_date + grace_days) STORED,
    status varchar(20) NOT NULL DEFAULT 'PENDING',
    paid_amount numeric(18,2) NOT NULL DEFAULT 0,
    resolved_at timestamp,
    cancelled_by varchar(50),
    cancel_reason text,
    superseded_by_id uuid,
    follow_up_date date,
    follow_up_agent_id uuid,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    updated_by varchar(50) NOT NULL,
    CONSTRAINT ck_payment_promises_status
        CHECK (status IN ('PENDING', 'KEPT', 'PARTIALLY_KEPT', 'BROKEN', 'CANCELLED')),
    CONSTRAINT ck_payment_promises_amount CHECK (amount > 0),
    CONSTRAINT ck_payment_promises_paid CHECK (paid_amount >= 0 AND paid_amount <= amount),
    CONSTRAINT ck_payment_promises_grace_days CHECK (grace_days BETWEEN 0 AND 60),
    CONSTRAINT ck_payment_promises_tolerance
        CHECK (tolerance_percent >= 0 AND tolerance_percent < 100),
    CONSTRAINT ck_payment_promises_resolved
        CHECK ((status = 'PENDING') = (resolved_at IS NULL)),
    CONSTRAINT fk_payment_promises_agent_id FOREIGN KEY (agent_id)
        REFERENCES workflow_service.agents (id),
    CONSTRAINT fk_payment_promises_follow_up_agent_id FOREIGN KEY (follow_up_agent_id)
        REFERENCES workflow_service.agents (id),
    CONSTRAINT fk_payment_promises_promise_type_id FOREIGN KEY (promise_type_id)
        REFERENCES workflow_service.promise_types (id),
    -- Deferred: the superseded promise names its successor, inserted just after it.
    CONSTRAINT fk_payment_promises_superseded_by_id FOREIGN KEY (superseded_by_id)
        REFERENCES workflow_service.payment_promises (id) DEFERRABLE INITIALLY DEFERRED
);
COMMENT ON TABLE workflow_service.payment_promises IS
    'Promises to pay obtained by agents, tracked to KEPT, PARTIALLY_KEPT, BROKEN or CANCELLED';
COMMENT ON COLUMN workflow_service.payment_promises.loan_account_number IS
    'The loan promised on; NULL: a customer-level promise covering all the customer''s loans';
COMMENT ON COLUMN workflow_service.payment_promises.due_date IS
    'promised_date + grace_days: the last business day whose payments count';
COMMENT ON COLUMN workflow_service.payment_promises.follow_up_date IS
    'Business day the assigned call agent follows a promise that was not kept';

CREATE UNIQUE INDEX IF NOT EXISTS uq_payment_promises_pending_loan
    ON workflow_service.payment_promises (loan_account_number)
    WHERE status = 'PENDING' AND loan_account_number IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS uq_payment_promises_pending_customer
    ON workflow_service.payment_promises (cif)
    WHERE status = 'PENDING' AND loan_account_number IS NULL;
CREATE INDEX IF NOT EXISTS idx_payment_promises_cif_status
    ON workflow_service.payment_promises (cif, status);
CREATE INDEX IF NOT EXISTS idx_payment_promises_pending_due
    ON workflow_service.payment_promises (due_date, id)
    WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS idx_payment_promises_agent_created
    ON workflow_service.payment_promises (agent_id, created_at);
CREATE INDEX IF NOT EXISTS idx_payment_promises_promised_date
    ON workflow_service.payment_promises (promised_date);
CREATE INDEX IF NOT EXISTS idx_payment_promises_action_id
    ON workflow_service.payment_promises (action_id);
CREATE INDEX IF NOT EXISTS idx_payment_promises_follow_up
    ON workflow_service.payment_promises (follow_up_date, follow_up_agent_id)
    WHERE follow_up_date IS NOT NULL;

CREATE TABLE IF NOT EXISTS workflow_service.promise_appropriations (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    promise_id uuid NOT NULL,
    payment_id varchar(64) NOT NULL,
    amount numeric(18,2) NOT NULL,
    appropriated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    reversed_at timestamp,
    reversed_by varchar(50),
    CONSTRAINT ck_promise_appropriations_amount CHECK (amount > 0),
    CONSTRAINT uk_promise_appropriations_payment_promise UNIQUE (payment_id, promise_id),
    CONSTRAINT fk_promise_appropriations_promise_id FOREIGN KEY (promise_id)
        REFERENCES workflow_service.payment_promises (id),
    CONSTRAINT fk_promise_appropriations_payment_id FOREIGN KEY (payment_id)
        REFERENCES workflow_service.payments (payment_id)
);
COMMENT ON TABLE workflow_service.promise_appropriations IS
    'The part of a payment applied to a promise; reversed_at set when the payment was reversed';

CREATE INDEX IF NOT EXISTS idx_promise_appropriations_promise_id
    ON workflow_service.promise_appropriations (promise_id);
