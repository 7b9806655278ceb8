"""End to end with real processes: broker → ``consume_events`` → Redis → Celery lane worker →
PostgreSQL. Runs on the test database, so the tests commit (``transaction=True``)."""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.db import connection

from kafka_bridge.dlq import DLQ_ERROR, DLQ_ORIGINAL_TOPIC
from kafka_bridge.lanes import lane_queues
from kafka_bridge.models import ProcessedEvent
from kafka_bridge.topics import CONSUMER_GROUPS, dlq_topic
from payments.models import Payment
from tests.factories import AgentFactory, CustomerFactory
from tests.kafka_bridge import kafka
from tests.kafka_bridge.events import payment_event
from tests.kafka_bridge.processes import Stack, private_redis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PAYMENT_GROUP = CONSUMER_GROUPS["payment"][0]


@pytest.fixture(scope="module")
def celery_broker() -> Iterator[str]:
    """A private Redis for the Celery queues of these tests: other test runs on this machine
    flush their own Redis databases, and one of them could be ours."""
    server, url = private_redis()
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture
def stack(payment_topic: str, celery_broker: str) -> Iterator[Stack]:
    processes = Stack(
        payment_topic=payment_topic,
        settings_module="tests.kafka_bridge.e2e_settings",
        redis_url=celery_broker,
    )
    yield processes
    processes.stop()


def committed(stack: Stack, topic: str) -> int:
    """How many messages of ``topic`` the stack's payment group has committed."""
    group = PAYMENT_GROUP + stack.group_suffix
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


def test_events_on_the_broker_become_payments_once_and_poison_goes_to_the_dlq(
    payment_topic: str, stack: Stack
) -> None:
    call_agent, field_agent = AgentFactory(), AgentFactory()
    cif = str(CustomerFactory().cif)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.customer_agents (cif, assigned_call_agent_id, "
            "assigned_field_agent_id, start_date, is_current) VALUES (%s, %s, %s, %s, true)",
            [cif, call_agent.id, field_agent.id, dt.date(2026, 1, 1)],
        )
    events = [payment_event(payment_id=f"P{n:03d}", cif=cif) for n in range(20)]
    broken = payment_event(payment_id="P-BROKEN", cif=cif)
    del broken["payment"]["payment_date"]
    messages: list[kafka.Message] = [
        *((cif, event) for event in events[:10]),
        (cif, events[3]),  # redelivered
        (cif, b"{not json"),
        (cif, broken),
        (cif, payment_event(payment_id="P-REFUND", cif=cif, event_type="payment.refunded")),
        *((cif, event) for event in events[10:]),
    ]
    # Per-key order: 30 customers each get 5 events for one payment with amounts 1..5. The
    # first event applied wins (payment_id is unique), so every payment must keep amount 1.
    versions: list[kafka.Message] = [
        (f"K{c:07d}", payment_event(payment_id=f"O{c}", cif=f"K{c:07d}", amount=str(n)))
        for c in range(30)
        for n in range(1, 6)
    ]
    kafka.produce(payment_topic, [*messages, *versions])
    lanes = lane_queues()
    stack.start_worker(lanes[0::2])  # two lane workers, as in production
    stack.start_worker(lanes[1::2])
    consumer = stack.start_consumer()

    wait_for(lambda: Payment.objects.count() == 50, stack)
    wait_for(lambda: ProcessedEvent.objects.count() == 20 + len(versions), stack)
    letters = kafka.read_topic(dlq_topic(payment_topic), expect=2)
    assert sorted(letter.headers[DLQ_ERROR][:20] for letter in letters) == [
        "invalid JSON: Expect",
        "invalid event: payme",
    ]
    assert {letter.headers[DLQ_ORIGINAL_TOPIC] for letter in letters} == {payment_topic}
    assert (
        "payment.payment_date: is required"
        in letters[1].headers[DLQ_ERROR] + letters[0].headers[DLQ_ERROR]
    )

    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=15) == 0, stack.output()
    assert committed(stack, payment_topic) == len(messages) + len(versions)
    time.sleep(0.5)
    assert Payment.objects.count() == 50
    assert ProcessedEvent.objects.count() == 20 + len(versions)
    assert set(
        Payment.objects.filter(payment_id__startswith="O").values_list("amount", flat=True)
    ) == {Decimal("1.00")}
    payment = Payment.objects.get(payment_id="P007")
    assert (payment.call_agent_id, payment.field_agent_id) == (call_agent.id, field_agent.id)
    assert not Payment.objects.filter(payment_id__in=["P-BROKEN", "P-REFUND"]).exists()


def test_a_consumer_killed_mid_stream_and_restarted_stores_every_payment_exactly_once(
    payment_topic: str, stack: Stack
) -> None:
    total = 1000
    events = [
        (f"C{n % 97:08d}", payment_event(payment_id=f"K{n:05d}", cif=f"C{n % 97:08d}"))
        for n in range(total)
    ]
    kafka.produce(payment_topic, events[:100])
    stack.start_worker()
    first = stack.start_consumer(batch_size=20)
    wait_for(lambda: Payment.objects.count() >= 50, stack)

    def produce_the_rest() -> None:  # over ~3 s, so the kill lands mid-stream
        for start in range(100, total, 30):
            kafka.produce(payment_topic, events[start : start + 30])
            time.sleep(0.1)

    producer = threading.Thread(target=produce_the_rest)
    producer.start()
    wait_for(lambda: committed(stack, payment_topic) >= 300, stack)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    producer.join(timeout=30)
    assert committed(stack, payment_topic) < total  # the restarted consumer has work to do

    stack.start_consumer(batch_size=20)
    wait_for(lambda: Payment.objects.count() >= total, stack, timeout=60)
    wait_for(lambda: committed(stack, payment_topic) == total, stack)
    time.sleep(1.0)  # anything redelivered has been applied (as a no-op) by now
    assert Payment.objects.count() == total
    assert Payment.objects.values("payment_id").distinct().count() == total
    assert ProcessedEvent.objects.count() == total
