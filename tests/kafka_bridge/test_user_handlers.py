"""The auth service's user events keep agents in step (in-process: the task body, no broker)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from agents import services as agent_services
from agents.models import Agent
from assignments.models import ReassignmentFlag
from kafka_bridge import topics
from kafka_bridge.dlq import DLQ_ERROR
from kafka_bridge.processing import APPLIED, DEAD_LETTERED, DUPLICATE, apply_event
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory
from tests.kafka_bridge.auth_events import (
    at,
    auth_headers,
    user_created,
    user_deactivated,
    user_updated,
)
from workflow.models import CrmUser, OutboxEvent

pytestmark = pytest.mark.django_db


def apply(topic: str, event: dict[str, Any]) -> str:
    return apply_event(topic=topic, key=event["userId"], payload=event, headers=auth_headers(event))


def created(user: CrmUser, **overrides: Any) -> dict[str, Any]:
    return user_created(
        user.id,
        username=overrides.pop("username", user.username),
        email=overrides.pop("email", user.email),
        role=overrides.pop("role", user.role),
        **overrides,
    )


def events(topic: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(topic=topic).order_by("id"))


def dead_letter_error() -> str:
    letters = list(OutboxEvent.objects.filter(topic__endswith=".dlq"))
    assert len(letters) == 1
    return letters[0].headers[DLQ_ERROR]


# --- user.created ---------------------------------------------------------------------------


def test_user_created_creates_the_agent_profile_and_publishes_agent_created() -> None:
    user = CrmUserFactory(
        username="nguyen.an",
        email="an@bank.test",
        first_name="Nguyen",
        last_name="Van An",
        role="SUPERVISOR",
    )

    assert apply(topics.USER_CREATED, created(user)) == APPLIED

    agent = Agent.objects.get(user_id=user.id)
    assert agent.employee_id == "NGUYEN.AN"
    assert agent.name == "Nguyen Van An"
    assert agent.email == "an@bank.test"
    assert agent.type == "SUPERVISOR"
    assert agent.team == "Unassigned"
    assert agent.is_active and agent.phone is None
    assert agent.created_by == "auth-service-sync"
    [event] = events(topics.AGENT_CREATED)
    assert event.message_key == str(agent.id)
    assert event.payload["userId"] == str(user.id)
    assert event.payload["employeeId"] == "NGUYEN.AN"
    assert event.payload["createdBy"] == {"userId": None, "username": "auth-service-sync"}


def test_a_user_without_first_or_last_name_gets_the_username_as_name(
    settings: SettingsWrapper,
) -> None:
    settings.AGENT_DEFAULT_TEAM = "New joiners"
    user = CrmUserFactory(username="tran.b", first_name=None, last_name="")

    apply(topics.USER_CREATED, created(user))

    agent = Agent.objects.get(user_id=user.id)
    assert (agent.name, agent.team) == ("tran.b", "New joiners")


@pytest.mark.parametrize(
    ("role", "agent_type"),
    [("AGENT", "AGENT"), ("admin", "ADMIN"), ("Supervisor", "SUPERVISOR"), ("AUDITOR", "AGENT")],
)
def test_the_agent_type_comes_from_the_role(role: str, agent_type: str) -> None:
    user = CrmUserFactory(role=role)
    apply(topics.USER_CREATED, created(user))
    assert Agent.objects.get(user_id=user.id).type == agent_type


def test_a_redelivered_user_created_changes_nothing() -> None:
    user = CrmUserFactory()
    event = created(user)

    assert apply(topics.USER_CREATED, event) == APPLIED
    assert apply(topics.USER_CREATED, event) == DUPLICATE
    # Another event for a user who has an agent: nothing either.
    assert apply(topics.USER_CREATED, created(user)) == APPLIED

    assert Agent.objects.filter(user_id=user.id).count() == 1
    assert len(events(topics.AGENT_CREATED)) == 1
    assert OutboxEvent.objects.count() == 1


def test_user_created_links_the_one_unlinked_agent_with_the_same_email() -> None:
    agent = AgentFactory(email="An.Nguyen@Bank.test", employee_id="EMP042", team="Team A")
    user = CrmUserFactory(email="an.nguyen@bank.test")

    apply(topics.USER_CREATED, created(user))

    agent.refresh_from_db()
    assert agent.user_id == user.id
    assert (agent.employee_id, agent.team) == ("EMP042", "Team A")
    assert Agent.objects.count() == 1
    assert events(topics.AGENT_CREATED) == []
    [event] = events(topics.AGENT_UPDATED)
    assert event.payload["changes"] == {"userId": None}


def test_an_email_shared_by_two_unlinked_agents_is_dead_lettered() -> None:
    AgentFactory(email="twin@bank.test")
    AgentFactory(email="TWIN@bank.test")
    user = CrmUserFactory(email="Twin@bank.test")

    assert apply(topics.USER_CREATED, created(user)) == DEAD_LETTERED

    assert not Agent.objects.filter(user_id=user.id).exists()
    assert "Several unlinked agents have the e-mail" in dead_letter_error()


def test_an_email_of_an_agent_linked_to_another_user_is_dead_lettered() -> None:
    AgentFactory(email="taken@bank.test", user=CrmUserFactory())
    user = CrmUserFactory(email="taken@bank.test")

    assert apply(topics.USER_CREATED, created(user)) == DEAD_LETTERED
    assert "already exists" in dead_letter_error()


def test_an_unknown_user_is_dead_lettered_at_once() -> None:
    event = user_created(uuid.uuid4(), username="ghost", email="ghost@bank.test")

    assert apply(topics.USER_CREATED, event) == DEAD_LETTERED

    error = dead_letter_error()
    assert error.startswith("rejected by kafka_bridge.handlers.users.user_created: ")
    assert "does not exist" in error
    assert not Agent.objects.exists()


def test_a_taken_employee_id_gets_a_numeric_suffix_within_20_characters() -> None:
    AgentFactory(employee_id="USER0001")
    AgentFactory(employee_id="USER0001-2")
    first = CrmUserFactory(username="user0001")
    long = CrmUserFactory(username="a.very-long_user name that goes on")
    AgentFactory(employee_id="A.VERY-LONG_USERNAME")

    apply(topics.USER_CREATED, created(first))
    apply(topics.USER_CREATED, created(long))

    assert Agent.objects.get(user_id=first.id).employee_id == "USER0001-3"
    long_id = Agent.objects.get(user_id=long.id).employee_id
    assert long_id == "A.VERY-LONG_USERNA-2" and len(long_id) == 20


def test_an_employee_id_taken_by_a_concurrent_writer_moves_on_to_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = CrmUserFactory(username="race")
    real_create = agent_services.agent_create
    attempts: list[str] = []

    def create_after_a_concurrent_writer(**kwargs: Any) -> Agent:
        attempts.append(kwargs["employee_id"])
        if len(attempts) == 1:  # another transaction takes the id after our check
            AgentFactory(employee_id=kwargs["employee_id"])
        return real_create(**kwargs)

    monkeypatch.setattr(agent_services, "agent_create", create_after_a_concurrent_writer)

    assert apply(topics.USER_CREATED, created(user)) == APPLIED

    assert attempts == ["RACE", "RACE-2"]
    assert Agent.objects.get(user_id=user.id).employee_id == "RACE-2"
    assert len(events(topics.AGENT_CREATED)) == 1


def test_a_user_already_inactive_gets_an_inactive_agent() -> None:
    user = CrmUserFactory(is_active=False)

    apply(topics.USER_CREATED, created(user))

    assert Agent.objects.get(user_id=user.id).is_active is False
    assert [e.topic for e in OutboxEvent.objects.order_by("id")] == [
        topics.AGENT_CREATED,
        topics.AGENT_UPDATED,
    ]


# --- user.updated ---------------------------------------------------------------------------


def linked_agent(**user_fields: Any) -> tuple[CrmUser, Agent]:
    user = CrmUserFactory(**user_fields)
    apply(topics.USER_CREATED, created(user))
    OutboxEvent.objects.all().delete()
    return user, Agent.objects.get(user_id=user.id)


def test_user_updated_syncs_email_type_name_and_active_flag() -> None:
    user, agent = linked_agent(first_name="Old", last_name="Name", role="AGENT")
    CrmUser.objects.filter(id=user.id).update(first_name="New", email="new@bank.test")

    event = user_updated(
        user.id, timestamp=at(10), email="new@bank.test", role="SUPERVISOR", isActive=False
    )
    assert apply(topics.USER_UPDATED, event) == APPLIED

    agent.refresh_from_db()
    assert (agent.email, agent.type, agent.name, agent.is_active) == (
        "new@bank.test",
        "SUPERVISOR",
        "New Name",
        False,
    )
    [published] = events(topics.AGENT_UPDATED)
    assert published.payload["changes"] == {
        "email": user.email,
        "type": "AGENT",
        "name": "Old Name",
        "isActive": True,
    }
    assert published.payload["updatedBy"]["username"] == "auth-service-sync"


def test_an_older_user_updated_after_a_newer_one_does_not_win() -> None:
    user, agent = linked_agent()
    newer = user_updated(user.id, timestamp=at(20), email="newer@bank.test")
    older = user_updated(user.id, timestamp=at(10), email="older@bank.test")

    assert apply(topics.USER_UPDATED, newer) == APPLIED
    assert apply(topics.USER_UPDATED, older) == APPLIED  # claimed, and ignored

    agent.refresh_from_db()
    assert agent.email == "newer@bank.test"
    assert len(events(topics.AGENT_UPDATED)) == 1


def test_an_update_that_changes_nothing_publishes_nothing() -> None:
    user, agent = linked_agent(role="AGENT")

    apply(
        topics.USER_UPDATED,
        user_updated(user.id, timestamp=at(10), email=agent.email, role="agent", isActive=True),
    )

    assert not OutboxEvent.objects.exists()


def test_user_updated_for_a_user_without_an_agent_provisions_one_from_the_user_row() -> None:
    # user.created has not been applied yet: the topics are not ordered against each other.
    user = CrmUserFactory(email="current@bank.test", role="ADMIN")
    event = user_updated(user.id, timestamp=at(10), email="current@bank.test", role="ADMIN")

    apply(topics.USER_UPDATED, event)
    apply(topics.USER_CREATED, created(user, email="at-creation@bank.test", role="AGENT"))

    agent = Agent.objects.get(user_id=user.id)
    assert (agent.email, agent.type) == ("current@bank.test", "ADMIN")
    assert len(events(topics.AGENT_CREATED)) == 1


def test_an_email_taken_by_another_agent_dead_letters_the_update() -> None:
    user, agent = linked_agent()
    AgentFactory(email="other@bank.test")

    event = user_updated(user.id, timestamp=at(10), email="other@bank.test")
    assert apply(topics.USER_UPDATED, event) == DEAD_LETTERED

    agent.refresh_from_db()
    assert agent.email == user.email
    assert "other@bank.test" in dead_letter_error()


# --- user.deactivated -----------------------------------------------------------------------


def test_user_deactivated_deactivates_the_agent_and_flags_its_customers() -> None:
    user, agent = linked_agent()
    other = AgentFactory()
    as_call = CustomerCaseFactory(assigned_call_agent=agent, assigned_field_agent=other)
    as_both = CustomerCaseFactory(assigned_call_agent=agent, assigned_field_agent=agent)
    CustomerCaseFactory(assigned_call_agent=other)

    event = user_deactivated(user.id, timestamp=at(10), reason="Left the bank")
    assert apply(topics.USER_DEACTIVATED, event) == APPLIED

    agent.refresh_from_db()
    assert agent.is_active is False
    [published] = events(topics.AGENT_UPDATED)
    assert published.payload["isActive"] is False
    assert published.payload["changes"] == {"isActive": True}
    flags = {
        (flag.customer_id, flag.role): flag for flag in ReassignmentFlag.objects.filter(agent=agent)
    }
    assert set(flags) == {
        (as_call.customer_id, "CALL"),
        (as_both.customer_id, "CALL"),
        (as_both.customer_id, "FIELD"),
    }
    flag = flags[(as_call.customer_id, "CALL")]
    assert flag.reason == "The agent's user was deactivated in the auth service: Left the bank"
    assert flag.event_id == uuid.UUID(event["id"])
    assert flag.resolved_at is None

    # A redelivery, and a later deactivation: no new flag, no new event.
    assert apply(topics.USER_DEACTIVATED, event) == DUPLICATE
    apply(topics.USER_DEACTIVATED, user_deactivated(user.id, timestamp=at(20)))
    assert ReassignmentFlag.objects.count() == 3
    assert len(events(topics.AGENT_UPDATED)) == 1


def test_an_older_deactivation_after_a_newer_reactivation_is_ignored() -> None:
    user, agent = linked_agent()
    CustomerCaseFactory(assigned_call_agent=agent)

    apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(20), isActive=True))
    apply(topics.USER_DEACTIVATED, user_deactivated(user.id, timestamp=at(10)))

    agent.refresh_from_db()
    assert agent.is_active is True
    assert not ReassignmentFlag.objects.exists()


def test_reactivating_the_user_reactivates_the_agent_and_resolves_its_flags() -> None:
    user, agent = linked_agent()
    CustomerCaseFactory(assigned_call_agent=agent)
    apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(10), isActive=False))
    assert ReassignmentFlag.objects.filter(resolved_at__isnull=True).count() == 1

    apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(20), isActive=True))

    agent.refresh_from_db()
    assert agent.is_active is True
    flag = ReassignmentFlag.objects.get()
    assert flag.resolved_at is not None and flag.resolved_by == "auth-service-sync"


def test_a_deactivation_before_the_agent_exists_gives_an_inactive_agent_later() -> None:
    user = CrmUserFactory()
    apply(topics.USER_DEACTIVATED, user_deactivated(user.id, timestamp=at(10)))
    assert not Agent.objects.exists()
    CrmUser.objects.filter(id=user.id).update(is_active=False)  # as the auth service left it

    apply(topics.USER_CREATED, created(user))

    assert Agent.objects.get(user_id=user.id).is_active is False
