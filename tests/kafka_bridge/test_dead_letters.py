"""A handler that keeps failing dead-letters its event through the outbox; replay_dlq puts dead
letters back on their topic once the cause is fixed."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from kafka_bridge import registry
from kafka_bridge.clients import make_producer
from kafka_bridge.dlq import DLQ_ERROR, DLQ_ORIGINAL_OFFSET, DLQ_ORIGINAL_TOPIC, DLQ_STAGE
from kafka_bridge.models import ProcessedEvent
from kafka_bridge.processing import APPLIED, DEAD_LETTERED, apply_event
from kafka_bridge.registry import EventMeta, EventRejected
from kafka_bridge.relay import relay_once
from kafka_bridge.topics import dlq_topic
from tests.kafka_bridge import kafka
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent

pytestmark = pytest.mark.django_db

SCHEMA = Schema({"id": Field("uuid"), "n": Field("integer")})


class Behaviour:
    def __init__(self) -> None:
        self.calls: list[int] = []
        self.error: Exception | None = RuntimeError("boom")


@pytest.fixture
def things() -> Iterator[tuple[str, Behaviour]]:
    """A topic (and its DLQ) with a test handler that fails until told otherwise."""
    topic = kafka.unique_name("test.things")
    kafka.create_topics(topic, dlq_topic(topic), partitions=1)
    behaviour = Behaviour()

    @registry.handler(topic, schema=SCHEMA, key_field="n")
    def thing(payload: dict[str, Any], meta: EventMeta) -> None:
        behaviour.calls.append(payload["n"])
        if behaviour.error is not None:
            raise behaviour.error

    yield topic, behaviour
    registry._REGISTRY.pop(topic, None)
    kafka.delete_topics(topic, dlq_topic(topic))


def event(n: int) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "n": n}


def test_a_handler_failing_every_attempt_is_dead_lettered_with_its_error(
    things: tuple[str, Behaviour], fast_retries: None
) -> None:
    topic, behaviour = things
    payload = event(7)
    outcome = apply_event(
        topic=topic,
        key="k7",
        payload=payload,
        headers={"event-id": payload["id"], "dlq-error": "stale"},
        partition=0,
        offset=41,
    )
    assert outcome == DEAD_LETTERED
    assert behaviour.calls == [7, 7]  # KAFKA_HANDLER_MAX_ATTEMPTS
    assert not ProcessedEvent.objects.exists()  # the claim was rolled back each time
    row = OutboxEvent.objects.get()
    assert (row.topic, row.message_key, row.payload) == (dlq_topic(topic), "k7", payload)
    assert row.headers[DLQ_ERROR] == "RuntimeError: boom (after 2 attempts)"
    assert row.headers[DLQ_STAGE] == "handler"
    assert row.headers[DLQ_ORIGINAL_OFFSET] == "41"
    assert row.headers["event-id"] == payload["id"]

    assert relay_once(make_producer()) == 1
    (letter,) = kafka.read_topic(dlq_topic(topic), expect=1)
    assert letter.json() == payload
    assert letter.headers[DLQ_ORIGINAL_TOPIC] == topic
    assert letter.headers[DLQ_ERROR] == "RuntimeError: boom (after 2 attempts)"


def test_a_rejected_event_is_dead_lettered_at_once(
    things: tuple[str, Behaviour], fast_retries: None
) -> None:
    topic, behaviour = things
    behaviour.error = EventRejected("agent for user X does not exist")
    assert apply_event(topic=topic, key=None, payload=event(1), headers={}) == DEAD_LETTERED
    assert behaviour.calls == [1]
    assert "does not exist" in OutboxEvent.objects.get().headers[DLQ_ERROR]


def test_a_retried_handler_that_succeeds_is_applied_once(
    things: tuple[str, Behaviour], settings: Any
) -> None:
    topic, behaviour = things
    settings.KAFKA_HANDLER_RETRY_SECONDS = 0.0
    original = behaviour.error

    def fail_once(payload: dict[str, Any], meta: EventMeta) -> None:
        behaviour.calls.append(payload["n"])
        if len(behaviour.calls) == 1:
            raise original or RuntimeError

    registry._REGISTRY[topic] = registry.Registration(topic=topic, func=fail_once, schema=SCHEMA)
    assert apply_event(topic=topic, key=None, payload=event(3), headers={}) == APPLIED
    assert behaviour.calls == [3, 3]
    assert ProcessedEvent.objects.count() == 1
    assert not OutboxEvent.objects.exists()


@pytest.mark.slow
def test_replay_dlq_moves_dead_letters_back_once_the_handler_is_fixed(
    things: tuple[str, Behaviour], fast_retries: None
) -> None:
    topic, behaviour = things
    payloads = [event(1), event(2)]
    for offset, payload in enumerate(payloads):
        apply_event(topic=topic, key="k", payload=payload, headers={"origin": "x"}, offset=offset)
    assert relay_once(make_producer()) == 2

    out = io.StringIO()
    call_command("replay_dlq", topic, "--dry-run", stdout=out)
    assert "would replay 2 dead letter(s)" in out.getvalue()
    assert "RuntimeError: boom" in out.getvalue()
    assert kafka.read_topic(topic) == []

    behaviour.error = None  # the bug is fixed
    out = io.StringIO()
    call_command("replay_dlq", topic, "--limit", "1", stdout=out)
    assert "replayed 1 dead letter(s)" in out.getvalue() and "1 left" in out.getvalue()
    call_command("replay_dlq", topic, stdout=out)
    call_command("replay_dlq", topic, stdout=out)  # nothing left: replays nothing
    assert out.getvalue().count("replayed 0 dead letter(s)") == 1

    replayed = kafka.read_topic(topic, expect=2)
    assert [r.json() for r in replayed] == payloads
    for record, payload in zip(replayed, payloads, strict=True):
        assert record.key == "k"
        assert record.headers == {
            "origin": "x",
            "content-type": "application/json",
            "event-id": payload["id"],
            "timestamp": record.headers["timestamp"],
        }
        assert apply_event(topic=topic, key=record.key, payload=record.json(), headers={}) == (
            APPLIED
        )
