"""The case endpoints: record a status input, list a customer's inputs, case status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from assignments.models import CustomerAgent
from cases.models import CustomerCase, CustomerCaseAction
from tests.api import agent_client, client_for, envelope_error, envelope_ok, unlinked_client
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from workflow.business_time import iso_utc

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection/cases"

STATUS_FIELDS = [
    "customerStatus",
    "collateralStatus",
    "processingStateStatus",
    "lendingViolationStatus",
    "recoveryAbilityStatus",
]


def reader() -> APIClient:
    # A supervisor reads every customer's work; an agent's own scope: tests/security.
    client, _ = agent_client("SUPERVISOR")
    return client


# --- POST cases ---------------------------------------------------------------------------


def test_an_agent_records_a_status_input_and_the_case_follows_it() -> None:
    user = CrmUserFactory(role="AGENT", username="an.nguyen")
    agent = AgentFactory(user=user, name="Nguyen Van An")
    case = CustomerCaseFactory(assigned_call_agent=agent)
    cif = case.customer_id

    response = client_for(user).post(
        BASE,
        {
            "cif": cif,
            "actionDate": "2026-03-02T10:15:00+07:00",
            "notes": "Collateral documents received.",
            "customerStatus": "COOPERATIVE",
            "collateralStatus": "UNDER_REVIEW",
            "recoveryAbilityStatus": "HIGH",
        },
        format="json",
    )

    data = envelope_ok(response, 201)
    stored = CustomerCaseAction.objects.get(customer_id=cif)
    assert data == {
        "id": str(stored.id),
        "cif": cif,
        "agentId": str(agent.id),
        "agentName": "Nguyen Van An",
        "actionDate": "2026-03-02T03:15:00Z",
        "notes": "Collateral documents received.",
        "customerStatus": "COOPERATIVE",
        "collateralStatus": "UNDER_REVIEW",
        "processingStateStatus": None,
        "lendingViolationStatus": None,
        "recoveryAbilityStatus": "HIGH",
        "createdAt": iso_utc(stored.created_at),
        "updatedAt": iso_utc(stored.updated_at),
        "createdBy": "an.nguyen",
        "updatedBy": "an.nguyen",
    }
    assert stored.agent_id == agent.id
    case.refresh_from_db()
    assert (
        case.customer_status,
        case.collateral_status,
        case.processing_state_status,
        case.lending_violation_status,
        case.recovery_ability_status,
    ) == ("COOPERATIVE", "UNDER_REVIEW", "IN_PROCESS", "NONE", "HIGH")
    assert case.f_update == dt.datetime(2026, 3, 2, 3, 15, tzinfo=dt.UTC)
    assert case.updated_by == "an.nguyen"
    assert case.assigned_call_agent_id == agent.id
    assert CustomerAgent.objects.filter(customer_id=cif).count() == 1  # no new version


def test_notes_alone_are_a_status_input_that_keeps_every_status() -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory(customer_status="DISPUTED", collateral_status="SECURED")

    response = client.post(
        BASE, {"cif": case.customer_id, "notes": "Customer asked for a call-back."}, format="json"
    )

    data = envelope_ok(response, 201)
    assert data["notes"] == "Customer asked for a call-back."
    assert data["customerStatus"] is None
    case.refresh_from_db()
    assert (case.customer_status, case.collateral_status) == ("DISPUTED", "SECURED")
    assert case.f_update is not None


def test_the_action_date_defaults_to_now() -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    before = timezone.now()
    data = envelope_ok(
        client.post(BASE, {"cif": case.customer_id, "customerStatus": "ACTIVE"}, format="json"),
        201,
    )
    after = timezone.now()
    recorded = dt.datetime.fromisoformat(data["actionDate"])
    assert before <= recorded <= after
    case.refresh_from_db()
    assert case.f_update == recorded


def test_it_opens_a_case_with_defaults_overridden_by_the_given_statuses() -> None:
    client, _ = agent_client()
    customer = CustomerFactory()

    response = client.post(
        BASE,
        {
            "cif": customer.cif,
            "processingStateStatus": "ESCALATED",
            "lendingViolationStatus": "MAJOR",
        },
        format="json",
    )

    envelope_ok(response, 201)
    case = CustomerCase.objects.get(customer_id=customer.cif)
    assert (
        case.customer_status,
        case.collateral_status,
        case.processing_state_status,
        case.lending_violation_status,
        case.recovery_ability_status,
    ) == ("ACTIVE", "UNSECURED", "ESCALATED", "MAJOR", "MEDIUM")
    assert case.assigned_call_agent_id is None and case.assigned_field_agent_id is None


def test_opening_a_case_without_agents_leaves_one_empty_assignment_version() -> None:
    # The database trigger opens a version on every case INSERT, agents or not.
    client, _ = agent_client()
    customer = CustomerFactory()
    envelope_ok(
        client.post(BASE, {"cif": customer.cif, "notes": "First contact."}, format="json"), 201
    )
    versions = list(
        CustomerAgent.objects.filter(customer_id=customer.cif).values_list(
            "assigned_call_agent_id", "assigned_field_agent_id", "is_current"
        )
    )
    assert versions == [(None, None, True)]


def test_an_action_date_a_few_minutes_ahead_is_accepted() -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    ahead = timezone.now() + dt.timedelta(minutes=4)
    response = client.post(
        BASE,
        {"cif": case.customer_id, "notes": "clock drift", "actionDate": ahead.isoformat()},
        format="json",
    )
    envelope_ok(response, 201)


def test_it_rejects_an_action_date_in_the_future() -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    future = timezone.now() + dt.timedelta(minutes=6)
    response = client.post(
        BASE,
        {"cif": case.customer_id, "notes": "later", "actionDate": future.isoformat()},
        format="json",
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "actionDate")
    assert not CustomerCaseAction.objects.exists()


@pytest.mark.parametrize("value", ["2026-03-02T10:15:00", "yesterday"])
def test_it_rejects_an_action_date_without_a_zone_or_malformed(value: str) -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    response = client.post(
        BASE, {"cif": case.customer_id, "notes": "n", "actionDate": value}, format="json"
    )
    envelope_error(response, 400, "VALIDATION_ERROR", "actionDate")


@pytest.mark.parametrize("field", STATUS_FIELDS)
def test_it_rejects_an_unknown_status_value_naming_the_field(field: str) -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    response = client.post(BASE, {"cif": case.customer_id, field: "BOGUS"}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", field)
    assert not CustomerCaseAction.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customerStatus", "UNCOOPERATIVE"),
        ("collateralStatus", "PARTIAL"),
        ("processingStateStatus", "ON_HOLD"),
        ("lendingViolationStatus", "CRITICAL"),
        ("recoveryAbilityStatus", "UNKNOWN"),
    ],
)
def test_each_status_alone_is_accepted_and_applied(field: str, value: str) -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    data = envelope_ok(
        client.post(BASE, {"cif": case.customer_id, field: value}, format="json"), 201
    )
    assert data[field] == value
    status = envelope_ok(reader().get(f"{BASE}/status/{case.customer_id}"))
    assert status[field] == value


@pytest.mark.parametrize("body", [{}, {"notes": "   "}, {"notes": None, "customerStatus": None}])
def test_it_rejects_an_input_with_neither_notes_nor_a_status(body: dict[str, object]) -> None:
    client, _ = agent_client()
    case = CustomerCaseFactory()
    response = client.post(BASE, {"cif": case.customer_id, **body}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", "notes")
    case.refresh_from_db()
    assert case.f_update is None


def test_it_requires_a_cif() -> None:
    client, _ = agent_client()
    response = client.post(BASE, {"notes": "n"}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", "cif")


def test_it_answers_404_for_an_unknown_customer() -> None:
    client, _ = agent_client()
    response = client.post(BASE, {"cif": "NO-SUCH-CIF", "notes": "n"}, format="json")
    envelope_error(response, 404, "NOT_FOUND", "cif")


def test_a_user_without_an_agent_profile_cannot_record() -> None:
    case = CustomerCaseFactory()
    response = unlinked_client("SUPERVISOR").post(
        BASE, {"cif": case.customer_id, "notes": "n"}, format="json"
    )
    envelope_error(response, 403, "AGENT_NOT_FOUND")
    assert not CustomerCaseAction.objects.exists()


def test_an_inactive_agent_cannot_record_case_inputs() -> None:
    client, _agent = agent_client(is_active=False)
    case = CustomerCaseFactory()
    response = client.post(BASE, {"cif": case.customer_id, "notes": "n"}, format="json")
    body = envelope_error(response, 403, "FORBIDDEN")
    assert "inactive" in body["message"]
    assert not CustomerCaseAction.objects.exists()


def test_a_supervisor_with_an_agent_profile_may_record() -> None:
    client, supervisor = agent_client("SUPERVISOR")
    case = CustomerCaseFactory()
    data = envelope_ok(
        client.post(BASE, {"cif": case.customer_id, "customerStatus": "DISPUTED"}, format="json"),
        201,
    )
    assert data["agentId"] == str(supervisor.id)


# --- GET cases/customer/{cif} -------------------------------------------------------------


def test_it_lists_a_customers_case_actions_newest_first_with_agent_names() -> None:
    customer = CustomerFactory()
    agent = AgentFactory(name="Tran Van Nam")
    old = CustomerCaseActionFactory(
        customer=customer, agent=agent, action_date=dt.datetime(2026, 2, 1, 3, tzinfo=dt.UTC)
    )
    new = CustomerCaseActionFactory(
        customer=customer,
        agent=agent,
        action_date=dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC),
        notes="Promised documents.",
        collateral_status="PARTIAL",
    )
    CustomerCaseActionFactory()  # another customer's

    data = envelope_ok(reader().get(f"{BASE}/customer/{customer.cif}"))

    assert [row["id"] for row in data["caseActions"]] == [str(new.id), str(old.id)]
    assert data["caseActions"][0] == {
        "id": str(new.id),
        "cif": customer.cif,
        "agentId": str(agent.id),
        "agentName": "Tran Van Nam",
        "actionDate": "2026-03-01T03:00:00Z",
        "notes": "Promised documents.",
        "customerStatus": "COOPERATIVE",
        "collateralStatus": "PARTIAL",
        "processingStateStatus": None,
        "lendingViolationStatus": None,
        "recoveryAbilityStatus": None,
        "createdAt": iso_utc(new.created_at),
        "updatedAt": iso_utc(new.updated_at),
        "createdBy": "tests",
        "updatedBy": "tests",
    }
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 2}


def test_date_filters_are_the_banks_business_days() -> None:
    customer = CustomerFactory()
    # 17:30Z on 1 March is 00:30 on 2 March in Ho Chi Minh City; 16:59Z is still 1 March.
    second_march = CustomerCaseActionFactory(
        customer=customer, action_date=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    )
    first_march = CustomerCaseActionFactory(
        customer=customer, action_date=dt.datetime(2026, 3, 1, 16, 59, 59, tzinfo=dt.UTC)
    )
    url = f"{BASE}/customer/{customer.cif}"
    client = reader()

    def ids(**query: str) -> list[str]:
        return [row["id"] for row in envelope_ok(client.get(url, query))["caseActions"]]

    assert ids(startDate="2026-03-02", endDate="2026-03-02") == [str(second_march.id)]
    assert ids(startDate="2026-03-01", endDate="2026-03-01") == [str(first_march.id)]
    assert ids(startDate="2026-03-02") == [str(second_march.id)]
    assert ids(endDate="2026-03-01") == [str(first_march.id)]
    assert ids(startDate="2026-03-01", endDate="2026-03-02") == [
        str(second_march.id),
        str(first_march.id),
    ]


def test_it_rejects_bad_date_filters() -> None:
    customer = CustomerFactory()
    url = f"{BASE}/customer/{customer.cif}"
    client = reader()
    envelope_error(
        client.get(url, {"startDate": "01/03/2026"}), 400, "VALIDATION_ERROR", "startDate"
    )
    envelope_error(
        client.get(url, {"startDate": "2026-03-02", "endDate": "2026-03-01"}),
        400,
        "VALIDATION_ERROR",
        "endDate",
    )


def test_listing_an_unknown_customers_case_actions_answers_404() -> None:
    envelope_error(reader().get(f"{BASE}/customer/NO-SUCH-CIF"), 404, "NOT_FOUND", "cif")


def test_it_pages_a_customers_case_actions() -> None:
    customer = CustomerFactory()
    for day in range(1, 4):
        CustomerCaseActionFactory(
            customer=customer, action_date=dt.datetime(2026, 3, day, 3, tzinfo=dt.UTC)
        )
    client = reader()
    url = f"{BASE}/customer/{customer.cif}"

    second = envelope_ok(client.get(url, {"page": 2, "pageSize": 2}))
    assert [row["actionDate"] for row in second["caseActions"]] == ["2026-03-01T03:00:00Z"]
    assert second["pagination"] == {"page": 2, "pageSize": 2, "totalPages": 2, "totalItems": 3}
    assert envelope_ok(client.get(url, {"page": 3, "pageSize": 2}))["caseActions"] == []
    envelope_error(client.get(url, {"pageSize": 101}), 400, "VALIDATION_ERROR", "pageSize")


def test_it_lists_case_actions_in_a_constant_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    customer = CustomerFactory()
    for minute in range(30):
        CustomerCaseActionFactory(
            customer=customer,
            agent=AgentFactory(),
            action_date=dt.datetime(2026, 3, 1, 3, minute, tzinfo=dt.UTC),
        )
    client = reader()
    url = f"{BASE}/customer/{customer.cif}"

    with CaptureQueriesContext(connection) as one_row:
        assert len(envelope_ok(client.get(url, {"pageSize": 1}))["caseActions"]) == 1
    with django_assert_max_num_queries(len(one_row)):
        assert len(envelope_ok(client.get(url, {"pageSize": 50}))["caseActions"]) == 30
    assert len(one_row) <= 3  # the customer, the count, the page (agent joined)


# --- GET cases/status/{cif} ---------------------------------------------------------------


def test_status_shows_the_case_its_agents_and_the_last_action(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    call = AgentFactory(name="Do Thi Cuc")
    field = AgentFactory(name="Bui Van Dung")
    case = CustomerCaseFactory(
        assigned_call_agent=call,
        assigned_field_agent=field,
        customer_status="UNCOOPERATIVE",
        f_update=dt.datetime(2026, 3, 3, 4, tzinfo=dt.UTC),
    )
    loan = LoanFactory(customer=case.customer)
    ActionRecordFactory(loan=loan, action_date=dt.datetime(2025, 12, 30, 1, tzinfo=dt.UTC))
    ActionRecordFactory(
        loan=loan,
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PARTIAL_PAYMENT",
        action_date=dt.datetime(2026, 3, 4, 8, 5, tzinfo=dt.UTC),
    )
    ActionRecordFactory(loan=loan, action_date=dt.datetime(2026, 2, 1, 1, tzinfo=dt.UTC))
    ActionRecordFactory(action_date=dt.datetime(2026, 6, 1, 1, tzinfo=dt.UTC))  # another cif
    client = reader()

    with django_assert_max_num_queries(2):
        data = envelope_ok(client.get(f"{BASE}/status/{case.customer_id}"))

    assert data == {
        "cif": case.customer_id,
        "customerName": case.customer.name,
        "assignedCallAgentId": str(call.id),
        "assignedCallAgentName": "Do Thi Cuc",
        "assignedFieldAgentId": str(field.id),
        "assignedFieldAgentName": "Bui Van Dung",
        "fUpdate": "2026-03-03T04:00:00Z",
        "customerStatus": "UNCOOPERATIVE",
        "collateralStatus": "UNSECURED",
        "processingStateStatus": "IN_PROCESS",
        "lendingViolationStatus": "NONE",
        "recoveryAbilityStatus": "MEDIUM",
        "lastActionDate": "2026-03-04T08:05:00Z",
        "lastActionType": "VISIT",
        "lastActionResult": "PARTIAL_PAYMENT",
        "followUpDate": None,  # no promise was broken (tests/promises/test_case_follow_up.py)
        "followUpAgentId": None,
        "followUpPromiseId": None,
    }


def test_status_of_a_customer_without_a_case_has_null_statuses_and_agents() -> None:
    customer = CustomerFactory(
        type="ORGANIZATION", name=None, company_name="Hoang Long Logistics Ltd"
    )
    ActionRecordFactory(
        loan=LoanFactory(customer=customer),
        action_result="NO_CONTACT",
        action_date=dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC),
    )

    data = envelope_ok(reader().get(f"{BASE}/status/{customer.cif}"))

    assert data["customerName"] == "Hoang Long Logistics Ltd"
    for key in (
        "assignedCallAgentId",
        "assignedCallAgentName",
        "assignedFieldAgentId",
        "assignedFieldAgentName",
        "fUpdate",
        "customerStatus",
        "collateralStatus",
        "processingStateStatus",
        "lendingViolationStatus",
        "recoveryAbilityStatus",
    ):
        assert data[key] is None, key
    assert (data["lastActionDate"], data["lastActionType"], data["lastActionResult"]) == (
        "2026-01-05T02:00:00Z",
        "CALL",
        "NO_CONTACT",
    )


def test_status_without_any_action_has_null_last_action() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    data = envelope_ok(reader().get(f"{BASE}/status/{case.customer_id}"))
    assert data["assignedFieldAgentId"] is None and data["assignedFieldAgentName"] is None
    assert (data["lastActionDate"], data["lastActionType"], data["lastActionResult"]) == (
        None,
        None,
        None,
    )


def test_status_of_an_unknown_customer_answers_404() -> None:
    envelope_error(reader().get(f"{BASE}/status/NO-SUCH-CIF"), 404, "NOT_FOUND", "cif")


# --- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", BASE), ("get", f"{BASE}/customer/C00000001"), ("get", f"{BASE}/status/C00000001")],
)
def test_every_case_endpoint_requires_authentication(method: str, path: str) -> None:
    response = getattr(APIClient(), method)(path)
    envelope_error(response, 401, "AUTH_REQUIRED")
