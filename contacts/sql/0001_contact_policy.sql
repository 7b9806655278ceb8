-- =============================================================================
-- 0001_contact_policy.sql -- the contact-policy engine's tables (contacts app).
--
-- New tables in workflow_service, owned by this project (README, "Contact policy"):
--   contact_policies            one row per VERSION of a policy: a change is a new
--                               version (code, version unique); exactly one version
--                               per code is current.  Channels and parties allowed,
--                               which action types/results count as an attempt and
--                               which results are a conversation (right-party
--                               contact), the block after a conversation, how long
--                               a reservation lasts.  Versions are never updated
--                               except is_current/superseded_at.
--   contact_policy_windows      allowed local time window per channel of a version.
--   contact_policy_caps         rolling caps of a version: per CUSTOMER or per
--                               CONTACT_POINT, over N local calendar days, for some
--                               or all channels.
--   contact_policy_assignments  which policy (by code: its current version) applies,
--                               by cif, jurisdiction and loan product; the most
--                               specific row wins.
--   contact_customer_profiles   per customer: jurisdiction and time zone (NULL =
--                               BUSINESS_TIME_ZONE).
--   contact_holds               dispute, cease-contact, deceased, hardship, legal
--                               moratorium: channels suppressed (empty = all),
--                               start, expiry, review date, lift.
--   contact_attempts            the ledger: reservations (RESERVED, CONSUMED),
--                               refusals (REFUSED), contacts recorded without a
--                               reservation (RECORDED), released reservations
--                               (RELEASED); the party and contact point of every
--                               recorded action, linked by action_id (the bank's
--                               action_records columns are unchanged); the policy
--                               version of every decision; violation flags.
--
-- Timestamps are `timestamp without time zone` holding UTC, like the rest of the
-- schema.  Ordering: after workflow 0001 (public.uuid_generate_v4(), customers).
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0001_contact_policy_reverse.sql (drops the tables).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.contact_policies (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    code varchar(50) NOT NULL,
    version integer NOT NULL,
    name varchar(100) NOT NULL,
    description text NOT NULL DEFAULT '',
    source text NOT NULL DEFAULT '',
    is_preset boolean NOT NULL DEFAULT false,
    is_current boolean NOT NULL DEFAULT true,
    channels varchar(10)[] NOT NULL,
    parties varchar(20)[] NOT NULL,
    attempt_types varchar(10)[] NOT NULL,
    attempt_results varchar(30)[] NOT NULL DEFAULT '{}',
    conversation_results varchar(30)[] NOT NULL DEFAULT '{}',
    block_days integer NOT NULL DEFAULT 0,
    block_channels varchar(10)[] NOT NULL DEFAULT '{}',
    reservation_minutes integer NOT NULL DEFAULT 15,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    superseded_at timestamp,
    CONSTRAINT uk_contact_policies_code_version UNIQUE (code, version),
    CONSTRAINT ck_contact_policies_version CHECK (version >= 1),
    CONSTRAINT ck_contact_policies_block_days CHECK (block_days BETWEEN 0 AND 365),
    CONSTRAINT ck_contact_policies_reservation CHECK (reservation_minutes BETWEEN 1 AND 240)
);
COMMENT ON TABLE workflow_service.contact_policies IS
    'Contact policies, one row per version; a decision records the version it used';
CREATE UNIQUE INDEX IF NOT EXISTS uk_contact_policies_current
    ON workflow_service.contact_policies (code) WHERE is_current;

CREATE TABLE IF NOT EXISTS workflow_service.contact_policy_windows (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    policy_id uuid NOT NULL
        REFERENCES workflow_service.contact_policies (id) ON DELETE CASCADE,
    channel varchar(10) NOT NULL,
    starts time NOT NULL,
    ends time NOT NULL,
    CONSTRAINT uk_contact_policy_windows UNIQUE (policy_id, channel),
    CONSTRAINT ck_contact_policy_windows_order CHECK (starts < ends)
);

CREATE TABLE IF NOT EXISTS workflow_service.contact_policy_caps (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    policy_id uuid NOT NULL
        REFERENCES workflow_service.contact_policies (id) ON DELETE CASCADE,
    scope varchar(20) NOT NULL,
    days integer NOT NULL,
    max_attempts integer NOT NULL,
    channels varchar(10)[] NOT NULL DEFAULT '{}',
    CONSTRAINT ck_contact_policy_caps_scope CHECK (scope IN ('CUSTOMER', 'CONTACT_POINT')),
    CONSTRAINT ck_contact_policy_caps_days CHECK (days BETWEEN 1 AND 365),
    CONSTRAINT ck_contact_policy_caps_max CHECK (max_attempts BETWEEN 1 AND 1000)
);
CREATE INDEX IF NOT EXISTS idx_contact_policy_caps_policy
    ON workflow_service.contact_policy_caps (policy_id);

CREATE TABLE IF NOT EXISTS workflow_service.contact_policy_assignments (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    policy_code varchar(50) NOT NULL,
    cif varchar(20),
    jurisdiction varchar(10),
    product_type varchar(50),
    priority integer NOT NULL DEFAULT 100,
    note varchar(200) NOT NULL DEFAULT '',
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uk_contact_policy_assignments_scope
    ON workflow_service.contact_policy_assignments
       (coalesce(cif, ''), coalesce(jurisdiction, ''), coalesce(product_type, ''));
CREATE INDEX IF NOT EXISTS idx_contact_policy_assignments_cif
    ON workflow_service.contact_policy_assignments (cif) WHERE cif IS NOT NULL;

CREATE TABLE IF NOT EXISTS workflow_service.contact_customer_profiles (
    cif varchar(20) PRIMARY KEY,
    jurisdiction varchar(10),
    time_zone varchar(64),
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_by varchar(50) NOT NULL
);

CREATE TABLE IF NOT EXISTS workflow_service.contact_holds (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    cif varchar(20) NOT NULL,
    hold_type varchar(20) NOT NULL,
    channels varchar(10)[] NOT NULL DEFAULT '{}',
    starts_at timestamp NOT NULL,
    expires_at timestamp,
    review_date date,
    reason text NOT NULL,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    lifted_at timestamp,
    lifted_by varchar(50),
    lift_reason text,
    CONSTRAINT ck_contact_holds_type CHECK (
        hold_type IN ('DISPUTE', 'CEASE_CONTACT', 'DECEASED', 'HARDSHIP', 'LEGAL_MORATORIUM')),
    CONSTRAINT ck_contact_holds_period CHECK (expires_at IS NULL OR expires_at > starts_at)
);
CREATE INDEX IF NOT EXISTS idx_contact_holds_cif
    ON workflow_service.contact_holds (cif, starts_at);

CREATE TABLE IF NOT EXISTS workflow_service.contact_attempts (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    cif varchar(20) NOT NULL,
    channel varchar(10) NOT NULL,
    party varchar(20) NOT NULL,
    contact_point varchar(200),
    policy_id uuid REFERENCES workflow_service.contact_policies (id),
    status varchar(10) NOT NULL,
    attempted_at timestamp NOT NULL,
    expires_at timestamp,
    counts_as_attempt boolean NOT NULL,
    is_conversation boolean NOT NULL DEFAULT false,
    rule varchar(60),
    override_reason varchar(500),
    action_id uuid,
    action_date timestamp,
    violation_rule varchar(60),
    violation jsonb,
    agent_id uuid,
    team varchar(30),
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    created_by varchar(50) NOT NULL,
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT ck_contact_attempts_status CHECK (
        status IN ('RESERVED', 'CONSUMED', 'RECORDED', 'REFUSED', 'RELEASED'))
);
COMMENT ON TABLE workflow_service.contact_attempts IS
    'Reservations, refusals and recorded contacts: the party and contact point of every action';
CREATE INDEX IF NOT EXISTS idx_contact_attempts_cif
    ON workflow_service.contact_attempts (cif, attempted_at);
CREATE INDEX IF NOT EXISTS idx_contact_attempts_contact_point
    ON workflow_service.contact_attempts (contact_point, attempted_at)
    WHERE contact_point IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS uk_contact_attempts_action
    ON workflow_service.contact_attempts (action_id) WHERE action_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_contact_attempts_team
    ON workflow_service.contact_attempts (team, attempted_at);
CREATE INDEX IF NOT EXISTS idx_contact_attempts_flagged
    ON workflow_service.contact_attempts (attempted_at)
    WHERE violation_rule IS NOT NULL OR status = 'REFUSED' OR override_reason IS NOT NULL;
