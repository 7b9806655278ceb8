-- =============================================================================
-- 0001_baseline.sql -- a faithful copy of the bank's existing schema
-- (DESIGN.md section 2), as created by the CRM's SQL init scripts.
--
-- Ordering: first of the chain 0001 -> 0002 -> 0003 -> 0004.
--
-- Purpose: build the bank's schema on an EMPTY database (development, tests).
-- On a database that already has it (production) this file is a complete
-- NO-OP: every object is created only when it is missing, checked in the
-- catalogs inside DO blocks, and nothing that exists is ever altered,
-- replaced or even locked:
--   * extensions, schemas, enums, functions, materialized views: created
--     only when absent (pg_extension / pg_namespace / pg_type / pg_proc /
--     pg_class);
--   * tables: created only when absent, TOGETHER WITH their constraints,
--     indexes, partitions, comments and triggers.  An existing table is
--     never touched (no CREATE INDEX IF NOT EXISTS either: that statement
--     needs table ownership and takes a SHARE lock even when the index
--     already exists).
-- Running it twice: the second run changes nothing and raises nothing.
--
-- Execution: one string, through psycopg 3 cursor.execute(sql) with no
-- parameters (or Django RunSQL).  No psql meta-commands, no percent signs.
--
-- Faithfulness notes (source: CollectionCRM init scripts 00-common,
-- 01-auth-service, 02-bank-sync-service, 04-workflow-service,
-- 05-functions-triggers, reconciled with DESIGN.md section 2):
--   * the assignment-history trigger is `track_customer_agent_assignments`
--     and runs `workflow_service.handle_customer_agent_assignment()`, the
--     ORIGINAL defective body (`<>` misses changes from/to NULL, dates from
--     CURRENT_DATE).  0003 fixes it.
--   * agents has no user_id here (0002 adds it), so the baseline
--     customer_collection_status view carries agent ids and names only.
--   * neither materialized view has a unique index (0004 adds them), so
--     refresh_workflow_materialized_views() fails as shipped.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- Extensions.  uuid-ossp where available; otherwise (e.g. the embedded
-- PostgreSQL 18 used in development) public.uuid_generate_v4() is a thin SQL
-- wrapper over the core gen_random_uuid(), so every `DEFAULT
-- uuid_generate_v4()` of the original scripts works unchanged.
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin') THEN
        CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'uuid-ossp')
       AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp')
       AND to_regprocedure('public.uuid_generate_v4()') IS NULL THEN
        CREATE EXTENSION IF NOT EXISTS "uuid-ossp" SCHEMA public;
    END IF;
    IF to_regprocedure('public.uuid_generate_v4()') IS NULL THEN
        CREATE FUNCTION public.uuid_generate_v4() RETURNS uuid
            LANGUAGE sql VOLATILE PARALLEL SAFE
            AS 'SELECT gen_random_uuid()';
        COMMENT ON FUNCTION public.uuid_generate_v4() IS
            'Stand-in for uuid-ossp uuid_generate_v4() where the extension is not available';
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- Schemas
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth_service') THEN
        CREATE SCHEMA auth_service;
        COMMENT ON SCHEMA auth_service IS 'Authentication and authorization related tables';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bank_sync_service') THEN
        CREATE SCHEMA bank_sync_service;
        COMMENT ON SCHEMA bank_sync_service IS 'Customer and loan-related tables synchronized from external systems';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'workflow_service') THEN
        CREATE SCHEMA workflow_service;
        COMMENT ON SCHEMA workflow_service IS 'Collection workflow-related tables including agents, actions, and cases';
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- Enums (schema public)
-- -----------------------------------------------------------------------------
DO $$
DECLARE
    v_missing text[];
BEGIN
    SELECT coalesce(array_agg(w.name), '{}') INTO v_missing
      FROM unnest(ARRAY[
               'source_system_type', 'customer_type', 'loan_status', 'agent_type',
               'action_type', 'action_subtype', 'action_result', 'customer_status',
               'collateral_status', 'processing_state_status', 'lending_violation_status',
               'recovery_ability_status']) AS w(name)
     WHERE NOT EXISTS (SELECT 1
                         FROM pg_type t
                         JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = 'public' AND t.typname = w.name);

    IF 'source_system_type' = ANY (v_missing) THEN
        CREATE TYPE public.source_system_type AS ENUM ('T24', 'W4', 'OTHER', 'CRM');
    END IF;
    IF 'customer_type' = ANY (v_missing) THEN
        CREATE TYPE public.customer_type AS ENUM ('INDIVIDUAL', 'ORGANIZATION');
    END IF;
    IF 'loan_status' = ANY (v_missing) THEN
        CREATE TYPE public.loan_status AS ENUM ('OPEN', 'CLOSED');
    END IF;
    IF 'agent_type' = ANY (v_missing) THEN
        CREATE TYPE public.agent_type AS ENUM ('AGENT', 'SUPERVISOR', 'ADMIN');
    END IF;
    IF 'action_type' = ANY (v_missing) THEN
        CREATE TYPE public.action_type AS ENUM ('CALL', 'VISIT', 'EMAIL', 'SMS', 'LETTER');
    END IF;
    IF 'action_subtype' = ANY (v_missing) THEN
        CREATE TYPE public.action_subtype AS ENUM (
            'REMINDER_CALL', 'FOLLOW_UP_CALL', 'FIELD_VISIT', 'COURTESY_CALL',
            'PAYMENT_REMINDER', 'DISPUTE_RESOLUTION');
    END IF;
    IF 'action_result' = ANY (v_missing) THEN
        CREATE TYPE public.action_result AS ENUM (
            'PROMISE_TO_PAY', 'PAYMENT_MADE', 'NO_CONTACT', 'REFUSED_TO_PAY', 'DISPUTE',
            'PARTIAL_PAYMENT', 'RESCHEDULED');
    END IF;
    IF 'customer_status' = ANY (v_missing) THEN
        CREATE TYPE public.customer_status AS ENUM (
            'ACTIVE', 'INACTIVE', 'COOPERATIVE', 'UNCOOPERATIVE', 'DISPUTED');
    END IF;
    IF 'collateral_status' = ANY (v_missing) THEN
        CREATE TYPE public.collateral_status AS ENUM (
            'SECURED', 'UNSECURED', 'PARTIAL', 'UNDER_REVIEW');
    END IF;
    IF 'processing_state_status' = ANY (v_missing) THEN
        CREATE TYPE public.processing_state_status AS ENUM (
            'IN_PROCESS', 'COMPLETED', 'PENDING', 'ESCALATED', 'ON_HOLD');
    END IF;
    IF 'lending_violation_status' = ANY (v_missing) THEN
        CREATE TYPE public.lending_violation_status AS ENUM ('NONE', 'MINOR', 'MAJOR', 'CRITICAL');
    END IF;
    IF 'recovery_ability_status' = ANY (v_missing) THEN
        CREATE TYPE public.recovery_ability_status AS ENUM (
            'HIGH', 'MEDIUM', 'LOW', 'NONE', 'UNKNOWN');
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- Functions (created only when missing: production's are never replaced)
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regprocedure('public.update_updated_at_column()') IS NULL THEN
        CREATE FUNCTION public.update_updated_at_column()
        RETURNS trigger
        LANGUAGE plpgsql
        AS $fn$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$fn$;
        COMMENT ON FUNCTION public.update_updated_at_column() IS
            'Automatically updates the updated_at column on record update';
    END IF;

    IF to_regprocedure('workflow_service.create_action_records_partition(integer, integer)') IS NULL THEN
        CREATE FUNCTION workflow_service.create_action_records_partition(p_year integer, p_quarter integer)
        RETURNS void
        LANGUAGE plpgsql
        AS $fn$
DECLARE
    v_start date;
    v_end date;
    v_name text;
BEGIN
    IF p_year IS NULL OR p_quarter IS NULL OR p_quarter < 1 OR p_quarter > 4 THEN
        RAISE EXCEPTION 'create_action_records_partition: year must be given and quarter must be 1 to 4';
    END IF;
    v_start := make_date(p_year, ((p_quarter - 1) * 3) + 1, 1);
    v_end := (v_start + interval '3 months')::date;
    v_name := 'action_records_' || p_year || '_q' || p_quarter;
    EXECUTE 'CREATE TABLE IF NOT EXISTS workflow_service.' || quote_ident(v_name)
         || ' PARTITION OF workflow_service.action_records FOR VALUES FROM ('
         || quote_literal(to_char(v_start, 'YYYY-MM-DD')) || ') TO ('
         || quote_literal(to_char(v_end, 'YYYY-MM-DD')) || ')';
END;
$fn$;
        COMMENT ON FUNCTION workflow_service.create_action_records_partition(integer, integer) IS
            'Creates a new quarterly partition for the action_records table';
    END IF;

    IF to_regprocedure('workflow_service.create_customer_agents_partition(integer, integer)') IS NULL THEN
        CREATE FUNCTION workflow_service.create_customer_agents_partition(p_year integer, p_quarter integer)
        RETURNS void
        LANGUAGE plpgsql
        AS $fn$
DECLARE
    v_start date;
    v_end date;
    v_name text;
BEGIN
    IF p_year IS NULL OR p_quarter IS NULL OR p_quarter < 1 OR p_quarter > 4 THEN
        RAISE EXCEPTION 'create_customer_agents_partition: year must be given and quarter must be 1 to 4';
    END IF;
    v_start := make_date(p_year, ((p_quarter - 1) * 3) + 1, 1);
    v_end := (v_start + interval '3 months')::date;
    v_name := 'customer_agents_' || p_year || '_q' || p_quarter;
    EXECUTE 'CREATE TABLE IF NOT EXISTS workflow_service.' || quote_ident(v_name)
         || ' PARTITION OF workflow_service.customer_agents FOR VALUES FROM ('
         || quote_literal(to_char(v_start, 'YYYY-MM-DD')) || ') TO ('
         || quote_literal(to_char(v_end, 'YYYY-MM-DD')) || ')';
END;
$fn$;
        COMMENT ON FUNCTION workflow_service.create_customer_agents_partition(integer, integer) IS
            'Creates a new quarterly partition for the customer_agents table';
    END IF;

    -- As shipped: REFRESH ... CONCURRENTLY, which fails until both views have
    -- a unique index (0004).
    IF to_regprocedure('workflow_service.refresh_workflow_materialized_views()') IS NULL THEN
        CREATE FUNCTION workflow_service.refresh_workflow_materialized_views()
        RETURNS void
        LANGUAGE plpgsql
        AS $fn$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY workflow_service.agent_performance;
    REFRESH MATERIALIZED VIEW CONCURRENTLY workflow_service.customer_collection_status;
END;
$fn$;
        COMMENT ON FUNCTION workflow_service.refresh_workflow_materialized_views() IS
            'Refreshes all workflow service materialized views';
    END IF;

    -- The ORIGINAL, defective body (kept verbatim in 0003_fix_assignment_trigger_reverse.sql):
    -- `<>` is NULL when either side is NULL, so a change from or to NULL is
    -- missed; dates come from CURRENT_DATE (the server's day, not the bank's).
    IF to_regprocedure('workflow_service.handle_customer_agent_assignment()') IS NULL THEN
        CREATE FUNCTION workflow_service.handle_customer_agent_assignment()
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
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- auth_service
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('auth_service.users') IS NULL THEN
        CREATE TABLE auth_service.users (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            username varchar(50) NOT NULL UNIQUE,
            email varchar(100) NOT NULL UNIQUE,
            password_hash varchar(255) NOT NULL,
            first_name varchar(100),
            last_name varchar(100),
            role varchar(50) NOT NULL,
            is_active boolean NOT NULL DEFAULT TRUE,
            created_at timestamp with time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp with time zone NOT NULL DEFAULT NOW()
        );
        COMMENT ON TABLE auth_service.users IS 'Stores user authentication and basic profile information';
        CREATE INDEX idx_users_role ON auth_service.users (role);
        CREATE TRIGGER update_users_updated_at
            BEFORE UPDATE ON auth_service.users
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;

    IF to_regclass('auth_service.roles') IS NULL THEN
        CREATE TABLE auth_service.roles (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            name varchar(50) NOT NULL UNIQUE,
            description text,
            created_at timestamp with time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp with time zone NOT NULL DEFAULT NOW()
        );
        COMMENT ON TABLE auth_service.roles IS 'Defines roles for role-based access control';
        CREATE TRIGGER update_roles_updated_at
            BEFORE UPDATE ON auth_service.roles
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;

    IF to_regclass('auth_service.permissions') IS NULL THEN
        CREATE TABLE auth_service.permissions (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            role_id uuid NOT NULL REFERENCES auth_service.roles (id) ON DELETE CASCADE,
            resource varchar(100) NOT NULL,
            action varchar(50) NOT NULL,
            created_at timestamp with time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp with time zone NOT NULL DEFAULT NOW(),
            UNIQUE (role_id, resource, action)
        );
        COMMENT ON TABLE auth_service.permissions IS 'Defines permissions for each role';
        CREATE INDEX idx_permissions_role_id ON auth_service.permissions (role_id);
        CREATE TRIGGER update_permissions_updated_at
            BEFORE UPDATE ON auth_service.permissions
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;

    IF to_regclass('auth_service.user_sessions') IS NULL THEN
        CREATE TABLE auth_service.user_sessions (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            user_id uuid NOT NULL REFERENCES auth_service.users (id) ON DELETE CASCADE,
            token varchar(255) NOT NULL UNIQUE,
            expires_at timestamp with time zone NOT NULL,
            created_at timestamp with time zone NOT NULL DEFAULT NOW(),
            last_activity_at timestamp with time zone,
            user_agent text,
            ip_address varchar(50)
        );
        COMMENT ON TABLE auth_service.user_sessions IS 'Tracks user login sessions';
        CREATE INDEX idx_user_sessions_user_id ON auth_service.user_sessions (user_id);
        CREATE INDEX idx_user_sessions_expires_at ON auth_service.user_sessions (expires_at);
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- bank_sync_service (owned by bank sync; read-only for the workflow)
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('bank_sync_service.customers') IS NULL THEN
        CREATE TABLE bank_sync_service.customers (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            cif varchar(20) NOT NULL UNIQUE,
            type public.customer_type NOT NULL,
            name varchar(100),
            date_of_birth date,
            national_id varchar(20),
            gender varchar(10),
            company_name varchar(100),
            registration_number varchar(20),
            tax_id varchar(20),
            segment varchar(50) NOT NULL,
            status varchar(10) NOT NULL,
            source_system public.source_system_type NOT NULL,
            created_by varchar(50) NOT NULL,
            updated_by varchar(50) NOT NULL,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            is_editable boolean NOT NULL DEFAULT FALSE,
            last_synced_at timestamp without time zone
        );
        COMMENT ON TABLE bank_sync_service.customers IS
            'Stores information about individual and organizational customers';
        CREATE INDEX idx_customers_national_id ON bank_sync_service.customers (national_id);
        CREATE INDEX idx_customers_registration_number ON bank_sync_service.customers (registration_number);
        CREATE INDEX idx_customers_segment ON bank_sync_service.customers (segment);
        CREATE INDEX idx_customers_status ON bank_sync_service.customers (status);
        CREATE INDEX idx_customers_type ON bank_sync_service.customers (type);
        CREATE TRIGGER update_customers_updated_at
            BEFORE UPDATE ON bank_sync_service.customers
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;

    IF to_regclass('bank_sync_service.loans') IS NULL THEN
        CREATE TABLE bank_sync_service.loans (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            account_number varchar(20) NOT NULL UNIQUE,
            cif varchar(20) NOT NULL,
            product_type varchar(20) NOT NULL,
            original_amount decimal(18,2) NOT NULL,
            currency varchar(3) NOT NULL,
            disbursement_date date NOT NULL,
            maturity_date date NOT NULL,
            interest_rate decimal(8,4) NOT NULL,
            term integer NOT NULL,
            payment_frequency varchar(20) NOT NULL,
            limit_amount decimal(18,2),
            outstanding decimal(18,2) NOT NULL,
            remaining_amount decimal(18,2) NOT NULL,
            due_amount decimal(18,2) NOT NULL,
            min_pay decimal(18,2),
            next_payment_date date NOT NULL,
            dpd integer NOT NULL,
            delinquency_status varchar(20) NOT NULL,
            status public.loan_status NOT NULL,
            close_date date,
            resolution_code varchar(20),
            resolution_notes text,
            source_system public.source_system_type NOT NULL,
            created_by varchar(50) NOT NULL,
            updated_by varchar(50) NOT NULL,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            is_editable boolean NOT NULL DEFAULT FALSE,
            last_synced_at timestamp without time zone,
            CONSTRAINT fk_customer_loan FOREIGN KEY (cif)
                REFERENCES bank_sync_service.customers (cif)
        );
        COMMENT ON TABLE bank_sync_service.loans IS 'Stores information about loans issued to customers';
        CREATE INDEX idx_loans_cif ON bank_sync_service.loans (cif);
        CREATE INDEX idx_loans_product_type ON bank_sync_service.loans (product_type);
        CREATE INDEX idx_loans_status ON bank_sync_service.loans (status);
        CREATE INDEX idx_loans_dpd ON bank_sync_service.loans (dpd);
        CREATE INDEX idx_loans_delinquency_status ON bank_sync_service.loans (delinquency_status);
        CREATE INDEX idx_loans_next_payment_date ON bank_sync_service.loans (next_payment_date);
        CREATE TRIGGER update_loans_updated_at
            BEFORE UPDATE ON bank_sync_service.loans
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- workflow_service.agents
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('workflow_service.agents') IS NULL THEN
        CREATE TABLE workflow_service.agents (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            employee_id varchar(20) NOT NULL UNIQUE,
            name varchar(100) NOT NULL,
            email varchar(100) NOT NULL UNIQUE,
            phone varchar(20),
            type public.agent_type NOT NULL,
            team varchar(30) NOT NULL,
            is_active boolean NOT NULL DEFAULT TRUE,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            created_by varchar(50),
            updated_by varchar(50)
        );
        COMMENT ON TABLE workflow_service.agents IS
            'Stores information about collection agents and their teams';
        CREATE INDEX idx_agents_team ON workflow_service.agents (team);
        CREATE INDEX idx_agents_type ON workflow_service.agents (type);
        CREATE INDEX idx_agents_is_active ON workflow_service.agents (is_active);
        CREATE TRIGGER update_agents_updated_at
            BEFORE UPDATE ON workflow_service.agents
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- workflow_service.action_records: RANGE-partitioned by action_date,
-- quarterly partitions for 2025 and 2026 plus historical / future catch-alls.
-- Indexes are declared on the parent (cascaded to every partition).
-- -----------------------------------------------------------------------------
DO $$
DECLARE
    v_part record;
BEGIN
    IF to_regclass('workflow_service.action_records') IS NULL THEN
        CREATE TABLE workflow_service.action_records (
            id uuid DEFAULT public.uuid_generate_v4(),
            cif varchar(20) NOT NULL,
            loan_account_number varchar(20) NOT NULL,
            agent_id uuid NOT NULL,
            type public.action_type NOT NULL,
            subtype public.action_subtype NOT NULL,
            action_result public.action_result NOT NULL,
            action_date timestamp without time zone NOT NULL,
            notes text,
            call_trace_id varchar(20),
            visit_latitude decimal(10,8),
            visit_longitude decimal(11,8),
            visit_address text,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            created_by varchar(50) NOT NULL,
            updated_by varchar(50) NOT NULL,
            PRIMARY KEY (id, action_date),
            CONSTRAINT fk_action_customer FOREIGN KEY (cif)
                REFERENCES bank_sync_service.customers (cif),
            CONSTRAINT fk_action_loan FOREIGN KEY (loan_account_number)
                REFERENCES bank_sync_service.loans (account_number),
            CONSTRAINT fk_action_agent FOREIGN KEY (agent_id)
                REFERENCES workflow_service.agents (id)
        ) PARTITION BY RANGE (action_date);
        COMMENT ON TABLE workflow_service.action_records IS 'Stores actions taken by collection agents';

        FOR v_part IN
            SELECT * FROM (VALUES
                ('action_records_2025_q1', '''2025-01-01''', '''2025-04-01'''),
                ('action_records_2025_q2', '''2025-04-01''', '''2025-07-01'''),
                ('action_records_2025_q3', '''2025-07-01''', '''2025-10-01'''),
                ('action_records_2025_q4', '''2025-10-01''', '''2026-01-01'''),
                ('action_records_2026_q1', '''2026-01-01''', '''2026-04-01'''),
                ('action_records_2026_q2', '''2026-04-01''', '''2026-07-01'''),
                ('action_records_2026_q3', '''2026-07-01''', '''2026-10-01'''),
                ('action_records_2026_q4', '''2026-10-01''', '''2027-01-01'''),
                ('action_records_historical', 'MINVALUE', '''2025-01-01'''),
                ('action_records_future', '''2027-01-01''', 'MAXVALUE')
            ) AS p(name, lower_bound, upper_bound)
        LOOP
            EXECUTE 'CREATE TABLE workflow_service.' || quote_ident(v_part.name)
                 || ' PARTITION OF workflow_service.action_records FOR VALUES FROM ('
                 || v_part.lower_bound || ') TO (' || v_part.upper_bound || ')';
        END LOOP;

        CREATE INDEX idx_action_records_cif ON workflow_service.action_records (cif);
        CREATE INDEX idx_action_records_loan_account_number
            ON workflow_service.action_records (loan_account_number);
        CREATE INDEX idx_action_records_agent_id ON workflow_service.action_records (agent_id);
        CREATE INDEX idx_action_records_type ON workflow_service.action_records (type);
        CREATE INDEX idx_action_records_action_date ON workflow_service.action_records (action_date);
        CREATE INDEX idx_action_records_action_result ON workflow_service.action_records (action_result);
        CREATE INDEX idx_action_records_cif_action_date
            ON workflow_service.action_records (cif, action_date);
        CREATE INDEX idx_action_records_loan_account_number_action_date
            ON workflow_service.action_records (loan_account_number, action_date);

        CREATE TRIGGER update_action_records_updated_at
            BEFORE UPDATE ON workflow_service.action_records
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- workflow_service.customer_agents: SCD type 2, RANGE-partitioned by
-- start_date, same partition layout as action_records.
-- -----------------------------------------------------------------------------
DO $$
DECLARE
    v_part record;
BEGIN
    IF to_regclass('workflow_service.customer_agents') IS NULL THEN
        CREATE TABLE workflow_service.customer_agents (
            id uuid DEFAULT public.uuid_generate_v4(),
            cif varchar(20) NOT NULL,
            assigned_call_agent_id uuid,
            assigned_field_agent_id uuid,
            start_date date NOT NULL,
            end_date date,
            is_current boolean NOT NULL DEFAULT TRUE,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            PRIMARY KEY (id, start_date),
            CONSTRAINT fk_customer_agent_customer FOREIGN KEY (cif)
                REFERENCES bank_sync_service.customers (cif),
            CONSTRAINT fk_customer_agent_call_agent FOREIGN KEY (assigned_call_agent_id)
                REFERENCES workflow_service.agents (id),
            CONSTRAINT fk_customer_agent_field_agent FOREIGN KEY (assigned_field_agent_id)
                REFERENCES workflow_service.agents (id)
        ) PARTITION BY RANGE (start_date);
        COMMENT ON TABLE workflow_service.customer_agents IS
            'Stores the assignment of customers to agents with historical tracking (SCD Type 2)';

        FOR v_part IN
            SELECT * FROM (VALUES
                ('customer_agents_2025_q1', '''2025-01-01''', '''2025-04-01'''),
                ('customer_agents_2025_q2', '''2025-04-01''', '''2025-07-01'''),
                ('customer_agents_2025_q3', '''2025-07-01''', '''2025-10-01'''),
                ('customer_agents_2025_q4', '''2025-10-01''', '''2026-01-01'''),
                ('customer_agents_2026_q1', '''2026-01-01''', '''2026-04-01'''),
                ('customer_agents_2026_q2', '''2026-04-01''', '''2026-07-01'''),
                ('customer_agents_2026_q3', '''2026-07-01''', '''2026-10-01'''),
                ('customer_agents_2026_q4', '''2026-10-01''', '''2027-01-01'''),
                ('customer_agents_historical', 'MINVALUE', '''2025-01-01'''),
                ('customer_agents_future', '''2027-01-01''', 'MAXVALUE')
            ) AS p(name, lower_bound, upper_bound)
        LOOP
            EXECUTE 'CREATE TABLE workflow_service.' || quote_ident(v_part.name)
                 || ' PARTITION OF workflow_service.customer_agents FOR VALUES FROM ('
                 || v_part.lower_bound || ') TO (' || v_part.upper_bound || ')';
        END LOOP;

        CREATE INDEX idx_customer_agents_cif ON workflow_service.customer_agents (cif);
        CREATE INDEX idx_customer_agents_assigned_call_agent_id
            ON workflow_service.customer_agents (assigned_call_agent_id);
        CREATE INDEX idx_customer_agents_assigned_field_agent_id
            ON workflow_service.customer_agents (assigned_field_agent_id);
        CREATE INDEX idx_customer_agents_is_current ON workflow_service.customer_agents (is_current);
        CREATE INDEX idx_customer_agents_cif_is_current
            ON workflow_service.customer_agents (cif, is_current);

        CREATE TRIGGER update_customer_agents_updated_at
            BEFORE UPDATE ON workflow_service.customer_agents
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- workflow_service.customer_cases: the current state of one customer.
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('workflow_service.customer_cases') IS NULL THEN
        CREATE TABLE workflow_service.customer_cases (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            cif varchar(20) NOT NULL UNIQUE,
            assigned_call_agent_id uuid,
            assigned_field_agent_id uuid,
            f_update timestamp without time zone,
            customer_status public.customer_status NOT NULL,
            collateral_status public.collateral_status NOT NULL,
            processing_state_status public.processing_state_status NOT NULL,
            lending_violation_status public.lending_violation_status NOT NULL,
            recovery_ability_status public.recovery_ability_status NOT NULL,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            created_by varchar(50),
            updated_by varchar(50),
            CONSTRAINT fk_customer_case_customer FOREIGN KEY (cif)
                REFERENCES bank_sync_service.customers (cif),
            CONSTRAINT fk_customer_case_call_agent FOREIGN KEY (assigned_call_agent_id)
                REFERENCES workflow_service.agents (id),
            CONSTRAINT fk_customer_case_field_agent FOREIGN KEY (assigned_field_agent_id)
                REFERENCES workflow_service.agents (id)
        );
        COMMENT ON TABLE workflow_service.customer_cases IS
            'Stores the current status of customers for strategy allocation';
        CREATE INDEX idx_customer_cases_assigned_call_agent_id
            ON workflow_service.customer_cases (assigned_call_agent_id);
        CREATE INDEX idx_customer_cases_assigned_field_agent_id
            ON workflow_service.customer_cases (assigned_field_agent_id);
        CREATE INDEX idx_customer_cases_f_update ON workflow_service.customer_cases (f_update);
        CREATE INDEX idx_customer_cases_customer_status
            ON workflow_service.customer_cases (customer_status);
        CREATE INDEX idx_customer_cases_processing_state_status
            ON workflow_service.customer_cases (processing_state_status);
        CREATE INDEX idx_customer_cases_recovery_ability_status
            ON workflow_service.customer_cases (recovery_ability_status);
        CREATE INDEX idx_customer_cases_status_composite
            ON workflow_service.customer_cases (customer_status, processing_state_status, recovery_ability_status);

        CREATE TRIGGER update_customer_cases_updated_at
            BEFORE UPDATE ON workflow_service.customer_cases
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
        CREATE TRIGGER track_customer_agent_assignments
            AFTER INSERT OR UPDATE OF assigned_call_agent_id, assigned_field_agent_id
            ON workflow_service.customer_cases
            FOR EACH ROW EXECUTE FUNCTION workflow_service.handle_customer_agent_assignment();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- workflow_service.customer_case_actions: the history of status inputs.
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('workflow_service.customer_case_actions') IS NULL THEN
        CREATE TABLE workflow_service.customer_case_actions (
            id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
            cif varchar(20) NOT NULL,
            agent_id uuid NOT NULL,
            action_date timestamp without time zone NOT NULL,
            notes text,
            customer_status public.customer_status,
            collateral_status public.collateral_status,
            processing_state_status public.processing_state_status,
            lending_violation_status public.lending_violation_status,
            recovery_ability_status public.recovery_ability_status,
            created_at timestamp without time zone NOT NULL DEFAULT NOW(),
            updated_at timestamp without time zone NOT NULL DEFAULT NOW(),
            created_by varchar(50) NOT NULL,
            updated_by varchar(50) NOT NULL,
            CONSTRAINT fk_customer_case_action_customer FOREIGN KEY (cif)
                REFERENCES bank_sync_service.customers (cif),
            CONSTRAINT fk_customer_case_action_agent FOREIGN KEY (agent_id)
                REFERENCES workflow_service.agents (id)
        );
        COMMENT ON TABLE workflow_service.customer_case_actions IS
            'Stores actions and status inputs from agents at the customer level';
        CREATE INDEX idx_customer_case_actions_cif ON workflow_service.customer_case_actions (cif);
        CREATE INDEX idx_customer_case_actions_agent_id
            ON workflow_service.customer_case_actions (agent_id);
        CREATE INDEX idx_customer_case_actions_action_date
            ON workflow_service.customer_case_actions (action_date);

        CREATE TRIGGER update_customer_case_actions_updated_at
            BEFORE UPDATE ON workflow_service.customer_case_actions
            FOR EACH ROW EXECUTE FUNCTION public.update_updated_at_column();
    END IF;
END
$$;


-- -----------------------------------------------------------------------------
-- Materialized views (WITH DATA, no unique index as shipped).
-- Aggregates are computed in subqueries so each view has exactly one row per
-- key: (agent_id, year, month) and cif.
-- NOTE: the customer_collection_status definition below is repeated verbatim
-- in 0002_agents_user_id_reverse.sql (keep them in sync).
-- -----------------------------------------------------------------------------
DO $$
BEGIN
    IF to_regclass('workflow_service.agent_performance') IS NULL THEN
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
    END IF;

    IF to_regclass('workflow_service.customer_collection_status') IS NULL THEN
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
    END IF;
END
$$;
