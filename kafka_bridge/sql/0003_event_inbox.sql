-- =============================================================================
-- 0003_event_inbox.sql -- the consumer's inbox of events not yet applied.
--
-- New table in workflow_service, owned by the Kafka bridge:
--   event_inbox  one row per consumed event that passed validation, written by
--                the consumer BEFORE it commits the event's Kafka offset, and
--                deleted by the lane worker in the same transaction that
--                applies the event (or dead-letters it).  A row left behind is
--                an event whose Celery hand-off was lost (a lane worker killed
--                after Redis gave it the task and before it recorded it as
--                unacknowledged): the consumer re-dispatches rows older than
--                KAFKA_INBOX_REDISPATCH_SECONDS.  event_id (the event's own id)
--                is unique, so a message read twice is recorded once; id
--                (bigserial) is the order in which the consumer read them, and
--                the worker applies one ordering key's rows in that order.
--
-- Timestamps are `timestamp without time zone` holding UTC, like the rest of
-- the schema.
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0003_event_inbox_reverse.sql (drops the table).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.event_inbox (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    topic varchar(200) NOT NULL,
    message_key varchar(200),
    ordering_key varchar(200) NOT NULL,
    kafka_partition integer,
    kafka_offset bigint,
    payload jsonb NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    dispatched_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    dispatches integer NOT NULL DEFAULT 1,
    CONSTRAINT uq_event_inbox_event_id UNIQUE (event_id)
);
COMMENT ON TABLE workflow_service.event_inbox IS
    'Consumed events recorded before their offset is committed, deleted once applied';
COMMENT ON COLUMN workflow_service.event_inbox.dispatched_at IS
    'When a Celery task for the row was last sent to its lane (UTC)';

-- The worker: the rows of one ordering key, in the order the consumer read them.
CREATE INDEX IF NOT EXISTS idx_event_inbox_ordering_key
    ON workflow_service.event_inbox (ordering_key, id);
-- The consumer's sweep: rows whose task was sent long ago.
CREATE INDEX IF NOT EXISTS idx_event_inbox_dispatched_at
    ON workflow_service.event_inbox (dispatched_at);
