"""The consumer validates, hands off in order, dead-letters poison, and commits only what it
handed off (in-process, with Celery eager: the task runs inside the hand-off)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kombu.exceptions import OperationalError

from kafka_bridge import lanes
from kafka_bridge.clients import make_producer
from kafka_bridge.consumer import EventConsumer, celery_hand_off
from kafka_bridge.dlq import (
    DLQ_ERROR,
    DLQ_FAILED_AT,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
    DLQ_STAGE,
)
from kafka_bridge.topics import dlq_topic
from payments.models import Payment
from tests.kafka_bridge import kafka
from tests.kafka_bridge.events import payment_event, payment_ids
from workflow.runloop import StopFlag

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def make_consumer(payment_topic: str) -> Iterator[Callable[..., EventConsumer]]:
    consumers: list[EventConsumer] = []
    group = kafka.unique_name("test-payment-group")

    def make(**options: Any) -> EventConsumer:
        options.setdefault("stop", StopFlag())
        options.setdefault("dlq_producer", make_producer())
        consumer = EventConsumer(
            group_id=group,
            topic_names=[payment_topic],
            **{"max_pause": 0.05, **options},
        )
        consumer.start()
        consumers.append(consumer)
        return consumer

    yield make
    for consumer in consumers:
        try:
            consumer.close()
        except RuntimeError:  # already closed by the test
            pass


def run_until(consumer: EventConsumer, done: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out; stats {consumer.stats}"
        consumer.step(0.2)


def test_it_applies_valid_events_dead_letters_poison_and_carries_on(
    payment_topic: str, make_consumer: Callable[..., EventConsumer]
) -> None:
    first = payment_event(payment_id="P1", cif="C1")
    last = payment_event(payment_id="P2", cif="C1")
    refund = payment_event(payment_id="P3", cif="C1", event_type="payment.refunded")
    missing = payment_event(payment_id="P4", cif="C1")
    del missing["payment"]["amount"]
    kafka.produce(
        payment_topic,
        [
            ("C1", first),
            ("C1", b'{"event_id": "not json'),
            ("C1", missing),
            ("C1", first),  # redelivered by the producer
            ("C1", refund),
            ("C1", last),
        ],
        headers={"event-id": "from-producer"},
    )
    consumer = make_consumer()
    run_until(consumer, lambda: consumer.stats.handed_off + consumer.stats.dead_lettered >= 5)
    assert consumer.stats.handed_off == 3
    assert consumer.stats.dead_lettered == 2
    assert consumer.stats.skipped == 1
    assert sorted(Payment.objects.values_list("payment_id", flat=True)) == ["P1", "P2"]

    letters = kafka.read_topic(dlq_topic(payment_topic), expect=2)
    assert [letter.key for letter in letters] == ["C1", "C1"]
    invalid_json, no_amount = letters
    assert invalid_json.value == b'{"event_id": "not json'
    assert invalid_json.headers[DLQ_ERROR].startswith("invalid JSON")
    assert json.loads(no_amount.value or b"") == missing
    assert no_amount.headers[DLQ_ERROR] == "invalid event: payment.amount: is required"
    for letter, offset in ((invalid_json, 1), (no_amount, 2)):
        assert letter.headers[DLQ_ORIGINAL_TOPIC] == payment_topic
        assert letter.headers[DLQ_ORIGINAL_OFFSET] == str(offset)
        assert letter.headers[DLQ_ORIGINAL_PARTITION].isdigit()
        assert letter.headers[DLQ_FAILED_AT].endswith("Z")
        assert letter.headers[DLQ_STAGE] == "validation"
        assert letter.headers["event-id"] == "from-producer"  # original headers kept

    partition = int(invalid_json.headers[DLQ_ORIGINAL_PARTITION])
    assert kafka.committed_offsets(consumer.group_id, payment_topic)[partition] == 6


def test_a_failed_hand_off_or_dead_letter_is_not_committed_and_is_retried_in_order(
    payment_topic: str, make_consumer: Callable[..., EventConsumer], unused_tcp_port: int
) -> None:
    events = [payment_event(payment_id=f"P{n}", cif="C1") for n in range(3)]
    kafka.produce(
        payment_topic,
        [("C1", events[0]), ("C1", events[1]), ("C1", b"poison"), ("C1", events[2])],
    )
    calls: list[str] = []
    committed: list[int] = []

    def flaky(**kwargs: Any) -> None:
        calls.extend(payment_ids(kwargs["inbox_ids"]))
        committed.append(max(kafka.committed_offsets(group, payment_topic).values()))
        if len(calls) <= 2:  # Redis is down for the first two attempts
            raise OperationalError("Error 111 connecting to redis: Connection refused")
        celery_hand_off(**kwargs)

    kafka_down = make_producer(
        **{"bootstrap.servers": f"127.0.0.1:{unused_tcp_port}", "message.timeout.ms": 300}
    )
    # One message per step: the hand-off of each event is tried on its own.
    consumer = make_consumer(dispatch=flaky, dlq_producer=kafka_down, batch_size=1)
    group = consumer.group_id
    run_until(consumer, lambda: consumer.stats.handoff_failures == 3)
    assert calls == ["P0", "P0", "P0", "P1"]
    assert committed[:3] == [-1001, -1001, -1001]  # nothing committed while P0 waits
    # The poison message could not be dead-lettered (Kafka down): it is not committed either.
    assert max(kafka.committed_offsets(group, payment_topic).values()) == 2
    assert kafka.read_topic(dlq_topic(payment_topic)) == []

    consumer.dlq_producer = make_producer()  # Kafka is back
    run_until(consumer, lambda: consumer.stats.handed_off == 3)
    assert calls == ["P0", "P0", "P0", "P1", "P2"]
    assert consumer.stats.dead_lettered == 1
    assert [r.value for r in kafka.read_topic(dlq_topic(payment_topic), expect=1)] == [b"poison"]
    assert Payment.objects.count() == 3
    assert max(kafka.committed_offsets(group, payment_topic).values()) == 4


def test_a_stop_request_finishes_the_message_in_hand_commits_and_leaves_the_rest(
    payment_topic: str, make_consumer: Callable[..., EventConsumer]
) -> None:
    kafka.produce(
        payment_topic, [("C1", payment_event(payment_id=f"P{n}", cif="C1")) for n in range(5)]
    )
    stop = StopFlag()
    handed: list[str] = []

    def stop_after_two(**kwargs: Any) -> None:
        handed.extend(payment_ids(kwargs["inbox_ids"]))
        celery_hand_off(**kwargs)
        if len(handed) == 2:
            stop.set()  # as SIGTERM would

    consumer = make_consumer(stop=stop, dispatch=stop_after_two, batch_size=1)
    run_until(consumer, lambda: stop.stopping)
    consumer.close()
    assert handed == ["P0", "P1"]
    assert Payment.objects.count() == 2
    # The group resumes after P1 (a restart after a kill is covered end to end).
    assert max(kafka.committed_offsets(consumer.group_id, payment_topic).values()) == 2


def test_a_poll_is_handed_off_as_one_task_per_lane_each_key_in_order(
    payment_topic: str, make_consumer: Callable[..., EventConsumer], settings: Any
) -> None:
    settings.KAFKA_EVENT_LANES = 2
    kafka.produce(
        payment_topic,
        [(f"C{n % 4}", payment_event(payment_id=f"P{n}", cif=f"C{n % 4}")) for n in range(12)],
    )
    tasks: list[tuple[str, list[str]]] = []

    def record(**kwargs: Any) -> None:
        tasks.append((kwargs["queue"], payment_ids(kwargs["inbox_ids"])))
        celery_hand_off(**kwargs)

    consumer = make_consumer(dispatch=record)
    run_until(consumer, lambda: consumer.stats.handed_off == 12)
    assert len(tasks) < 12  # polls of many events, not a task per event
    for queue, payments in tasks:  # each task holds only its lane's customers
        assert {lanes.lane_queue(f"C{int(p[1:]) % 4}") for p in payments} == {queue}
    for cif in range(4):
        named = [p for _, payments in tasks for p in payments if int(p[1:]) % 4 == cif]
        assert named == [f"P{n}" for n in range(cif, 12, 4)]
    assert Payment.objects.count() == 12
