-- =============================================================================
-- 0016_agents_name_index.sql -- an index for the agents list's order.
--
-- The agents list (GET /agents on a cache miss, and the admin's agents page) is
-- ordered by name then id (agents.selectors.agents_list, AgentAdmin.ordering) and
-- shows a page of it. Without an index in that order PostgreSQL sorted every
-- agent for each page: 8-11 ms of the admin page at 22,000 agents (bench scale 1
-- after a few runs), growing with the agents. This index serves the page in order.
--
-- The agents table is small (thousands of rows): the build takes milliseconds,
-- so a plain CREATE INDEX (writes to agents wait for it) is used, not CONCURRENTLY.
-- Idempotent: created only when missing. Reverse: 0016_..._reverse.sql.
-- =============================================================================

CREATE INDEX IF NOT EXISTS idx_agents_name_id
    ON workflow_service.agents (name, id);
