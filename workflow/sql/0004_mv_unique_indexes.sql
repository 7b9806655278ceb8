-- =============================================================================
-- 0004_mv_unique_indexes.sql -- DESIGN.md section 3, item 5.
--
-- REFRESH MATERIALIZED VIEW CONCURRENTLY (used by
-- workflow_service.refresh_workflow_materialized_views()) needs a unique
-- index on plain columns, without WHERE clause, on each view:
--   uq_agent_performance_agent_year_month  ON agent_performance (agent_id, year, month)
--   uq_customer_collection_status_cif      ON customer_collection_status (cif)
-- and a populated view: a view that was never populated gets one plain
-- REFRESH here (the baseline creates both WITH DATA, so normally nothing).
--
-- Ordering: LAST of the chain, after 0002 (which drops and recreates
-- customer_collection_status, taking its indexes with it on a first run).
-- Idempotent: indexes created only when missing; a re-run changes nothing.
-- Reverse: 0004_mv_unique_indexes_reverse.sql.
-- =============================================================================

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_matviews
                    WHERE schemaname = 'workflow_service'
                      AND matviewname = 'agent_performance'
                      AND ispopulated) THEN
        REFRESH MATERIALIZED VIEW workflow_service.agent_performance;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_matviews
                    WHERE schemaname = 'workflow_service'
                      AND matviewname = 'customer_collection_status'
                      AND ispopulated) THEN
        REFRESH MATERIALIZED VIEW workflow_service.customer_collection_status;
    END IF;
END
$$;

CREATE UNIQUE INDEX IF NOT EXISTS uq_agent_performance_agent_year_month
    ON workflow_service.agent_performance (agent_id, year, month);

CREATE UNIQUE INDEX IF NOT EXISTS uq_customer_collection_status_cif
    ON workflow_service.customer_collection_status (cif);
