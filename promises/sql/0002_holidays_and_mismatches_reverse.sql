-- =============================================================================
-- 0002_holidays_and_mismatches_reverse.sql -- undoes 0002_holidays_and_mismatches.sql.
--
-- Drops promise_currency_mismatches and business_holidays: the reported
-- mismatches and the holiday calendar are lost (follow-ups then skip weekends
-- only).  Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.promise_currency_mismatches;
DROP TABLE IF EXISTS workflow_service.business_holidays;
