"""Kafka helpers for the Kafka bridge tests (real broker: the embedded tansu or KAFKA_BROKERS)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings

from kafka_bridge.clients import header_text


@dataclass(frozen=True)
class Record:
    """A message read back from the broker."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes | None
    headers: dict[str, str]

    def json(self) -> Any:
        assert self.value is not None
        return json.loads(self.value)


def admin() -> AdminClient:
    return AdminClient({"bootstrap.servers": settings.KAFKA_BROKERS})


def create_topics(*names: str, partitions: int = 3) -> None:
    client = admin()  # must outlive the futures
    futures = client.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in names]
    )
    for future in futures.values():
        future.result(10)


def delete_topics(*names: str) -> None:
    client = admin()
    futures = client.delete_topics(list(names))
    for future in futures.values():
        try:
            future.result(10)
        except Exception:  # noqa: S110 (already gone, or never created)
            pass


Message = tuple[str | None, bytes | str | dict[str, Any]]  # (key, value) to produce


def unique_name(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


def producer() -> Producer:
    return Producer({"bootstrap.servers": settings.KAFKA_BROKERS, "linger.ms": 2})


def produce(
    topic: str,
    messages: Iterable[Message],
    *,
    headers: dict[str, str] | None = None,
) -> int:
    """Produce ``(key, value)`` pairs (dict values as JSON) and wait for the acknowledgements."""
    sender = producer()
    count = 0
    for key, value in messages:
        if isinstance(value, dict):
            value = json.dumps(value)
        sender.produce(topic, key=key, value=value, headers=headers or {})
        count += 1
        if count % 1000 == 0:
            sender.poll(0)
    assert sender.flush(15) == 0
    return count


def read_topic(topic: str, *, expect: int | None = None, timeout: float = 10.0) -> list[Record]:
    """Every message of ``topic`` (all partitions, from the beginning), by partition and offset.

    With ``expect``, waits up to ``timeout`` for that many to exist; without, reads what is
    there now. Uses ``assign`` (no group join), so it is fast.
    """
    consumer = Consumer(
        {
            "bootstrap.servers": settings.KAFKA_BROKERS,
            "group.id": f"test-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 50,
        }
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            metadata = consumer.list_topics(topic, timeout=5)
            info = metadata.topics.get(topic)
            partitions = sorted(info.partitions) if info and info.error is None else []
            ends = {
                p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)
                for p in partitions
            }
            total = sum(high - low for low, high in ends.values())
            if expect is None or total >= expect or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        wanted = {p: high for p, (low, high) in ends.items() if high > low}
        if not wanted:
            return []
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in wanted])
        records: list[Record] = []
        positions = {p: -1 for p in wanted}
        while any(positions[p] + 1 < wanted[p] for p in wanted):
            if time.monotonic() > deadline + 10:
                raise TimeoutError(f"could not read {topic}")
            missing = sum(wanted[p] - positions[p] - 1 for p in wanted)
            for message in consumer.consume(max(1, min(missing, 1000)), 1.0):
                if message.error() is not None:
                    continue
                key = message.key()
                if isinstance(key, bytes):
                    key = key.decode()
                records.append(
                    Record(
                        topic=topic,
                        partition=message.partition() or 0,
                        offset=message.offset() or 0,
                        key=key,
                        value=message.value(),
                        headers=header_text(message),
                    )
                )
                positions[message.partition() or 0] = message.offset() or 0
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def committed_offsets(group_id: str, topic: str) -> dict[int, int]:
    """The committed offset of each partition of ``topic`` for ``group_id`` (-1001 = none)."""
    consumer = Consumer({"bootstrap.servers": settings.KAFKA_BROKERS, "group.id": group_id})
    try:
        metadata = consumer.list_topics(topic, timeout=5)
        partitions = sorted(metadata.topics[topic].partitions)
        committed = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return {tp.partition: tp.offset for tp in committed}
    finally:
        consumer.close()
