"""A consumed event is recorded in the inbox before its offset is committed, so a Celery task lost
after the commit (kombu's Redis transport pops a task before it records it as unacknowledged; a
lane worker killed in between loses it) cannot lose the event: the next task of its key applies it
first, in order, or the consumer's sweep sends its task again (issue 13, the SIGKILL stream).

The interleaving is reproduced without SIGKILL timing luck: at the transport, the worker "dies"
right where kombu would record the task; at the consumer, the hand-off of chosen events is
accepted and then dropped, as the killed worker dropped it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import kombu
import pytest
import redis
from kombu.transport import redis as kombu_redis
from pytest_django.fixtures import Settings as SettingsWrapper

from kafka_bridge import inbox, processing
from kafka_bridge.clients import make_producer
from kafka_bridge.consumer import EventConsumer, celery_hand_off
from kafka_bridge.handlers import payments as payment_handlers
from kafka_bridge.topics import PAYMENT_RECEIVED
from payments.models import Payment
from tests.kafka_bridge import kafka
from tests.kafka_bridge.events import payment_event, payment_ids
from tests.kafka_bridge.processes import private_redis
from workflow.models import OutboxEvent
from workflow.runloop import StopFlag

pytestmark = [pytest.mark.django_db]


class WorkerDied(BaseException):
    """Stands for a SIGKILL at that line (nothing after it runs)."""


@pytest.fixture
def private_broker() -> Iterator[str]:
    server, url = private_redis()
    yield url
    server.terminate()
    server.wait(10)


def test_kombu_loses_a_task_popped_by_a_worker_that_dies_before_recording_it(
    private_broker: str,
) -> None:
    """The root cause, at the transport: BRPOP removes the task from its queue, and only then does
    kombu write it to the ``unacked`` hash that acks_late and the visibility timeout restore
    from. A worker that dies in between leaves the task nowhere: not queued, not unacknowledged,
    never restored. (If kombu ever records before it pops, this test fails: revisit the inbox.)"""
    options = {"visibility_timeout": 1, "unacked_restore_throttle": 1}
    queue = kombu.Queue("kafka-events-0", routing_key="kafka-events-0")
    client = redis.Redis.from_url(private_broker)
    with kombu.Connection(private_broker, transport_options=options) as connection:
        connection.Producer().publish(
            {"inbox_id": 1}, routing_key=queue.routing_key, declare=[queue], serializer="json"
        )
        assert client.llen(queue.name) == 1
        with (
            mock.patch.object(kombu_redis.QoS, "append", side_effect=WorkerDied),
            connection.Consumer(queue, callbacks=[lambda body, message: None], accept=["json"]),
            pytest.raises(WorkerDied),
        ):
            connection.drain_events(timeout=5)
    time.sleep(1.2)  # past the visibility timeout: a live worker would restore what it can see
    with kombu.Connection(private_broker, transport_options=options) as restarted:
        restarted.default_channel.qos.restore_visible(num=100, interval=1)
    assert (client.llen(queue.name), client.hlen("unacked")) == (0, 0)  # the task is gone


@pytest.fixture
def payment_topic(settings: SettingsWrapper) -> Iterator[str]:
    name = kafka.unique_name("test.payment.received")
    kafka.create_topics(name, partitions=1)
    settings.KAFKA_PAYMENT_TOPIC = name
    yield name
    kafka.delete_topics(name)


def lossy(lost: set[str]) -> Callable[..., None]:
    """A hand-off the broker accepts and then loses when its task names a payment in ``lost``
    (the task was popped by a lane worker killed before it recorded it), and delivers the
    others."""

    def dispatch(**kwargs: Any) -> None:
        named = set(payment_ids(kwargs["inbox_ids"]))
        if named & lost:
            lost.difference_update(named)  # lost once; a task sent again is delivered
            return
        celery_hand_off(**kwargs)

    return dispatch


def consumer_for(topic: str, dispatch: Callable[..., None]) -> EventConsumer:
    """A consumer that reads one message per step: each event has its own task (one lane's
    batch of one), so that the test can lose exactly one."""
    consumer = EventConsumer(
        group_id=kafka.unique_name("test-inbox-group"),
        topic_names=[topic],
        dlq_producer=make_producer(),
        stop=StopFlag(),
        dispatch=dispatch,
        max_pause=0.05,
        batch_size=1,
    )
    consumer.start()
    return consumer


def step_until(consumer: EventConsumer, done: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out; stats {consumer.stats}"
        consumer.step(0.2)


def test_a_lost_task_is_made_good_by_the_next_task_of_its_key_in_order(
    payment_topic: str, settings: SettingsWrapper, applied: list[str]
) -> None:
    settings.KAFKA_INBOX_REDISPATCH_SECONDS = 3600  # no sweep: the next task alone repairs
    kafka.produce(
        payment_topic,
        [("C1", payment_event(payment_id=f"P{n}", cif="C1")) for n in range(3)],
    )
    consumer = consumer_for(payment_topic, lossy({"P1"}))
    try:
        step_until(consumer, lambda: consumer.stats.handed_off == 3)
        assert applied == ["P0", "P1", "P2"]  # P2's task applied the lost P1 first
        assert kafka.committed_offsets(consumer.group_id, payment_topic) == {0: 3}
        assert Payment.objects.count() == 3
        assert inbox.backlog() == 0
    finally:
        consumer.close()


def test_the_last_event_of_a_key_whose_task_was_lost_after_the_commit_is_sent_again(
    payment_topic: str, settings: SettingsWrapper, applied: list[str]
) -> None:
    settings.KAFKA_INBOX_REDISPATCH_SECONDS = 3600
    kafka.produce(
        payment_topic,
        [
            ("C1", payment_event(payment_id="P0", cif="C1")),
            ("C2", payment_event(payment_id="P1", cif="C2")),
        ],
    )
    consumer = consumer_for(payment_topic, lossy({"P1"}))
    try:
        step_until(consumer, lambda: consumer.stats.handed_off == 2)
        # The state the SIGKILL stream test found: the offset committed, the payment missing,
        # no Celery task anywhere; but the event is in the inbox.
        assert kafka.committed_offsets(consumer.group_id, payment_topic) == {0: 2}
        assert applied == ["P0"]
        assert inbox.backlog() == 1

        settings.KAFKA_INBOX_REDISPATCH_SECONDS = 0  # the row is now old enough
        step_until(consumer, lambda: consumer.stats.redispatched == 1)
        assert applied == ["P0", "P1"]
        assert inbox.backlog() == 0
        consumer.step(0.2)  # nothing left to send again, nothing applied twice
        assert consumer.stats.redispatched == 1
        assert sorted(Payment.objects.values_list("payment_id", flat=True)) == ["P0", "P1"]
    finally:
        consumer.close()


def inbox_row(payment_id: str, cif: str = "C1", **fields: Any) -> tuple[int, dict[str, Any]]:
    payload = payment_event(payment_id=payment_id, cif=cif, **fields)
    inbox_id = inbox.record(
        event_id=uuid.UUID(payload["event_id"]),
        topic=PAYMENT_RECEIVED,
        key=cif,
        ordering_key=cif,
        partition=0,
        offset=0,
        payload=payload,
        headers={},
    )
    return inbox_id, payload


def test_a_worker_killed_mid_event_leaves_the_row_and_a_later_task_applies_it_once(
    applied: list[str],
) -> None:
    first, _ = inbox_row("P0")
    second, _ = inbox_row("P1")
    with (
        mock.patch("kafka_bridge.processing.claim_event", side_effect=WorkerDied),
        pytest.raises(WorkerDied),
    ):
        processing.apply_inbox(first)
    assert inbox.backlog() == 2  # the transaction rolled back with the row's deletion
    assert processing.apply_inbox(second) == processing.APPLIED
    assert applied == ["P0", "P1"]
    assert processing.apply_inbox(first) == processing.DUPLICATE  # its own task, redelivered
    assert processing.apply_inbox(second) == processing.DUPLICATE
    assert applied == ["P0", "P1"]
    assert inbox.backlog() == 0


def test_an_event_read_twice_keeps_its_row_and_its_place(applied: list[str]) -> None:
    first, payload = inbox_row("P0")
    second, _ = inbox_row("P1")
    again = inbox.record(
        event_id=uuid.UUID(payload["event_id"]),
        topic=PAYMENT_RECEIVED,
        key="C1",
        ordering_key="C1",
        partition=0,
        offset=0,
        payload=payload,
        headers={},
    )
    assert again == first < second
    assert inbox.backlog() == 2
    assert processing.apply_inbox(second) == processing.APPLIED
    assert applied == ["P0", "P1"]


def test_a_dead_lettered_event_leaves_the_inbox_with_its_dead_letter(
    settings: SettingsWrapper,
) -> None:
    settings.KAFKA_HANDLER_MAX_ATTEMPTS = 1
    inbox_id, _ = inbox_row("P0")
    with mock.patch.object(
        payment_handlers, "payment_record", side_effect=RuntimeError("handler bug")
    ):
        assert processing.apply_inbox(inbox_id) == processing.DEAD_LETTERED
    assert inbox.backlog() == 0
    assert OutboxEvent.objects.filter(topic__endswith=".dlq").count() == 1
    assert processing.apply_inbox(inbox_id) == processing.DUPLICATE  # not dead-lettered twice
    assert OutboxEvent.objects.filter(topic__endswith=".dlq").count() == 1
