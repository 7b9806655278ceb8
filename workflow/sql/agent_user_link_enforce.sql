-- =============================================================================
-- agent_user_link_enforce.sql -- every agent must have a CRM user (DESIGN.md §3
-- item 3).  Not a migration: `manage.py enforce_agent_user_link` runs it, in its
-- own transaction, after locking users then agents and checking (under the lock)
-- that no agent is unlinked (workflow.agent_link_ddl.enforce_user_link).
--
-- agents.user_id becomes NOT NULL and fk_agents_user_id turns ON DELETE RESTRICT
-- (a CRM user with an agent can no longer be deleted).
-- Reverse: agent_user_link_revert.sql (the state of 0002: nullable, SET NULL).
-- =============================================================================

ALTER TABLE workflow_service.agents
    ALTER COLUMN user_id SET NOT NULL,
    DROP CONSTRAINT fk_agents_user_id,
    ADD CONSTRAINT fk_agents_user_id FOREIGN KEY (user_id)
        REFERENCES auth_service.users (id) ON DELETE RESTRICT;
