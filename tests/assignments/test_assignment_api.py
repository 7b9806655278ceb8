"""The assignment endpoints: an agent's customers, (re)assignment, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from assignments.models import CustomerAgent
from cases.models import CustomerCase
from tests.api import agent_client, client_for, envelope_error, envelope_ok, random_uuid
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory, CustomerFactory
from workflow.business_time import business_today

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection/assignments"


def supervisor() -> APIClient:
    return client_for(CrmUserFactory(role="SUPERVISOR"))


def reader() -> APIClient:
    # A supervisor reads every customer's work; an agent's own scope: tests/security.
    client, _ = agent_client("SUPERVISOR")
    return client


def versions(cif: str) -> int:
    return CustomerAgent.objects.filter(customer_id=cif).count()


def current(cif: str) -> CustomerAgent:
    return CustomerAgent.objects.get(customer_id=cif, is_current=True)


# --- GET assignments/agent/{agentId} ------------------------------------------------------


def test_it_lists_the_customers_an_agent_currently_has_as_call_or_field_agent() -> None:
    agent, other = AgentFactory(), AgentFactory()
    as_call = CustomerCaseFactory(
        customer__cif="C-LIST-1", assigned_call_agent=agent, customer_status="COOPERATIVE"
    )
    as_field = CustomerCaseFactory(
        customer__cif="C-LIST-2",
        assigned_call_agent=other,
        assigned_field_agent=agent,
        collateral_status="SECURED",
        recovery_ability_status="LOW",
    )
    CustomerCaseFactory(customer__cif="C-LIST-3", assigned_call_agent=other)
    # Formerly the agent's: only a closed version names the agent now.
    moved = CustomerCaseFactory(customer__cif="C-LIST-0", assigned_call_agent=agent)
    moved.assigned_call_agent = other
    moved.save(update_fields=["assigned_call_agent"])

    data = envelope_ok(reader().get(f"{BASE}/agent/{agent.id}"))

    assert [row["cif"] for row in data["assignments"]] == ["C-LIST-1", "C-LIST-2"]
    first, second = data["assignments"]
    version = current("C-LIST-1")
    assert first == {
        "id": str(version.id),
        "cif": "C-LIST-1",
        "assignedCallAgentId": str(agent.id),
        "assignedFieldAgentId": None,
        "startDate": business_today().isoformat(),
        "endDate": None,
        "isCurrent": True,
        "customerName": as_call.customer.name,
        "customerStatus": "COOPERATIVE",
        "collateralStatus": "UNSECURED",
        "processingStateStatus": "IN_PROCESS",
        "lendingViolationStatus": "NONE",
        "recoveryAbilityStatus": "MEDIUM",
    }
    assert second["assignedCallAgentId"] == str(other.id)
    assert second["assignedFieldAgentId"] == str(agent.id)
    assert second["customerName"] == as_field.customer.name
    assert (second["collateralStatus"], second["recoveryAbilityStatus"]) == ("SECURED", "LOW")
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 2}


def test_it_names_an_organization_by_its_company_name() -> None:
    agent = AgentFactory()
    CustomerCaseFactory(
        customer__type="ORGANIZATION",
        customer__name=None,
        customer__company_name="Sao Mai Trading JSC",
        assigned_call_agent=agent,
    )
    data = envelope_ok(reader().get(f"{BASE}/agent/{agent.id}"))
    assert data["assignments"][0]["customerName"] == "Sao Mai Trading JSC"


def test_it_filters_an_agents_customers_by_cif() -> None:
    agent = AgentFactory()
    CustomerCaseFactory(customer__cif="C-FILTER-1", assigned_call_agent=agent)
    CustomerCaseFactory(customer__cif="C-FILTER-2", assigned_call_agent=agent)
    data = envelope_ok(reader().get(f"{BASE}/agent/{agent.id}", {"cif": "C-FILTER-2"}))
    assert [row["cif"] for row in data["assignments"]] == ["C-FILTER-2"]
    assert data["pagination"]["totalItems"] == 1


def test_it_serves_null_statuses_for_a_current_assignment_whose_case_is_gone() -> None:
    agent = AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=agent)
    CustomerCase.objects.filter(pk=case.pk).delete()  # the history stays current
    data = envelope_ok(reader().get(f"{BASE}/agent/{agent.id}"))
    row = data["assignments"][0]
    assert row["cif"] == case.customer_id
    assert row["customerStatus"] is None and row["recoveryAbilityStatus"] is None


def test_it_answers_404_for_an_unknown_agent() -> None:
    envelope_error(reader().get(f"{BASE}/agent/{random_uuid()}"), 404, "NOT_FOUND", "agentId")


def test_it_answers_404_for_a_malformed_agent_id() -> None:
    envelope_error(reader().get(f"{BASE}/agent/not-a-uuid"), 404, "NOT_FOUND")


def test_it_pages_an_agents_customers() -> None:
    agent = AgentFactory()
    for number in range(3):
        CustomerCaseFactory(customer__cif=f"C-PAGE-{number}", assigned_field_agent=agent)
    client = reader()

    second = envelope_ok(client.get(f"{BASE}/agent/{agent.id}", {"page": 2, "pageSize": 2}))
    assert [row["cif"] for row in second["assignments"]] == ["C-PAGE-2"]
    assert second["pagination"] == {"page": 2, "pageSize": 2, "totalPages": 2, "totalItems": 3}

    past = envelope_ok(client.get(f"{BASE}/agent/{agent.id}", {"page": 5, "pageSize": 2}))
    assert past["assignments"] == []
    assert past["pagination"]["totalItems"] == 3

    response = client.get(f"{BASE}/agent/{agent.id}", {"pageSize": 101})
    envelope_error(response, 400, "VALIDATION_ERROR", "pageSize")
    envelope_error(client.get(f"{BASE}/agent/{agent.id}", {"page": 0}), 400, "VALIDATION_ERROR")


def test_it_lists_an_agents_customers_in_a_constant_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    agent = AgentFactory()
    for _ in range(30):
        CustomerCaseFactory(assigned_call_agent=agent)
    client = reader()
    url = f"{BASE}/agent/{agent.id}"

    with CaptureQueriesContext(connection) as one_row:
        assert len(envelope_ok(client.get(url, {"pageSize": 1}))["assignments"]) == 1
    with django_assert_max_num_queries(len(one_row)):
        assert len(envelope_ok(client.get(url, {"pageSize": 50}))["assignments"]) == 30
    assert len(one_row) <= 3  # the agent, the count, the page (customer and case joined)


# --- POST assignments ---------------------------------------------------------------------


def test_it_opens_a_case_with_default_statuses_for_a_customer_assigned_the_first_time() -> None:
    user = CrmUserFactory(role="SUPERVISOR", username="sup.lan")
    customer = CustomerFactory()
    call, field = AgentFactory(), AgentFactory()

    response = client_for(user).post(
        BASE,
        {
            "cif": customer.cif,
            "assignedCallAgentId": str(call.id),
            "assignedFieldAgentId": str(field.id),
        },
        format="json",
    )

    data = envelope_ok(response, 201)
    version = current(customer.cif)
    assert data == {
        "id": str(version.id),
        "cif": customer.cif,
        "assignedCallAgentId": str(call.id),
        "assignedFieldAgentId": str(field.id),
        "startDate": business_today().isoformat(),
        "endDate": None,
        "isCurrent": True,
    }
    case = CustomerCase.objects.get(customer_id=customer.cif)
    assert (case.assigned_call_agent_id, case.assigned_field_agent_id) == (call.id, field.id)
    assert (
        case.customer_status,
        case.collateral_status,
        case.processing_state_status,
        case.lending_violation_status,
        case.recovery_ability_status,
    ) == ("ACTIVE", "UNSECURED", "IN_PROCESS", "NONE", "MEDIUM")
    assert (case.created_by, case.updated_by) == ("sup.lan", "sup.lan")
    assert versions(customer.cif) == 1


def test_reassigning_writes_exactly_one_history_version() -> None:
    old, new = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=old)
    cif = case.customer_id
    before = current(cif)

    response = supervisor().post(
        BASE, {"cif": cif, "assignedCallAgentId": str(new.id)}, format="json"
    )

    data = envelope_ok(response, 201)
    assert versions(cif) == 2
    after = current(cif)
    assert data["id"] == str(after.id) != str(before.id)
    assert data["assignedCallAgentId"] == str(new.id)
    before.refresh_from_db()
    assert before.is_current is False and before.end_date == business_today()


def test_assigning_the_same_agents_again_changes_nothing() -> None:
    call, field = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)
    cif = case.customer_id
    version = current(cif)

    response = supervisor().post(
        BASE,
        {"cif": cif, "assignedCallAgentId": str(call.id), "assignedFieldAgentId": str(field.id)},
        format="json",
    )

    data = envelope_ok(response, 200)
    assert data["id"] == str(version.id)
    assert versions(cif) == 1
    case.refresh_from_db()
    assert case.updated_by == "tests"  # no UPDATE was issued


def test_an_omitted_agent_keeps_its_value() -> None:
    call, field, new_field = AgentFactory(), AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)

    response = supervisor().post(
        BASE,
        {"cif": case.customer_id, "assignedFieldAgentId": str(new_field.id)},
        format="json",
    )

    data = envelope_ok(response, 201)
    assert data["assignedCallAgentId"] == str(call.id)
    assert data["assignedFieldAgentId"] == str(new_field.id)


def test_null_clears_one_role_while_the_other_stays() -> None:
    call, field = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)

    response = supervisor().post(
        BASE,
        {
            "cif": case.customer_id,
            "assignedCallAgentId": None,
            "assignedFieldAgentId": str(field.id),
        },
        format="json",
    )

    data = envelope_ok(response, 201)
    assert (data["assignedCallAgentId"], data["assignedFieldAgentId"]) == (None, str(field.id))
    case.refresh_from_db()
    assert case.assigned_call_agent_id is None
    assert versions(case.customer_id) == 2


def test_it_rejects_clearing_the_only_agent_of_a_customer() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    response = supervisor().post(
        BASE, {"cif": case.customer_id, "assignedCallAgentId": None}, format="json"
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "assignedCallAgentId")
    assert versions(case.customer_id) == 1


def test_it_rejects_an_assignment_naming_no_agent() -> None:
    customer = CustomerFactory()
    response = supervisor().post(BASE, {"cif": customer.cif}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", "assignedCallAgentId")
    both_null = supervisor().post(
        BASE,
        {"cif": customer.cif, "assignedCallAgentId": None, "assignedFieldAgentId": None},
        format="json",
    )
    envelope_error(both_null, 400, "VALIDATION_ERROR", "assignedCallAgentId")
    assert not CustomerCase.objects.filter(customer_id=customer.cif).exists()


def test_it_requires_a_cif() -> None:
    response = supervisor().post(
        BASE, {"assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "cif")


def test_it_rejects_a_malformed_agent_id() -> None:
    response = supervisor().post(
        BASE, {"cif": CustomerFactory().cif, "assignedFieldAgentId": "agent-7"}, format="json"
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "assignedFieldAgentId")


def test_it_answers_404_for_an_unknown_customer() -> None:
    response = supervisor().post(
        BASE, {"cif": "NO-SUCH-CIF", "assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_error(response, 404, "NOT_FOUND", "cif")


@pytest.mark.parametrize("field", ["assignedCallAgentId", "assignedFieldAgentId"])
def test_it_answers_404_for_an_unknown_agent_naming_the_field(field: str) -> None:
    customer = CustomerFactory()
    response = supervisor().post(BASE, {"cif": customer.cif, field: random_uuid()}, format="json")
    envelope_error(response, 404, "NOT_FOUND", field)
    assert versions(customer.cif) == 0


@pytest.mark.parametrize("field", ["assignedCallAgentId", "assignedFieldAgentId"])
def test_it_rejects_an_inactive_agent_naming_the_field(field: str) -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    inactive = AgentFactory(is_active=False)
    response = supervisor().post(
        BASE, {"cif": case.customer_id, field: str(inactive.id)}, format="json"
    )
    envelope_error(response, 400, "VALIDATION_ERROR", field)
    assert versions(case.customer_id) == 1


@pytest.mark.parametrize("agent_type", ["SUPERVISOR", "ADMIN"])
def test_an_agent_of_any_type_may_be_assigned(agent_type: str) -> None:
    customer = CustomerFactory()
    agent = AgentFactory(type=agent_type)
    response = supervisor().post(
        BASE, {"cif": customer.cif, "assignedCallAgentId": str(agent.id)}, format="json"
    )
    assert envelope_ok(response, 201)["assignedCallAgentId"] == str(agent.id)


def test_an_agent_may_not_assign_customers() -> None:
    client, _ = agent_client("AGENT")
    customer = CustomerFactory()
    response = client.post(
        BASE, {"cif": customer.cif, "assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_error(response, 403, "FORBIDDEN")
    assert not CustomerCase.objects.filter(customer_id=customer.cif).exists()


def test_an_agent_with_the_customer_assignment_permission_may_assign() -> None:
    client = client_for(CrmUserFactory(role="AGENT"), permissions=["customer_assignment:all"])
    customer = CustomerFactory()
    response = client.post(
        BASE, {"cif": customer.cif, "assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_ok(response, 201)


def test_an_admin_may_assign() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))
    customer = CustomerFactory()
    response = client.post(
        BASE, {"cif": customer.cif, "assignedFieldAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_ok(response, 201)


# --- PUT assignments/{id} -----------------------------------------------------------------


def test_it_reassigns_the_customer_of_a_current_version() -> None:
    call, field, new_call = AgentFactory(), AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call, assigned_field_agent=field)
    version = current(case.customer_id)

    response = supervisor().put(
        f"{BASE}/{version.id}", {"assignedCallAgentId": str(new_call.id)}, format="json"
    )

    data = envelope_ok(response, 200)
    new_version = current(case.customer_id)
    assert data["id"] == str(new_version.id) != str(version.id)
    assert (data["assignedCallAgentId"], data["assignedFieldAgentId"]) == (
        str(new_call.id),
        str(field.id),
    )
    assert versions(case.customer_id) == 2


def test_the_frontends_method_override_reaches_put() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    version = current(case.customer_id)
    new_field = AgentFactory()
    response = supervisor().post(
        f"{BASE}/{version.id}",
        {"assignedFieldAgentId": str(new_field.id)},
        format="json",
        HTTP_X_HTTP_METHOD_OVERRIDE="PUT",
    )
    assert envelope_ok(response, 200)["assignedFieldAgentId"] == str(new_field.id)


def test_putting_the_same_agents_answers_the_same_version_without_history() -> None:
    call = AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call)
    version = current(case.customer_id)
    response = supervisor().put(
        f"{BASE}/{version.id}",
        {"assignedCallAgentId": str(call.id), "assignedFieldAgentId": None},
        format="json",
    )
    assert envelope_ok(response, 200)["id"] == str(version.id)
    assert versions(case.customer_id) == 1


def test_a_closed_version_is_immutable() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    closed = current(case.customer_id)
    case.assigned_call_agent = AgentFactory()
    case.save(update_fields=["assigned_call_agent"])

    response = supervisor().put(
        f"{BASE}/{closed.id}", {"assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )

    envelope_error(response, 409, "CONFLICT")
    assert versions(case.customer_id) == 2


def test_putting_an_unknown_version_answers_404() -> None:
    response = supervisor().put(
        f"{BASE}/{random_uuid()}", {"assignedCallAgentId": str(AgentFactory().id)}, format="json"
    )
    envelope_error(response, 404, "NOT_FOUND")


def test_putting_no_agent_key_is_rejected() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    response = supervisor().put(f"{BASE}/{current(case.customer_id).id}", {}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", "assignedCallAgentId")


def test_putting_an_inactive_agent_is_rejected() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    response = supervisor().put(
        f"{BASE}/{current(case.customer_id).id}",
        {"assignedFieldAgentId": str(AgentFactory(is_active=False).id)},
        format="json",
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "assignedFieldAgentId")


def test_an_agent_may_not_reassign() -> None:
    client, _ = agent_client("AGENT")
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    response = client.put(
        f"{BASE}/{current(case.customer_id).id}",
        {"assignedCallAgentId": str(AgentFactory().id)},
        format="json",
    )
    envelope_error(response, 403, "FORBIDDEN")
    assert versions(case.customer_id) == 1


# --- GET assignments/history/{cif} --------------------------------------------------------


def test_history_lists_every_version_newest_first_with_agent_names() -> None:
    first = AgentFactory(name="Le Van Mot")
    second = AgentFactory(name="Pham Thi Hai")
    third = AgentFactory(name="Vo Van Ba")
    case = CustomerCaseFactory(assigned_call_agent=first)
    cif = case.customer_id
    for agent in (second, third):
        case.assigned_call_agent = agent
        case.save(update_fields=["assigned_call_agent"])
    case.assigned_field_agent = first
    case.save(update_fields=["assigned_field_agent"])
    # One test transaction writes every version at the same now(): spread them in time.
    rows = {
        (row.assigned_call_agent_id, row.assigned_field_agent_id): row
        for row in CustomerAgent.objects.filter(customer_id=cif)
    }
    oldest = rows[(first.id, None)]
    opened = business_today() - dt.timedelta(days=40)
    CustomerAgent.objects.filter(id=oldest.id).update(start_date=opened)
    now = current(cif).created_at
    CustomerAgent.objects.filter(id=rows[(second.id, None)].id).update(
        created_at=now - dt.timedelta(hours=2)
    )
    CustomerAgent.objects.filter(id=rows[(third.id, None)].id).update(
        created_at=now - dt.timedelta(hours=1)
    )

    data = envelope_ok(reader().get(f"{BASE}/history/{cif}"))

    history = data["history"]
    assert [(row["assignedCallAgentName"], row["assignedFieldAgentName"]) for row in history] == [
        ("Vo Van Ba", "Le Van Mot"),
        ("Vo Van Ba", None),
        ("Pham Thi Hai", None),
        ("Le Van Mot", None),
    ]
    assert [row["isCurrent"] for row in history] == [True, False, False, False]
    assert history[0]["endDate"] is None
    assert history[-1]["startDate"] == opened.isoformat()
    assert history[-1]["endDate"] == business_today().isoformat()
    assert set(history[0]) == {
        "id",
        "cif",
        "assignedCallAgentId",
        "assignedFieldAgentId",
        "startDate",
        "endDate",
        "isCurrent",
        "assignedCallAgentName",
        "assignedFieldAgentName",
    }
    assert "pagination" not in data


def test_history_of_a_customer_never_assigned_is_empty() -> None:
    customer = CustomerFactory()
    assert envelope_ok(reader().get(f"{BASE}/history/{customer.cif}")) == {"history": []}


def test_history_of_an_unknown_customer_answers_404() -> None:
    envelope_error(reader().get(f"{BASE}/history/NO-SUCH-CIF"), 404, "NOT_FOUND", "cif")


# --- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"{BASE}/agent/{random_uuid()}"),
        ("post", BASE),
        ("put", f"{BASE}/{random_uuid()}"),
        ("get", f"{BASE}/history/C00000001"),
    ],
)
def test_every_assignment_endpoint_requires_authentication(method: str, path: str) -> None:
    response = getattr(APIClient(), method)(path, {}, format="json")
    envelope_error(response, 401, "AUTH_REQUIRED")
