-- =============================================================================
-- 0009_reassignment_flags.sql -- customers waiting for a new agent.
--
-- New table in workflow_service, owned by this project:
--   reassignment_flags  one row per (customer, agent, role) that needs a new
--                       agent, e.g. because the agent's login user was
--                       deactivated in the auth service (the Kafka handler of
--                       auth-service.user.deactivated writes them).  A flag is
--                       open while resolved_at IS NULL; assigning the customer
--                       away from that agent in that role resolves it
--                       (assignments.services.assignment_assign).
--                       role is 'CALL' or 'FIELD' (check constraint).
--                       Partial unique index uq_reassignment_flags_open on
--                       (cif, agent_id, role) WHERE resolved_at IS NULL: at
--                       most one open flag per customer, agent and role, so
--                       raising the same flag twice changes nothing.
--                       Index idx_reassignment_flags_open_flagged_at serves the
--                       supervisors' list (open flags, oldest first).
--                       agent_id references workflow_service.agents; cif has
--                       no foreign key, like payments (bank sync owns customers).
--
-- Timestamps are `timestamp without time zone` holding UTC, like the rest of
-- the schema.
-- Ordering: after 0001 (agents, public.uuid_generate_v4()); independent of
-- 0002-0008.
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0009_reassignment_flags_reverse.sql (drops the table).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.reassignment_flags (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    cif varchar(20) NOT NULL,
    agent_id uuid NOT NULL,
    role varchar(10) NOT NULL,
    reason text,
    event_id uuid,
    flagged_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    resolved_at timestamp NULL,
    resolved_by varchar(50),
    CONSTRAINT ck_reassignment_flags_role CHECK (role IN ('CALL', 'FIELD')),
    CONSTRAINT fk_reassignment_flags_agent_id FOREIGN KEY (agent_id)
        REFERENCES workflow_service.agents (id)
);
COMMENT ON TABLE workflow_service.reassignment_flags IS
    'Customers to reassign away from an agent in one role; open while resolved_at IS NULL';
COMMENT ON COLUMN workflow_service.reassignment_flags.role IS
    'CALL or FIELD: the role the agent holds for the customer';
COMMENT ON COLUMN workflow_service.reassignment_flags.event_id IS
    'The consumed event that raised the flag (e.g. auth-service.user.deactivated), if any';
COMMENT ON COLUMN workflow_service.reassignment_flags.resolved_at IS
    'When the customer was assigned away from the agent in that role (UTC); NULL while open';

CREATE UNIQUE INDEX IF NOT EXISTS uq_reassignment_flags_open
    ON workflow_service.reassignment_flags (cif, agent_id, role)
    WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_reassignment_flags_open_flagged_at
    ON workflow_service.reassignment_flags (flagged_at, id)
    WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_reassignment_flags_agent_id
    ON workflow_service.reassignment_flags (agent_id);
