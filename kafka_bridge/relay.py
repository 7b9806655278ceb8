"""The outbox relay: produce committed outbox rows to Kafka, in order per key.

:func:`relay_once` is one sweep. In a transaction it claims up to ``batch`` unpublished rows in
``id`` order with ``FOR UPDATE SKIP LOCKED`` (so the ``relay_outbox`` command and the Celery beat
sweep can run at the same time without publishing a row twice), produces them and waits for the
broker's acknowledgements, then marks the delivered rows published and records the error of
the others (``attempts``, ``last_error``); those stay unpublished and are retried by a later sweep.

Per-key order is strict: a row is produced only after every earlier row of its
``(topic, message_key)`` has been acknowledged.

* A sweep never claims a row while an earlier row of its key is unpublished and outside its
  batch (claimed by a concurrent sweep, or failed).
* Within a batch, the rows of one key go out in waves. Each wave holds at most one row per key
  and is flushed before the next wave starts.
* A key stops at its first failure. Its later rows wait for the next sweep.

Rows without a key have no order to keep.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from django.db import connection, transaction

from kafka_bridge import conf
from kafka_bridge.clients import Headers
from workflow.outbox import iso_z

logger = logging.getLogger(__name__)

_CLAIM_SQL = """
WITH batch AS (
    SELECT id, topic, message_key
    FROM workflow_service.outbox_events
    WHERE published_at IS NULL
    ORDER BY id
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
SELECT o.id, o.event_id, o.topic, o.message_key, o.payload, o.headers, o.created_at
FROM workflow_service.outbox_events o
JOIN batch b ON b.id = o.id
WHERE b.message_key IS NULL
   OR NOT EXISTS (
        SELECT 1 FROM workflow_service.outbox_events e
        WHERE e.published_at IS NULL
          AND e.topic = b.topic
          AND e.message_key = b.message_key
          AND e.id < b.id
          AND e.id NOT IN (SELECT id FROM batch))
ORDER BY o.id
"""


@dataclass
class _Row:
    id: int
    event_id: str
    topic: str
    key: str | None
    payload: dict[str, Any]
    headers: dict[str, str]
    created_at: dt.datetime


def _message_headers(row: _Row) -> Headers:
    timestamp = row.payload.get("timestamp")
    merged = {
        "content-type": "application/json",
        "event-id": row.event_id,
        "timestamp": timestamp if isinstance(timestamp, str) else iso_z(row.created_at),
        **row.headers,
    }
    return [(name, str(value).encode()) for name, value in merged.items()]


def _claim(batch: int) -> list[_Row]:
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [batch])
        rows = cursor.fetchall()
    result = []
    for id_, event_id, topic, key, payload, headers, created_at in rows:
        if isinstance(payload, str):  # jsonb comes back decoded with psycopg 3; be safe
            payload = json.loads(payload)
        if isinstance(headers, str):
            headers = json.loads(headers)
        result.append(
            _Row(
                id_,
                str(event_id),
                topic,
                key,
                payload,
                headers or {},
                created_at.replace(tzinfo=dt.UTC),  # the column holds UTC
            )
        )
    return result


class ProducerFatalError(Exception):
    """The producer must be replaced by a new one: librdkafka reported a fatal error, or the
    producer's idempotence state no longer matches the broker's. The sweep's bookkeeping was
    committed; the caller discards the producer and makes a new one."""


# Errors of a producer whose id, epoch or sequence numbers the broker does not (or no longer)
# accept, e.g. after a failover to a cluster that lost its state. librdkafka treats some as
# fatal and retries others internally until the message times out; a new producer (a new
# producer id) is the cure for all of them.
_STALE_PRODUCER_ERRORS = frozenset(
    {
        KafkaError._FATAL,
        KafkaError._FENCED,
        KafkaError.PRODUCER_FENCED,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
        KafkaError.INVALID_PRODUCER_ID_MAPPING,
    }
)


def _needs_new_producer(producer: Producer, errors: list[KafkaError | str]) -> bool:
    """Whether a sweep that delivered nothing failed because of the producer itself.

    A fatal or producer-state error says so directly. Delivery timeouts are ambiguous: the
    broker is down (a new producer would not help, and nothing is lost by keeping this one), or
    it answers but refuses this producer's id, which librdkafka keeps retrying until the message
    times out (measured with tansu restarted empty: UNKNOWN_PRODUCER_ID, epoch bumped, again,
    forever). A metadata request tells the two apart.
    """
    kafka_errors = [error for error in errors if isinstance(error, KafkaError)]
    if any(e.fatal() or e.code() in _STALE_PRODUCER_ERRORS for e in kafka_errors):
        return True
    if not kafka_errors or any(e.code() != KafkaError._MSG_TIMED_OUT for e in kafka_errors):
        return False
    try:
        producer.list_topics(timeout=2)
    except KafkaException:
        return False  # the broker is unreachable: keep the producer, retry later
    return True


def _produce_wave(
    producer: Producer, wave: list[_Row], timeout: float
) -> dict[int, KafkaError | str | None]:
    """Produce one row per key, wait for the acknowledgements; row id -> error (None = ok)."""
    results: dict[int, KafkaError | str | None] = {}

    def reporter(row_id: int) -> Any:
        def report(error: KafkaError | None, message: Message) -> None:
            results[row_id] = error

        return report

    for row in wave:
        value = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()
        while True:
            try:
                producer.produce(
                    row.topic,
                    value=value,
                    key=row.key.encode() if row.key is not None else None,
                    headers=_message_headers(row),
                    on_delivery=reporter(row.id),
                )
                break
            except BufferError:  # local queue full: serve delivery reports, then retry
                producer.poll(0.1)
            except KafkaException as exc:  # refused locally (e.g. message too large)
                results[row.id] = exc.args[0] if exc.args else str(exc)
                break
    remaining = producer.flush(timeout)
    if remaining:
        logger.warning("outbox relay: %s message(s) without delivery report", remaining)
    return {row.id: results.get(row.id, "no delivery report in time") for row in wave}


def relay_once(producer: Producer, *, batch: int | None = None) -> int:
    """One sweep: publish up to ``batch`` rows (default ``OUTBOX_RELAY_BATCH``) in order per
    key; return how many were delivered. A broker outage does not raise: failures stay in the
    table (``attempts``, ``last_error``) and are retried by the next sweep. A producer that must
    be replaced (fatal error, or refused by a broker that answers) raises
    :class:`ProducerFatalError` after the bookkeeping is committed."""
    size = batch if batch is not None else conf.relay_batch()
    # Long enough for librdkafka to report every message (it gives up after message.timeout.ms).
    timeout = conf.delivery_timeout_ms() / 1000 + 5
    delivered: list[int] = []
    failed: dict[int, str] = {}
    errors: list[KafkaError | str] = []
    fatal = False
    with transaction.atomic():
        rows = _claim(size)
        if not rows:
            return 0
        queues: OrderedDict[tuple[str, str | int], deque[_Row]] = OrderedDict()
        for row in rows:
            group = (row.topic, row.key if row.key is not None else row.id)
            queues.setdefault(group, deque()).append(row)
        started = time.monotonic()
        while queues:
            wave = [queue[0] for queue in queues.values()]
            outcome = _produce_wave(producer, wave, timeout)
            for group in list(queues):
                row = queues[group].popleft()
                error = outcome[row.id]
                if error is None:
                    delivered.append(row.id)
                    if not queues[group]:
                        del queues[group]
                else:
                    failed[row.id] = str(error)
                    errors.append(error)
                    fatal = fatal or (isinstance(error, KafkaError) and error.fatal())
                    del queues[group]  # the key's later rows wait for the next sweep
            if fatal:
                break
        with connection.cursor() as cursor:
            if delivered:
                cursor.execute(
                    """
                    UPDATE workflow_service.outbox_events
                    SET published_at = now() AT TIME ZONE 'UTC', attempts = attempts + 1
                    WHERE id = ANY(%s)
                    """,
                    [delivered],
                )
            if failed:
                cursor.execute(
                    """
                    UPDATE workflow_service.outbox_events o
                    SET attempts = o.attempts + 1, last_error = f.error
                    FROM unnest(%s::bigint[], %s::text[]) AS f(id, error)
                    WHERE o.id = f.id
                    """,
                    [list(failed), [error[:2000] for error in failed.values()]],
                )
    if fatal or (failed and not delivered and _needs_new_producer(producer, errors)):
        raise ProducerFatalError(next(iter(failed.values())))
    if failed:
        logger.warning(
            "outbox relay: %s event(s) not published, will retry",
            len(failed),
            extra={"first_error": next(iter(failed.values()))},
        )
    logger.debug(
        "outbox relay sweep",
        extra={
            "delivered": len(delivered),
            "failed": len(failed),
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return len(delivered)


def relay_pending(producer: Producer, *, batch: int | None = None, max_seconds: float = 60) -> int:
    """Sweep until the outbox has nothing publishable (a sweep delivers less than a full batch)
    or ``max_seconds`` have passed; return how many rows were delivered."""
    size = batch if batch is not None else conf.relay_batch()
    deadline = time.monotonic() + max_seconds
    total = 0
    while True:
        count = relay_once(producer, batch=size)
        total += count
        if count < size or time.monotonic() >= deadline:
            return total
