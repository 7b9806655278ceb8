"""The agents admin: list, edit, link to CRM users, bulk actions, linking status, audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client

from agents.models import Agent, AgentLinkAudit
from tests.admin.conftest import crm_signed_in
from tests.factories import AgentFactory, CrmUserFactory
from workflow.models import CrmUser

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/agents/agent/"
ADD = "/admin/agents/agent/add/"
STATUS = "/admin/agents/agent/linking-status/"


def crm_user(username: str) -> CrmUser:
    return CrmUser.objects.get(username=username)


def change_url(agent: Agent) -> str:
    return f"/admin/agents/agent/{agent.pk}/change/"


def form_data(agent: Agent, **changes: Any) -> dict[str, Any]:
    """The change form as the browser posts it, with ``changes`` applied."""
    data: dict[str, Any] = {
        "name": agent.name,
        "email": agent.email,
        "phone": agent.phone or "",
        "type": agent.type,
        "team": agent.team,
        "is_active": agent.is_active,
        "user": str(agent.user_id) if agent.user_id else "",
    }
    data.update(changes)
    # A checked checkbox posts "on"; an unchecked one posts nothing.
    if data.pop("is_active"):
        data["is_active"] = "on"
    return data


def log_messages(agent: Agent, action_flag: int = CHANGE) -> list[str]:
    entries = LogEntry.objects.filter(
        object_id=str(agent.pk), content_type__app_label="agents", action_flag=action_flag
    ).order_by("id")
    return [entry.get_change_message() for entry in entries]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client: Client, action: str, agents: list[Any]) -> Any:
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(a.pk) for a in agents], "index": "0"},
        follow=True,
    )


# --- list ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_the_list_shows_agents_with_their_linked_user_and_filters(
    who: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(who)
    user = CrmUserFactory(username="lan.pham", role="AGENT")
    AgentFactory(employee_id="E-LINKED", name="Lan Pham", user=user, team="Team North")
    AgentFactory(employee_id="E-ALONE", name="Minh Vo", team="Team South")

    page = client.get(CHANGELIST).content.decode()
    assert "lan.pham (AGENT)" in page and "E-ALONE" in page
    assert "Linking status" in page  # the object-tools link

    by_username = client.get(CHANGELIST, {"q": "lan.pham"}).content.decode()
    assert "E-LINKED" in by_username and "E-ALONE" not in by_username

    not_linked = client.get(CHANGELIST, {"linked": "no"}).content.decode()
    assert "E-ALONE" in not_linked and "E-LINKED" not in not_linked

    by_team = client.get(CHANGELIST, {"team": "Team North"}).content.decode()
    assert "E-LINKED" in by_team and "E-ALONE" not in by_team


def test_the_list_answers_in_the_same_number_of_queries_whatever_the_rows(
    crm_admin: Client, django_assert_max_num_queries: Any
) -> None:
    AgentFactory(user=CrmUserFactory())
    crm_admin.get(CHANGELIST)  # warm the session and permission caches
    with django_assert_max_num_queries(30) as few:
        crm_admin.get(CHANGELIST)
    for _ in range(20):
        AgentFactory(user=CrmUserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        crm_admin.get(CHANGELIST)


def test_an_agent_user_cannot_open_the_agents_admin() -> None:
    CrmUserFactory(username="agent.x", role="AGENT")
    client = Client()
    client.post("/admin/login/", {"username": "agent.x", "password": "secret-password"})
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_nobody_can_delete_agents(crm_admin: Client) -> None:
    agent = AgentFactory()
    assert "delete_selected" not in crm_admin.get(CHANGELIST).content.decode()
    assert crm_admin.get(f"/admin/agents/agent/{agent.pk}/delete/").status_code == 403


# --- add and change through the services --------------------------------------------------------


def test_a_supervisor_creates_an_agent_through_the_service_and_it_is_logged(
    supervisor: Client,
) -> None:
    response = supervisor.post(
        ADD,
        {
            "employee_id": "EMP900",
            "name": "Hoa Le",
            "email": "hoa.le@bank.test",
            "phone": "",
            "type": "AGENT",
            "team": "Team A",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agent = Agent.objects.get(employee_id="EMP900")
    assert (agent.created_by, agent.is_active, agent.user_id) == ("sup.admin", True, None)
    assert response["Location"] == CHANGELIST
    assert log_messages(agent, ADDITION) == ["Created."]
    assert LogEntry.objects.get(object_id=str(agent.pk)).user.username == "sup.admin"


def test_a_supervisor_changes_an_agent_and_the_log_says_what_changed(supervisor: Client) -> None:
    agent = AgentFactory(team="Team A", updated_by="tests")

    response = supervisor.post(change_url(agent), form_data(agent, team="Team B"))

    assert response.status_code == 302, response.content.decode()[:3000]
    agent.refresh_from_db()
    assert (agent.team, agent.updated_by) == ("Team B", "sup.admin")
    assert log_messages(agent) == ["Team: 'Team A' → 'Team B'."]


def test_a_duplicate_email_is_a_form_error_and_nothing_is_stored(supervisor: Client) -> None:
    AgentFactory(email="taken@bank.test")
    agent = AgentFactory(team="Team A")

    response = supervisor.post(
        change_url(agent), form_data(agent, email="TAKEN@bank.test", team="Team Z")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["email"] == ["An agent with e-mail TAKEN@bank.test already exists."]
    agent.refresh_from_db()
    assert agent.team == "Team A"
    assert log_messages(agent) == []


def test_a_duplicate_employee_id_on_create_is_a_form_error(supervisor: Client) -> None:
    AgentFactory(employee_id="EMP001")
    response = supervisor.post(
        ADD,
        {
            "employee_id": "EMP001",
            "name": "Someone",
            "email": "someone@bank.test",
            "type": "AGENT",
            "team": "Team A",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "An agent with employeeId EMP001 already exists." in response.content.decode()
    assert Agent.objects.filter(employee_id="EMP001").count() == 1


def test_a_supervisor_links_within_their_team_only_and_never_in_bulk(supervisor: Client) -> None:
    AgentFactory(employee_id="SUP", type="SUPERVISOR", team="Team A", user=crm_user("sup.admin"))
    mine = AgentFactory(employee_id="E-MINE", type="AGENT", team="Team A")
    theirs = AgentFactory(employee_id="E-THEIRS", type="AGENT", team="Team B")
    user = CrmUserFactory(username="lan.pham", role="AGENT")
    assert 'name="user"' in supervisor.get(change_url(mine)).content.decode()

    refused = supervisor.post(change_url(theirs), form_data(theirs, user=str(user.pk), reason="x"))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "is in team Team B, not in your team Team A" in errors["__all__"][0]
    theirs.refresh_from_db()
    assert theirs.user_id is None

    response = supervisor.post(change_url(mine), form_data(mine, user=str(user.pk), reason="new"))
    assert response.status_code == 302, response.content.decode()[:3000]
    mine.refresh_from_db()
    assert (mine.user_id, mine.updated_by) == (user.pk, "sup.admin")
    audit = AgentLinkAudit.objects.get(agent_id=mine.pk)
    assert (audit.operation, audit.reason, audit.actor_username) == ("LINK", "new", "sup.admin")

    actions = supervisor.get(CHANGELIST).content.decode()
    assert "link_by_matching_email" not in actions
    run_action(supervisor, "link_by_matching_email", [theirs])
    theirs.refresh_from_db()
    assert theirs.user_id is None


def test_a_link_or_unlink_in_the_form_requires_a_reason_and_nothing_is_written_without(
    crm_admin: Client,
) -> None:
    user = CrmUserFactory(username="lan.pham")
    agent = AgentFactory(team="Team A")

    response = crm_admin.post(change_url(agent), form_data(agent, user=str(user.pk), team="B"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["reason"] == ["Say why the CRM user is linked or unlinked."]
    agent.refresh_from_db()
    # The team change in the same form waits for the whole form to be valid.
    assert (agent.team, agent.user_id) == ("Team A", None)
    assert not AgentLinkAudit.objects.exists() and log_messages(agent) == []


def test_an_admin_links_an_agent_to_a_user_in_the_change_form(crm_admin: Client) -> None:
    user = CrmUserFactory(username="lan.pham", role="AGENT")
    agent = AgentFactory()
    assert 'name="user"' in crm_admin.get(change_url(agent)).content.decode()

    response = crm_admin.post(
        change_url(agent), form_data(agent, user=str(user.pk), reason="HR ticket 7")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    agent.refresh_from_db()
    assert (agent.user_id, agent.updated_by) == (user.pk, "adm.admin")
    assert log_messages(agent) == ["Linked to user lan.pham (AGENT) (reason: HR ticket 7)."]
    audit = AgentLinkAudit.objects.get(agent_id=agent.pk)
    assert (audit.reason, audit.actor_username) == ("HR ticket 7", "adm.admin")


def test_an_admin_moves_an_agent_to_another_user_and_unlinks_it(crm_admin: Client) -> None:
    first = CrmUserFactory(username="first.user")
    second = CrmUserFactory(username="second.user")
    agent = AgentFactory(user=first)

    moved = crm_admin.post(change_url(agent), form_data(agent, user=str(second.pk), reason="moved"))
    assert moved.status_code == 302
    agent.refresh_from_db()
    assert agent.user_id == second.pk

    unlinked = crm_admin.post(change_url(agent), form_data(agent, user="", reason="left"))
    assert unlinked.status_code == 302
    agent.refresh_from_db()
    assert agent.user_id is None
    assert log_messages(agent) == [
        "Linked to user second.user (AGENT) instead of first.user (AGENT) (reason: moved).",
        "Unlinked from user second.user (AGENT) (reason: left).",
    ]
    assert list(
        AgentLinkAudit.objects.filter(agent_id=agent.pk)
        .order_by("occurred_at", "-operation")
        .values_list("operation", "user_id", "reason")
    ) == [
        ("UNLINK", first.pk, "moved"),
        ("LINK", second.pk, "moved"),
        ("UNLINK", second.pk, "left"),
    ]


def test_a_user_linked_elsewhere_is_a_form_error_on_the_user_field_and_nothing_is_stored(
    crm_admin: Client,
) -> None:
    user = CrmUserFactory()
    AgentFactory(employee_id="E-OWNER", user=user)
    agent = AgentFactory(team="Team A")

    response = crm_admin.post(
        change_url(agent), form_data(agent, user=str(user.pk), team="Team B", reason="r")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["user"] == [f"User {user.pk} is already linked to agent E-OWNER."]
    agent.refresh_from_db()
    # The team change made before the link failed was rolled back with it.
    assert (agent.team, agent.user_id) == ("Team A", None)
    assert log_messages(agent) == []


def test_an_admin_creates_an_agent_linked_to_a_user(crm_admin: Client) -> None:
    user = CrmUserFactory(username="new.agent")
    response = crm_admin.post(
        ADD,
        {
            "employee_id": "EMP901",
            "name": "New Agent",
            "email": "new.agent@bank.test",
            "type": "AGENT",
            "team": "Team A",
            "is_active": "on",
            "user": str(user.pk),
            "reason": "new hire",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agent = Agent.objects.get(employee_id="EMP901")
    assert agent.user_id == user.pk
    assert log_messages(agent, ADDITION) == [
        "Created; linked to user new.agent (AGENT) (reason: new hire)."
    ]
    assert AgentLinkAudit.objects.get(agent_id=agent.pk).reason == "new hire"


def test_the_user_autocomplete_offers_only_users_without_an_agent(crm_admin: Client) -> None:
    free = CrmUserFactory(username="lan.free")
    taken = CrmUserFactory(username="lan.taken")
    AgentFactory(user=taken)

    response = crm_admin.get(
        "/admin/autocomplete/",
        {"app_label": "agents", "model_name": "agent", "field_name": "user", "term": "lan"},
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(free.pk)]


def test_supervisors_may_use_the_user_autocomplete(supervisor: Client) -> None:
    CrmUserFactory(username="lan.free")
    response = supervisor.get(
        "/admin/autocomplete/",
        {"app_label": "agents", "model_name": "agent", "field_name": "user", "term": "lan"},
    )
    assert response.status_code == 200 and len(response.json()["results"]) == 1


# --- bulk actions ----------------------------------------------------------------------------


def test_the_bulk_link_action_links_exact_matches_and_reports_each_agent(crm_admin: Client) -> None:
    user = CrmUserFactory(username="lan.pham", email="Lan.Pham@bank.test")
    match = AgentFactory(employee_id="E-MATCH", email="lan.pham@BANK.test")
    nobody = AgentFactory(employee_id="E-NOBODY", email="nobody@bank.test")
    owner_user = CrmUserFactory(username="owner", email="owner@bank.test")
    AgentFactory(employee_id="E-OWNER", email="owner.agent@bank.test", user=owner_user)
    elsewhere = AgentFactory(employee_id="E-ELSEWHERE", email="OWNER@bank.test")
    already = AgentFactory(employee_id="E-ALREADY", user=CrmUserFactory(username="already"))

    response = run_action(crm_admin, "link_by_matching_email", [match, nobody, elsewhere, already])

    assert response.status_code == 200
    match.refresh_from_db()
    nobody.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (match.user_id, nobody.user_id, elsewhere.user_id) == (user.pk, None, None)
    shown = messages_of(response)
    assert any("E-MATCH" in m and "linked to user lan.pham (AGENT)" in m for m in shown)
    assert any("E-NOBODY" in m and "no CRM user has the e-mail" in m for m in shown)
    assert any("E-ELSEWHERE" in m and "already linked to agent E-OWNER" in m for m in shown)
    assert any("E-ALREADY" in m and "already linked to user already" in m for m in shown)
    assert log_messages(match) == [
        "Linked to user lan.pham (AGENT) by matching e-mail lan.pham@BANK.test "
        "(via bulk action 'link by matching e-mail')."
    ]
    assert log_messages(nobody) == [] and log_messages(elsewhere) == []


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_deactivate_and_activate_go_through_the_service_and_log_each_agent(
    who: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(who)
    username = "sup.admin" if who == "supervisor" else "adm.admin"
    active = AgentFactory(is_active=True)
    inactive = AgentFactory(is_active=False)

    response = run_action(client, "deactivate", [active, inactive])

    active.refresh_from_db()
    assert (active.is_active, active.updated_by) == (False, username)
    assert "Deactivated 1 agent(s)." in messages_of(response)
    assert "1 agent(s) were already inactive; unchanged." in messages_of(response)
    assert log_messages(active) == ["Deactivated (via bulk action 'deactivate')."]
    assert log_messages(inactive) == []

    run_action(client, "activate", [active, inactive])
    active.refresh_from_db()
    inactive.refresh_from_db()
    assert active.is_active and inactive.is_active
    assert log_messages(inactive) == ["Activated (via bulk action 'activate')."]
    assert LogEntry.objects.filter(user__username=username).count() == 3


# --- the linking status page ---------------------------------------------------------------------


def test_the_status_page_is_a_dry_run_that_lists_every_category(supervisor: Client) -> None:
    CrmUserFactory(username="lan.pham", email="lan.pham@bank.test")
    match = AgentFactory(employee_id="E-MATCH", email="LAN.PHAM@bank.test")
    AgentFactory(employee_id="E-NOBODY", email="nobody@bank.test")

    response = supervisor.get(STATUS)

    assert response.status_code == 200
    page = response.content.decode()
    assert "E-MATCH" in page and "E-NOBODY" in page
    assert 'id="count-linked">1<' in page and 'id="count-no_match">1<' in page
    assert "Only administrators can run the linking." in page
    assert "no (agents.user_id nullable, fk_agents_user_id ON DELETE SET NULL)" in page
    assert 'id="run-linking"' not in page
    match.refresh_from_db()
    assert match.user_id is None  # a dry run


def test_only_superusers_may_run_the_linking_from_the_status_page(
    supervisor: Client, crm_admin: Client
) -> None:
    user = CrmUserFactory(username="lan.pham", email="lan.pham@bank.test")
    match = AgentFactory(employee_id="E-MATCH", email="lan.pham@bank.test")

    assert supervisor.post(STATUS).status_code == 403
    match.refresh_from_db()
    assert match.user_id is None

    assert 'id="run-linking"' in crm_admin.get(STATUS).content.decode()
    response = crm_admin.post(STATUS, follow=True)

    assert response.redirect_chain == [(STATUS, 302)]
    match.refresh_from_db()
    assert (match.user_id, match.updated_by) == (user.pk, "adm.admin")
    assert "Linked 1 agent(s); 0 need a person." in messages_of(response)
    assert log_messages(match) == [
        "Linked to user lan.pham (AGENT) by matching e-mail lan.pham@bank.test "
        "(via the linking status page)."
    ]
    assert 'id="count-already_linked">1<' in response.content.decode()


def test_the_status_page_needs_csrf() -> None:
    client = crm_signed_in("adm.csrf", "ADMIN")
    client.handler.enforce_csrf_checks = True
    AgentFactory(email="x@bank.test")
    CrmUserFactory(email="x@bank.test")
    assert client.post(STATUS).status_code == 403
    assert Agent.objects.filter(user__isnull=False).count() == 0


def test_the_index_module_links_the_status_page_for_those_who_may_view_agents(
    supervisor: Client,
) -> None:
    template = "admin/agents/linking_status_module.html"
    staff = User.objects.get(username="sup.admin")
    html = render_to_string(template, {"perms": PermWrapper(staff)})
    assert f'href="{STATUS}"' in html
    nobody = User.objects.create_user("plain.staff", is_staff=True)
    assert "Linking status" not in render_to_string(template, {"perms": PermWrapper(nobody)})


# --- the audit log -------------------------------------------------------------------------------


def test_the_audit_log_lists_admin_changes_for_supervisors(supervisor: Client) -> None:
    agent = AgentFactory(name="Audit Me", team="Team A")
    supervisor.post(change_url(agent), form_data(agent, team="Team B"))

    listing = supervisor.get("/admin/admin/logentry/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Audit Me" in page and "Team: &#x27;Team A&#x27; → &#x27;Team B&#x27;" in page

    found = supervisor.get("/admin/admin/logentry/", {"q": "Team B"}).content.decode()
    assert "Audit Me" in found
    missing = supervisor.get("/admin/admin/logentry/", {"q": "nothing-like-this"})
    assert "Audit Me" not in missing.content.decode()
    entry = LogEntry.objects.get()
    filtered = supervisor.get("/admin/admin/logentry/", {"user__id__exact": entry.user_id})
    assert "Audit Me" in filtered.content.decode()
    detail = supervisor.get(f"/admin/admin/logentry/{entry.pk}/change/")
    assert detail.status_code == 200
    assert supervisor.get(f"/admin/admin/logentry/{entry.pk}/delete/").status_code == 403
