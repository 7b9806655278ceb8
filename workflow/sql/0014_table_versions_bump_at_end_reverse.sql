-- Reverse of 0014_table_versions_bump_at_end.sql: the 0013 function (no bump at the end).
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
