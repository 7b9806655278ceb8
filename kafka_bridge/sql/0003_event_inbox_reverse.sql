-- =============================================================================
-- 0003_event_inbox_reverse.sql -- undoes 0003_event_inbox.sql.
--
-- Drops workflow_service.event_inbox with its indexes.  Rows still in it are
-- events whose offsets were committed but which were not applied yet: reverse
-- only after `SELECT count(*) FROM workflow_service.event_inbox` is 0.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.event_inbox;
