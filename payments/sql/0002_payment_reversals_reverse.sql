-- =============================================================================
-- 0002_payment_reversals_reverse.sql -- undoes 0002_payment_reversals.sql.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.payment_reversals;
