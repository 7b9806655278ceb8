"""The read-only CRM users admin and its "create agent profile" action."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.test import Client

from agents.models import Agent
from tests.factories import AgentFactory, CrmUserFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/workflow/crmuser/"


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def start_action(client: Client, users: list[Any]) -> Any:
    return client.post(
        USERS,
        {
            "action": "create_agent_profiles",
            "_selected_action": [str(u.pk) for u in users],
            "index": "0",
        },
    )


def apply_action(client: Client, profiles: dict[Any, dict[str, str]]) -> Any:
    data: dict[str, Any] = {
        "action": "create_agent_profiles",
        "apply": "yes",
        "_selected_action": [str(user.pk) for user in profiles],
    }
    for user, fields in profiles.items():
        data.update({f"user-{user.pk}-{name}": value for name, value in fields.items()})
    return client.post(USERS, data, follow=True)


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_the_users_list_shows_roles_and_linked_agents_and_filters(
    who: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(who)
    linked = CrmUserFactory(username="has.agent", role="AGENT")
    AgentFactory(employee_id="E-HAS", name="Has Agent", user=linked)
    CrmUserFactory(username="no.agent", role="SUPERVISOR")

    page = client.get(USERS).content.decode()
    assert "has.agent" in page and "Has Agent (E-HAS)" in page and "no.agent" in page

    without = client.get(USERS, {"agent": "no"}).content.decode()
    assert "no.agent" in without and "has.agent" not in without
    with_agent = client.get(USERS, {"agent": "yes"}).content.decode()
    assert "has.agent" in with_agent and "no.agent" not in with_agent
    supervisors = client.get(USERS, {"role": "SUPERVISOR"}).content.decode()
    assert "no.agent" in supervisors and "has.agent" not in supervisors
    assert "has.agent" in client.get(USERS, {"q": "has.ag"}).content.decode()


def test_users_are_read_only_and_never_show_the_password_hash(crm_admin: Client) -> None:
    user = CrmUserFactory(username="ro.user")
    assert crm_admin.get(f"{USERS}add/").status_code == 403
    detail = crm_admin.get(f"{USERS}{user.pk}/change/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "ro.user" in page and user.password_hash not in page and 'name="username"' not in page
    crm_admin.post(f"{USERS}{user.pk}/change/", {"username": "renamed"})
    user.refresh_from_db()
    assert user.username == "ro.user"
    assert crm_admin.get(f"{USERS}{user.pk}/delete/").status_code == 403


def test_the_action_asks_for_each_users_profile_with_suggestions(crm_admin: Client) -> None:
    AgentFactory(employee_id="EMP041")
    AgentFactory(employee_id="EMP042", team="Team North")
    lan = CrmUserFactory(username="lan.pham", role="SUPERVISOR", first_name="Lan", last_name="Pham")
    minh = CrmUserFactory(username="minh.vo", role="AGENT")

    response = start_action(crm_admin, [lan, minh])

    assert response.status_code == 200
    page = response.content.decode()
    assert "Create agent profiles" in page
    forms = {form.user.username: form for form in response.context["forms"]}
    assert forms["lan.pham"].initial == {
        "employee_id": "EMP043",
        "name": "Lan Pham",
        "type": "SUPERVISOR",
    }
    assert forms["minh.vo"].initial["employee_id"] == "EMP044"
    assert forms["minh.vo"].initial["type"] == "AGENT"
    assert '<option value="Team North">' in page
    assert Agent.objects.count() == 2


def test_the_action_creates_linked_agents_and_logs_each(crm_admin: Client) -> None:
    lan = CrmUserFactory(username="lan.pham", email="lan.pham@bank.test", role="AGENT")
    minh = CrmUserFactory(username="minh.vo", email="minh.vo@bank.test", role="SUPERVISOR")

    response = apply_action(
        crm_admin,
        {
            lan: {"employee_id": "EMP100", "name": "Lan Pham", "type": "AGENT", "team": "Team A"},
            minh: {
                "employee_id": "EMP101",
                "name": "Minh Vo",
                "type": "SUPERVISOR",
                "team": "Team B",
                "phone": "+84900000001",
            },
        },
    )

    assert response.redirect_chain == [(USERS, 302)]
    lan_agent = Agent.objects.get(user=lan)
    minh_agent = Agent.objects.get(user=minh)
    assert (lan_agent.employee_id, lan_agent.email, lan_agent.team) == (
        "EMP100",
        "lan.pham@bank.test",
        "Team A",
    )
    assert (minh_agent.type, minh_agent.phone, minh_agent.created_by) == (
        "SUPERVISOR",
        "+84900000001",
        "adm.admin",
    )
    assert "Created agent Lan Pham (EMP100) linked to user lan.pham." in messages_of(response)
    entry = LogEntry.objects.get(object_id=str(lan_agent.pk), action_flag=ADDITION)
    assert entry.user.username == "adm.admin"
    assert entry.change_message == (
        "Created from CRM user lan.pham (AGENT) and linked to it (via action 'create agent "
        "profile')."
    )
    assert LogEntry.objects.filter(action_flag=ADDITION).count() == 2


def test_a_conflict_is_shown_on_that_users_form_and_the_others_are_created(
    crm_admin: Client,
) -> None:
    AgentFactory(employee_id="EMP001")
    clash = CrmUserFactory(username="clash.user")
    fine = CrmUserFactory(username="fine.user")

    response = apply_action(
        crm_admin,
        {
            clash: {"employee_id": "EMP001", "name": "Clash", "type": "AGENT", "team": "T"},
            fine: {"employee_id": "EMP002", "name": "Fine", "type": "AGENT", "team": "T"},
        },
    )

    assert response.status_code == 200 and response.redirect_chain == []
    [form] = response.context["forms"]
    assert form.user == clash
    assert form.errors["employee_id"] == ["An agent with employeeId EMP001 already exists."]
    assert "clash.user: An agent with employeeId EMP001 already exists. Nothing created." in (
        messages_of(response)
    )
    assert not Agent.objects.filter(user=clash).exists()
    assert Agent.objects.get(user=fine).employee_id == "EMP002"
    page = response.content.decode()
    assert f'name="_selected_action" value="{clash.pk}"' in page
    assert f'value="{fine.pk}"' not in page


def test_an_email_already_used_by_an_agent_is_reported_not_a_500(crm_admin: Client) -> None:
    AgentFactory(email="dup@bank.test")
    user = CrmUserFactory(username="dup.user", email="DUP@bank.test")

    response = apply_action(
        crm_admin,
        {user: {"employee_id": "EMP300", "name": "Dup", "type": "AGENT", "team": "T"}},
    )

    assert response.status_code == 200
    assert "An agent with e-mail DUP@bank.test already exists." in response.content.decode()
    assert not Agent.objects.filter(employee_id="EMP300").exists()


def test_invalid_input_shows_the_page_again_with_field_errors(crm_admin: Client) -> None:
    user = CrmUserFactory()
    response = apply_action(
        crm_admin, {user: {"employee_id": "X" * 21, "name": "", "type": "BOSS", "team": "T"}}
    )
    assert response.status_code == 200
    [form] = response.context["forms"]
    assert set(form.errors) == {"employee_id", "name", "type"}
    assert not Agent.objects.exists()


def test_users_who_already_have_an_agent_are_skipped(crm_admin: Client) -> None:
    user = CrmUserFactory(username="has.one")
    AgentFactory(employee_id="E-HAS", name="Has One", user=user)

    response = crm_admin.post(
        USERS,
        {"action": "create_agent_profiles", "_selected_action": [str(user.pk)], "index": "0"},
        follow=True,
    )

    assert "has.one already has agent Has One (E-HAS); skipped." in messages_of(response)
    assert Agent.objects.count() == 1


def test_supervisors_create_profiles_only_within_their_linking_scope(supervisor: Client) -> None:
    # sup.admin has no agent profile, so no team: the service refuses every link.
    user = CrmUserFactory(role="AGENT")
    assert "create_agent_profiles" in supervisor.get(USERS).content.decode()
    apply_action(
        supervisor, {user: {"employee_id": "EMP500", "name": "N", "type": "AGENT", "team": "T"}}
    )
    assert not Agent.objects.exists()


def test_agents_cannot_open_the_users_or_audit_admin() -> None:
    CrmUserFactory(username="agent.y", role="AGENT")
    client = Client()
    client.post("/admin/login/", {"username": "agent.y", "password": "secret-password"})
    for url in (USERS, "/admin/admin/logentry/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
