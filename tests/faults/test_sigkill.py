"""SIGKILL of the consumer, of the lane worker mid-task and of the relay mid-batch, at seeded
random moments during a stream of payment events (``FAULTS_STREAM``, 500 here, 10,000 in
``make faults-long``) while the API records actions: afterwards every event is applied exactly
once (row count and amount checksum equal to the input), none is left unapplied, the DLQ holds
exactly the deliberately poisoned ones, and every outbox event reached the broker."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest

from kafka_bridge.topics import CONSUMER_GROUPS, PAYMENT_RECEIVED, dlq_topic
from tests.faults.load import Load
from tests.faults.system import System, wait_until
from tests.faults.topics import ACTION_RECORDED, read_all, unpublished
from tests.kafka_bridge.events import payment_event

# Issue 13: this test used to lose one payment in about one run in three ("payments 989,
# committed 1000, queues 0, unacked 0"): a lane worker killed after Redis popped its task and
# before kombu recorded it as unacknowledged. The consumer now commits only events recorded in the
# inbox, which lane workers drain (tests/kafka_bridge/test_inbox.py reproduces it step by step).
pytestmark = pytest.mark.slow

STREAM = int(os.environ.get("FAULTS_STREAM", "500"))
SEED = int(os.environ.get("FAULTS_SEED", "20261"))
GROUP = CONSUMER_GROUPS["payment"][0]
VICTIMS = ("consumer", "events", "relay")


@pytest.fixture(scope="module")
def system() -> Iterator[System]:
    system = System(name="faults-kill")
    try:
        system.start_servers()
        system.prepare()
        system.start("web")
        system.start("events")
        system.start("consumer", "--group", "payment", "--batch-size", "50")
        system.start("relay", "--batch", "50")
        yield system
    finally:
        system.stop()


def stream(rng: random.Random) -> tuple[list[tuple[str, dict[str, object]]], set[str], Decimal]:
    """The events to produce, the payment ids of the poisoned ones, the sum of valid amounts."""
    messages: list[tuple[str, dict[str, object]]] = []
    poisoned: set[str] = set()
    total = Decimal(0)
    for n in range(STREAM):
        cif = f"CIF{rng.randint(1, 50):07d}"
        amount = Decimal(rng.randint(1, 10_000_000)) / 100
        event = payment_event(payment_id=f"S{n:06d}", cif=cif, amount=str(amount))
        if n % 100 == 37:  # 1 %: fails its schema, for the DLQ
            del event["payment"]["payment_date"]  # type: ignore[attr-defined]
            poisoned.add(f"S{n:06d}")
        else:
            total += amount
        messages.append((cif, event))
    return messages, poisoned, total


def diagnosis(system: System) -> str:
    import redis

    client = redis.Redis.from_url(system.redis_url)
    queues = {f"kafka-events-{n}": client.llen(f"kafka-events-{n}") for n in range(4)}
    return (
        f"payments {system.sql('SELECT count(*) FROM workflow_service.payments')[0][0]}, "
        f"committed {system.committed(GROUP, PAYMENT_RECEIVED)}, queues {queues}, "
        f"unacked {client.hlen('unacked')}, "
        f"inbox {system.sql('SELECT count(*) FROM workflow_service.event_inbox')[0][0]}"
    )


def test_every_event_is_applied_exactly_once_through_random_sigkills(system: System) -> None:
    rng = random.Random(SEED)
    messages, poisoned, expected_sum = stream(rng)
    load = Load(system, system.login(), clients=2, pause=0.05).start()

    def produce() -> None:  # in chunks over time, so the kills land mid-stream
        for start in range(0, len(messages), 100):
            system.produce(PAYMENT_RECEIVED, messages[start : start + 100])
            time.sleep(0.2)

    producing = threading.Thread(target=produce, daemon=True)
    producing.start()
    kills: list[str] = []
    deadline = time.monotonic() + 600
    try:
        while producing.is_alive() or len(kills) < 6:
            if time.monotonic() > deadline:
                pytest.fail("the stream did not end in time")
            time.sleep(rng.uniform(0.5, 2.5))
            victim = rng.choice(VICTIMS)
            extra = {
                "consumer": ("--group", "payment", "--batch-size", "50"),
                "events": (),
                "relay": ("--batch", "50"),
            }[victim]
            system.kill(victim, signal.SIGKILL)
            kills.append(victim)
            time.sleep(rng.uniform(0.2, 1.0))
            system.start(victim, *extra)
            if len(kills) >= 6 + STREAM // 500:
                break
        producing.join(timeout=300)
    finally:
        answers = load.stop()

    valid = STREAM - len(poisoned)
    try:
        settle = wait_until(
            lambda: system.sql("SELECT count(*) FROM workflow_service.payments")[0][0] >= valid,
            timeout=120 + STREAM / 10,
            what=f"{valid} payments",
        )
    except TimeoutError:
        pytest.fail(f"{diagnosis(system)}\n{system.output()}")
    wait_until(
        lambda: system.committed(GROUP, PAYMENT_RECEIVED) == STREAM, timeout=120, what="commits"
    )
    wait_until(lambda: unpublished(system) == 0, timeout=120, what="the outbox drained")
    wait_until(
        lambda: system.sql("SELECT count(*) FROM workflow_service.event_inbox")[0][0] == 0,
        timeout=60,
        what="the inbox drained",
    )
    time.sleep(2)  # anything redelivered has been applied (as a no-op) by now

    count, distinct, amount = system.sql(
        "SELECT count(*), count(DISTINCT payment_id), coalesce(sum(amount), 0) "
        "FROM workflow_service.payments"
    )[0]
    assert (count, distinct, amount) == (valid, valid, expected_sum)
    stored = {row[0] for row in system.sql("SELECT payment_id FROM workflow_service.payments")}
    assert not stored & poisoned
    letters = read_all(system.brokers, dlq_topic(PAYMENT_RECEIVED))
    dead = Counter(letter.key for letter in letters)
    assert len(letters) >= len(poisoned)  # at-least-once: a killed consumer may resend one
    assert sum(dead.values()) <= len(poisoned) + kills.count("consumer")
    handler_letters = system.sql(
        "SELECT count(*) FROM workflow_service.outbox_events WHERE topic LIKE '%%.dlq'"
    )[0][0]
    assert handler_letters == 0  # no event dead-lettered because of a kill
    # Every action event reached the broker (a relay killed between the broker's ack and its
    # commit may send one twice: at-least-once, consumers are idempotent on the event id).
    outbox = {
        row[0]
        for row in system.sql(
            "SELECT event_id::text FROM workflow_service.outbox_events WHERE topic = %s",
            [ACTION_RECORDED],
        )
    }
    published = Counter(m.event_id for m in read_all(system.brokers, ACTION_RECORDED))
    assert outbox <= set(published)
    writes = Counter(a.status for a in answers)
    assert set(writes) == {201}, writes
    resent = sum(
        log.read_text(errors="replace").count("waited in the inbox")
        for log in (system.dir / "logs").glob("consumer-*.log")
    )
    print(
        f"\nsigkill: {STREAM} events ({len(poisoned)} poisoned), kills {Counter(kills)}; "
        f"{count} payments, sum {amount}, all applied {settle:.1f} s after the last kill; "
        f"{len(letters)} dead letters; {len(outbox)} action events, "
        f"{sum(published.values()) - len(published)} sent twice; "
        f"{resent} inbox sweep(s) re-sent the tasks of late or lost events"
    )
