"""The linking page of the agents admin: unlinked agents and users side by side, one search,
linking a pair with a reason (issue 10)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from agents.models import Agent, AgentLinkAudit
from tests.factories import AgentFactory, CrmUserFactory
from workflow.models import CrmUser

pytestmark = pytest.mark.django_db

PAGE = "/admin/agents/agent/linking-status/"


@pytest.fixture
def people() -> tuple[Agent, CrmUser]:
    """An unlinked agent and an unlinked user who are the same person, and others."""
    agent = AgentFactory(
        employee_id="EMP4711", name="Tran Thi Binh", email="binh.tran@bank.test", team="Team A"
    )
    user = CrmUserFactory(
        username="btran", first_name="Tran Thi", last_name="Binh", email="b.tran@crm.test"
    )
    AgentFactory(employee_id="EMP0001", name="Nguyen Van An", email="an@bank.test")
    CrmUserFactory(username="anguyen", first_name="An", last_name="Nguyen", email="an@crm.test")
    AgentFactory(employee_id="EMP0002", name="Linked Person", user=CrmUserFactory(username="taken"))
    return agent, user


def sides(client: Client, q: str) -> tuple[str, str]:
    page = client.get(PAGE, {"q": q}).content.decode()
    agents = page[page.index('id="unlinked-agents"') : page.index('id="unlinked-users"')]
    users = page[page.index('id="unlinked-users"') : page.index('id="by-email"')]
    return agents, users


def test_the_page_lists_only_unlinked_agents_and_users_side_by_side(
    supervisor: Client, people: tuple[Agent, CrmUser]
) -> None:
    agents, users = sides(supervisor, "")
    assert "EMP4711" in agents and "EMP0001" in agents and "EMP0002" not in agents
    assert "btran" in users and "anguyen" in users and "taken" not in users


@pytest.mark.parametrize(
    ("q", "agent_found", "user_found"),
    [
        ("tran thi BINH", True, True),  # name, any case, on both sides
        ("BTRAN", False, True),  # username
        ("B.Tran@CRM", False, True),  # the user's e-mail
        ("binh.tran@bank", True, False),  # the agent's e-mail
        ("emp4711", True, False),  # employee id
    ],
)
def test_one_search_box_finds_the_person_by_name_username_email_or_employee_id(
    supervisor: Client, people: tuple[Agent, CrmUser], q: str, agent_found: bool, user_found: bool
) -> None:
    agents, users = sides(supervisor, q)
    assert ("EMP4711" in agents) is agent_found
    assert ("btran" in users) is user_found
    assert "EMP0001" not in agents and "anguyen" not in users


def test_an_admin_links_a_pair_from_the_page_with_a_reason(
    crm_admin: Client, people: tuple[Agent, CrmUser]
) -> None:
    agent, user = people
    page = crm_admin.get(PAGE).content.decode()
    assert f'name="agent" value="{agent.pk}"' in page and f'name="user" value="{user.pk}"' in page

    response = crm_admin.post(
        PAGE + "?q=tran",
        {"agent": str(agent.pk), "user": str(user.pk), "reason": "same person", "link": "1"},
        follow=True,
    )

    assert response.redirect_chain == [(PAGE + "?q=tran", 302)]
    agent.refresh_from_db()
    assert agent.user_id == user.pk
    audit = AgentLinkAudit.objects.get(agent_id=agent.pk)
    assert (audit.user_id, audit.reason, audit.actor_username) == (
        user.pk,
        "same person",
        "adm.admin",
    )
    entry = LogEntry.objects.get(object_id=str(agent.pk))
    assert "(reason: same person)" in entry.get_change_message()


def test_the_page_needs_a_reason_and_shows_a_refusal_of_the_service(
    supervisor: Client, people: tuple[Agent, CrmUser]
) -> None:
    agent, user = people
    missing = supervisor.post(PAGE, {"agent": str(agent.pk), "user": str(user.pk), "link": "1"})
    assert missing.status_code == 200
    assert "Say why the user is linked to the agent." in missing.content.decode()

    # sup.admin has no agent profile: outside the supervisor's scope.
    refused = supervisor.post(
        PAGE, {"agent": str(agent.pk), "user": str(user.pk), "reason": "r", "link": "1"}
    )
    assert refused.status_code == 200
    assert "you have no agent profile" in refused.content.decode()
    agent.refresh_from_db()
    assert agent.user_id is None
    assert not AgentLinkAudit.objects.exists()


def test_a_supervisor_links_an_agent_of_their_team_from_the_page(
    supervisor: Client, people: tuple[Agent, CrmUser]
) -> None:
    agent, user = people
    AgentFactory(type="SUPERVISOR", team="Team A", user=CrmUser.objects.get(username="sup.admin"))

    response = supervisor.post(
        PAGE, {"agent": str(agent.pk), "user": str(user.pk), "reason": "r", "link": "1"}
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.user_id == user.pk


def test_the_link_audit_is_listed_read_only(
    crm_admin: Client, people: tuple[Agent, CrmUser]
) -> None:
    agent, user = people
    crm_admin.post(
        PAGE, {"agent": str(agent.pk), "user": str(user.pk), "reason": "same person", "link": "1"}
    )
    listing = crm_admin.get("/admin/agents/agentlinkaudit/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Tran Thi Binh (EMP4711)" in page and "btran" in page and "same person" in page
    entry = AgentLinkAudit.objects.get()
    assert crm_admin.get(f"/admin/agents/agentlinkaudit/{entry.pk}/delete/").status_code == 403
    assert crm_admin.get("/admin/agents/agentlinkaudit/add/").status_code == 403


def test_supervisors_may_read_the_link_audit(supervisor: Client) -> None:
    assert supervisor.get("/admin/agents/agentlinkaudit/").status_code == 200
