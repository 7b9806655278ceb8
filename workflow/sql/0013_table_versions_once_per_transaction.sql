-- =============================================================================
-- 0013_table_versions_once_per_transaction.sql -- one version bump per
-- transaction, not one per statement.
--
-- Changes workflow_service.bump_table_version() (0012): the first write
-- statement of a transaction to a watched table takes the next version, as
-- before; the later ones of the same transaction find that done (a
-- transaction-local setting, workflow_service.bumped_<table>, holding the
-- transaction's id) and change nothing. Why: a Kafka lane worker applies up to
-- KAFKA_HANDLER_BATCH_SIZE user events in one transaction, each writing agents
-- two or three times; updating the same table_versions row hundreds of times in
-- one transaction leaves a chain of row versions that every further update
-- walks, so the batch slowed down with its length.
-- Still exact: readers outside the transaction see the new version when it
-- commits, with every write of it. Inside the transaction, a reader of the
-- version (workflow/table_versions.py: version()) clears the setting, so a write
-- after that read bumps again: a page cached under the version read cannot miss
-- it. A savepoint rolled back after the bump rolls back the bump and the setting
-- together, so the next write bumps again.
-- Idempotent: CREATE OR REPLACE. Reverse: the 0012 function
-- (0013_table_versions_once_per_transaction_reverse.sql).
-- =============================================================================

CREATE OR REPLACE FUNCTION workflow_service.bump_table_version()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    flag text := 'workflow_service.bumped_' || TG_TABLE_NAME;
    current_tx text := txid_current()::text;
BEGIN
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
