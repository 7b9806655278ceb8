"""confluent-kafka clients configured the same way everywhere (DESIGN.md §5 defaults).

librdkafka reconnects by itself when a broker goes away and comes back; nothing here needs to
re-create a client after an outage.
"""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import Consumer, Message, Producer
from django.conf import settings

from kafka_bridge import conf

logger = logging.getLogger(__name__)


def _base() -> dict[str, Any]:
    return {
        "bootstrap.servers": settings.KAFKA_BROKERS,
        "client.id": settings.KAFKA_CLIENT_ID,
        "logger": logging.getLogger("kafka_bridge.librdkafka"),
    }


def producer_config(**overrides: Any) -> dict[str, Any]:
    """Idempotent producer: acks=all, 8 retries starting at 100 ms (DESIGN.md §5); a message
    is reported failed after ``KAFKA_DELIVERY_TIMEOUT_MS``."""
    return {
        **_base(),
        "enable.idempotence": True,
        "acks": "all",
        "retries": 8,
        "retry.backoff.ms": 100,
        "message.timeout.ms": conf.delivery_timeout_ms(),
        "linger.ms": 5,
        **overrides,
    }


def make_producer(**overrides: Any) -> Producer:
    """A producer with :func:`producer_config`; ``overrides`` win (e.g. bootstrap.servers)."""
    return Producer(producer_config(**overrides))


def consumer_config(group_id: str, **overrides: Any) -> dict[str, Any]:
    """Manual commits, earliest offset for a new group, the classic group protocol."""
    return {
        **_base(),
        "group.id": group_id,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": conf.session_timeout_ms(),
        "heartbeat.interval.ms": conf.heartbeat_interval_ms(),
        "allow.auto.create.topics": conf.auto_create_topics(),
        # A topic created after the subscription is picked up at the next refresh.
        "topic.metadata.refresh.interval.ms": conf.metadata_refresh_ms(),
        **overrides,
    }


def make_consumer(group_id: str, **overrides: Any) -> Consumer:
    return Consumer(consumer_config(group_id, **overrides))


Headers = list[tuple[str, str | bytes | None]]


def header_pairs(message: Message) -> list[tuple[str, bytes | None]]:
    """A message's headers as ``(name, bytes)`` pairs, in order (names may repeat)."""
    raw = message.headers()
    items = raw.items() if isinstance(raw, dict) else (raw or [])
    return [(name, value.encode() if isinstance(value, str) else value) for name, value in items]


def header_text(message: Message) -> dict[str, str]:
    """A message's headers decoded as UTF-8 text (the last value of a repeated name wins)."""
    return {
        name: value.decode("utf-8", "replace") if value is not None else ""
        for name, value in header_pairs(message)
    }
