-- Reverse of 0015_agents_email_upper_index.sql: the e-mail check reads the whole table again.
DROP INDEX IF EXISTS workflow_service.idx_agents_upper_email;
