-- =============================================================================
-- 0001_baseline_reverse.sql -- drops everything 0001_baseline.sql created.
--
-- DEVELOPMENT / TESTS ONLY.  This destroys the bank's schemas and every row in
-- them.  The Python migration runs it only when a setting explicitly allows
-- it; production never runs it.
--
-- Ordering: last step of a full rollback (after the reverses of 0004, 0003,
-- 0002).  It is also safe on its own: the schemas go with CASCADE.
-- Idempotent: every drop is IF EXISTS; a second run does nothing.
--
-- Kept on purpose: the extensions pg_trgm, btree_gin and uuid-ossp (shared,
-- harmless, and other objects may use them).  public.uuid_generate_v4() is
-- dropped only when it is our stand-in (a plain function, not a member of the
-- uuid-ossp extension).  Enums and public.update_updated_at_column() are
-- dropped without CASCADE: if anything outside the baseline still uses them
-- the drop fails loudly instead of silently taking that object with it.
-- =============================================================================

DROP SCHEMA IF EXISTS workflow_service CASCADE;
DROP SCHEMA IF EXISTS bank_sync_service CASCADE;
DROP SCHEMA IF EXISTS auth_service CASCADE;

DROP FUNCTION IF EXISTS public.update_updated_at_column();

DROP TYPE IF EXISTS public.recovery_ability_status;
DROP TYPE IF EXISTS public.lending_violation_status;
DROP TYPE IF EXISTS public.processing_state_status;
DROP TYPE IF EXISTS public.collateral_status;
DROP TYPE IF EXISTS public.customer_status;
DROP TYPE IF EXISTS public.action_result;
DROP TYPE IF EXISTS public.action_subtype;
DROP TYPE IF EXISTS public.action_type;
DROP TYPE IF EXISTS public.agent_type;
DROP TYPE IF EXISTS public.loan_status;
DROP TYPE IF EXISTS public.customer_type;
DROP TYPE IF EXISTS public.source_system_type;

DO $$
DECLARE
    v_fn regprocedure := to_regprocedure('public.uuid_generate_v4()');
BEGIN
    IF v_fn IS NOT NULL
       AND NOT EXISTS (SELECT 1
                         FROM pg_depend
                        WHERE classid = 'pg_proc'::regclass
                          AND objid = v_fn
                          AND deptype = 'e') THEN
        DROP FUNCTION public.uuid_generate_v4();
    END IF;
END
$$;
