"""Celery tasks of the Kafka bridge.

* ``handle_events``: apply a lane's consumed events, in batches (sent by ``consume_events`` to a
  lane queue);
* ``handle_event``: apply one consumed event (what ``consume_events`` sent before batches; kept
  for the tasks still queued when a deployment switches);
* ``relay_outbox``: a beat sweep of the outbox relay (safe next to ``manage.py relay_outbox``);
* ``purge_processed_events`` and ``purge_published_outbox``: daily retention.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import shared_task
from confluent_kafka import Producer
from django.db import close_old_connections, connection

from kafka_bridge import idempotency, relay
from kafka_bridge.clients import make_producer
from kafka_bridge.processing import apply_event, apply_inbox, apply_inbox_batch
from workflow import outbox

logger = logging.getLogger(__name__)


@shared_task(name="kafka_bridge.tasks.handle_event", ignore_result=True, acks_late=True)
def handle_event(
    *,
    topic: str,
    key: str | None,
    payload: dict[str, Any],
    headers: dict[str, str],
    partition: int | None = None,
    offset: int | None = None,
    inbox_id: int | None = None,
) -> str:
    """Apply one validated event of ``topic``: idempotent on its event id, retried in place,
    dead-lettered (through the outbox) when it can never succeed. With ``inbox_id`` (every task
    the consumer sends), the event is read from its inbox row, after the older rows of its key
    (kafka_bridge.inbox); tasks queued without one apply the payload they carry."""
    # Django's per-request connection upkeep (CONN_MAX_AGE, health checks, broken connections),
    # for workers that keep connections between tasks (CELERY_DB_REUSE_MAX). Not inside a
    # transaction (an eager call from a caller's transaction must keep its connection).
    if not connection.in_atomic_block:
        close_old_connections()
    if inbox_id is not None:
        return apply_inbox(inbox_id)
    return apply_event(
        topic=topic,
        key=key,
        payload=payload,
        headers=headers,
        partition=partition,
        offset=offset,
    )


@shared_task(name="kafka_bridge.tasks.handle_events", ignore_result=True, acks_late=True)
def handle_events(*, inbox_ids: list[int]) -> dict[str, int]:
    """Apply the inbox rows ``inbox_ids`` of one lane and the older rows of their keys, in
    order, ``KAFKA_HANDLER_BATCH_SIZE`` per transaction (``processing.apply_inbox_batch``);
    return how many events had each outcome."""
    if not connection.in_atomic_block:  # as in handle_event
        close_old_connections()
    return apply_inbox_batch(inbox_ids)


# One producer per worker process, created on first use (librdkafka does not survive a fork).
_producer: Producer | None = None
_producer_lock = threading.Lock()


def _relay_producer() -> Producer:
    global _producer
    with _producer_lock:
        if _producer is None:
            _producer = make_producer()
        return _producer


@shared_task(name="kafka_bridge.tasks.relay_outbox", ignore_result=True)
def relay_outbox(*, max_seconds: float = 20.0) -> int:
    """Publish pending outbox rows for at most ``max_seconds``; return how many."""
    global _producer
    try:
        count = relay.relay_pending(_relay_producer(), max_seconds=max_seconds)
    except relay.ProducerFatalError:
        _producer = None  # the next sweep makes a new one
        raise
    if count:
        logger.info("outbox relay sweep published %s event(s)", count)
    return count


@shared_task(name="kafka_bridge.tasks.purge_processed_events", ignore_result=True)
def purge_processed_events() -> int:
    """Forget processed event ids older than ``PROCESSED_EVENTS_RETENTION_DAYS``."""
    count = idempotency.purge_processed_events()
    logger.info("purged %s processed event id(s)", count)
    return count


@shared_task(name="kafka_bridge.tasks.purge_published_outbox", ignore_result=True)
def purge_published_outbox() -> int:
    """Delete outbox rows published more than ``OUTBOX_RETENTION_DAYS`` ago."""
    count = outbox.purge_published_outbox()
    logger.info("purged %s published outbox row(s)", count)
    return count
