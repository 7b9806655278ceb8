-- =============================================================================
-- 0012_table_versions.sql -- a version per table, changed by every write to it.
--
-- New objects in workflow_service, owned by this project:
--   table_version_seq  the values versions take: never the same twice, even
--                      across rolled-back transactions, so a version names
--                      one committed state of a table (or an uncommitted one
--                      nobody else can see), never two.
--   table_versions     one row per watched table: its current version.
--   bump_table_version()  statement-level trigger function: sets the table's
--                      version to the next value of the sequence, in the
--                      writing transaction (others see it when it commits).
--   trigger agents_bump_version  on workflow_service.agents, after any INSERT,
--                      UPDATE, DELETE or TRUNCATE statement, whoever runs it
--                      (API, admin, Kafka handlers, raw SQL).
--
-- Readers (workflow/table_versions.py) key cached pages of a table by its
-- version: a write makes every cached page of the table unreachable at once,
-- exactly, without the writer knowing the cache exists.
-- Writers to one table serialize on its row for the length of their
-- transactions; agents are written rarely.
-- Idempotent: IF NOT EXISTS / OR REPLACE / ON CONFLICT; a re-run changes nothing.
-- =============================================================================

CREATE SEQUENCE IF NOT EXISTS workflow_service.table_version_seq;

CREATE TABLE IF NOT EXISTS workflow_service.table_versions (
    table_name text PRIMARY KEY,
    version bigint NOT NULL
);

CREATE OR REPLACE FUNCTION workflow_service.bump_table_version()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    INSERT INTO workflow_service.table_versions AS v (table_name, version)
    VALUES (TG_TABLE_NAME, nextval('workflow_service.table_version_seq'))
    ON CONFLICT (table_name)
    DO UPDATE SET version = nextval('workflow_service.table_version_seq');
    RETURN NULL;
END;
$fn$;

INSERT INTO workflow_service.table_versions (table_name, version)
VALUES ('agents', nextval('workflow_service.table_version_seq'))
ON CONFLICT (table_name) DO NOTHING;

DROP TRIGGER IF EXISTS agents_bump_version ON workflow_service.agents;
CREATE TRIGGER agents_bump_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON workflow_service.agents
    FOR EACH STATEMENT EXECUTE FUNCTION workflow_service.bump_table_version();
