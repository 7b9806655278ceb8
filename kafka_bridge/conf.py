"""The Kafka bridge's settings, each read with its default until the lead adds it to settings.

- ``KAFKA_PAYMENT_TOPIC`` (``payment-service.payment.received``): topic of the payment events.
- ``KAFKA_USER_CREATED_TOPIC``, ``KAFKA_USER_UPDATED_TOPIC``, ``KAFKA_USER_DEACTIVATED_TOPIC``,
  ``KAFKA_CUSTOMER_UPDATED_TOPIC``, ``KAFKA_LOAN_UPDATED_TOPIC`` (the DESIGN.md names): the
  other consumed topics (``topics.TOPIC_SETTINGS``).
- ``KAFKA_EVENT_LANES`` (4): Celery queues ``kafka-events-0..N-1`` keeping each key in order.
- ``KAFKA_HANDLER_BATCH_SIZE`` (500): inbox events one lane task applies in one transaction.
- ``KAFKA_HANDLER_MAX_ATTEMPTS`` (5): attempts of a failing handler before dead-lettering.
- ``KAFKA_INBOX_REDISPATCH_SECONDS`` (60): age of an inbox row after which the consumer sends its
  event's task again (a hand-off lost between Redis and a killed lane worker; kafka_bridge.inbox).
- ``KAFKA_HANDLER_RETRY_SECONDS`` (0.5): first pause between attempts (doubles, max 30 s).
- ``KAFKA_DELIVERY_TIMEOUT_MS`` (30000): how long the producer keeps trying one message.
- ``KAFKA_SESSION_TIMEOUT_MS`` (45000; the embedded broker: 6000): consumer group session timeout.
- ``KAFKA_HEARTBEAT_INTERVAL_MS`` (3000; the embedded broker: 500): group heartbeat interval.
- ``KAFKA_AUTO_CREATE_TOPICS`` (False; the embedded broker: True): consumers create topics.
- ``KAFKA_METADATA_REFRESH_MS`` (10000): how soon a consumer sees a topic created later.
- ``KAFKA_CONSUMER_GROUP_SUFFIX`` (""): appended to every consumer group id (e.g. ``-staging``).
- ``OUTBOX_RELAY_BATCH`` (500): outbox rows claimed per relay sweep.
- ``PROCESSED_EVENTS_RETENTION_DAYS`` (30): days a processed event id is remembered.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kafka_bridge import topics


def _int(name: str, default: int, *, minimum: int) -> int:
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImproperlyConfigured(f"{name} must be an integer >= {minimum}, not {value!r}.")
    return value


def _float(name: str, default: float, *, minimum: float) -> float:
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ImproperlyConfigured(f"{name} must be a number >= {minimum}, not {value!r}.")
    return float(value)


def payment_topic() -> str:
    value = getattr(settings, "KAFKA_PAYMENT_TOPIC", topics.PAYMENT_RECEIVED)
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured("KAFKA_PAYMENT_TOPIC must be a non-empty topic name.")
    return value


def event_lanes() -> int:
    return _int("KAFKA_EVENT_LANES", 4, minimum=1)


def handler_batch_size() -> int:
    return _int("KAFKA_HANDLER_BATCH_SIZE", 500, minimum=1)


def handler_max_attempts() -> int:
    return _int("KAFKA_HANDLER_MAX_ATTEMPTS", 5, minimum=1)


def inbox_redispatch_seconds() -> float:
    return _float("KAFKA_INBOX_REDISPATCH_SECONDS", 60.0, minimum=0.0)


def handler_retry_seconds() -> float:
    return _float("KAFKA_HANDLER_RETRY_SECONDS", 0.5, minimum=0.0)


def delivery_timeout_ms() -> int:
    return _int("KAFKA_DELIVERY_TIMEOUT_MS", 30_000, minimum=1_000)


def session_timeout_ms() -> int:
    return _int("KAFKA_SESSION_TIMEOUT_MS", 45_000, minimum=1_000)


def heartbeat_interval_ms() -> int:
    return _int("KAFKA_HEARTBEAT_INTERVAL_MS", 3_000, minimum=100)


def auto_create_topics() -> bool:
    return bool(getattr(settings, "KAFKA_AUTO_CREATE_TOPICS", False))


def metadata_refresh_ms() -> int:
    return _int("KAFKA_METADATA_REFRESH_MS", 10_000, minimum=1_000)


def group_id(base: str) -> str:
    """The consumer group id to use for the DESIGN.md group ``base``."""
    suffix = getattr(settings, "KAFKA_CONSUMER_GROUP_SUFFIX", "")
    if not isinstance(suffix, str):
        raise ImproperlyConfigured("KAFKA_CONSUMER_GROUP_SUFFIX must be a string.")
    return base + suffix


def relay_batch() -> int:
    return _int("OUTBOX_RELAY_BATCH", 500, minimum=1)


def processed_events_retention_days() -> int:
    return _int("PROCESSED_EVENTS_RETENTION_DAYS", 30, minimum=1)
