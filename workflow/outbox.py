"""The transactional outbox: services publish events by writing rows in their own transaction.

``publish()`` never talks to Kafka, so a broker outage can neither fail nor slow the caller: the
row commits (or rolls back) with the change it describes, and the relay
(:mod:`kafka_bridge.relay`) produces it once the broker is reachable.

Per-key order: rows of one ``(topic, key)`` are published in ``id`` order. Call ``publish`` after
the write that locks the entity (``UPDATE``/``SELECT ... FOR UPDATE``), so that two transactions
changing one entity also take outbox ids in the order they commit.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from workflow.actors import Actor
from workflow.business_time import naive_utc
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.request_id import request_id
from workflow.sql_model import SqlModel

EVENT_VERSION = "1.0"

# The envelope of the CRM's own events (the auth service's and ours): id, timestamp, version.
ENVELOPE = {
    "id": Field("uuid", description="event id (idempotency key)"),
    "timestamp": Field("datetime", description="when the event happened, ISO-8601 UTC"),
    "version": Field("string", required=False, max_length=20, description='"1.0"'),
}

ACTOR = Schema(
    {
        "userId": Field("uuid", nullable=True),
        "username": Field("string", max_length=50),
    },
    description="who caused the event",
)


def actor_payload(actor: Actor) -> dict[str, Any]:
    """``{"userId", "username"}`` (:data:`ACTOR`); ``userId`` is None for system processes."""
    return {"userId": actor.user_id, "username": actor.username}


def iso_z(moment: dt.datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``: ``2026-03-10T02:30:00.000Z``."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def json_ready(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload exactly as it will be sent (UUIDs, dates and decimals as strings)."""
    result = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    assert isinstance(result, dict)
    return result


def publish(
    *,
    topic: str,
    key: str | None,
    payload: Mapping[str, Any],
    event_id: uuid.UUID | str | None = None,
    headers: Mapping[str, str] | None = None,
    schema: Schema | None = None,
) -> OutboxEvent:
    """Queue an event for ``topic`` in the current transaction and return its outbox row.

    The envelope fields ``id`` (the event id), ``timestamp`` (now, ISO UTC with ``Z``) and
    ``version`` (``"1.0"``) are added when the payload lacks them; ``event_id`` defaults to the
    payload's ``id`` or a new uuid4. The payload is checked against ``schema`` (each app's
    ``events.py`` declares the schemas of the topics it produces); a mismatch is a programming
    error and raises ``ValueError`` in the caller's transaction.
    """
    row = event_row(
        topic=topic, key=key, payload=payload, event_id=event_id, headers=headers, schema=schema
    )
    _OUTBOX.insert(row)
    return row


def event_row(
    *,
    topic: str,
    key: str | None,
    payload: Mapping[str, Any],
    event_id: uuid.UUID | str | None = None,
    headers: Mapping[str, str] | None = None,
    schema: Schema | None = None,
) -> OutboxEvent:
    """The outbox row :func:`publish` would write, not yet saved: a set-based writer builds
    its events' rows one by one (each with the request id current at the time) and saves them
    together with :func:`publish_rows`."""
    body = dict(payload)
    if event_id is None:
        event_id = body.get("id") or uuid.uuid4()
    event_uuid = uuid.UUID(str(event_id))
    if "id" in body and str(body["id"]) != str(event_uuid):
        raise ValueError(f"payload id {body['id']} differs from event_id {event_uuid}")
    body["id"] = str(event_uuid)
    body.setdefault("timestamp", iso_z(timezone.now()))
    body.setdefault("version", EVENT_VERSION)
    body = json_ready(body)
    if schema is not None:
        errors = schema.validate(body)
        if errors:
            raise ValueError(f"{topic} payload is invalid: {'; '.join(errors)}")
    return _row(topic=topic, key=key, payload=body, event_id=event_uuid, headers=headers)


def publish_rows(rows: Sequence[OutboxEvent]) -> None:
    """Save rows of :func:`event_row` in one INSERT, in their order (their outbox ids, hence
    their order of publication per key, follow it)."""
    OutboxEvent.objects.bulk_create(rows)


def _with_request_id(headers: Mapping[str, str] | None) -> dict[str, str]:
    """``headers`` as strings, plus ``request-id`` (the HTTP request's or the consumed event's
    id, :mod:`workflow.request_id`) when one is current, so the event can be traced back."""
    result = {str(name): str(value) for name, value in (headers or {}).items()}
    current = request_id.get()
    if current is not None:
        result.setdefault("request-id", current)
    return result


def enqueue(
    *,
    topic: str,
    key: str | None,
    payload: Mapping[str, Any],
    event_id: uuid.UUID | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxEvent:
    """Write an outbox row as given (no envelope, no schema): dead letters use it directly."""
    row = _row(
        topic=topic, key=key, payload=json_ready(payload), event_id=event_id, headers=headers
    )
    _OUTBOX.insert(row)
    return row


# Every write of the API publishes: one plain INSERT (``workflow.sql_model``), where the ORM's
# save() cost more Python than the rest of some of those writes.
_OUTBOX = SqlModel(OutboxEvent, alias="o")


def _row(
    *,
    topic: str,
    key: str | None,
    payload: dict[str, Any],
    event_id: uuid.UUID | None,
    headers: Mapping[str, str] | None,
) -> OutboxEvent:
    if not topic or len(topic) > 200:
        raise ValueError("topic must have 1 to 200 characters")
    if key is not None and len(key) > 200:
        raise ValueError("message key must have at most 200 characters")
    return OutboxEvent(
        event_id=event_id or uuid.uuid4(),
        topic=topic,
        message_key=key,
        payload=payload,  # JSON-ready: event_row's body, or enqueue's
        headers=_with_request_id(headers),
    )


def purge_published_outbox(*, older_than_days: int | None = None, chunk: int = 10_000) -> int:
    """Delete outbox rows published longer ago than ``OUTBOX_RETENTION_DAYS``; return how many.
    Unpublished rows are never deleted."""
    days = older_than_days if older_than_days is not None else settings.OUTBOX_RETENTION_DAYS
    cutoff = naive_utc(timezone.now() - dt.timedelta(days=days))
    total = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM workflow_service.outbox_events
                WHERE id IN (SELECT id FROM workflow_service.outbox_events
                             WHERE published_at < %s LIMIT %s)
                """,
                [cutoff, chunk],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < chunk:
            return total
