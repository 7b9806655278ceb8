-- =============================================================================
-- 0008_agent_performance_business_month.sql -- the agent performance reports.
--
-- workflow_service.agent_performance is recreated so that it can serve the
-- whole-month periods of GET agents/{id}/performance, agents/performance and
-- teams/{team}/performance with exactly the numbers the live computation
-- gives (agents/performance.py):
--   * months are the bank's business months, not UTC months: action_date
--     (UTC in a timestamp without time zone) is read as UTC and converted to
--       COALESCE(NULLIF(current_setting('workflow.business_time_zone', true),
--                       ''), 'Asia/Ho_Chi_Minh')
--     The expression is evaluated when the view is REFRESHED, in the
--     refreshing session: Django's connections set the setting from
--     BUSINESS_TIME_ZONE (settings.py), so the beat refresh, `manage.py
--     refresh_reports` and this migration group by the API's zone; another
--     session gets Asia/Ho_Chi_Minh.  The zone used is stored in the column
--     business_time_zone, and the API uses the view only when it matches.
--   * the columns of the original view are kept, in the same order, and
--     these are added after them:
--       successful_actions  results PROMISE_TO_PAY, PAYMENT_MADE, PARTIAL_PAYMENT
--       calls_placed        type CALL
--       calls_connected     type CALL, result other than NO_CONTACT
--       visits_completed    type VISIT, result other than NO_CONTACT
--       business_time_zone  the zone the months were cut in
--       refreshed_at        UTC start of the REFRESH statement that computed
--                           the row (statement_timestamp(), close to the
--                           snapshot the refresh reads, even inside a longer
--                           transaction); the API serves a month from the
--                           view only when it ended before that refresh
--   * still active agents only (WHERE a.is_active), as shipped.
-- The unique index uq_agent_performance_agent_year_month (0004) and every
-- other index on the view are captured from pg_indexes before the drop and
-- recreated, and so are the privileges granted on it (other services may
-- read the view).
--
-- Also adds idx_customer_collection_status_max_dpd (max_dpd DESC NULLS
-- LAST, cif) on customer_collection_status: the order of GET
-- reports/customer-collection-status, so that a page is an index scan.
--
-- Ordering: after 0004 (unique indexes) and 0006.
-- Idempotent: the view is recreated only when it lacks the column
-- business_time_zone; the index is created only when missing.  A second run
-- changes nothing.
-- Reverse: 0008_agent_performance_business_month_reverse.sql.
-- =============================================================================

DO $$
DECLARE
    v_view regclass := to_regclass('workflow_service.agent_performance');
    v_indexdefs text[] := '{}';
    v_grants text[] := '{}';
    v_def text;
BEGIN
    IF v_view IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = v_view AND attname = 'business_time_zone'
                      AND attnum > 0 AND NOT attisdropped) THEN
        RETURN;  -- already the business-month definition
    END IF;

    IF v_view IS NOT NULL THEN
        SELECT coalesce(array_agg(indexdef ORDER BY indexname), '{}') INTO v_indexdefs
          FROM pg_indexes
         WHERE schemaname = 'workflow_service' AND tablename = 'agent_performance';
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
    END IF;

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
        s.payments_received,
        s.successful_actions,
        s.calls_placed,
        s.calls_connected,
        s.visits_completed,
        z.business_time_zone,
        (statement_timestamp() AT TIME ZONE 'UTC') AS refreshed_at
    FROM (
        SELECT COALESCE(NULLIF(current_setting('workflow.business_time_zone', true), ''),
                        'Asia/Ho_Chi_Minh') AS business_time_zone
    ) z
    CROSS JOIN LATERAL (
        SELECT
            ar.agent_id,
            EXTRACT(YEAR FROM (ar.action_date AT TIME ZONE 'UTC')
                              AT TIME ZONE z.business_time_zone)::integer AS year,
            EXTRACT(MONTH FROM (ar.action_date AT TIME ZONE 'UTC')
                               AT TIME ZONE z.business_time_zone)::integer AS month,
            COUNT(*) AS total_actions,
            COUNT(DISTINCT ar.cif) AS total_customers,
            COUNT(*) FILTER (WHERE ar.action_result = 'PROMISE_TO_PAY') AS payment_promises,
            COUNT(*) FILTER (WHERE ar.action_result = 'PAYMENT_MADE') AS payments_received,
            COUNT(*) FILTER (WHERE ar.action_result IN ('PROMISE_TO_PAY', 'PAYMENT_MADE',
                                                        'PARTIAL_PAYMENT'))
                AS successful_actions,
            COUNT(*) FILTER (WHERE ar.type = 'CALL') AS calls_placed,
            COUNT(*) FILTER (WHERE ar.type = 'CALL' AND ar.action_result <> 'NO_CONTACT')
                AS calls_connected,
            COUNT(*) FILTER (WHERE ar.type = 'VISIT' AND ar.action_result <> 'NO_CONTACT')
                AS visits_completed
        FROM workflow_service.action_records ar
        GROUP BY 1, 2, 3
    ) s
    JOIN workflow_service.agents a ON a.id = s.agent_id
    WHERE a.is_active
    WITH DATA;
    COMMENT ON MATERIALIZED VIEW workflow_service.agent_performance IS
        'Agent performance per business month (workflow.business_time_zone at refresh time)';

    IF cardinality(v_indexdefs) = 0 THEN
        v_indexdefs := ARRAY['CREATE UNIQUE INDEX uq_agent_performance_agent_year_month '
                             'ON workflow_service.agent_performance (agent_id, year, month)'];
    END IF;
    FOREACH v_def IN ARRAY v_indexdefs LOOP
        BEGIN
            EXECUTE v_def;
        EXCEPTION WHEN undefined_column THEN
            RAISE NOTICE USING MESSAGE =
                'agent_performance: index not recreated (column gone): ' || v_def;
        END;
    END LOOP;
    FOREACH v_def IN ARRAY v_grants LOOP
        EXECUTE v_def;
    END LOOP;
END
$$;

CREATE INDEX IF NOT EXISTS idx_customer_collection_status_max_dpd
    ON workflow_service.customer_collection_status (max_dpd DESC NULLS LAST, cif);
