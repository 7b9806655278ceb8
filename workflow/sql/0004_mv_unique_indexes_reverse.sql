-- =============================================================================
-- 0004_mv_unique_indexes_reverse.sql -- undoes 0004_mv_unique_indexes.sql.
--
-- Drops the two unique indexes; refresh_workflow_materialized_views() then
-- fails again, as shipped.
-- Ordering: first of a rollback (before 0003's, 0002's, 0001's reverses).
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP INDEX IF EXISTS workflow_service.uq_customer_collection_status_cif;
DROP INDEX IF EXISTS workflow_service.uq_agent_performance_agent_year_month;
