-- Reverse of 0012_table_versions.sql: drops the trigger, the function, the table and the sequence.
DROP TRIGGER IF EXISTS agents_bump_version ON workflow_service.agents;
DROP FUNCTION IF EXISTS workflow_service.bump_table_version();
DROP TABLE IF EXISTS workflow_service.table_versions;
DROP SEQUENCE IF EXISTS workflow_service.table_version_seq;
