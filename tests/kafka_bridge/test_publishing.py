"""The services publish their events through the outbox, in their own transaction: one row per
change with the payload of docs/events.md, none when nothing changed or the change failed."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from actions.services import VisitLocation, action_record
from agents import services as agent_services
from assignments.services import assignment_assign, assignment_reassign
from kafka_bridge import schemas, topics
from kafka_bridge.clients import make_producer
from kafka_bridge.relay import relay_once
from tests.actions.helpers import BASE as ACTIONS_URL
from tests.actions.helpers import call_payload
from tests.api import agent_client, client_for, envelope_ok
from tests.factories import (
    AgentFactory,
    CrmUserFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from tests.kafka_bridge.offsets import end_offsets, read_since
from workflow.actors import Actor
from workflow.business_time import business_today
from workflow.errors import Conflict
from workflow.models import OutboxEvent

pytestmark = pytest.mark.django_db

ADMIN_ID = uuid.uuid4()
ACTOR = Actor(username="admin.user", user_id=ADMIN_ID, roles=frozenset({"ADMIN"}))
BY_ADMIN = {"userId": str(ADMIN_ID), "username": "admin.user"}


def only_event(topic: str) -> OutboxEvent:
    """The single outbox row of ``topic`` (and nothing else in the outbox)."""
    rows = list(OutboxEvent.objects.all())
    assert [row.topic for row in rows] == [topic]
    row = rows[0]
    assert schemas.PRODUCED[topic].validate(row.payload) == []
    assert row.payload["id"] == str(row.event_id)
    assert row.payload["version"] == "1.0" and row.payload["timestamp"].endswith("Z")
    assert row.published_at is None
    return row


def without_envelope(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in ("id", "timestamp", "version")}


# --- Agents ---------------------------------------------------------------------------------


def test_creating_an_agent_publishes_agent_created_keyed_by_agent_id() -> None:
    user = CrmUserFactory()
    agent = agent_services.agent_create(
        employee_id="E-PUB-1",
        name="Nguyen Van An",
        email="an@bank.test",
        phone=None,
        type="AGENT",
        team="Team A",
        actor=ACTOR,
        user_id=user.id,
    )

    row = only_event(topics.AGENT_CREATED)
    assert row.message_key == str(agent.id)
    assert without_envelope(row.payload) == {
        "agentId": str(agent.id),
        "userId": str(user.id),
        "employeeId": "E-PUB-1",
        "name": "Nguyen Van An",
        "email": "an@bank.test",
        "phone": None,
        "type": "AGENT",
        "team": "Team A",
        "isActive": True,
        "createdBy": BY_ADMIN,
    }


def test_a_refused_create_publishes_nothing() -> None:
    AgentFactory(employee_id="E-TAKEN")
    with pytest.raises(Conflict):
        agent_services.agent_create(
            employee_id="E-TAKEN",
            name="X",
            email="x@bank.test",
            phone=None,
            type="AGENT",
            team="Team A",
            actor=ACTOR,
        )
    assert not OutboxEvent.objects.exists()


def test_updating_an_agent_publishes_its_state_and_the_previous_values() -> None:
    agent = AgentFactory(name="Old Name", team="Team A", is_active=True, phone="+84900000000")

    agent_services.agent_update(
        agent_id=agent.id, actor=ACTOR, name="New Name", team="Team B", is_active=False
    )

    row = only_event(topics.AGENT_UPDATED)
    assert row.message_key == str(agent.id)
    payload = row.payload
    assert (payload["name"], payload["team"], payload["isActive"]) == ("New Name", "Team B", False)
    assert payload["employeeId"] == agent.employee_id and payload["phone"] == "+84900000000"
    assert payload["changes"] == {"name": "Old Name", "team": "Team A", "isActive": True}
    assert payload["updatedBy"] == BY_ADMIN


def test_an_update_that_changes_no_value_publishes_nothing() -> None:
    agent = AgentFactory(name="Same", team="Team A")

    agent_services.agent_update(agent_id=agent.id, actor=ACTOR, name="Same", team="Team A")
    agent_services.agent_update(agent_id=agent.id, actor=ACTOR)

    assert not OutboxEvent.objects.exists()


def test_linking_and_unlinking_a_user_publish_agent_updated_once_each() -> None:
    agent, user = AgentFactory(), CrmUserFactory()

    agent_services.agent_link_user(agent_id=agent.id, user_id=user.id, actor=ACTOR)
    agent_services.agent_link_user(agent_id=agent.id, user_id=user.id, actor=ACTOR)  # no-op
    linked = only_event(topics.AGENT_UPDATED)
    assert linked.payload["userId"] == str(user.id)
    assert linked.payload["changes"] == {"userId": None}

    agent_services.agent_unlink_user(agent_id=agent.id, actor=ACTOR)
    agent_services.agent_unlink_user(agent_id=agent.id, actor=ACTOR)  # no-op
    rows = list(OutboxEvent.objects.order_by("id"))
    assert len(rows) == 2
    assert rows[1].payload["userId"] is None
    assert rows[1].payload["changes"] == {"userId": str(user.id)}


def test_an_event_is_rolled_back_with_its_change() -> None:
    agent = AgentFactory(name="Before")
    with pytest.raises(RuntimeError), transaction.atomic():
        agent_services.agent_update(agent_id=agent.id, actor=ACTOR, name="After")
        assert OutboxEvent.objects.count() == 1
        raise RuntimeError("the caller fails later in the transaction")
    assert not OutboxEvent.objects.exists()


# --- Actions --------------------------------------------------------------------------------


def test_recording_an_action_through_the_api_publishes_action_recorded_keyed_by_cif() -> None:
    client, agent = agent_client()
    loan = LoanFactory(customer__cif="CIF-PUB", account_number="LN-PUB")

    data = envelope_ok(client.post(ACTIONS_URL, call_payload(loan), format="json"), 201)

    row = only_event(topics.ACTION_RECORDED)
    assert row.message_key == "CIF-PUB"
    assert without_envelope(row.payload) == {
        "actionId": data["id"],
        "cif": "CIF-PUB",
        "loanAccountNumber": "LN-PUB",
        "agentId": str(agent.id),
        "type": "CALL",
        "subtype": "REMINDER_CALL",
        "actionResult": "PROMISE_TO_PAY",
        "actionDate": "2026-03-02T02:30:00.000Z",
        "notes": "Promised to pay on Friday.",
        "callTraceId": "TRACE-0001",
        "visitLatitude": None,
        "visitLongitude": None,
        "visitAddress": None,
        "recordedBy": {"userId": str(client.user.id), "username": client.user.username},
    }


def test_a_visit_publishes_its_coordinates_exactly() -> None:
    user = CrmUserFactory()
    AgentFactory(user=user)
    loan = LoanFactory()
    actor = Actor(username=user.username, user_id=user.id, roles=frozenset({"AGENT"}))

    action_record(
        actor=actor,
        cif=loan.customer_id,
        loan_account_number=loan.account_number,
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PROMISE_TO_PAY",
        action_date=dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC),
        visit_location=VisitLocation(
            latitude=Decimal("21.02850000"), longitude=Decimal("105.85420001"), address="Ha Noi"
        ),
    )

    payload = only_event(topics.ACTION_RECORDED).payload
    assert Decimal(payload["visitLatitude"]) == Decimal("21.0285")
    assert payload["visitLongitude"] == "105.85420001"
    assert payload["visitAddress"] == "Ha Noi"


def test_with_the_broker_down_actions_are_recorded_and_published_once_it_is_back(
    settings: SettingsWrapper, unused_tcp_port: int
) -> None:
    broker = settings.KAFKA_BROKERS
    settings.KAFKA_BROKERS = f"127.0.0.1:{unused_tcp_port}"  # nothing listens there
    client, _ = agent_client()
    loan = LoanFactory()

    ids = [
        envelope_ok(client.post(ACTIONS_URL, call_payload(loan), format="json"), 201)["id"]
        for _ in range(3)
    ]

    # The relay cannot reach the broker (it gives up on a message after 1 s here).
    assert relay_once(make_producer(**{"message.timeout.ms": 1000})) == 0
    rows = list(OutboxEvent.objects.order_by("id"))
    assert [row.payload["actionId"] for row in rows] == ids
    assert all(row.published_at is None for row in rows)
    # The first row of the key failed; the later ones wait behind it (per-key order).
    assert rows[0].attempts == 1 and rows[0].last_error

    settings.KAFKA_BROKERS = broker  # the broker is back
    since = end_offsets(topics.ACTION_RECORDED)
    assert relay_once(make_producer()) == 3
    records = read_since(topics.ACTION_RECORDED, since, expect=3)
    ours = [r.json()["actionId"] for r in records if r.json().get("actionId") in ids]
    assert ours == ids  # once each, in order (one key: the cif)
    assert relay_once(make_producer()) == 0


def test_a_refused_action_publishes_nothing() -> None:
    client, _ = agent_client()
    loan = LoanFactory()
    response = client.post(ACTIONS_URL, call_payload(loan, cif="NO-SUCH-CIF"), format="json")
    assert response.status_code == 404
    assert not OutboxEvent.objects.exists()


# --- Assignments ----------------------------------------------------------------------------


def test_assigning_a_customer_without_a_case_publishes_the_first_version() -> None:
    customer, agent = CustomerFactory(cif="C-ASSIGN-1"), AgentFactory()

    version, changed = assignment_assign(actor=ACTOR, cif=customer.cif, call_agent_id=agent.id)

    assert changed
    row = only_event(topics.ASSIGNMENT_CREATED)
    assert row.message_key == "C-ASSIGN-1"
    assert without_envelope(row.payload) == {
        "assignmentId": str(version.id),
        "cif": "C-ASSIGN-1",
        "assignedCallAgentId": str(agent.id),
        "assignedFieldAgentId": None,
        "previousCallAgentId": None,
        "previousFieldAgentId": None,
        "startDate": business_today().isoformat(),
        "assignedBy": BY_ADMIN,
    }


def test_reassigning_publishes_the_previous_agents_and_a_no_op_publishes_nothing() -> None:
    call, field, new_field = AgentFactory(), AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)
    cif = case.customer_id

    assignment_assign(actor=ACTOR, cif=cif, call_agent_id=call.id, field_agent_id=field.id)
    assert not OutboxEvent.objects.exists()

    version, changed = assignment_assign(actor=ACTOR, cif=cif, field_agent_id=new_field.id)

    assert changed
    payload = only_event(topics.ASSIGNMENT_CREATED).payload
    assert payload["assignmentId"] == str(version.id)
    assert (payload["assignedCallAgentId"], payload["assignedFieldAgentId"]) == (
        str(call.id),
        str(new_field.id),
    )
    assert (payload["previousCallAgentId"], payload["previousFieldAgentId"]) == (
        str(call.id),
        str(field.id),
    )
    assert payload["startDate"] == version.start_date.isoformat()


def test_reassigning_by_version_publishes_once() -> None:
    call, other = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call)
    current, _ = assignment_assign(actor=ACTOR, cif=case.customer_id, call_agent_id=call.id)

    assignment_reassign(actor=ACTOR, assignment_id=current.id, call_agent_id=other.id)

    payload = only_event(topics.ASSIGNMENT_CREATED).payload
    assert payload["previousCallAgentId"] == str(call.id)
    assert payload["assignedCallAgentId"] == str(other.id)


def test_the_assignment_api_publishes_through_the_same_service() -> None:
    client = client_for(CrmUserFactory(role="SUPERVISOR"))
    customer, agent = CustomerFactory(), AgentFactory()
    body = {"cif": customer.cif, "assignedCallAgentId": str(agent.id)}

    envelope_ok(client.post("/api/v1/collection/assignments", body, format="json"), 201)
    envelope_ok(client.post("/api/v1/collection/assignments", body, format="json"), 200)

    assert only_event(topics.ASSIGNMENT_CREATED).message_key == customer.cif
