"""Read back what the relay published to a private broker, and check it against the outbox."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from tests.faults.system import System

ACTION_RECORDED = "workflow-service.action.recorded"


@dataclass(frozen=True)
class Published:
    partition: int
    offset: int
    key: str | None
    event_id: str


def read_all(brokers: str, topic: str, *, timeout: float = 30) -> list[Published]:
    """Every message now on ``topic`` (by partition and offset), read without a group."""
    consumer = Consumer(
        {
            "bootstrap.servers": brokers,
            "group.id": f"faults-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 50,
        }
    )
    try:
        metadata = consumer.list_topics(topic, timeout=10)
        info = metadata.topics.get(topic)
        if info is None or info.error is not None:
            return []
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in info.partitions
        }
        wanted = {p: end for p, end in ends.items() if end > 0}
        if not wanted:
            return []
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in wanted])
        found: list[Published] = []
        positions = dict.fromkeys(wanted, -1)
        deadline = time.monotonic() + timeout
        while any(positions[p] + 1 < wanted[p] for p in wanted):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            for message in consumer.consume(500, 1.0):
                if message.error() is not None:
                    continue
                headers = dict(message.headers() or [])
                event_id = headers.get("event-id") or b""
                key = message.key()
                found.append(
                    Published(
                        message.partition() or 0,
                        message.offset() or 0,
                        key.decode() if isinstance(key, bytes) else key,
                        event_id.decode() if isinstance(event_id, bytes) else event_id,
                    )
                )
                positions[message.partition() or 0] = message.offset() or 0
        return sorted(found, key=lambda m: (m.partition, m.offset))
    finally:
        consumer.close()


def unpublished(system: System) -> int:
    return int(
        system.sql(
            "SELECT count(*) FROM workflow_service.outbox_events WHERE published_at IS NULL"
        )[0][0]
    )


def check_published_once_in_order(
    system: System, published: list[Published], *, since_id: int = 0
) -> int:
    """Assert that every outbox row of ``action.recorded`` with id > ``since_id`` is on the
    topic exactly once, and that each key's events are in outbox id order; return how many."""
    rows = system.sql(
        "SELECT id, event_id::text, message_key FROM workflow_service.outbox_events "
        "WHERE topic = %s AND id > %s ORDER BY id",
        [ACTION_RECORDED, since_id],
    )
    expected = {event_id: (id_, key) for id_, event_id, key in rows}
    seen: dict[str, int] = defaultdict(int)
    by_key: dict[str, list[int]] = defaultdict(list)
    for message in published:
        if message.event_id in expected:
            seen[message.event_id] += 1
            id_, key = expected[message.event_id]
            assert message.key == key
            by_key[key].append(id_)
    missing = [event_id for event_id in expected if seen[event_id] == 0]
    doubled = [event_id for event_id, count in seen.items() if count > 1]
    assert not missing, f"{len(missing)} of {len(expected)} events never published"
    assert not doubled, f"{len(doubled)} events published more than once"
    for key, ids in by_key.items():
        assert ids == sorted(ids), f"events of key {key} out of order"
    return len(expected)
