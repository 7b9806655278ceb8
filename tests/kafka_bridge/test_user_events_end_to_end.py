"""The auth service's user events end to end with real processes: broker → ``consume_events
--group user`` → Redis → Celery lane workers → PostgreSQL → outbox → relay → broker.

Runs on the test database, so the tests commit (``transaction=True``). The user topics are
fresh topics of each test (settings ``KAFKA_USER_*_TOPIC`` in the subprocesses).
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from agents.models import Agent
from kafka_bridge import topics
from kafka_bridge.clients import make_producer
from kafka_bridge.dlq import DLQ_ERROR
from kafka_bridge.models import ProcessedEvent
from kafka_bridge.relay import relay_once
from kafka_bridge.topics import CONSUMER_GROUPS, dlq_topic
from tests.factories import CrmUserFactory
from tests.kafka_bridge import kafka
from tests.kafka_bridge.auth_events import at, auth_headers, user_created, user_updated
from tests.kafka_bridge.offsets import end_offsets, read_since
from tests.kafka_bridge.processes import Stack, private_redis
from workflow.models import CrmUser, OutboxEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

USER_GROUP = CONSUMER_GROUPS["user"][0]


@pytest.fixture(scope="module")
def celery_broker() -> Iterator[str]:
    """A private Redis for the Celery queues of these tests (see test_end_to_end)."""
    server, url = private_redis()
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def user_topics() -> Iterator[dict[str, str]]:
    """Fresh topics standing for the three auth service topics (3 partitions each)."""
    names = {
        "E2E_KAFKA_USER_CREATED_TOPIC": kafka.unique_name("test.user.created"),
        "E2E_KAFKA_USER_UPDATED_TOPIC": kafka.unique_name("test.user.updated"),
        "E2E_KAFKA_USER_DEACTIVATED_TOPIC": kafka.unique_name("test.user.deactivated"),
    }
    every = [*names.values(), *(dlq_topic(name) for name in names.values())]
    kafka.create_topics(*every)
    yield names
    kafka.delete_topics(*every)


@pytest.fixture
def stack(user_topics: dict[str, str], celery_broker: str) -> Iterator[Stack]:
    processes = Stack(
        payment_topic=kafka.unique_name("test.unused.payments"),
        settings_module="tests.kafka_bridge.e2e_user_settings",
        redis_url=celery_broker,
    )
    processes.env.update(user_topics)
    yield processes
    processes.stop()


def created_topic(user_topics: dict[str, str]) -> str:
    return user_topics["E2E_KAFKA_USER_CREATED_TOPIC"]


def committed(stack: Stack, topic: str) -> int:
    group = USER_GROUP + stack.group_suffix
    return sum(max(o, 0) for o in kafka.committed_offsets(group, topic).values())


def wait_for(condition: Callable[[], bool], stack: Stack, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out; process output:\n{stack.output()}")
        for process in stack.processes:
            if process.poll() not in (None, 0, -signal.SIGKILL):
                pytest.fail(f"a process died ({process.returncode}):\n{stack.output()}")
        time.sleep(0.1)


def produce_auth(topic: str, events: list[dict[str, Any]]) -> None:
    """Produce as the auth service does: key = userId, its three headers, JSON value."""
    sender = kafka.producer()
    for event in events:
        sender.produce(
            topic, key=event["userId"], value=json.dumps(event), headers=auth_headers(event)
        )
    assert sender.flush(15) == 0


def test_a_user_created_message_becomes_an_agent_and_an_agent_created_event(
    user_topics: dict[str, str], stack: Stack
) -> None:
    user = CrmUserFactory(
        username="le.minh", email="minh@bank.test", first_name="Le", last_name="Van Minh"
    )
    created = user_created(user.id, username="le.minh", email="minh@bank.test", role="AGENT")
    newer = user_updated(user.id, timestamp=at(20), email="minh.le@bank.test")
    older = user_updated(user.id, timestamp=at(10), email="minh.old@bank.test")
    updated_topic = user_topics["E2E_KAFKA_USER_UPDATED_TOPIC"]
    produce_auth(created_topic(user_topics), [created, created])  # the second: a redelivery
    kafka.produce(created_topic(user_topics), [(str(user.id), b"{not json")])  # poison

    stack.start_worker()
    consumer = stack.start_consumer(group="user", batch_size=50)
    wait_for(lambda: committed(stack, created_topic(user_topics)) == 3, stack)
    wait_for(lambda: Agent.objects.filter(user_id=user.id).exists(), stack)
    # The updates come after the creation (across topics Kafka keeps no order), the newer
    # one first.
    produce_auth(updated_topic, [newer, older])
    wait_for(lambda: committed(stack, updated_topic) == 2, stack)
    wait_for(lambda: ProcessedEvent.objects.count() == 3, stack)
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=15) == 0, stack.output()
    time.sleep(0.5)  # anything still in a lane has been applied by now

    agent = Agent.objects.get(user_id=user.id)
    assert Agent.objects.count() == 1
    assert (agent.name, agent.employee_id, agent.team) == ("Le Van Minh", "LE.MINH", "Unassigned")
    assert agent.email == "minh.le@bank.test"  # the older update did not win
    [letter] = kafka.read_topic(dlq_topic(created_topic(user_topics)), expect=1)
    assert letter.headers[DLQ_ERROR].startswith("invalid JSON")

    rows = list(OutboxEvent.objects.order_by("id"))
    assert [row.topic for row in rows] == [topics.AGENT_CREATED, topics.AGENT_UPDATED]
    since = {name: end_offsets(name) for name in (topics.AGENT_CREATED, topics.AGENT_UPDATED)}
    assert relay_once(make_producer()) == 2
    published = [
        record
        for name in (topics.AGENT_CREATED, topics.AGENT_UPDATED)
        for record in read_since(name, since[name], expect=1)
        if record.key == str(agent.id)
    ]
    assert [record.topic for record in published] == [topics.AGENT_CREATED, topics.AGENT_UPDATED]
    event = published[0].json()
    assert published[0].headers["event-id"] == event["id"] == str(rows[0].event_id)
    assert published[0].headers["content-type"] == "application/json"
    assert (event["agentId"], event["userId"], event["employeeId"], event["email"]) == (
        str(agent.id),
        str(user.id),
        "LE.MINH",
        "minh@bank.test",
    )
    assert published[1].json()["changes"] == {"email": "minh@bank.test"}


def test_a_consumer_killed_mid_stream_and_restarted_creates_every_agent_exactly_once(
    user_topics: dict[str, str], stack: Stack
) -> None:
    total = 1000
    users = CrmUser.objects.bulk_create(
        CrmUser(
            id=uuid.uuid4(),
            username=f"bulk{n:04d}",
            email=f"bulk{n:04d}@bank.test",
            password_hash="x",
            first_name="Bulk",
            last_name=f"User {n}",
            role="AGENT",
            is_active=True,
        )
        for n in range(total)
    )
    events = [user_created(u.id, username=u.username, email=u.email) for u in users]
    topic = created_topic(user_topics)
    produce_auth(topic, events[:100])
    stack.start_worker()
    first = stack.start_consumer(group="user", batch_size=20)
    wait_for(lambda: Agent.objects.count() >= 50, stack)

    def produce_the_rest() -> None:  # over a few seconds, so the kill lands mid-stream
        for start in range(100, total, 30):
            produce_auth(topic, events[start : start + 30])
            time.sleep(0.1)

    producer = threading.Thread(target=produce_the_rest)
    producer.start()
    wait_for(lambda: committed(stack, topic) >= 300, stack)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    producer.join(timeout=30)
    assert committed(stack, topic) < total  # the restarted consumer has work to do

    stack.start_consumer(group="user", batch_size=20)
    wait_for(lambda: Agent.objects.count() >= total, stack, timeout=90)
    wait_for(lambda: committed(stack, topic) == total, stack)
    time.sleep(1.0)  # anything redelivered has been applied (as a no-op) by now
    assert Agent.objects.count() == total
    assert Agent.objects.values("user_id").distinct().count() == total
    assert Agent.objects.values("employee_id").distinct().count() == total
    assert OutboxEvent.objects.filter(topic=topics.AGENT_CREATED).count() == total
    assert ProcessedEvent.objects.count() == total
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM workflow_service.agents a "
            "JOIN auth_service.users u ON u.id = a.user_id AND upper(u.username) = a.employee_id"
        )
        assert cursor.fetchone()[0] == total
