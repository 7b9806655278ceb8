-- Reverse of 0016_agents_name_index.sql: the agents list sorts every agent again.
DROP INDEX IF EXISTS workflow_service.idx_agents_name_id;
