-- =============================================================================
-- 0003_fix_assignment_trigger.sql -- DESIGN.md section 3, items 4 and 7.
--
-- Replaces the body of workflow_service.handle_customer_agent_assignment(),
-- the function run by trigger `track_customer_agent_assignments` (AFTER
-- INSERT OR UPDATE OF assigned_call_agent_id, assigned_field_agent_id ON
-- workflow_service.customer_cases, FOR EACH ROW):
--   * the change test uses IS DISTINCT FROM for both agent columns, so a
--     change from or to NULL is recorded (the shipped `<>` missed it);
--   * start/end dates are the bank's business day, not the server's
--     CURRENT_DATE:
--       (now() AT TIME ZONE COALESCE(NULLIF(
--            current_setting('workflow.business_time_zone', true), ''),
--            'Asia/Ho_Chi_Minh'))::date
--     The Django project sets `workflow.business_time_zone` (from the
--     BUSINESS_TIME_ZONE setting) on its connections; other writers get the
--     default.  An invalid zone name makes the write fail loudly.
--   * every real change writes exactly ONE new history row: the current row
--     of the customer is closed (end_date = business day, is_current =
--     false) and a new current row is inserted (start_date = business day).
--     Two changes on the same business day give a closed row whose start and
--     end are that day, plus the new current row; (id, start_date) stays
--     unique because ids differ.  An UPDATE that sets the columns to the
--     values they already have writes nothing.
--   * on INSERT of a case, any row still current for that cif (left over
--     from a deleted case) is closed first, so a customer never has two
--     current rows.
-- The trigger is (re)wired to this function only if it is not already
-- (production's trigger keeps its name); a re-run changes nothing.
--
-- Ordering: after 0001 (and 0002, which it does not depend on); before 0004.
-- Idempotent: CREATE OR REPLACE with the same body; trigger rewired only
-- when needed.  Reverse: 0003_fix_assignment_trigger_reverse.sql restores the
-- shipped body (`<>`, CURRENT_DATE).
-- =============================================================================

CREATE OR REPLACE FUNCTION workflow_service.handle_customer_agent_assignment()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_business_date date;
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.assigned_call_agent_id IS NOT DISTINCT FROM OLD.assigned_call_agent_id
       AND NEW.assigned_field_agent_id IS NOT DISTINCT FROM OLD.assigned_field_agent_id THEN
        RETURN NEW;  -- no change of assignment: no history
    END IF;

    -- The bank's business day (DESIGN.md section 3, item 7).
    v_business_date := (now() AT TIME ZONE COALESCE(
        NULLIF(current_setting('workflow.business_time_zone', true), ''),
        'Asia/Ho_Chi_Minh'))::date;

    -- Close the current assignment of this customer.
    UPDATE workflow_service.customer_agents
       SET end_date = v_business_date,
           is_current = FALSE
     WHERE cif = NEW.cif
       AND is_current;

    -- Open the new current assignment.
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
        v_business_date,
        NULL,
        TRUE
    );

    RETURN NEW;
END;
$fn$;

COMMENT ON FUNCTION workflow_service.handle_customer_agent_assignment() IS
    'Maintains historical records of customer agent assignments (IS DISTINCT FROM, business-day dates)';

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
