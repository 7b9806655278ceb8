-- Reverse of 0013_table_versions_once_per_transaction.sql: the 0012 function (a bump per
-- write statement).
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
