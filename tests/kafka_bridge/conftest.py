"""Fixtures of the Kafka bridge tests: a fresh payment topic per test, fast handler retries,
the payments a handler applied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kafka_bridge.handlers import payments as payment_handlers
from kafka_bridge.topics import dlq_topic
from tests.kafka_bridge import kafka


@pytest.fixture
def payment_topic(settings: SettingsWrapper) -> Iterator[str]:
    """A new 3-partition topic consumed as the payment topic (KAFKA_PAYMENT_TOPIC)."""
    name = kafka.unique_name("test.payment.received")
    kafka.create_topics(name, dlq_topic(name))
    settings.KAFKA_PAYMENT_TOPIC = name
    yield name
    kafka.delete_topics(name, dlq_topic(name))


@pytest.fixture
def fast_retries(settings: SettingsWrapper) -> None:
    settings.KAFKA_HANDLER_MAX_ATTEMPTS = 2
    settings.KAFKA_HANDLER_RETRY_SECONDS = 0.0


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The payment ids the handler or the batch step applied, in order (rolled-back attempts
    included)."""
    order: list[str] = []
    original = payment_handlers.payment_record
    original_many = payment_handlers.payments_record

    def record(**kwargs: Any) -> Any:
        order.append(kwargs["payment_id"])
        return original(**kwargs)

    def record_many(payments: Any) -> Any:
        order.extend(payment.payment_id for payment in payments)
        return original_many(payments)

    monkeypatch.setattr(payment_handlers, "payment_record", record)
    monkeypatch.setattr(payment_handlers, "payments_record", record_many)
    return order
