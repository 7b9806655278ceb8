"""A lane worker stops promptly on SIGTERM even while PostgreSQL is unreachable, and the event
it was retrying is neither lost nor dead-lettered: it is applied after the restart."""

from __future__ import annotations

import signal
import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery.exceptions import WorkerShutdown
from celery.worker import state as worker_state

from agents.models import Agent
from collectioncrm.celery import app
from kafka_bridge import processing
from kafka_bridge.topics import USER_CREATED
from tests.factories import CrmUserFactory
from tests.kafka_bridge.auth_events import user_created
from tests.kafka_bridge.processes import Stack, private_redis
from workflow.models import OutboxEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def celery_broker() -> Iterator[str]:
    server, url = private_redis()
    yield url
    server.terminate()
    server.wait(10)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_output(stack: Stack, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in log.read_text(errors="replace") for log in stack.logs.glob("*.log")):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {text!r}:\n{stack.output()}")
        if any(process.poll() is not None for process in stack.processes):
            pytest.fail(f"the worker died:\n{stack.output()}")
        time.sleep(0.1)


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_worker_retrying_through_an_outage_stops_within_seconds_and_keeps_the_event(
    celery_broker: str,
) -> None:
    user = CrmUserFactory(username="shutdown.test", email="shutdown.test@bank.test")
    payload = user_created(user_id=user.id, username=user.username, email=user.email)
    queue = f"kafka-events-shutdown-{uuid.uuid4().hex[:8]}"
    down = Stack(
        payment_topic="unused",
        settings_module="tests.kafka_bridge.e2e_settings",
        redis_url=celery_broker,
    )
    down.env["DATABASE_URL"] = f"postgres://nobody@127.0.0.1:{closed_port()}/nothing"
    down.env["LOG_LEVEL"] = "WARNING"
    with app.connection_for_write(celery_broker) as connection:
        app.send_task(
            "kafka_bridge.tasks.handle_event",
            kwargs={
                "topic": USER_CREATED,
                "key": str(user.id),
                "payload": payload,
                "headers": {},
                "partition": 0,
                "offset": 0,
            },
            queue=queue,
            connection=connection,
        )
    worker = down.start_worker([queue])
    try:
        wait_for_output(down, "database unreachable while applying")
        time.sleep(1.5)  # well into the doubling pauses

        asked = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
        took = time.monotonic() - asked
    finally:
        down.stop()

    assert took < 4, f"stopped after {took:.1f} s:\n{down.output()}"
    # Not acknowledged: back at the head of its lane, for the next worker.
    assert redis.Redis.from_url(celery_broker).llen(queue) == 1, down.output()

    up = Stack(
        payment_topic="unused",
        settings_module="tests.kafka_bridge.e2e_settings",
        redis_url=celery_broker,
    )
    up.start_worker([queue])
    try:
        deadline = time.monotonic() + 60
        while not Agent.objects.filter(user_id=user.id).exists():
            if time.monotonic() > deadline:
                pytest.fail(f"the event was not applied after the restart:\n{up.output()}")
            time.sleep(0.2)
    finally:
        up.stop()
    assert not OutboxEvent.objects.filter(topic__endswith=".dlq").exists()


def test_pauses_outside_a_stopping_worker_just_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    processing._pause_unless_stopping(0.3)
    assert time.monotonic() - started >= 0.3

    monkeypatch.setattr(worker_state, "should_stop", 0)
    started = time.monotonic()
    with pytest.raises(WorkerShutdown):
        processing._pause_unless_stopping(30)
    assert time.monotonic() - started < 1
