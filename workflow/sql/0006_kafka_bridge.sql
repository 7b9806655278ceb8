-- =============================================================================
-- 0006_kafka_bridge.sql -- the Kafka bridge's own tables (DESIGN.md section 5).
--
-- New tables in workflow_service, owned by this project (nothing else writes
-- them):
--   outbox_events     events to publish, written in the same transaction as
--                     the change they describe; the relay publishes them in
--                     id order and sets published_at.
--                     Partial indexes: idx_outbox_events_unpublished (id) and
--                     idx_outbox_events_unpublished_key (topic, message_key,
--                     id), both WHERE published_at IS NULL; plus
--                     idx_outbox_events_published_at for the retention purge.
--   processed_events  the event ids a handler has applied (idempotency);
--                     index idx_processed_events_processed_at for retention.
--   event_watermarks  per entity, the timestamp of the newest event applied
--                     (protection against events that arrive out of order).
--   payments          payments reported by the payment service, attributed
--                     to the call and field agent assigned to the customer on
--                     the business day of the payment.  payment_id (the
--                     payment service's id) is unique.  Deliberately NO
--                     foreign key to bank_sync_service customers or loans: a
--                     payment can arrive before bank sync knows the loan, and
--                     it is stored (and attributed by cif) all the same.
--                     Agent ids reference workflow_service.agents.
--
-- Timestamps are `timestamp without time zone` holding UTC, like the rest of
-- the schema; defaults use (now() AT TIME ZONE 'UTC') so that they are UTC
-- whatever the session time zone of the writer.
--
-- Ordering: after 0001 (needs the workflow_service schema, agents and
-- public.uuid_generate_v4()); independent of 0002-0005.
-- Idempotent: IF NOT EXISTS everywhere; a re-run changes nothing.
-- Reverse: 0006_kafka_bridge_reverse.sql (drops the four tables).
-- =============================================================================

CREATE TABLE IF NOT EXISTS workflow_service.outbox_events (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    topic varchar(200) NOT NULL,
    message_key varchar(200),
    payload jsonb NOT NULL,
    headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    published_at timestamp NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    CONSTRAINT uk_outbox_events_event_id UNIQUE (event_id)
);
COMMENT ON TABLE workflow_service.outbox_events IS
    'Transactional outbox: events written with the change they describe, published to Kafka by the relay';
COMMENT ON COLUMN workflow_service.outbox_events.message_key IS
    'Kafka message key; events of one key are published in id order';
COMMENT ON COLUMN workflow_service.outbox_events.published_at IS
    'When the broker acknowledged the event (UTC); NULL while waiting to be published';
COMMENT ON COLUMN workflow_service.outbox_events.attempts IS
    'Produce attempts so far (successful or not)';

CREATE INDEX IF NOT EXISTS idx_outbox_events_unpublished
    ON workflow_service.outbox_events (id)
    WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_outbox_events_unpublished_key
    ON workflow_service.outbox_events (topic, message_key, id)
    WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_outbox_events_published_at
    ON workflow_service.outbox_events (published_at)
    WHERE published_at IS NOT NULL;


CREATE TABLE IF NOT EXISTS workflow_service.processed_events (
    event_id uuid PRIMARY KEY,
    topic varchar(200) NOT NULL,
    processed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
COMMENT ON TABLE workflow_service.processed_events IS
    'Ids of consumed events already applied; a redelivered event is skipped';

CREATE INDEX IF NOT EXISTS idx_processed_events_processed_at
    ON workflow_service.processed_events (processed_at);


CREATE TABLE IF NOT EXISTS workflow_service.event_watermarks (
    entity_type varchar(50) NOT NULL,
    entity_key varchar(200) NOT NULL,
    event_timestamp timestamp NOT NULL,
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    PRIMARY KEY (entity_type, entity_key)
);
COMMENT ON TABLE workflow_service.event_watermarks IS
    'Per entity, the timestamp of the newest consumed event applied to it (out-of-order protection)';


CREATE TABLE IF NOT EXISTS workflow_service.payments (
    id uuid PRIMARY KEY DEFAULT public.uuid_generate_v4(),
    payment_id varchar(64) NOT NULL,
    reference_number varchar(100),
    loan_account_number varchar(20),
    cif varchar(20),
    amount numeric(18, 2) NOT NULL,
    currency varchar(3),
    payment_date timestamp NOT NULL,
    payment_channel varchar(50),
    call_agent_id uuid,
    field_agent_id uuid,
    event_id uuid,
    source varchar(100),
    received_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    raw jsonb NOT NULL,
    CONSTRAINT uk_payments_payment_id UNIQUE (payment_id),
    CONSTRAINT fk_payments_call_agent_id FOREIGN KEY (call_agent_id)
        REFERENCES workflow_service.agents (id),
    CONSTRAINT fk_payments_field_agent_id FOREIGN KEY (field_agent_id)
        REFERENCES workflow_service.agents (id)
);
COMMENT ON TABLE workflow_service.payments IS
    'Payments from the payment service, attributed to the agents assigned on the payment''s business day';
COMMENT ON COLUMN workflow_service.payments.payment_id IS
    'The payment service''s id of the payment (idempotency key)';
COMMENT ON COLUMN workflow_service.payments.cif IS
    'Customer of the payment; no foreign key: the payment may arrive before bank sync has the customer';
COMMENT ON COLUMN workflow_service.payments.loan_account_number IS
    'Loan paid; no foreign key: the payment may arrive before bank sync has the loan';
COMMENT ON COLUMN workflow_service.payments.call_agent_id IS
    'Call agent assigned to the customer on the business day of payment_date (NULL if none)';
COMMENT ON COLUMN workflow_service.payments.field_agent_id IS
    'Field agent assigned to the customer on the business day of payment_date (NULL if none)';
COMMENT ON COLUMN workflow_service.payments.raw IS
    'The event as received';

CREATE INDEX IF NOT EXISTS idx_payments_call_agent_id_payment_date
    ON workflow_service.payments (call_agent_id, payment_date);
CREATE INDEX IF NOT EXISTS idx_payments_field_agent_id_payment_date
    ON workflow_service.payments (field_agent_id, payment_date);
CREATE INDEX IF NOT EXISTS idx_payments_cif
    ON workflow_service.payments (cif);
CREATE INDEX IF NOT EXISTS idx_payments_loan_account_number
    ON workflow_service.payments (loan_account_number);
