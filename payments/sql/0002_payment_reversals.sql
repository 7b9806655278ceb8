-- =============================================================================
-- 0002_payment_reversals.sql -- payments the payment service (or a supervisor)
-- reversed.
--
-- New table in workflow_service, owned by this project (app `payments`):
--   payment_reversals  one row per reversed payment (payment_id is the key, so
--                      a redelivered reversal adds nothing): when, why, who
--                      (the payment service's event id, or the supervisor).
--                      No foreign key to payments: a reversal may arrive
--                      before its payment; the payment is then never applied
--                      to promises.
--
-- Timestamps are `timestamp without time zone` holding UTC.
-- Idempotent: IF NOT EXISTS; a re-run changes nothing.
-- Reverse: 0002_payment_reversals_reverse.sql.
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.payment_reversals (
    payment_id varchar(64) PRIMARY KEY,
    reversed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    reason text,
    event_id uuid,
    reversed_by varchar(50) NOT NULL
);
COMMENT ON TABLE workflow_service.payment_reversals IS
    'Reversed payments: their promise appropriations no longer count';
