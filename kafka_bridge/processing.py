"""Apply one consumed event: claim its id and run its handler in one transaction, with retries.

This is the body of the Celery task ``kafka_bridge.tasks.handle_event``. Outcomes:

* ``applied``: the handler ran and its transaction committed with the event's claim;
* ``duplicate``: the event id was already processed (a redelivery); nothing ran;
* ``dead-lettered``: the handler raised :class:`~kafka_bridge.registry.EventRejected` or a
  service refused with a :class:`~workflow.errors.DomainError` (neither can succeed later), or
  kept failing for ``KAFKA_HANDLER_MAX_ATTEMPTS`` attempts; the event was queued for
  ``<topic>.dlq``.

An event recorded in the consumer's inbox (:mod:`kafka_bridge.inbox`; the task names its row)
is applied by :func:`apply_inbox`: the rows of its ordering key up to it, oldest first, each row
deleted in the transaction that applies or dead-letters its event. A row already gone means
another task handled the event: ``duplicate``.

The lane task ``kafka_bridge.tasks.handle_events`` applies many inbox rows of one lane at once
(:func:`apply_inbox_batch`): up to ``KAFKA_HANDLER_BATCH_SIZE`` of them, in the order the
consumer read them, in ONE transaction (one advisory lock statement, one delete, one claim for
all, then the handlers one after the other). If anything in that transaction fails, it rolls
back whole and its rows are applied again one by one (:func:`apply_event`, each in its own
transaction with the retries and dead-lettering above): a poison event costs its batch a second
pass, never the other events their place or their commit.

Retries happen inside the task, with a doubling pause (``KAFKA_HANDLER_RETRY_SECONDS``, capped at
30 s), so the lane stays blocked meanwhile and the key's later events cannot overtake it. While
the database is unreachable the task waits and tries again without counting attempts: an outage
is not a reason to dead-letter an event.

A worker asked to stop (SIGTERM, or Ctrl-C) ends a retrying task within a fraction of a second,
even in the middle of an outage: every pause looks for Celery's shutdown flag
(:func:`celery.worker.state.maybe_shutdown`, which raises ``WorkerShutdown``). The task then
ends without acknowledging its message (``acks_late``), and the worker puts the message back at
the head of its lane queue as it shuts down, so the event is applied after the restart, in
order, and never dead-lettered for it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from celery.worker import state as worker_state
from django.db import InterfaceError, OperationalError, connection, transaction

from kafka_bridge import conf, inbox, registry
from kafka_bridge.dlq import dead_letter_event
from kafka_bridge.idempotency import claim_event, claim_events
from kafka_bridge.registry import EventMeta, EventRejected
from workflow import generations, table_versions
from workflow.errors import DomainError
from workflow.request_id import request_id

logger = logging.getLogger(__name__)

APPLIED = "applied"
DUPLICATE = "duplicate"
DEAD_LETTERED = "dead-lettered"

MAX_PAUSE_SECONDS = 30.0
# How often a pause looks whether the worker was asked to shut down.
SHUTDOWN_POLL_SECONDS = 0.2
# pg_advisory_xact_lock(class, key hash): "KB" keeps our locks apart from other features'.
_LOCK_CLASS = 0x4B42

T = TypeVar("T")


def _database_unreachable(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def _pause(attempt: int, initial: float) -> float:
    return min(initial * 2 ** max(attempt - 1, 0), MAX_PAUSE_SECONDS)


def _pause_unless_stopping(seconds: float) -> None:
    """Sleep ``seconds``, or end the task as soon as the worker is asked to shut down
    (``WorkerShutdown`` / ``WorkerTerminate``; nothing happens outside a worker)."""
    deadline = time.monotonic() + seconds
    while True:
        worker_state.maybe_shutdown()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(remaining, SHUTDOWN_POLL_SECONDS))


def _while_database_is_down(what: str, action: Callable[[], T]) -> T:
    """Run ``action``; while the database is unreachable, wait (doubling up to 30 s) and retry."""
    outage = 0
    while True:
        try:
            return action()
        except Exception as exc:
            if not _database_unreachable(exc):
                raise
            outage += 1
            pause = _pause(outage, 0.5)
            logger.warning(
                "database unreachable while %s; retrying in %.1f s", what, pause, exc_info=exc
            )
            connection.close()
            _pause_unless_stopping(pause)


def apply_event(
    *,
    topic: str,
    key: str | None,
    payload: dict[str, Any],
    headers: Mapping[str, str] | None = None,
    partition: int | None = None,
    offset: int | None = None,
    inbox_id: int | None = None,
) -> str:
    """Apply one validated event (see the module docstring); return the outcome. With
    ``inbox_id``, the event's inbox row is deleted in the transaction that applies or
    dead-letters it, and an event whose row is gone already is a ``duplicate``."""
    headers = dict(headers or {})
    dlq_headers = dict(headers)  # + the event id, so that the dead letter names its event

    def dead_letter_once(error: str) -> str:
        with transaction.atomic():
            if inbox_id is not None and not inbox.take(inbox_id):
                return DUPLICATE
            dead_letter_event(
                topic=topic,
                key=key,
                payload=payload,
                headers=dlq_headers,
                partition=partition,
                offset=offset,
                error=error,
            )
            return DEAD_LETTERED

    def to_dlq(error: str) -> str:
        return _while_database_is_down("dead-lettering an event", lambda: dead_letter_once(error))

    registration = registry.for_topic(topic)
    if registration is None:
        return to_dlq(f"no handler is registered for topic {topic}")
    try:
        event_id = registration.event_id(payload)
    except ValueError:
        return to_dlq(f"{' or '.join(registration.event_id_fields)}: expected a UUID string")
    dlq_headers.setdefault("event-id", str(event_id))
    meta = EventMeta(
        topic=topic,
        key=key,
        event_id=event_id,
        headers=headers,
        partition=partition,
        offset=offset,
    )
    ordering_key = registration.ordering_key(payload, key)

    def attempt_once() -> str:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Two events of one key never run at the same time, even if lanes were
                # misconfigured (e.g. a lane consumed by two workers).
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_CLASS, ordering_key]
                )
            if inbox_id is not None and not inbox.take(inbox_id):
                return DUPLICATE
            if not claim_event(event_id, topic):
                return DUPLICATE
            registration.func(payload, meta)
            return APPLIED

    attempts = 0
    while True:
        try:
            outcome = _while_database_is_down(f"applying {topic} {event_id}", attempt_once)
        except EventRejected as exc:
            return to_dlq(f"rejected by {registration.name}: {exc}")
        except DomainError as exc:  # a service's refusal: retrying cannot change it
            return to_dlq(f"rejected by {registration.name}: {exc.code}: {exc.message}")
        except Exception as exc:
            attempts += 1
            if attempts >= conf.handler_max_attempts():
                logger.exception("handler failed %s times; dead-lettering", attempts)
                return to_dlq(f"{type(exc).__name__}: {exc} (after {attempts} attempts)")
            pause = _pause(attempts, conf.handler_retry_seconds())
            logger.warning(
                "handler failed (attempt %s), retrying in %.1f s",
                attempts,
                pause,
                exc_info=exc,
                extra={"topic": topic, "event_id": str(event_id)},
            )
            _pause_unless_stopping(pause)
            continue
        log = logger.info if outcome == DUPLICATE else logger.debug
        log(
            "event %s",
            outcome,
            extra={"topic": topic, "event_id": str(event_id), "key": ordering_key},
        )
        return outcome


def _apply_row(row: inbox.InboxRow) -> str:
    """:func:`apply_event` of one inbox row, in its own transaction."""
    return apply_event(
        topic=row.topic,
        key=row.key,
        payload=row.payload,
        headers=row.headers,
        partition=row.partition,
        offset=row.offset,
        inbox_id=row.id,
    )


def apply_inbox(inbox_id: int) -> str:
    """Apply the inbox rows of ``inbox_id``'s ordering key up to and including it, oldest first
    (an older row is one whose own task was lost); return the outcome of the last one, or
    ``duplicate`` when the row is gone (an earlier task of the key applied it)."""
    outcome = DUPLICATE
    while True:
        rows = _while_database_is_down(
            f"reading inbox row {inbox_id}", lambda: inbox.pending_through(inbox_id)
        )
        for row in rows:
            outcome = _apply_row(row)
        if not rows or rows[-1].id == inbox_id:
            return outcome


@contextmanager
def _traced(row: inbox.InboxRow) -> Iterator[None]:
    """Log lines and produced events (their ``request-id`` header) name this event, as the
    per-event task's ``request_id`` header did: the message's ``event-id``, else its id."""
    token = request_id.set(row.headers.get("event-id") or str(row.event_id))
    try:
        yield
    finally:
        request_id.reset(token)


def _batch_steps(
    events: list[tuple[inbox.InboxRow, registry.Registration, EventMeta]],
) -> set[uuid.UUID]:
    """Run the batch step of each topic that has one on its new events (oldest first); the
    ids of the events they applied. An event whose ordering key an event of another topic in
    the batch shares goes to its handler, in order: a step runs before every handler."""
    topics_of_key: dict[str, set[str]] = {}
    for row, _, _ in events:
        topics_of_key.setdefault(row.ordering_key, set()).add(row.topic)
    by_topic: dict[str, list[registry.BatchEvent]] = {}
    steps: dict[str, registry.BatchStep] = {}
    for row, registration, meta in events:
        if registration.batch_step is None or len(topics_of_key[row.ordering_key]) > 1:
            continue
        steps[row.topic] = registration.batch_step
        by_topic.setdefault(row.topic, []).append(
            registry.BatchEvent(payload=row.payload, meta=meta, traced=partial(_traced, row))
        )
    done: set[uuid.UUID] = set()
    for topic, topic_events in by_topic.items():
        done |= steps[topic](topic_events)
    return done


def _apply_batch_once(rows: list[inbox.InboxRow]) -> list[str]:
    """Apply ``rows`` (oldest first) in one transaction; return their outcomes in order. Any
    failure raises, and the transaction rolls back whole."""
    prepared: list[tuple[inbox.InboxRow, registry.Registration, EventMeta]] = []
    for row in rows:
        registration = registry.for_topic(row.topic)
        if registration is None:
            raise LookupError(f"no handler is registered for topic {row.topic}")
        event_id = registration.event_id(row.payload)  # ValueError: the one-by-one pass says
        meta = EventMeta(
            topic=row.topic,
            key=row.key,
            event_id=event_id,
            headers=row.headers,
            partition=row.partition,
            offset=row.offset,
        )
        prepared.append((row, registration, meta))
    keys = sorted({row.ordering_key for row in rows})
    # The handlers' performance-cache bumps (run at the commit): each agent once, in one
    # round trip, not one per event (workflow.generations).
    with generations.bumps_deferred(), transaction.atomic():
        with connection.cursor() as cursor:
            # As in apply_event, one key's events never run at the same time; the locks are
            # taken in one order (sorted), so that two batches cannot deadlock on them.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::integer, hashtext(k)) "
                "FROM unnest(%s::text[]) AS k",
                [_LOCK_CLASS, keys],
            )
        # The handlers' writes to agents mark its version, bumped once below: its row lock is
        # held from there to the commit, not for the whole batch (table_versions).
        table_versions.bump_at_end()
        taken = inbox.take_many([row.id for row in rows])
        claimed = claim_events(
            [(meta.event_id, meta.topic) for row, _, meta in prepared if row.id in taken]
        )
        new = [
            (row, registration, meta)
            for row, registration, meta in prepared
            if row.id in taken and meta.event_id in claimed
        ]
        done = _batch_steps(new)
        outcomes = []
        for row, registration, meta in prepared:
            if row.id not in taken or meta.event_id not in claimed:
                outcomes.append(DUPLICATE)
                continue
            if meta.event_id not in done:
                with _traced(row):
                    registration.func(row.payload, meta)
            outcomes.append(APPLIED)
        table_versions.bump_marked()
        return outcomes


def apply_inbox_batch(inbox_ids: list[int]) -> dict[str, int]:
    """Apply the inbox rows ``inbox_ids`` (one lane's) and the older rows of their ordering keys,
    oldest first, ``KAFKA_HANDLER_BATCH_SIZE`` per transaction (the module docstring); return
    how many events had each outcome."""
    counts: Counter[str] = Counter()
    size = conf.handler_batch_size()
    while True:
        rows = _while_database_is_down(
            "reading the inbox", lambda: inbox.pending_for(inbox_ids, limit=size)
        )
        if not rows:
            return dict(counts)
        try:
            outcomes = _while_database_is_down(
                f"applying a batch of {len(rows)} events",
                lambda batch=rows: _apply_batch_once(batch),  # type: ignore[misc]
            )
        except Exception as exc:
            logger.warning(
                "a batch of %s events failed (%s: %s); applying them one by one",
                len(rows),
                type(exc).__name__,
                exc,
            )
            outcomes = []
            for row in rows:
                with _traced(row):
                    outcomes.append(_apply_row(row))
        counts.update(outcomes)
