-- =============================================================================
-- 0008_agent_performance_business_month_reverse.sql -- undoes
-- 0008_agent_performance_business_month.sql.
--
-- Drops idx_customer_collection_status_max_dpd and puts back the baseline
-- definition of workflow_service.agent_performance (UTC months, the nine
-- original columns; verbatim from 0001_baseline.sql) with its unique index
-- uq_agent_performance_agent_year_month (0004) and the privileges granted on
-- it.  Indexes on the added columns are not recreated.
-- Ordering: before the reverses of 0006..0001.
-- Idempotent: the view is recreated only when it has the column
-- business_time_zone; the index is dropped IF EXISTS.  A re-run changes
-- nothing.
-- =============================================================================

DROP INDEX IF EXISTS workflow_service.idx_customer_collection_status_max_dpd;

DO $$
DECLARE
    v_view regclass := to_regclass('workflow_service.agent_performance');
    v_grants text[] := '{}';
    v_def text;
BEGIN
    IF v_view IS NULL
       OR NOT EXISTS (SELECT 1 FROM pg_attribute
                       WHERE attrelid = v_view AND attname = 'business_time_zone'
                         AND attnum > 0 AND NOT attisdropped) THEN
        RETURN;  -- already the baseline definition
    END IF;

    SELECT coalesce(array_agg('GRANT ' || acl.privilege_type
                              || ' ON workflow_service.agent_performance TO '
                              || CASE WHEN acl.grantee = 0 THEN 'PUBLIC'
                                      ELSE quote_ident(r.rolname) END
                              || CASE WHEN acl.is_grantable THEN ' WITH GRANT OPTION'
                                      ELSE '' END), '{}')
      INTO v_grants
      FROM pg_class c
     CROSS JOIN LATERAL aclexplode(c.relacl) acl
      LEFT JOIN pg_roles r ON r.oid = acl.grantee
     WHERE c.oid = v_view AND acl.grantee <> c.relowner;
    DROP MATERIALIZED VIEW workflow_service.agent_performance;

    CREATE MATERIALIZED VIEW workflow_service.agent_performance AS
    SELECT
        a.id AS agent_id,
        a.name AS agent_name,
        a.team,
        s.month,
        s.year,
        s.total_actions,
        s.total_customers,
        s.payment_promises,
        s.payments_received
    FROM (
        SELECT
            ar.agent_id,
            EXTRACT(YEAR FROM ar.action_date)::integer AS year,
            EXTRACT(MONTH FROM ar.action_date)::integer AS month,
            COUNT(*) AS total_actions,
            COUNT(DISTINCT ar.cif) AS total_customers,
            COUNT(*) FILTER (WHERE ar.action_result = 'PROMISE_TO_PAY') AS payment_promises,
            COUNT(*) FILTER (WHERE ar.action_result = 'PAYMENT_MADE') AS payments_received
        FROM workflow_service.action_records ar
        GROUP BY ar.agent_id,
                 EXTRACT(YEAR FROM ar.action_date)::integer,
                 EXTRACT(MONTH FROM ar.action_date)::integer
    ) s
    JOIN workflow_service.agents a ON a.id = s.agent_id
    WHERE a.is_active
    WITH DATA;
    COMMENT ON MATERIALIZED VIEW workflow_service.agent_performance IS
        'Provides agent performance metrics for reporting';

    CREATE UNIQUE INDEX uq_agent_performance_agent_year_month
        ON workflow_service.agent_performance (agent_id, year, month);
    FOREACH v_def IN ARRAY v_grants LOOP
        EXECUTE v_def;
    END LOOP;
END
$$;
