"""Handlers are registered once per topic; the consumer only subscribes to handled topics."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from kafka_bridge import lanes, registry, schemas, topics
from kafka_bridge.registry import EventMeta
from tests.kafka_bridge.events import payment_event
from workflow.event_schema import Field, Schema

CONSUMER_PAYMENT_TOPICS = topics.CONSUMER_GROUPS["payment"][1]


def test_the_payment_handler_is_registered_under_the_configured_topic(
    settings: SettingsWrapper,
) -> None:
    assert registry.for_topic(topics.PAYMENT_RECEIVED) is not None
    settings.KAFKA_PAYMENT_TOPIC = "bank-x.payments"
    registration = registry.for_topic("bank-x.payments")
    assert registration is not None and registration.schema is schemas.PAYMENT_RECEIVED
    assert registry.for_topic(topics.PAYMENT_RECEIVED) is None
    assert registry.handled_topic_names(CONSUMER_PAYMENT_TOPICS) == ["bank-x.payments"]
    assert registry.handled_topic_names(topics.CONSUMER_GROUPS["user"][1]) == [
        "auth-service.user.created",
        "auth-service.user.updated",
        "auth-service.user.deactivated",
    ]


def test_other_payment_event_types_are_skipped_not_rejected() -> None:
    registration = registry.for_topic(topics.PAYMENT_RECEIVED)
    assert registration is not None
    assert registration.skip_reason(payment_event()) is None
    assert registration.skip_reason(payment_event(event_type="payment.reversed")) is None
    assert registration.skip_reason(payment_event(event_type="payment.refunded")) == (
        "event_type 'payment.refunded' is not handled"
    )
    # A missing event type is not a skip: validation rejects it.
    event = payment_event()
    del event["event_type"]
    assert registration.skip_reason(event) is None
    assert registration.validate(event) == ["event_type: is required"]


def test_events_are_ordered_by_their_entity_then_message_key_then_event_id() -> None:
    registration = registry.for_topic(topics.PAYMENT_RECEIVED)
    assert registration is not None
    event = payment_event(cif="C42")
    assert registration.ordering_key(event, "message-key") == "C42"
    event["payment"]["cif"] = None
    assert registration.ordering_key(event, "message-key") == "message-key"
    assert registration.ordering_key(event, None) == event["event_id"]
    assert registration.event_id(event) == uuid.UUID(event["event_id"])


def test_a_key_always_maps_to_the_same_lane(settings: SettingsWrapper) -> None:
    assert lanes.lane_queue("C00000001") == lanes.lane_queue("C00000001")
    assert lanes.lane_of("C00000001") == 3543878032 % 4  # crc32, not the salted hash()
    settings.KAFKA_EVENT_LANES = 8
    assert lanes.lane_queues()[-1] == "kafka-events-7"
    assert "-Q kafka-events-0,kafka-events-1," in lanes.worker_command()


def test_a_second_handler_for_a_topic_is_refused() -> None:
    schema = Schema({"id": Field("uuid")})

    def first(payload: dict[str, Any], meta: EventMeta) -> None: ...

    def second(payload: dict[str, Any], meta: EventMeta) -> None: ...

    topic = f"test.registry.{uuid.uuid4().hex}"
    try:
        registry.handler(topic, schema=schema)(first)
        registry.handler(topic, schema=schema)(first)  # re-import: fine
        with pytest.raises(ImproperlyConfigured, match="already has a handler"):
            registry.handler(topic, schema=schema)(second)
        with pytest.raises(ImproperlyConfigured, match="must require a uuid 'event_id'"):
            registry.handler(topic + ".x", schema=schema, event_id_field="event_id")
    finally:
        registry._REGISTRY.pop(topic, None)


def test_consume_events_refuses_a_group_without_any_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for topic in topics.CONSUMER_GROUPS["bank"][1]:
        monkeypatch.delitem(registry._REGISTRY, topic)
    with pytest.raises(CommandError, match="no handler is registered"):
        call_command("consume_events", "--group", "bank", stdout=io.StringIO())


def test_event_id_aliases_need_uuid_fields_of_which_the_schema_requires_one() -> None:
    topic = f"test.registry.{uuid.uuid4().hex}"

    def handle(payload: dict[str, Any], meta: EventMeta) -> None: ...

    optional = {"id": Field("uuid", required=False), "eventId": Field("uuid", required=False)}
    try:
        with pytest.raises(ImproperlyConfigured, match="must require one of"):
            registry.handler(topic, schema=Schema(optional), event_id_aliases=["eventId"])(handle)
        with pytest.raises(ImproperlyConfigured, match="must require a uuid 'eventId'"):
            registry.handler(
                topic, schema=Schema({"id": Field("uuid")}), event_id_aliases=["eventId"]
            )(handle)
        schema = Schema(optional, one_of_required=[("id", "eventId")])
        registry.handler(topic, schema=schema, event_id_aliases=["eventId"])(handle)
        registration = registry.for_topic(topic)
        assert registration is not None
        event_id = uuid.uuid4()
        assert registration.event_id({"eventId": str(event_id)}) == event_id
        assert registration.event_id({"id": str(event_id), "eventId": "other"}) == event_id
        assert registration.ordering_key({"eventId": str(event_id)}, None) == str(event_id)
    finally:
        registry._REGISTRY.pop(topic, None)
