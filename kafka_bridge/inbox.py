"""The inbox: consumed events recorded in PostgreSQL before their Kafka offset is committed.

Why: the Celery hand-off alone is not durable. kombu's Redis transport takes a task off its
queue with ``BRPOP`` (the task is then gone from Redis) and only afterwards records it in the
``unacked`` hash that ``acks_late`` and the visibility timeout rely on. A lane worker killed
between the two (SIGKILL, OOM, node lost), or whose connection dies with a ``BRPOP`` reply in
flight, loses the task: it is in no queue and not unacknowledged, while the consumer has already
committed the offset. So the consumer commits an offset only once the event is a row here
(:func:`record`), and the Celery task is only a nudge.

* The consumer inserts the rows of a batch read (one per event id, :func:`record_many`), then
  sends each lane one ``handle_events`` task with its rows' ids, then commits the offsets.
* The lane worker applies, for each id, the rows of its ordering key up to that id, oldest first
  (:func:`pending_for`), in transactions that delete the rows (:func:`take_many`, or
  :func:`take` one by one), claim the event ids and run the handlers (or dead-letter them). A
  row is gone exactly when its event was applied, found a duplicate, or dead-lettered.
* A task that was lost is made good by the next task of the same key (it applies the older
  row first, so order is kept) or, for the last event of a key, by the consumer's sweep
  (:func:`claim_stale`), which sends a new task (one per lane) for every key with a row older
  than ``KAFKA_INBOX_REDISPATCH_SECONDS``.
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
    place in its key's order; the row counts one more dispatch (:func:`record_many` of one)."""
    event = NewEvent(event_id, topic, key, ordering_key, partition, offset, payload, headers)
    return record_many([event])[0]


@dataclass(frozen=True)
class NewEvent:
    """A consumed event to record (:func:`record_many`)."""

    event_id: uuid.UUID
    topic: str
    key: str | None
    ordering_key: str
    partition: int | None
    offset: int | None
    payload: Mapping[str, Any]
    headers: Mapping[str, str]


def record_many(events: list[NewEvent]) -> list[int]:
    """Record consumed events with one statement (committed when this returns: call it outside a
    transaction); return their row ids, in the order of ``events``. As with :func:`record`, an
    event recorded already keeps its row and its place; one listed twice gets one row."""
    first: dict[uuid.UUID, NewEvent] = {}
    for event in events:
        first.setdefault(event.event_id, event)
    unique = list(first.values())
    with connection.cursor() as cursor:
        # ORDER BY n: ids are drawn in the order the consumer read the events (a key's order).
        cursor.execute(
            """
            INSERT INTO workflow_service.event_inbox AS i
                (event_id, topic, message_key, ordering_key, kafka_partition, kafka_offset,
                 payload, headers)
            SELECT e, t, k, o, p, f, v::jsonb, h::jsonb
            FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::integer[],
                        %s::bigint[], %s::text[], %s::text[])
                 WITH ORDINALITY AS u(e, t, k, o, p, f, v, h, n)
            ORDER BY n
            ON CONFLICT (event_id) DO UPDATE
                SET dispatched_at = now() AT TIME ZONE 'UTC', dispatches = i.dispatches + 1
            RETURNING id, event_id
            """,
            [
                [str(e.event_id) for e in unique],
                [e.topic for e in unique],
                [e.key for e in unique],
                [e.ordering_key[:200] for e in unique],
                [e.partition for e in unique],
                [e.offset for e in unique],
                [json.dumps(e.payload) for e in unique],
                [json.dumps(dict(e.headers)) for e in unique],
            ],
        )
        ids = {str(event_id): int(inbox_id) for inbox_id, event_id in cursor.fetchall()}
    return [ids[str(event.event_id)] for event in events]


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


def pending_for(inbox_ids: list[int], *, limit: int) -> list[InboxRow]:
    """The rows of the ordering keys of ``inbox_ids`` up to the greatest of those ids, oldest
    first, at most ``limit``: the rows named and the older rows of their keys (whose own task
    was lost). Empty when every one is gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {_COLUMNS} FROM workflow_service.event_inbox
            WHERE ordering_key IN (SELECT ordering_key FROM workflow_service.event_inbox
                                   WHERE id = ANY(%s::bigint[]))
              AND id <= (SELECT max(n) FROM unnest(%s::bigint[]) AS n)
            ORDER BY id
            LIMIT %s::integer
            """,
            [inbox_ids, inbox_ids, limit],
        )
        return [_row(values) for values in cursor.fetchall()]


def take_many(inbox_ids: list[int]) -> set[int]:
    """Delete those rows inside the transaction that handles their events; return the ids
    deleted now (the others were gone: another task handled them). See :func:`take`."""
    if not connection.in_atomic_block:
        raise RuntimeError("inbox.take_many() must run inside the transaction of the events")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workflow_service.event_inbox WHERE id = ANY(%s::bigint[]) RETURNING id",
            [inbox_ids],
        )
        return {int(row[0]) for row in cursor.fetchall()}


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
