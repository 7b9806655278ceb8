-- =============================================================================
-- 0002_agents_user_id_reverse.sql -- undoes 0002_agents_user_id.sql.
--
-- Ordering: after 0004's and 0003's reverses, before 0001's reverse.
--   1. customer_collection_status goes back to the baseline definition
--      (without the agents' user ids) -- it must, before agents.user_id can be
--      dropped.  Indexes on the view are captured and recreated as in 0002.
--   2. drop uk_agents_user_id, idx_agents_user_id, fk_agents_user_id, then
--      the column agents.user_id (and with it every agent-to-user link).
-- Nothing is dropped with CASCADE: if something else still depends on
-- agents.user_id the reverse fails loudly instead of taking it along.
--
-- Idempotent: the view is recreated only when it still has a user_id column,
-- every drop is IF EXISTS.  A second run changes nothing.
-- =============================================================================

DO $$
DECLARE
    v_view regclass := to_regclass('workflow_service.customer_collection_status');
    v_indexdefs text[] := '{}';
    v_def text;
BEGIN
    IF v_view IS NULL OR to_regclass('workflow_service.agents') IS NULL THEN
        RETURN;  -- baseline already gone
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = v_view
                      AND attname IN ('assigned_call_agent_user_id', 'assigned_field_agent_user_id')
                      AND attnum > 0 AND NOT attisdropped) THEN
        RETURN;  -- already the baseline definition
    END IF;

    SELECT coalesce(array_agg(indexdef ORDER BY indexname), '{}') INTO v_indexdefs
      FROM pg_indexes
     WHERE schemaname = 'workflow_service' AND tablename = 'customer_collection_status';
    DROP MATERIALIZED VIEW workflow_service.customer_collection_status;

    -- Verbatim the baseline definition of 0001_baseline.sql.
    CREATE MATERIALIZED VIEW workflow_service.customer_collection_status AS
    SELECT
        c.id AS customer_id,
        c.cif,
        COALESCE(c.name, c.company_name) AS customer_name,
        c.segment,
        cc.customer_status,
        cc.collateral_status,
        cc.processing_state_status,
        cc.lending_violation_status,
        cc.recovery_ability_status,
        cc.assigned_call_agent_id,
        a_call.name AS assigned_call_agent_name,
        cc.assigned_field_agent_id,
        a_field.name AS assigned_field_agent_name,
        COALESCE(l.total_loans, 0) AS total_loans,
        COALESCE(l.total_outstanding, 0) AS total_outstanding,
        COALESCE(l.total_due_amount, 0) AS total_due_amount,
        l.max_dpd,
        COALESCE(ar.total_actions, 0) AS total_actions,
        ar.last_action_date
    FROM bank_sync_service.customers c
    LEFT JOIN workflow_service.customer_cases cc ON cc.cif = c.cif
    LEFT JOIN workflow_service.agents a_call ON a_call.id = cc.assigned_call_agent_id
    LEFT JOIN workflow_service.agents a_field ON a_field.id = cc.assigned_field_agent_id
    LEFT JOIN (
        SELECT
            loans.cif,
            COUNT(*) AS total_loans,
            SUM(loans.outstanding) AS total_outstanding,
            SUM(loans.due_amount) AS total_due_amount,
            MAX(loans.dpd) AS max_dpd
        FROM bank_sync_service.loans
        GROUP BY loans.cif
    ) l ON l.cif = c.cif
    LEFT JOIN (
        SELECT
            action_records.cif,
            COUNT(*) AS total_actions,
            MAX(action_records.action_date) AS last_action_date
        FROM workflow_service.action_records
        GROUP BY action_records.cif
    ) ar ON ar.cif = c.cif
    WITH DATA;
    COMMENT ON MATERIALIZED VIEW workflow_service.customer_collection_status IS
        'Provides customer collection status summary for reporting';

    FOREACH v_def IN ARRAY v_indexdefs LOOP
        BEGIN
            EXECUTE v_def;
        EXCEPTION WHEN undefined_column THEN
            RAISE NOTICE USING MESSAGE =
                'customer_collection_status: index not recreated (column gone): ' || v_def;
        END;
    END LOOP;
END
$$;

ALTER TABLE IF EXISTS workflow_service.agents DROP CONSTRAINT IF EXISTS uk_agents_user_id;
DROP INDEX IF EXISTS workflow_service.idx_agents_user_id;
ALTER TABLE IF EXISTS workflow_service.agents DROP CONSTRAINT IF EXISTS fk_agents_user_id;
ALTER TABLE IF EXISTS workflow_service.agents DROP COLUMN IF EXISTS user_id;
