"""Bank sync's customer and loan events give every reported customer a case, once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from assignments.models import CustomerAgent
from cases.models import CustomerCase
from kafka_bridge import registry, schemas, topics
from kafka_bridge.clients import make_producer
from kafka_bridge.consumer import EventConsumer
from kafka_bridge.dlq import DLQ_ERROR, DLQ_STAGE
from kafka_bridge.processing import APPLIED, DEAD_LETTERED, DUPLICATE, apply_event
from kafka_bridge.topics import dlq_topic
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory
from tests.kafka_bridge import kafka
from tests.kafka_bridge.auth_events import bank_event
from workflow import generations
from workflow.models import OutboxEvent
from workflow.runloop import StopFlag

pytestmark = pytest.mark.django_db


def apply(topic: str, event: dict[str, Any]) -> str:
    return apply_event(topic=topic, key=event.get("cif"), payload=event, headers={})


def test_a_customer_event_opens_a_case_with_the_default_statuses() -> None:
    customer = CustomerFactory()

    assert apply(topics.CUSTOMER_UPDATED, bank_event(customer.cif)) == APPLIED

    case = CustomerCase.objects.get(customer_id=customer.cif)
    assert (
        case.customer_status,
        case.collateral_status,
        case.processing_state_status,
        case.lending_violation_status,
        case.recovery_ability_status,
    ) == ("ACTIVE", "UNSECURED", "IN_PROCESS", "NONE", "MEDIUM")
    assert case.assigned_call_agent_id is None and case.assigned_field_agent_id is None
    assert case.created_by == "bank-sync-service"
    # The assignment trigger writes its first, empty version for a case opened without agents.
    [version] = CustomerAgent.objects.filter(customer_id=customer.cif)
    assert version.assigned_call_agent_id is None and version.is_current
    assert not OutboxEvent.objects.exists()  # no assignment happened: nothing published


def test_bank_events_are_idempotent_and_leave_an_existing_case_alone() -> None:
    customer = CustomerFactory()
    event = bank_event(customer.cif, id_name="id", accountNumber="L1")

    assert apply(topics.LOAN_UPDATED, event) == APPLIED
    assert apply(topics.LOAN_UPDATED, event) == DUPLICATE
    assert apply(topics.CUSTOMER_UPDATED, bank_event(customer.cif)) == APPLIED
    assert apply(topics.LOAN_UPDATED, bank_event(customer.cif, accountNumber=None)) == APPLIED

    assert CustomerCase.objects.filter(customer_id=customer.cif).count() == 1
    assert CustomerAgent.objects.filter(customer_id=customer.cif).count() == 1


def test_it_invalidates_the_cached_reports_of_the_customers_agents_after_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    call, field = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)
    invalidated: list[tuple[Any, ...]] = []
    monkeypatch.setattr(generations, "bump_agents", lambda *ids: invalidated.append(ids))

    with django_capture_on_commit_callbacks(execute=True):
        apply(topics.CUSTOMER_UPDATED, bank_event(case.customer_id))
        assert invalidated == []  # not before the commit

    assert invalidated == [(call.id, field.id)]


def test_a_customer_unknown_to_bank_sync_is_dead_lettered() -> None:
    assert apply(topics.CUSTOMER_UPDATED, bank_event("NO-SUCH-CIF")) == DEAD_LETTERED

    [letter] = OutboxEvent.objects.filter(topic=dlq_topic(topics.CUSTOMER_UPDATED))
    assert "customer NO-SUCH-CIF does not exist" in letter.headers[DLQ_ERROR]
    assert not CustomerCase.objects.exists()


def test_the_schemas_require_a_cif_and_an_event_id_under_either_name() -> None:
    registration = registry.for_topic(topics.LOAN_UPDATED)
    assert registration is not None
    assert registration.validate(bank_event("C1", id_name="id")) == []
    assert registration.validate(bank_event("C1", id_name="eventId")) == []
    assert registration.validate({"cif": "C1"}) == ["id or eventId: one of them is required"]
    assert schemas.CUSTOMER_UPDATED.validate(bank_event(None)) == ["cif: is required"]
    event = bank_event("C1", id_name="eventId")
    assert registration.event_id(event) == uuid.UUID(event["eventId"])
    assert registration.ordering_key(event, "L00000001") == "C1"


@pytest.fixture
def customer_topic(settings: SettingsWrapper) -> Iterator[str]:
    """A new topic consumed as bank-sync-service.customer.updated."""
    name = kafka.unique_name("test.customer.updated")
    kafka.create_topics(name, dlq_topic(name), partitions=1)
    settings.KAFKA_CUSTOMER_UPDATED_TOPIC = name
    yield name
    kafka.delete_topics(name, dlq_topic(name))


@pytest.mark.slow
def test_a_bank_event_without_cif_goes_to_the_dlq_and_the_consumer_carries_on(
    customer_topic: str,
) -> None:
    first, last = str(CustomerFactory().cif), str(CustomerFactory().cif)
    kafka.produce(
        customer_topic,
        [
            (first, bank_event(first)),
            ("no-cif", bank_event(None, name="Nobody")),
            (last, bank_event(last)),
        ],
    )
    consumer = EventConsumer(
        group_id=kafka.unique_name("test-bank-group"),
        topic_names=[customer_topic],
        dlq_producer=make_producer(),
        stop=StopFlag(),
        max_pause=0.05,
    )  # Celery is eager in tests: the task runs inside the hand-off
    consumer.start()
    try:
        deadline = time.monotonic() + 20
        while consumer.stats.handed_off + consumer.stats.dead_lettered < 3:
            assert time.monotonic() < deadline, consumer.stats
            consumer.step(0.2)
    finally:
        consumer.close()

    assert (consumer.stats.handed_off, consumer.stats.dead_lettered) == (2, 1)
    assert set(CustomerCase.objects.values_list("customer_id", flat=True)) == {first, last}
    [letter] = kafka.read_topic(dlq_topic(customer_topic), expect=1)
    assert letter.key == "no-cif"
    assert letter.headers[DLQ_ERROR] == "invalid event: cif: is required"
    assert letter.headers[DLQ_STAGE] == "validation"
