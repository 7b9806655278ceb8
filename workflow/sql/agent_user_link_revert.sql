-- =============================================================================
-- agent_user_link_revert.sql -- undoes agent_user_link_enforce.sql.  Not a
-- migration: `manage.py enforce_agent_user_link --revert` runs it after locking
-- users then agents (workflow.agent_link_ddl.revert_user_link).
--
-- agents.user_id becomes nullable again and fk_agents_user_id ON DELETE SET NULL,
-- as 0002_agents_user_id.sql made them.
-- =============================================================================

ALTER TABLE workflow_service.agents
    ALTER COLUMN user_id DROP NOT NULL,
    DROP CONSTRAINT fk_agents_user_id,
    ADD CONSTRAINT fk_agents_user_id FOREIGN KEY (user_id)
        REFERENCES auth_service.users (id) ON DELETE SET NULL;
