-- =============================================================================
-- 0003_fix_assignment_trigger_reverse.sql -- undoes 0003_fix_assignment_trigger.sql.
--
-- Restores the shipped (defective) body of
-- workflow_service.handle_customer_agent_assignment() verbatim -- `<>` change
-- test that misses changes from/to NULL, CURRENT_DATE dates -- and its
-- original comment, and keeps trigger `track_customer_agent_assignments`
-- wired to it.
--
-- Ordering: after 0004's reverse, before 0002's reverse.
-- Idempotent: CREATE OR REPLACE with the same body; a re-run changes nothing.
-- The body below must stay byte-identical to the one in 0001_baseline.sql.
-- =============================================================================

CREATE OR REPLACE FUNCTION workflow_service.handle_customer_agent_assignment()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- If this is an update to an existing assignment
    IF TG_OP = 'UPDATE' THEN
        -- If the agent assignment has changed
        IF (NEW.assigned_call_agent_id <> OLD.assigned_call_agent_id OR
            NEW.assigned_field_agent_id <> OLD.assigned_field_agent_id) THEN

            -- Close the current record by setting end_date and is_current
            UPDATE workflow_service.customer_agents
            SET end_date = CURRENT_DATE, is_current = FALSE
            WHERE cif = NEW.cif AND is_current = TRUE;

            -- Insert a new record with the new assignment
            INSERT INTO workflow_service.customer_agents (
                cif,
                assigned_call_agent_id,
                assigned_field_agent_id,
                start_date,
                end_date,
                is_current
            ) VALUES (
                NEW.cif,
                NEW.assigned_call_agent_id,
                NEW.assigned_field_agent_id,
                CURRENT_DATE,
                NULL,
                TRUE
            );
        END IF;
    END IF;

    -- For new assignments
    IF TG_OP = 'INSERT' THEN
        -- Insert a new record in the customer_agents table
        INSERT INTO workflow_service.customer_agents (
            cif,
            assigned_call_agent_id,
            assigned_field_agent_id,
            start_date,
            end_date,
            is_current
        ) VALUES (
            NEW.cif,
            NEW.assigned_call_agent_id,
            NEW.assigned_field_agent_id,
            CURRENT_DATE,
            NULL,
            TRUE
        );
    END IF;

    RETURN NEW;
END;
$fn$;

COMMENT ON FUNCTION workflow_service.handle_customer_agent_assignment() IS
    'Maintains historical records of customer agent assignments';

-- Make sure the history trigger runs this function, exactly once per row.
-- Rewired only when it is not already so (re-runs change nothing).
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
          FROM pg_trigger
         WHERE tgrelid = 'workflow_service.customer_cases'::regclass
           AND tgname = 'track_customer_agent_assignments'
           AND tgfoid = 'workflow_service.handle_customer_agent_assignment()'::regprocedure
           -- FOR EACH ROW (1) + INSERT (4) + UPDATE (16), AFTER
           AND tgtype = 21
    ) THEN
        DROP TRIGGER IF EXISTS track_customer_agent_assignments ON workflow_service.customer_cases;
        CREATE TRIGGER track_customer_agent_assignments
            AFTER INSERT OR UPDATE OF assigned_call_agent_id, assigned_field_agent_id
            ON workflow_service.customer_cases
            FOR EACH ROW EXECUTE FUNCTION workflow_service.handle_customer_agent_assignment();
    END IF;
END
$$;
