"""publish() writes in the caller's transaction; the relay publishes in order per key, once."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from agents.events import AGENT_CREATED_SCHEMA
from kafka_bridge import schemas
from kafka_bridge.clients import make_producer
from kafka_bridge.relay import relay_once
from kafka_bridge.tasks import relay_outbox
from kafka_bridge.topics import AGENT_CREATED
from tests.kafka_bridge import kafka
from workflow.models import OutboxEvent
from workflow.outbox import publish, purge_published_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic() -> Iterator[str]:
    name = kafka.unique_name("test.workflow-service.things")
    kafka.create_topics(name)
    yield name
    kafka.delete_topics(name)


def keys_and_numbers(records: list[kafka.Record]) -> dict[str | None, list[int]]:
    result: dict[str | None, list[int]] = {}
    for record in records:
        result.setdefault(record.key, []).append(record.json()["n"])
    return result


def test_publish_adds_the_envelope_and_keeps_an_event_id_it_is_given() -> None:
    row = publish(topic="t", key="k", payload={"n": 1})
    assert row.payload["id"] == str(row.event_id)
    assert row.payload["version"] == "1.0"
    assert row.payload["timestamp"].endswith("Z") and len(row.payload["timestamp"]) == 24
    assert row.published_at is None and row.attempts == 0
    given = uuid.uuid4()
    again = publish(
        topic="t",
        key=None,
        payload={"id": str(given), "timestamp": "2026-03-10T02:30:00.000Z", "n": 2},
    )
    assert again.event_id == given
    assert again.payload["timestamp"] == "2026-03-10T02:30:00.000Z"
    with pytest.raises(ValueError, match="differs from event_id"):
        publish(topic="t", key=None, payload={"id": str(given)}, event_id=uuid.uuid4())


def test_publish_checks_the_payload_of_the_topics_we_produce() -> None:
    with pytest.raises(ValueError, match="agentId: is required"):
        publish(topic=AGENT_CREATED, key="x", payload={"name": "An"}, schema=AGENT_CREATED_SCHEMA)
    agent = {
        "agentId": str(uuid.uuid4()),
        "employeeId": "E1",
        "name": "An",
        "email": "an@bank.test",
        "phone": None,
        "type": "AGENT",
        "team": "A",
        "isActive": True,
        "userId": None,
        "createdBy": {"userId": None, "username": "admin"},
    }
    row = publish(topic=AGENT_CREATED, key="x", payload=agent, schema=AGENT_CREATED_SCHEMA)
    assert schemas.PRODUCED[AGENT_CREATED].validate(row.payload) == []


def test_publish_rolls_back_with_the_callers_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(topic="t", key="k", payload={"n": 1})
        raise RuntimeError("the service failed")
    assert not OutboxEvent.objects.exists()


def test_the_relay_publishes_with_key_headers_and_marks_rows(topic: str) -> None:
    rows = [publish(topic=topic, key="agent-1", payload={"n": n}) for n in range(3)]
    rows.append(publish(topic=topic, key=None, payload={"n": 3}))
    assert relay_once(make_producer()) == 4
    assert relay_once(make_producer()) == 0
    records = kafka.read_topic(topic, expect=4)
    assert keys_and_numbers(records) == {"agent-1": [0, 1, 2], None: [3]}
    first = next(r for r in records if r.json()["n"] == 0)
    assert first.headers["content-type"] == "application/json"
    assert first.headers["event-id"] == str(rows[0].event_id)
    assert first.headers["timestamp"] == rows[0].payload["timestamp"]
    assert first.json() == rows[0].payload
    for row in OutboxEvent.objects.all():
        assert row.published_at is not None and row.attempts == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_unreachable_publish_commits_and_the_relay_publishes_later_once(
    topic: str, unused_tcp_port: int
) -> None:
    with transaction.atomic():
        row = publish(topic=topic, key="k", payload={"n": 1})
    unreachable = make_producer(
        **{"bootstrap.servers": f"127.0.0.1:{unused_tcp_port}", "message.timeout.ms": 1000}
    )
    assert relay_once(unreachable) == 0
    row.refresh_from_db()
    assert row.published_at is None
    assert row.attempts == 1
    assert row.last_error
    assert relay_once(make_producer()) == 1
    row.refresh_from_db()
    assert row.published_at is not None and row.attempts == 2
    records = kafka.read_topic(topic, expect=1)
    assert [r.headers["event-id"] for r in records] == [str(row.event_id)]
    assert relay_once(make_producer()) == 0
    assert len(kafka.read_topic(topic)) == 1


def test_a_failed_row_holds_back_the_later_rows_of_its_key_only(topic: str) -> None:
    publish(topic=topic, key="a", payload={"n": 1})
    publish(topic=topic, key="b", payload={"n": 1})
    publish(topic=topic, key="a", payload={"n": 2})
    too_big = publish(topic=topic, key="a", payload={"n": 3, "blob": "x" * 5000})
    publish(topic=topic, key="a", payload={"n": 4})
    publish(topic=topic, key="b", payload={"n": 2})
    small_limit = make_producer(**{"message.max.bytes": 4000})
    assert relay_once(small_limit) == 4
    too_big.refresh_from_db()
    assert too_big.published_at is None and too_big.attempts == 1
    assert "too large" in (too_big.last_error or "").lower()
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 2
    # Still too large: nothing of key "a" moves.
    assert relay_once(small_limit) == 0
    # Fixed (the operator shrank it): the key resumes in order.
    OutboxEvent.objects.filter(pk=too_big.pk).update(payload={"n": 3})
    assert relay_once(small_limit) == 2
    assert keys_and_numbers(kafka.read_topic(topic, expect=6)) == {
        "a": [1, 2, 3, 4],
        "b": [1, 2],
    }


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_relay_never_overtakes_a_locked_row_of_the_same_key(topic: str) -> None:
    with transaction.atomic():
        a1 = publish(topic=topic, key="a", payload={"n": 1})
        publish(topic=topic, key="a", payload={"n": 2})
        publish(topic=topic, key="b", payload={"n": 1})
    params = connection.get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(name, None)
    with psycopg.connect(**params) as other:  # another relay, busy with a1
        other.execute(
            "SELECT id FROM workflow_service.outbox_events WHERE id = %s FOR UPDATE", [a1.id]
        )
        assert relay_once(make_producer()) == 1  # b only: a2 must wait for a1
        other.rollback()
    assert relay_once(make_producer()) == 2
    assert keys_and_numbers(kafka.read_topic(topic, expect=3)) == {"a": [1, 2], "b": [1]}


@pytest.mark.django_db(transaction=True)
def test_the_command_and_the_beat_task_relay_pending_rows(topic: str) -> None:
    for n in range(5):
        publish(topic=topic, key=str(n % 2), payload={"n": n})
    call_command("relay_outbox", "--once", "--batch", "2", stdout=io.StringIO())
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    publish(topic=topic, key="z", payload={"n": 9})
    assert relay_outbox.delay().get() == 1
    assert len(kafka.read_topic(topic, expect=6)) == 6


def test_published_rows_are_purged_after_the_retention_and_unpublished_never(
    settings: SettingsWrapper,
) -> None:
    old = publish(topic="t", key=None, payload={})
    kept = publish(topic="t", key=None, payload={})
    waiting = publish(topic="t", key=None, payload={})
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_service.outbox_events SET published_at = "
            "(now() AT TIME ZONE 'UTC') - (CASE WHEN id = %s THEN interval '8 days' "
            "ELSE interval '6 days' END) WHERE id IN (%s, %s)",
            [old.id, old.id, kept.id],
        )
        cursor.execute(
            "UPDATE workflow_service.outbox_events SET created_at = created_at - interval '99 days'"
        )
    assert purge_published_outbox() == 1
    assert set(OutboxEvent.objects.values_list("id", flat=True)) == {kept.id, waiting.id}
    assert json.dumps(waiting.payload)
