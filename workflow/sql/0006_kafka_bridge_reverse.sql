-- =============================================================================
-- 0006_kafka_bridge_reverse.sql -- undoes 0006_kafka_bridge.sql.
--
-- Drops payments, event_watermarks, processed_events and outbox_events with
-- their indexes and constraints.  Unpublished outbox rows and stored
-- payments are lost: only roll back where that is acceptable.
-- Ordering: before the reverses of 0005..0001.
-- Idempotent: IF EXISTS; a re-run changes nothing.
-- =============================================================================

DROP TABLE IF EXISTS workflow_service.payments;
DROP TABLE IF EXISTS workflow_service.event_watermarks;
DROP TABLE IF EXISTS workflow_service.processed_events;
DROP TABLE IF EXISTS workflow_service.outbox_events;
