-- =============================================================================
-- 0001_payment_promises_reverse.sql -- undoes 0001_payment_promises.sql.
--
-- Drops promise_appropriations, payment_promises and promise_types with their
-- indexes and constraints.  Every promise and its history is lost.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.promise_appropriations;
DROP TABLE IF EXISTS workflow_service.payment_promises;
DROP TABLE IF EXISTS workflow_service.promise_types;
