"""Lanes: the Celery queues that keep one key's events in order between consumer and worker.

The consumer reads each partition in order and sends every event to the queue
``kafka-events-<crc32(key) % KAFKA_EVENT_LANES>``. Each lane queue must be consumed by exactly
ONE worker process at a time (``--pool solo`` or ``--concurrency 1``), so the events of one key
are applied one after the other, in the order Kafka delivered them. Lanes spread the keys over
several such workers; throughput grows with the number of lane workers.

A worker for all lanes (development)::

    celery -A collectioncrm worker -n events@%h --pool solo -Q kafka-events-0,...,kafka-events-3

or one worker per lane in production (``-Q kafka-events-0``, ``-Q kafka-events-1``, ...).
"""

from __future__ import annotations

import zlib

from kafka_bridge import conf

LANE_QUEUE_PREFIX = "kafka-events-"


def lane_of(key: str) -> int:
    """The lane of ``key``: stable across processes and restarts (unlike ``hash()``)."""
    return zlib.crc32(key.encode("utf-8")) % conf.event_lanes()


def lane_queue(key: str) -> str:
    return f"{LANE_QUEUE_PREFIX}{lane_of(key)}"


def lane_queues() -> list[str]:
    return [f"{LANE_QUEUE_PREFIX}{lane}" for lane in range(conf.event_lanes())]


def worker_command(queues: list[str] | None = None) -> str:
    """The command line of a worker serving ``queues`` (default: every lane) in order."""
    names = ",".join(queues or lane_queues())
    return f"celery -A collectioncrm worker -n events@%h --pool solo -Q {names}"
