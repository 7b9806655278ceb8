-- =============================================================================
-- 0014_table_versions_bump_at_end.sql -- a transaction may bump its versions
-- once, at its end, instead of at its first write.
--
-- Changes workflow_service.bump_table_version() (0012, 0013): when the
-- transaction-local setting workflow_service.bump_at_end holds the
-- transaction's id, a write to a watched table only marks the table
-- (workflow_service.dirty_<table> = the transaction's id) and takes no row lock;
-- the transaction then bumps the marked tables itself, with one UPDATE right
-- before it commits (workflow/table_versions.py: bump_marked()). Why: the
-- row lock of a table's version is held from the bump to the commit, so a
-- Kafka lane worker applying a batch of user events in one transaction held the
-- agents row for the whole batch, and the other lane worker's batch (and the
-- web's agent writes) waited for it. Only the Kafka batches ask for this
-- (kafka_bridge/processing.py); every other writer bumps as before (0013).
-- Idempotent: CREATE OR REPLACE. Reverse: the 0013 function
-- (0014_table_versions_bump_at_end_reverse.sql).
-- =============================================================================

CREATE OR REPLACE FUNCTION workflow_service.bump_table_version()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    flag text := 'workflow_service.bumped_' || TG_TABLE_NAME;
    current_tx text := txid_current()::text;
BEGIN
    IF current_setting('workflow_service.bump_at_end', true) IS NOT DISTINCT FROM current_tx
    THEN
        PERFORM set_config('workflow_service.dirty_' || TG_TABLE_NAME, current_tx, true);
        RETURN NULL;
    END IF;
    IF current_setting(flag, true) IS NOT DISTINCT FROM current_tx THEN
        RETURN NULL;
    END IF;
    INSERT INTO workflow_service.table_versions AS v (table_name, version)
    VALUES (TG_TABLE_NAME, nextval('workflow_service.table_version_seq'))
    ON CONFLICT (table_name)
    DO UPDATE SET version = nextval('workflow_service.table_version_seq');
    PERFORM set_config(flag, current_tx, true);
    RETURN NULL;
END;
$fn$;
