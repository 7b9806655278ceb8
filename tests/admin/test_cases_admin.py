"""The customer cases admin: list, change form through the services, bulk assignment, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assignments.models import CustomerAgent
from cases.models import CustomerCase
from tests.admin.conftest import crm_signed_in
from tests.factories import (
    TEST_PASSWORD,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    CustomerFactory,
)
from workflow.errors import ValidationFailed

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cases/customercase/"
STATUSES = {
    "customer_status": "ACTIVE",
    "collateral_status": "UNSECURED",
    "processing_state_status": "IN_PROCESS",
    "lending_violation_status": "NONE",
    "recovery_ability_status": "MEDIUM",
}


def change_url(case: CustomerCase) -> str:
    return f"{CHANGELIST}{case.pk}/change/"


def form_data(case: CustomerCase, **changes: Any) -> dict[str, Any]:
    """The change form as the browser posts it, with ``changes`` applied."""
    data: dict[str, Any] = {
        "assigned_call_agent": str(case.assigned_call_agent_id or ""),
        "assigned_field_agent": str(case.assigned_field_agent_id or ""),
        **{name: getattr(case, name) for name in STATUSES},
        "_save": "Save",
    }
    data.update(changes)
    return data


def history(cif: str) -> int:
    return CustomerAgent.objects.filter(customer_id=cif).count()


def log_messages(case: CustomerCase) -> list[str]:
    entries = LogEntry.objects.filter(
        object_id=str(case.pk), content_type__model="customercase", action_flag=CHANGE
    ).order_by("id")
    return [entry.get_change_message() for entry in entries]


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def case() -> CustomerCase:
    """A case with a call agent and a field agent, and the first history version."""
    call = AgentFactory(name="Lan Pham", employee_id="E-CALL", team="Team North")
    field = AgentFactory(name="Minh Vo", employee_id="E-FIELD", team="Team South")
    customer = CustomerFactory(cif="C10000001", name="Nguyen Van An")
    return CustomerCaseFactory(
        customer=customer, assigned_call_agent=call, assigned_field_agent=field
    )


# --- pages and access ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_the_list_and_the_form_show_statuses_agents_and_both_histories(
    who: str, request: pytest.FixtureRequest, case: CustomerCase
) -> None:
    client: Client = request.getfixturevalue(who)
    CustomerCaseActionFactory(
        customer=case.customer,
        agent=case.assigned_call_agent,
        customer_status="COOPERATIVE",
        notes="Promised to call back",
    )

    page = client.get(CHANGELIST).content.decode()
    assert "C10000001" in page and "Nguyen Van An" in page
    assert "Lan Pham (E-CALL)" in page and "Minh Vo (E-FIELD)" in page
    assert "Team dashboard" in page

    form = client.get(change_url(case))
    assert form.status_code == 200
    body = form.content.decode()
    assert "Assignment history (read-only)" in body and "Status history (read-only)" in body
    assert "Promised to call back" in body and "Cooperative" in body
    # The history rows name the agents; the form itself offers no field to edit them.
    assert body.count("Lan Pham (E-CALL)") >= 2
    assert 'name="customer"' not in body


def test_agents_cannot_sign_in_and_staff_without_case_permissions_are_refused(
    case: CustomerCase,
) -> None:
    CrmUserFactory(username="agent.x", role="AGENT")
    client = Client()
    client.post("/admin/login/", {"username": "agent.x", "password": TEST_PASSWORD})
    response = client.get(change_url(case))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    User.objects.create_user("bare.staff", password="x-password-1", is_staff=True)
    bare = Client()
    bare.login(username="bare.staff", password="x-password-1")
    assert bare.get(CHANGELIST).status_code == 403
    assert bare.get(change_url(case)).status_code == 403


def test_cases_cannot_be_added_or_deleted_in_the_admin(
    supervisor: Client, crm_admin: Client, case: CustomerCase
) -> None:
    for client in (supervisor, crm_admin):
        assert client.get(f"{CHANGELIST}add/").status_code == 403
        assert client.post(f"{CHANGELIST}{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CustomerCase.objects.filter(pk=case.pk).exists()


# --- list filters and search -----------------------------------------------------------------


def test_the_list_filters_on_each_status_and_on_the_agents_teams(
    supervisor: Client, case: CustomerCase
) -> None:
    other = CustomerCaseFactory(
        customer=CustomerFactory(cif="C10000002", name="Tran Thi Binh"),
        assigned_call_agent=AgentFactory(team="Team West"),
        customer_status="DISPUTED",
        recovery_ability_status="LOW",
    )

    def listed(**params: str) -> set[str]:
        page = supervisor.get(CHANGELIST, params).content.decode()
        return {cif for cif in (case.customer_id, other.customer_id) if cif in page}

    assert listed() == {"C10000001", "C10000002"}
    assert listed(customer_status__exact="DISPUTED") == {"C10000002"}
    assert listed(recovery_ability_status__exact="MEDIUM") == {"C10000001"}
    assert listed(collateral_status__exact="SECURED") == set()
    assert listed(call_team="Team North") == {"C10000001"}
    assert listed(call_team="Team West") == {"C10000002"}
    assert listed(field_team="Team South") == {"C10000001"}
    assert listed(field_team="Team West") == set()


def test_the_search_matches_an_exact_cif_or_part_of_the_customer_name(
    supervisor: Client, case: CustomerCase
) -> None:
    CustomerCaseFactory(customer=CustomerFactory(cif="C10000010", name="Le Van Cuong"))

    def found(term: str) -> set[str]:
        page = supervisor.get(CHANGELIST, {"q": term}).content.decode()
        return {cif for cif in ("C10000001", "C10000010") if cif in page}

    assert found("C10000001") == {"C10000001"}
    assert found("c10000010") == {"C10000010"}
    assert found("van") == {"C10000001", "C10000010"}
    assert found("cuong") == {"C10000010"}
    # A partial cif is not a name: nothing matches.
    assert found("C1000000") == set()


def test_the_unfiltered_list_of_a_big_table_shows_an_estimate_instead_of_counting(
    supervisor: Client, case: CustomerCase, settings: Any
) -> None:
    settings.ADMIN_EXACT_COUNT_UP_TO = 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_service.customer_cases")

    with CaptureQueriesContext(connection) as queries:
        page = supervisor.get(CHANGELIST).content.decode()

    assert not [q for q in queries if "COUNT(" in q["sql"] and "customer_cases" in q["sql"]]
    assert "about 1 customer cases" in page
    # A filtered list under the cap is counted exactly.
    settings.ADMIN_EXACT_COUNT_UP_TO = 10_000
    filtered = supervisor.get(CHANGELIST, {"customer_status__exact": "ACTIVE"}).content.decode()
    assert "about" not in filtered and "1 customer case" in filtered


# --- the change form -----------------------------------------------------------------------


def test_changing_the_call_agent_writes_one_history_version_and_a_log_entry(
    supervisor: Client, case: CustomerCase
) -> None:
    new_agent = AgentFactory(name="Hoa Le", employee_id="E-NEW")
    before = history(case.customer_id)

    response = supervisor.post(
        change_url(case), form_data(case, assigned_call_agent=str(new_agent.pk)), follow=True
    )

    assert response.status_code == 200
    assert any("was changed successfully" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.assigned_call_agent_id == new_agent.pk
    assert case.assigned_field_agent_id is not None
    assert case.updated_by == "sup.admin"
    assert history(case.customer_id) == before + 1
    current = CustomerAgent.objects.get(customer_id=case.customer_id, is_current=True)
    assert current.assigned_call_agent_id == new_agent.pk
    assert log_messages(case) == ["Changed call agent: Lan Pham (E-CALL) → Hoa Le (E-NEW)."]
    entry = LogEntry.objects.get(object_id=str(case.pk))
    assert entry.user.username == "sup.admin"


def test_a_save_without_changes_writes_no_history_and_no_update(
    supervisor: Client, case: CustomerCase
) -> None:
    before = history(case.customer_id)
    updated_at = CustomerCase.objects.get(pk=case.pk).updated_at

    response = supervisor.post(change_url(case), form_data(case))

    assert response.status_code == 302
    assert history(case.customer_id) == before
    reloaded = CustomerCase.objects.get(pk=case.pk)
    assert (reloaded.updated_at, reloaded.updated_by, reloaded.f_update) == (
        updated_at,
        "tests",
        None,
    )
    assert log_messages(case) == ["No fields changed."]


def test_changing_statuses_goes_through_the_service_and_leaves_the_history_alone(
    supervisor: Client, case: CustomerCase
) -> None:
    before = history(case.customer_id)

    response = supervisor.post(
        change_url(case),
        form_data(case, customer_status="COOPERATIVE", recovery_ability_status="HIGH"),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.customer_status, case.recovery_ability_status) == ("COOPERATIVE", "HIGH")
    assert case.updated_by == "sup.admin" and case.f_update is not None
    assert history(case.customer_id) == before
    assert log_messages(case) == [
        "Changed customer status: ACTIVE → COOPERATIVE; recovery ability status: MEDIUM → HIGH."
    ]


def test_an_inactive_agent_is_refused_on_its_field_and_nothing_is_written(
    supervisor: Client, case: CustomerCase
) -> None:
    retired = AgentFactory(is_active=False)
    before = history(case.customer_id)

    response = supervisor.post(
        change_url(case),
        form_data(case, assigned_call_agent=str(retired.pk), customer_status="DISPUTED"),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is inactive" in errors["assigned_call_agent"][0]
    case.refresh_from_db()
    assert case.customer_status == "ACTIVE"
    assert history(case.customer_id) == before
    assert log_messages(case) == []


def test_removing_both_agents_is_refused(supervisor: Client, case: CustomerCase) -> None:
    response = supervisor.post(
        change_url(case), form_data(case, assigned_call_agent="", assigned_field_agent="")
    )
    assert response.status_code == 200
    assert "must keep a call agent or a field agent" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_call_agent_id is not None


def test_a_status_error_rolls_back_an_agent_change_made_in_the_same_save(
    supervisor: Client, case: CustomerCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> Any:
        raise ValidationFailed("Not now.", field="customerStatus")

    monkeypatch.setattr("assignments.forms.case_update_statuses", refuse)
    new_agent = AgentFactory()
    before = history(case.customer_id)

    response = supervisor.post(
        change_url(case),
        form_data(case, assigned_call_agent=str(new_agent.pk), customer_status="DISPUTED"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["customer_status"] == ["Not now."]
    case.refresh_from_db()
    assert case.assigned_call_agent_id != new_agent.pk
    assert history(case.customer_id) == before


# --- bulk assignment -----------------------------------------------------------------------


def run_bulk(client: Client, cases: list[CustomerCase], **choice: str) -> Any:
    data: dict[str, Any] = {
        "action": "assign_to_agents",
        "_selected_action": [str(c.pk) for c in cases],
    }
    if choice:
        data.update(choice, apply="1")
    else:
        data["index"] = "0"
    return client.post(CHANGELIST, data, follow=bool(choice))


def test_the_bulk_assignment_asks_for_agents_then_assigns_each_customer_once(
    supervisor: Client,
) -> None:
    old = AgentFactory(name="Old Caller", employee_id="E-OLD")
    new = AgentFactory(name="New Caller", employee_id="E-NEW", team="Team East")
    AgentFactory(name="Gone Agent", is_active=False)
    first = CustomerCaseFactory(customer=CustomerFactory(cif="C20000001"), assigned_call_agent=old)
    second = CustomerCaseFactory(
        customer=CustomerFactory(cif="C20000002"), assigned_field_agent=AgentFactory()
    )
    already = CustomerCaseFactory(
        customer=CustomerFactory(cif="C20000003"), assigned_call_agent=new
    )
    cases = [first, second, already]

    page = run_bulk(supervisor, cases)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Assign customers to agents" in body and "C20000002" in body
    assert "New Caller (E-NEW), Team East" in body and "Gone Agent" not in body
    assert all(history(c.customer_id) == 1 for c in cases)

    result = run_bulk(supervisor, cases, call_agent=str(new.pk))

    assert result.status_code == 200
    assert [history(c.customer_id) for c in cases] == [2, 2, 1]
    for case in cases:
        case.refresh_from_db()
        assert case.assigned_call_agent_id == new.pk
    assert second.assigned_field_agent_id is not None  # "keep" left the field agent alone
    assert log_messages(first) == [
        "Changed call agent: Old Caller (E-OLD) → New Caller (E-NEW) "
        "(via bulk action 'Assign selected customers to agent(s)')."
    ]
    assert log_messages(second) == [
        "Changed call agent: nobody → New Caller (E-NEW) "
        "(via bulk action 'Assign selected customers to agent(s)')."
    ]
    assert log_messages(already) == []
    shown = messages_of(result)
    assert "Assigned 2 customer(s): C20000001, C20000002." in shown
    assert "1 customer(s) already had these agents, nothing changed: C20000003." in shown


def test_the_bulk_assignment_needs_an_agent_and_offers_active_agents_only(
    supervisor: Client, case: CustomerCase
) -> None:
    retired = AgentFactory(is_active=False)
    nothing = supervisor.post(
        CHANGELIST,
        {"action": "assign_to_agents", "_selected_action": [str(case.pk)], "apply": "1"},
    )
    assert "Choose a call agent, a field agent or both." in nothing.content.decode()
    inactive = run_bulk(supervisor, [case], field_agent=str(retired.pk))
    assert "Select a valid choice" in inactive.content.decode()
    assert history(case.customer_id) == 1


def test_one_customer_failing_does_not_stop_the_others(
    supervisor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assignments.services import assignment_assign

    def failing_for_one(**kwargs: Any) -> Any:
        if kwargs["cif"] == "C30000001":
            raise ValidationFailed("Customer is under legal review.", field="cif")
        return assignment_assign(**kwargs)

    monkeypatch.setattr("assignments.case_admin.assignment_assign", failing_for_one)
    agent = AgentFactory()
    cases = [
        CustomerCaseFactory(customer=CustomerFactory(cif=f"C3000000{n}"), assigned_call_agent=None)
        for n in (1, 2)
    ]

    result = run_bulk(supervisor, cases, field_agent=str(agent.pk))

    assert [history(c.customer_id) for c in cases] == [1, 2]
    assert log_messages(cases[0]) == [] and len(log_messages(cases[1])) == 1
    shown = messages_of(result)
    assert "Assigned 1 customer(s): C30000002." in shown
    assert (
        "1 customer(s) could not be assigned: C30000001: Customer is under legal review." in shown
    )


def test_the_admin_log_lists_case_changes_for_the_audit(
    crm_admin: Client, case: CustomerCase
) -> None:
    crm_admin.post(change_url(case), form_data(case, lending_violation_status="MAJOR"))
    history_page = crm_admin.get(f"{CHANGELIST}{case.pk}/history/").content.decode()
    assert "lending violation status: NONE → MAJOR" in history_page
    assert "adm.admin" in history_page


def test_times_on_the_case_page_are_the_banks(supervisor: Client, case: CustomerCase) -> None:
    CustomerCaseActionFactory(
        customer=case.customer,
        agent=case.assigned_call_agent,
        action_date=dt.datetime(2026, 3, 9, 18, 30, tzinfo=dt.UTC),
    )
    body = supervisor.get(change_url(case)).content.decode()
    # 18:30 UTC is 01:30 the next day in Asia/Ho_Chi_Minh (UTC+7).
    assert "2026-03-10 01:30" in body


def test_an_inactive_crm_supervisor_session_ends(case: CustomerCase) -> None:
    client = crm_signed_in("sup.gone", "SUPERVISOR")
    assert client.get(CHANGELIST).status_code == 200
    User.objects.filter(username="sup.gone").update(is_active=False)
    assert client.get(CHANGELIST).status_code == 302


# --- the status service the form uses ------------------------------------------------------


def test_case_update_statuses_checks_values_needs_a_case_and_skips_no_ops(
    case: CustomerCase,
) -> None:
    from cases.services import case_update_statuses
    from workflow.actors import Actor
    from workflow.errors import NotFound

    actor = Actor(username="sup.service", roles=frozenset({"SUPERVISOR"}))
    with pytest.raises(ValidationFailed) as bad:
        case_update_statuses(actor=actor, cif=case.customer_id, customer_status="HAPPY")
    assert bad.value.field == "customerStatus"
    with pytest.raises(NotFound):
        case_update_statuses(actor=actor, cif=CustomerFactory().cif, customer_status="DISPUTED")

    same, changed = case_update_statuses(
        actor=actor, cif=case.customer_id, customer_status="ACTIVE"
    )
    assert changed == [] and same.updated_by == "tests" and same.f_update is None

    _, changed = case_update_statuses(
        actor=actor, cif=case.customer_id, customer_status="ACTIVE", collateral_status="SECURED"
    )
    assert changed == ["collateral_status"]
    reloaded = CustomerCase.objects.get(pk=case.pk)
    assert (reloaded.collateral_status, reloaded.updated_by) == ("SECURED", "sup.service")
    assert reloaded.f_update is not None
    assert history(case.customer_id) == 1
