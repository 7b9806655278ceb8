"""Kafka paths: events/s from the broker to committed rows, and the outbox relay's events/s.

Consumed topics (user, bank and payment events): real processes, no eager mode. For each
group, fresh topics and a fresh consumer group; ``manage.py consume_events --group <g>`` and two
Celery lane workers (``--pool solo``, the lanes split between them) run as subprocesses on the
benchmark's database, with a private ``redis-server`` as Celery broker. After a warm-up event
has been applied, ``events`` events are produced (keys spread over many customers / users) and
the clock runs from the first produce until the last event's row is committed:

* user: ``auth-service.user.created`` for new users -> their agent profiles (agents rows);
* bank: ``customer.updated`` and ``loan.updated`` of existing customers -> their
  ``processed_events`` rows (the cases exist, so the claim is the only write);
* payment: ``payment.received`` -> ``payments`` rows (attributed to the assigned agents);
  their payment date (2026-03-10) is before every pending promise of the data set, so no
  promise takes them (the path as before issue 15, plus the promise lookup);
* payment_promises: ``payment.received`` paid today on the loans of customers holding a
  PENDING promise (``bench/dataset.py``, one event per promise, round robin) -> ``payments``
  rows, each appropriated to its promise in the same transaction (``promise_appropriations``;
  those that reach the promised amount make it KEPT and write ``promise.kept`` to the outbox).

A count short of ``events`` after the time-out (``max(120 s, events / 20 s)``) is reported
as events not applied (never silently): lost, or just too slow.

Relay: ``events`` outbox rows (keys over 1,000 customers) are inserted with SQL and
``kafka_bridge.relay.relay_pending`` publishes them in-process to a fresh topic; the clock
stops when the last row is marked published.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GROUPS = ("user", "bank", "payment", "payment_promises")


@dataclass
class KafkaOutcome:
    path: str
    events: int
    seconds: float
    applied: int
    appropriated: int | None = None  # payment_promises: payments applied to a promise

    @property
    def rate(self) -> float:
        return self.applied / self.seconds if self.seconds else 0.0

    @property
    def lost(self) -> int:
        return self.events - self.applied

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "events": self.events,
            "applied": self.applied,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.rate, 1),
            "lost": self.lost,
            **({} if self.appropriated is None else {"appropriated": self.appropriated}),
        }


def _scalar(sql: str, params: list[Any]) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _new_users(count: int, nonce: str) -> list[tuple[str, str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO auth_service.users (username, email, password_hash, role)
            SELECT 'kafka.' || %s || '.' || n, 'kafka.' || %s || '.' || n || '@bench.test', 'x',
                   'AGENT'
            FROM generate_series(1, %s) n
            RETURNING id, username, email
            """,
            [nonce, nonce, count],
        )
        return [(str(a), b, c) for a, b, c in cursor.fetchall()]


def measure_group(
    group: str, *, events: int, customers: int, echo: Callable[[str], None] = print
) -> KafkaOutcome:
    from kafka_bridge.lanes import lane_queues
    from kafka_bridge.topics import dlq_topic
    from tests.kafka_bridge import kafka
    from tests.kafka_bridge.auth_events import bank_event, user_created
    from tests.kafka_bridge.events import payment_event
    from tests.kafka_bridge.processes import Stack, private_redis

    nonce = uuid.uuid4().hex[:8]

    def cif(i: int) -> str:
        return f"C{1 + i * 7919 % customers:09d}"

    def loan(i: int) -> str:  # the customer's first loan
        return f"L{1 + i * 7919 % customers:09d}"

    renamed: dict[str, str] = {}  # setting -> fresh topic
    messages: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []  # (topic, messages)
    warm_up: tuple[str, list[tuple[str, dict[str, Any]]]]
    if group == "payment":
        topic = kafka.unique_name("bench.payment.received")
        payment_topic = topic
        pay = [
            (
                cif(i),
                payment_event(payment_id=f"{nonce}-{i}", cif=cif(i), loan_account_number=loan(i)),
            )
            for i in range(events + 1)
        ]
        warm_up, messages = (topic, pay[:1]), [(topic, pay[1:])]

        def applied() -> int:
            return _scalar(
                "SELECT count(*) FROM workflow_service.payments WHERE payment_id LIKE %s",
                [f"{nonce}-%"],
            )

    elif group == "payment_promises":
        topic = kafka.unique_name("bench.payment.received")
        payment_topic = topic
        promised = _pending_promises()
        if not promised:
            raise RuntimeError("no pending promise left in the data set: generate it again")
        paid_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        pay = [
            (
                promised[i % len(promised)][0],
                payment_event(
                    payment_id=f"{nonce}-{i}",
                    cif=promised[i % len(promised)][0],
                    loan_account_number=promised[i % len(promised)][1],
                    payment_date=paid_at,
                ),
            )
            for i in range(events + 1)
        ]
        warm_up, messages = (topic, pay[:1]), [(topic, pay[1:])]

        def applied() -> int:
            return _scalar(
                "SELECT count(*) FROM workflow_service.payments WHERE payment_id LIKE %s",
                [f"{nonce}-%"],
            )

    elif group == "user":
        payment_topic = kafka.unique_name("bench.unused")
        topic = kafka.unique_name("bench.user.created")
        renamed = {
            "KAFKA_USER_CREATED_TOPIC": topic,
            "KAFKA_USER_UPDATED_TOPIC": kafka.unique_name("bench.user.updated"),
            "KAFKA_USER_DEACTIVATED_TOPIC": kafka.unique_name("bench.user.deactivated"),
        }
        created = [
            (user_id, user_created(user_id, username=username, email=email))
            for user_id, username, email in _new_users(events + 1, nonce)
        ]
        warm_up, messages = (topic, created[:1]), [(topic, created[1:])]

        def applied() -> int:
            return _scalar(
                "SELECT count(*) FROM workflow_service.agents a "
                "JOIN auth_service.users u ON u.id = a.user_id WHERE u.username LIKE %s",
                [f"kafka.{nonce}.%"],
            )

    elif group == "bank":
        payment_topic = kafka.unique_name("bench.unused")
        customer_topic = kafka.unique_name("bench.customer.updated")
        loan_topic = kafka.unique_name("bench.loan.updated")
        renamed = {
            "KAFKA_CUSTOMER_UPDATED_TOPIC": customer_topic,
            "KAFKA_LOAN_UPDATED_TOPIC": loan_topic,
        }
        half = events // 2
        warm_up = (customer_topic, [(cif(0), bank_event(cif(0)))])
        messages = [
            (customer_topic, [(cif(i), bank_event(cif(i))) for i in range(1, half + 1)]),
            (
                loan_topic,
                [
                    (cif(i), bank_event(cif(i), id_name="id", accountNumber=loan(i)))
                    for i in range(half + 1, events + 1)
                ],
            ),
        ]

        def applied() -> int:
            return _scalar(
                "SELECT count(*) FROM workflow_service.processed_events WHERE topic = ANY(%s)",
                [[customer_topic, loan_topic]],
            )

    else:
        raise ValueError(group)

    own_topics = [payment_topic, *renamed.values()]
    own_topics += [dlq_topic(name) for name in own_topics]
    kafka.create_topics(*own_topics)
    redis_server, redis_url = private_redis()
    stack = Stack(
        payment_topic=payment_topic, settings_module="bench.kafka_settings", redis_url=redis_url
    )
    stack.env.update({f"BENCH_{name}": value for name, value in renamed.items()})
    total = sum(len(batch) for _, batch in messages)
    try:
        queues = lane_queues()
        for index in range(2):
            stack.start_worker(queues[index::2])
        stack.start_consumer(group="payment" if group == "payment_promises" else group)
        kafka.produce(warm_up[0], warm_up[1])
        deadline = time.monotonic() + 90
        while applied() < 1:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {group} consumer did not start:\n{stack.output()}")
            time.sleep(0.05)
        started = time.monotonic()
        for topic_name, batch in messages:
            kafka.produce(topic_name, batch)
        deadline = time.monotonic() + max(120, total / 20)
        done = applied() - 1
        while done < total and time.monotonic() < deadline:
            time.sleep(0.02)
            done = applied() - 1
        elapsed = time.monotonic() - started
    finally:
        stack.stop()
        redis_server.terminate()
        redis_server.wait(10)
        kafka.delete_topics(*own_topics)
    outcome = KafkaOutcome(f"consume {group} events", total, elapsed, done)
    if group == "payment_promises":
        outcome.path = "consume payment events on pending promises"
        outcome.appropriated = _scalar(
            "SELECT count(DISTINCT payment_id) FROM workflow_service.promise_appropriations "
            "WHERE payment_id LIKE %s AND payment_id <> %s",  # not the warm-up event
            [f"{nonce}-%", f"{nonce}-0"],
        )
    echo(
        f"  {outcome.path}: {outcome.applied}/{total} in {elapsed:.2f} s = "
        f"{outcome.rate:.0f} events/s"
        + (f", {outcome.lost} NOT APPLIED by the time-out" if outcome.lost else "")
        + (
            f", {outcome.appropriated} appropriated to a promise"
            if outcome.appropriated is not None
            else ""
        )
    )
    return outcome


def _pending_promises() -> list[tuple[str, str]]:
    """(cif, loan) of the data set's PENDING loan promises a payment made today counts for."""
    from django.db import connection

    from workflow.business_time import business_today

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cif, loan_account_number FROM workflow_service.payment_promises "
            "WHERE status = 'PENDING' AND loan_account_number IS NOT NULL AND due_date >= %s "
            "AND created_at < now() AT TIME ZONE 'UTC' - interval '1 day' ORDER BY cif",
            [business_today()],
        )
        return [(str(cif), str(loan)) for cif, loan in cursor.fetchall()]


def measure_relay(*, events: int, echo: Callable[[str], None] = print) -> KafkaOutcome:
    from django.db import connection

    from kafka_bridge.clients import make_producer
    from kafka_bridge.relay import relay_pending
    from tests.kafka_bridge import kafka

    topic = kafka.unique_name("bench.outbox")
    kafka.create_topics(topic)
    with connection.cursor() as cursor:
        # Rows the HTTP cases wrote are not part of this measurement.
        cursor.execute(
            "UPDATE workflow_service.outbox_events SET published_at = now() AT TIME ZONE 'UTC' "
            "WHERE published_at IS NULL"
        )
        cursor.execute(
            """
            INSERT INTO workflow_service.outbox_events (event_id, topic, message_key, payload)
            SELECT gen_random_uuid(), %s, 'C' || lpad((1 + n %% 1000)::text, 9, '0'),
                   jsonb_build_object('id', gen_random_uuid(), 'n', n, 'version', '1.0',
                                      'timestamp', '2026-03-10T02:30:00Z')
            FROM generate_series(1, %s) n
            """,
            [topic, events],
        )
    producer = make_producer()
    try:
        started = time.monotonic()
        relay_pending(producer, max_seconds=max(60, events / 100))
        elapsed = time.monotonic() - started
        published = _scalar(
            "SELECT count(*) FROM workflow_service.outbox_events "
            "WHERE topic = %s AND published_at IS NOT NULL",
            [topic],
        )
    finally:
        producer.flush(10)
        kafka.delete_topics(topic)
    outcome = KafkaOutcome("outbox relay", events, elapsed, published)
    echo(
        f"  {outcome.path}: {published}/{events} in {elapsed:.2f} s = {outcome.rate:.0f} events/s"
        + (f", {outcome.lost} NOT PUBLISHED" if outcome.lost else "")
    )
    return outcome
