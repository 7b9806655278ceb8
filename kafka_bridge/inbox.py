"""The inbox: consumed events recorded in PostgreSQL before their Kafka offset is committed.

Why: the Celery hand-off alone is not durable. kombu's Redis transport takes a task off its
queue with ``BRPOP`` (the task is then gone from Redis) and only afterwards records it in the
``unacked`` hash that ``acks_late`` and the visibility timeout rely on. A lane worker killed
between the two (SIGKILL, OOM, node lost), or whose connection dies with a ``BRPOP`` reply in
flight, loses the task: it is in no queue and not unacknowledged, while the consumer has already
committed the offset. So the consumer commits an offset only once the event is a row here
(:func:`record`), and the Celery task is only a nudge.

* The consumer inserts the row (one per event id), then sends ``handle_event`` with the row's id
  to the key's lane, then commits the offset.
* The lane worker applies the rows of the event's ordering key up to that id, oldest first
  (:func:`pending_through`), each in one transaction that deletes the row (:func:`take`),
  claims the event id and runs the handler (or dead-letters it). A row is gone exactly when its
  event was applied, found a duplicate, or dead-lettered.
* A task that was lost is made good by the next task of the same key (it applies the older
  row first, so order is kept) or, for the last event of a key, by the consumer's sweep
  (:func:`claim_stale`), which sends a new task for every key with a row older than
  ``KAFKA_INBOX_REDISPATCH_SECONDS``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection

from kafka_bridge import conf

_COLUMNS = (
    "id, event_id, topic, message_key, ordering_key, kafka_partition, kafka_offset, payload, "
    "headers"
)


@dataclass(frozen=True)
class InboxRow:
    """One event waiting to be applied."""

    id: int
    event_id: uuid.UUID
    topic: str
    key: str | None
    ordering_key: str
    partition: int | None
    offset: int | None
    payload: dict[str, Any]
    headers: dict[str, str]


def _row(values: tuple[Any, ...]) -> InboxRow:
    inbox_id, event_id, topic, key, ordering_key, partition, offset, payload, headers = values
    return InboxRow(
        id=int(inbox_id),
        event_id=event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id)),
        topic=topic,
        key=key,
        ordering_key=ordering_key,
        partition=partition,
        offset=offset,
        payload=json.loads(payload) if isinstance(payload, str | bytes) else payload,
        headers=json.loads(headers) if isinstance(headers, str | bytes) else dict(headers),
    )


def record(
    *,
    event_id: uuid.UUID,
    topic: str,
    key: str | None,
    ordering_key: str,
    partition: int | None,
    offset: int | None,
    payload: Mapping[str, Any],
    headers: Mapping[str, str],
) -> int:
    """Record a consumed event (committed when this returns: call it outside a transaction);
    return its row id. An event recorded already (a message read again) keeps its row and its
    place in its key's order; the row counts one more dispatch."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.event_inbox AS i
                (event_id, topic, message_key, ordering_key, kafka_partition, kafka_offset,
                 payload, headers)
            VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)
            ON CONFLICT (event_id) DO UPDATE
                SET dispatched_at = now() AT TIME ZONE 'UTC', dispatches = i.dispatches + 1
            RETURNING id
            """,
            [
                str(event_id),
                topic,
                key,
                ordering_key[:200],
                partition,
                offset,
                json.dumps(payload),
                json.dumps(dict(headers)),
            ],
        )
        return int(cursor.fetchone()[0])


def pending_through(inbox_id: int, *, limit: int = 1000) -> list[InboxRow]:
    """The rows of ``inbox_id``'s ordering key up to and including it, oldest first; empty when
    that row is gone (its event was handled by an earlier task of the key)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {_COLUMNS} FROM workflow_service.event_inbox
            WHERE ordering_key = (SELECT ordering_key FROM workflow_service.event_inbox
                                  WHERE id = %s)
              AND id <= %s
            ORDER BY id
            LIMIT %s
            """,
            [inbox_id, inbox_id, limit],
        )
        return [_row(values) for values in cursor.fetchall()]


def take(inbox_id: int) -> bool:
    """Delete the row inside the transaction that handles its event; False when it was gone
    already (another task handled the event: do nothing). The row lock makes a concurrent
    task wait for this transaction, and the row comes back if it rolls back."""
    if not connection.in_atomic_block:
        raise RuntimeError("inbox.take() must run inside the transaction that handles the event")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflow_service.event_inbox WHERE id = %s", [inbox_id])
        return cursor.rowcount == 1


def claim_stale(
    topics: list[str], *, older_than: float | None = None, limit: int = 500
) -> list[InboxRow]:
    """For at most ``limit`` ordering keys of ``topics`` with a row dispatched more than
    ``older_than`` seconds ago (default ``KAFKA_INBOX_REDISPATCH_SECONDS``): mark every row of
    the key dispatched now, and return the key's newest row (a task for it applies them all)."""
    seconds = conf.inbox_redispatch_seconds() if older_than is None else older_than
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH stale AS (
                SELECT DISTINCT ordering_key FROM workflow_service.event_inbox
                WHERE topic = ANY(%s)
                  AND dispatched_at
                      < (clock_timestamp() AT TIME ZONE 'UTC') - make_interval(secs => %s)
                LIMIT %s
            ), bumped AS (
                UPDATE workflow_service.event_inbox AS i
                SET dispatched_at = clock_timestamp() AT TIME ZONE 'UTC',
                    dispatches = i.dispatches + 1
                FROM stale
                WHERE i.ordering_key = stale.ordering_key AND i.topic = ANY(%s)
                RETURNING i.*
            )
            SELECT DISTINCT ON (ordering_key) {_COLUMNS} FROM bumped
            ORDER BY ordering_key, id DESC
            """,
            [list(topics), seconds, limit, list(topics)],
        )
        return [_row(values) for values in cursor.fetchall()]


def backlog() -> int:
    """How many consumed events are waiting to be applied."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflow_service.event_inbox")
        return int(cursor.fetchone()[0])
