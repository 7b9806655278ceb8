"""Idempotency and ordering guards for consumed events.

* :func:`claim_event` records an event id in ``processed_events`` inside the handler's
  transaction: a redelivered event finds its id taken and is skipped; a handler that fails rolls
  back and releases the claim, so the event is tried again.
* :func:`advance_watermark` (and the read-only :func:`is_newer`) keep, per entity, the timestamp
  of the newest event applied, so an event that arrives after a newer one about the same entity
  can be ignored.
* :func:`purge_processed_events` forgets event ids older than the retention period.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection
from django.utils import timezone

from kafka_bridge import conf
from kafka_bridge.models import EventWatermark
from workflow.business_time import naive_utc


def claim_event(event_id: uuid.UUID | str, topic: str) -> bool:
    """Record ``event_id`` as processed; False when it already was (the event is a duplicate).

    Must run inside the transaction that applies the event (``transaction.atomic``); a
    concurrent claim of the same id waits for the first transaction and then returns False.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("claim_event() must run inside the handler's transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.processed_events (event_id, topic) VALUES (%s, %s) "
            "ON CONFLICT (event_id) DO NOTHING",
            [str(event_id), topic],
        )
        return cursor.rowcount == 1


def claim_events(events: list[tuple[uuid.UUID, str]]) -> set[uuid.UUID]:
    """:func:`claim_event` for many ``(event_id, topic)`` at once (one statement); return the
    ids claimed now (the others are duplicates)."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim_events() must run inside the handlers' transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.processed_events (event_id, topic) "
            "SELECT * FROM unnest(%s::uuid[], %s::text[]) "
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            [[str(event_id) for event_id, _ in events], [topic for _, topic in events]],
        )
        return {
            value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
            for (value,) in cursor.fetchall()
        }


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("watermark timestamps must be timezone-aware")
    return naive_utc(moment)


def is_newer(entity_type: str, key: str, timestamp: dt.datetime) -> bool:
    """Whether ``timestamp`` is after the newest event already applied to the entity
    (read-only; use :func:`advance_watermark` to check and record in one step)."""
    current = (
        EventWatermark.objects.filter(entity_type=entity_type, entity_key=key)
        .values_list("event_timestamp", flat=True)
        .first()
    )
    return current is None or timestamp > current


def advance_watermark(entity_type: str, key: str, timestamp: dt.datetime) -> bool:
    """Record ``timestamp`` as the entity's newest event if it is strictly newer; return whether
    it was. Call it in the handler's transaction and skip the event when it returns False."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.event_watermarks AS w
                (entity_type, entity_key, event_timestamp, updated_at)
            VALUES (%s, %s, %s, now() AT TIME ZONE 'UTC')
            ON CONFLICT (entity_type, entity_key) DO UPDATE
                SET event_timestamp = excluded.event_timestamp, updated_at = excluded.updated_at
                WHERE excluded.event_timestamp > w.event_timestamp
            """,
            [entity_type, key, _naive_utc(timestamp)],
        )
        return cursor.rowcount == 1


def purge_processed_events(*, older_than_days: int | None = None, chunk: int = 10_000) -> int:
    """Delete processed event ids older than the retention period (default
    ``PROCESSED_EVENTS_RETENTION_DAYS``), ``chunk`` rows per statement; return how many."""
    days = (
        older_than_days if older_than_days is not None else conf.processed_events_retention_days()
    )
    cutoff = _naive_utc(timezone.now() - dt.timedelta(days=days))
    total = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM workflow_service.processed_events
                WHERE event_id IN (SELECT event_id FROM workflow_service.processed_events
                                   WHERE processed_at < %s LIMIT %s)
                """,
                [cutoff, chunk],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < chunk:
            return total
