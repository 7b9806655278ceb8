"""Supervisors link and unlink users to agents of their own team (issue 10): the scope, the
reason, the audit and the event, through the API and the services."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from rest_framework.test import APIClient

from agents import services
from agents.models import Agent, AgentLinkAudit
from tests.api import client_for, envelope_error, envelope_ok
from tests.factories import AgentFactory, CrmUserFactory
from tests.workflow.test_migrations import run, scratch, signature
from workflow.actors import Actor, system_actor
from workflow.errors import Forbidden, ValidationFailed
from workflow.models import CrmUser, OutboxEvent

__all__ = ["scratch"]  # the fixture, re-used

pytestmark = pytest.mark.django_db

LINK_URL = "/api/v1/collection/agents/link-user"
AGENTS_URL = "/api/v1/collection/agents"


@pytest.fixture
def supervisor_user() -> CrmUser:
    """A SUPERVISOR whose own agent profile is in Team North."""
    user = CrmUserFactory(username="sup.north", role="SUPERVISOR")
    AgentFactory(employee_id="SUP-N", type="SUPERVISOR", team="Team North", user=user)
    return user


@pytest.fixture
def supervisor(supervisor_user: CrmUser) -> APIClient:
    return client_for(supervisor_user)


def supervisor_actor(user: CrmUser) -> Actor:
    return Actor(username=user.username, user_id=user.id, roles=frozenset({"SUPERVISOR"}))


def link(client: APIClient, agent: Agent, user: CrmUser, **extra: Any) -> Any:
    return client.post(
        LINK_URL, {"agentId": str(agent.id), "userId": str(user.id), **extra}, format="json"
    )


def test_a_supervisor_links_an_agent_of_their_team_with_a_reason_audited_and_published(
    supervisor: APIClient, supervisor_user: CrmUser
) -> None:
    agent = AgentFactory(employee_id="E-N1", type="AGENT", team="Team North")
    user = CrmUserFactory(username="lan.pham", role="AGENT")

    data = envelope_ok(link(supervisor, agent, user, reason="New hire, HR ticket 42"))

    assert data["userId"] == str(user.id) and data["id"] == str(agent.id)
    agent.refresh_from_db()
    assert (agent.user_id, agent.updated_by) == (user.id, "sup.north")
    audit = AgentLinkAudit.objects.get(agent_id=agent.id)
    assert (audit.user_id, audit.operation, audit.reason) == (
        user.id,
        "LINK",
        "New hire, HR ticket 42",
    )
    assert (audit.actor_user_id, audit.actor_username) == (supervisor_user.id, "sup.north")
    assert audit.occurred_at is not None
    event = OutboxEvent.objects.filter(topic__endswith="agent.updated").latest("id")
    assert event.payload["userId"] == str(user.id)
    assert event.payload["changes"] == {"userId": None}
    assert event.payload["reason"] == "New hire, HR ticket 42"
    assert event.payload["updatedBy"] == {
        "userId": str(supervisor_user.id),
        "username": "sup.north",
    }


@pytest.mark.parametrize(
    ("agent_kwargs", "user_role", "field", "words"),
    [
        ({"team": "Team South"}, "AGENT", "agentId", "not in your team Team North"),
        ({"type": "SUPERVISOR"}, "AGENT", "agentId", "only an admin may link supervisors"),
        ({}, "SUPERVISOR", "userId", "only an admin may link supervisors"),
        ({}, "ADMIN", "userId", "has the role ADMIN"),
    ],
)
def test_a_supervisor_may_not_link_outside_their_scope(
    supervisor: APIClient, agent_kwargs: dict[str, str], user_role: str, field: str, words: str
) -> None:
    agent = AgentFactory(**{"type": "AGENT", "team": "Team North", **agent_kwargs})
    user = CrmUserFactory(role=user_role)

    body = envelope_error(link(supervisor, agent, user), 403, "FORBIDDEN", field=field)

    assert words in body["message"]
    agent.refresh_from_db()
    assert agent.user_id is None
    assert not AgentLinkAudit.objects.exists()


def test_an_agent_may_not_link_even_within_its_team() -> None:
    own = CrmUserFactory(role="AGENT")
    AgentFactory(team="Team North", user=own)
    agent = AgentFactory(type="AGENT", team="Team North")

    response = link(client_for(own), agent, CrmUserFactory(role="AGENT"))

    envelope_error(response, 403, "FORBIDDEN")
    agent.refresh_from_db()
    assert agent.user_id is None


def test_an_admin_keeps_every_right_and_the_reason_is_optional() -> None:
    admin = client_for(CrmUserFactory(role="ADMIN"))
    agent = AgentFactory(type="SUPERVISOR", team="Anywhere")
    user = CrmUserFactory(role="SUPERVISOR")

    body = link(admin, agent, user).json()

    assert body["success"] is True and body["message"] == "Agent linked to the user."
    audit = AgentLinkAudit.objects.get(agent_id=agent.id)
    assert audit.reason is None and audit.operation == "LINK"
    event = OutboxEvent.objects.filter(topic__endswith="agent.updated").latest("id")
    assert "reason" not in event.payload


def test_a_reason_longer_than_500_characters_is_refused(supervisor: APIClient) -> None:
    agent = AgentFactory(type="AGENT", team="Team North")
    response = link(supervisor, agent, CrmUserFactory(role="AGENT"), reason="x" * 501)
    envelope_error(response, 400, "VALIDATION_ERROR", field="reason")


def test_a_supervisor_creates_an_agent_of_their_team_linked_to_an_agent_user(
    supervisor: APIClient,
) -> None:
    user = CrmUserFactory(role="AGENT")
    body = {
        "employeeId": "LNK9",
        "name": "Linked",
        "email": "linked9@bank.test",
        "type": "AGENT",
        "team": "Team North",
        "userId": str(user.id),
    }
    data = envelope_ok(supervisor.post(AGENTS_URL, body, format="json"), 201)
    assert data["userId"] == str(user.id)
    assert AgentLinkAudit.objects.get(agent_id=data["id"]).actor_username == "sup.north"

    other = {**body, "employeeId": "LNK10", "email": "l10@bank.test", "team": "Team South"}
    other["userId"] = str(CrmUserFactory(role="AGENT").id)
    envelope_error(supervisor.post(AGENTS_URL, other, format="json"), 403, "FORBIDDEN")
    assert not Agent.objects.filter(employee_id="LNK10").exists()


def test_the_services_unlink_and_relink_within_the_scope_and_audit_each_step(
    supervisor_user: CrmUser,
) -> None:
    actor = supervisor_actor(supervisor_user)
    first = CrmUserFactory(role="AGENT")
    second = CrmUserFactory(role="AGENT")
    agent = AgentFactory(type="AGENT", team="Team North", user=first)

    services.agent_link_user(
        agent_id=agent.id, user_id=second.id, actor=actor, replace=True, reason="moved"
    )
    services.agent_unlink_user(agent_id=agent.id, actor=actor, reason="left the bank")

    rows = list(
        AgentLinkAudit.objects.filter(agent_id=agent.id)
        .order_by("occurred_at", "operation")
        .values_list("operation", "user_id", "reason")
    )
    assert sorted(rows) == sorted(
        [
            ("UNLINK", first.id, "moved"),
            ("LINK", second.id, "moved"),
            ("UNLINK", second.id, "left the bank"),
        ]
    )
    agent.refresh_from_db()
    assert agent.user_id is None


def test_a_supervisor_may_not_unlink_a_supervisor_user_or_another_teams_agent(
    supervisor_user: CrmUser,
) -> None:
    actor = supervisor_actor(supervisor_user)
    boss = AgentFactory(type="AGENT", team="Team North", user=CrmUserFactory(role="SUPERVISOR"))
    south = AgentFactory(type="AGENT", team="Team South", user=CrmUserFactory(role="AGENT"))

    for agent in (boss, south):
        with pytest.raises(Forbidden):
            services.agent_unlink_user(agent_id=agent.id, actor=actor, reason="no")
        agent.refresh_from_db()
        assert agent.user_id is not None
    assert not AgentLinkAudit.objects.exists()


def test_system_processes_link_anything_and_are_audited() -> None:
    agent = AgentFactory(type="ADMIN")
    user = CrmUserFactory(role="ADMIN")

    services.agent_link_user(agent_id=agent.id, user_id=user.id, actor=system_actor("tests"))

    audit = AgentLinkAudit.objects.get(agent_id=agent.id)
    assert (audit.actor_username, audit.actor_user_id) == ("tests", None)


def test_a_blank_reason_is_stored_as_none_and_an_overlong_one_is_refused() -> None:
    agent = AgentFactory()
    user = CrmUserFactory()
    admin = Actor(username="adm", user_id=uuid.uuid4(), roles=frozenset({"ADMIN"}))
    with pytest.raises(ValidationFailed):
        services.agent_link_user(agent_id=agent.id, user_id=user.id, actor=admin, reason="y" * 501)
    services.agent_link_user(agent_id=agent.id, user_id=user.id, actor=admin, reason="   ")
    assert AgentLinkAudit.objects.get(agent_id=agent.id).reason is None


def test_the_audit_table_is_idempotent_and_reversible(scratch: psycopg.Connection) -> None:
    run(scratch, "0001_baseline")
    before = signature(scratch)
    run(scratch, "0010_agent_link_audit")
    after = signature(scratch)
    run(scratch, "0010_agent_link_audit")
    assert signature(scratch) == after
    assert "idx_agent_link_audit_agent_id" in {row[2] for row in after["indexes"]}
    run(scratch, "0010_agent_link_audit_reverse")
    assert signature(scratch) == before
    run(scratch, "0010_agent_link_audit_reverse")
    assert signature(scratch) == before
