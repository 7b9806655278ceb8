-- =============================================================================
-- 0010_agent_link_audit.sql -- who linked or unlinked a login user and an agent.
--
-- New table in workflow_service, owned by this project:
--   agent_link_audit  one row per link or unlink of a CRM user (auth_service.
--                     users) and an agent, written by agents.services in the
--                     same transaction as the change: the agent, the user,
--                     operation 'LINK' or 'UNLINK' (check constraint), the
--                     reason given (optional through the API, required in the
--                     admin), and who did it (actor_user_id: the CRM user, NULL
--                     for a system process or a local admin account;
--                     actor_username) and when (occurred_at, UTC).
--                     No foreign keys: the trail outlives a deleted user or
--                     agent.  Indexes serve "the history of one agent" and
--                     "of one user", newest first.
--
-- Timestamps are `timestamp without time zone` holding UTC, like the rest of
-- the schema.
-- Ordering: after 0001 (public.uuid_generate_v4()); independent of 0002-0009.
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0010_agent_link_audit_reverse.sql (drops the table).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.agent_link_audit (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    agent_id uuid NOT NULL,
    user_id uuid NOT NULL,
    operation varchar(10) NOT NULL,
    reason varchar(500),
    actor_user_id uuid,
    actor_username varchar(50) NOT NULL,
    occurred_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CONSTRAINT ck_agent_link_audit_operation CHECK (operation IN ('LINK', 'UNLINK'))
);
COMMENT ON TABLE workflow_service.agent_link_audit IS
    'Every link and unlink of a CRM user and an agent: who, when, why';
COMMENT ON COLUMN workflow_service.agent_link_audit.actor_user_id IS
    'The CRM user who made the change; NULL for a system process or a local admin account';
COMMENT ON COLUMN workflow_service.agent_link_audit.occurred_at IS
    'When the change was made (UTC)';

CREATE INDEX IF NOT EXISTS idx_agent_link_audit_agent_id
    ON workflow_service.agent_link_audit (agent_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS idx_agent_link_audit_user_id
    ON workflow_service.agent_link_audit (user_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS idx_agent_link_audit_occurred_at
    ON workflow_service.agent_link_audit (occurred_at DESC, id);
