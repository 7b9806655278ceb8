-- =============================================================================
-- 0002_agents_user_id.sql -- DESIGN.md section 3, item 1.
--
--   workflow_service.agents.user_id uuid NULL
--     -> auth_service.users(id) ON DELETE SET NULL   (constraint fk_agents_user_id)
--     index idx_agents_user_id, unique constraint uk_agents_user_id
--   workflow_service.customer_collection_status recreated with
--     assigned_call_agent_user_id and assigned_field_agent_user_id.
--
-- Ordering: after 0001 (needs agents, users and the view), before 0003 and
-- 0004.  0004 adds the views' unique indexes AFTER this file because
-- recreating the view drops its indexes.  Should this file ever recreate the
-- view on a database that already has indexes on it (e.g. 0004 applied by
-- hand, or production's own indexes), those indexes are captured from
-- pg_indexes before the drop and recreated afterwards; one whose column no
-- longer exists is skipped with a NOTICE.  The later "user_id NOT NULL" step
-- (section 3, item 3) must run after this file; it may change the delete rule
-- of fk_agents_user_id to RESTRICT, which this file leaves alone on a re-run.
--
-- Idempotent: each piece is created only when missing (catalog checks in DO
-- blocks), and the view is recreated only when it lacks one of the two
-- user_id columns.  A second run changes nothing.  The user_id column stays
-- NULL for every agent: linking agents to users is a separate data step
-- (manage.py link_agents_to_users).
--
-- Reverse: 0002_agents_user_id_reverse.sql.
-- =============================================================================

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1
                     FROM pg_attribute
                    WHERE attrelid = 'workflow_service.agents'::regclass
                      AND attname = 'user_id'
                      AND attnum > 0
                      AND NOT attisdropped) THEN
        ALTER TABLE workflow_service.agents ADD COLUMN user_id uuid NULL;
        COMMENT ON COLUMN workflow_service.agents.user_id IS
            'The auth_service.users login of this agent (NULL until linked)';
    END IF;

    IF NOT EXISTS (SELECT 1
                     FROM pg_constraint
                    WHERE conrelid = 'workflow_service.agents'::regclass
                      AND conname = 'fk_agents_user_id') THEN
        ALTER TABLE workflow_service.agents
            ADD CONSTRAINT fk_agents_user_id FOREIGN KEY (user_id)
            REFERENCES auth_service.users (id) ON DELETE SET NULL;
    END IF;

    IF to_regclass('workflow_service.idx_agents_user_id') IS NULL THEN
        CREATE INDEX idx_agents_user_id ON workflow_service.agents (user_id);
    END IF;

    IF NOT EXISTS (SELECT 1
                     FROM pg_constraint
                    WHERE conrelid = 'workflow_service.agents'::regclass
                      AND conname = 'uk_agents_user_id') THEN
        ALTER TABLE workflow_service.agents
            ADD CONSTRAINT uk_agents_user_id UNIQUE (user_id);
    END IF;
END
$$;


-- customer_collection_status with the agents' user ids.
DO $$
DECLARE
    v_view regclass := to_regclass('workflow_service.customer_collection_status');
    v_indexdefs text[] := '{}';
    v_def text;
BEGIN
    IF v_view IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = v_view AND attname = 'assigned_call_agent_user_id'
                      AND attnum > 0 AND NOT attisdropped)
       AND EXISTS (SELECT 1 FROM pg_attribute
                    WHERE attrelid = v_view AND attname = 'assigned_field_agent_user_id'
                      AND attnum > 0 AND NOT attisdropped) THEN
        RETURN;  -- already the phase-1 definition
    END IF;

    IF v_view IS NOT NULL THEN
        SELECT coalesce(array_agg(indexdef ORDER BY indexname), '{}') INTO v_indexdefs
          FROM pg_indexes
         WHERE schemaname = 'workflow_service' AND tablename = 'customer_collection_status';
        DROP MATERIALIZED VIEW workflow_service.customer_collection_status;
    END IF;

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
        a_call.user_id AS assigned_call_agent_user_id,
        cc.assigned_field_agent_id,
        a_field.name AS assigned_field_agent_name,
        a_field.user_id AS assigned_field_agent_user_id,
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
