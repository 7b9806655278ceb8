"""Reading what a test added to a shared topic (the topics we produce have fixed names, and
other test runs write to them too)."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, TopicPartition
from django.conf import settings

from kafka_bridge.clients import header_text
from tests.kafka_bridge import kafka


def end_offsets(topic: str) -> dict[int, int]:
    """The next offset of each partition of ``topic`` (a shared topic: read only what follows)."""
    consumer = Consumer({"bootstrap.servers": settings.KAFKA_BROKERS, "group.id": "unused"})
    try:
        info = consumer.list_topics(topic, timeout=10).topics.get(topic)
        if info is None or info.error is not None:
            return {}
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1]
            for p in info.partitions
        }
    finally:
        consumer.close()


def read_since(topic: str, since: dict[int, int], *, expect: int) -> list[kafka.Record]:
    """At least ``expect`` messages of ``topic`` written after the offsets ``since``."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.KAFKA_BROKERS,
            "group.id": f"test-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, since.get(p, 0)) for p in partitions])
    records: list[kafka.Record] = []
    deadline = time.monotonic() + 15
    try:
        while len(records) < expect and time.monotonic() < deadline:
            for message in consumer.consume(100, 0.5):
                if message.error() is None:
                    key = message.key()
                    records.append(
                        kafka.Record(
                            topic=topic,
                            partition=message.partition() or 0,
                            offset=message.offset() or 0,
                            key=key.decode() if isinstance(key, bytes) else key,
                            value=message.value(),
                            headers=header_text(message),
                        )
                    )
    finally:
        consumer.close()
    return records
