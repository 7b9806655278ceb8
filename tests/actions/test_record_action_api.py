"""``POST /actions``: an agent records a call, visit, e-mail, SMS or letter."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from actions.models import ActionRecord
from tests.actions.helpers import BASE, call_payload, partition_of
from tests.api import agent_client, client_for, envelope_error, envelope_ok, unlinked_client
from tests.factories import CrmUserFactory, CustomerFactory, LoanFactory
from workflow.models import Loan

pytestmark = pytest.mark.django_db

VISIT_LOCATION = {"latitude": 21.0285, "longitude": 105.8542, "address": "12 Hang Bai, Ha Noi"}


@pytest.fixture
def loan() -> Loan:
    return LoanFactory(customer__cif="CIF-A1", account_number="LN-A1")


def post(client: APIClient, body: dict[str, Any]) -> Any:
    return client.post(BASE, body, format="json")


def test_it_records_a_call_of_the_callers_agent() -> None:
    client, agent = agent_client(name="Nguyen Van An")
    loan = LoanFactory(customer__cif="CIF-OK", account_number="LN-OK")

    data = envelope_ok(post(client, call_payload(loan)), 201)

    assert data["cif"] == "CIF-OK"
    assert data["loanAccountNumber"] == "LN-OK"
    assert data["agentId"] == str(agent.id)
    assert data["agentName"] == "Nguyen Van An"
    assert data["type"] == "CALL"
    assert data["subtype"] == "REMINDER_CALL"
    assert data["actionResult"] == "PROMISE_TO_PAY"
    # Given in Vietnam time, stored and served in UTC with Z.
    assert data["actionDate"] == "2026-03-02T02:30:00Z"
    assert data["notes"] == "Promised to pay on Friday."
    assert data["callTraceId"] == "TRACE-0001"
    assert data["visitLocation"] is None
    assert data["createdBy"] == data["updatedBy"] == client.user.username
    for key in ("actionDate", "createdAt", "updatedAt"):
        assert data[key].endswith("Z"), key

    stored = ActionRecord.objects.get(id=data["id"])
    assert stored.agent_id == agent.id
    assert stored.customer_id == "CIF-OK"
    assert stored.loan_id == "LN-OK"
    assert stored.action_date == dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC)
    assert stored.created_by == client.user.username


def test_it_records_a_visit_with_its_location_as_json_numbers(loan: Loan) -> None:
    client, _ = agent_client()
    body = call_payload(
        loan,
        type="VISIT",
        subtype="FIELD_VISIT",
        callTraceId=None,
        visitLocation={
            "latitude": -89.12345678,
            "longitude": 179.12345678,
            "address": "12 Hang Bai, Ha Noi",
        },
    )

    data = envelope_ok(post(client, body), 201)

    assert data["visitLocation"] == {
        "latitude": -89.12345678,
        "longitude": 179.12345678,
        "address": "12 Hang Bai, Ha Noi",
    }
    assert data["callTraceId"] is None
    stored = ActionRecord.objects.get(id=data["id"])
    assert stored.visit_latitude == Decimal("-89.12345678")
    assert stored.visit_longitude == Decimal("179.12345678")


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(90, 180), (-90, -180), (0, 0), (90.0, -180.0)]
)
def test_it_accepts_coordinates_on_the_limits(
    loan: Loan, latitude: float, longitude: float
) -> None:
    client, _ = agent_client()
    body = call_payload(
        loan,
        type="VISIT",
        subtype="FIELD_VISIT",
        visitLocation={"latitude": latitude, "longitude": longitude},
    )

    data = envelope_ok(post(client, body), 201)

    assert data["visitLocation"]["latitude"] == latitude
    assert data["visitLocation"]["longitude"] == longitude
    assert data["visitLocation"]["address"] is None


def test_it_defaults_the_action_date_to_now(loan: Loan) -> None:
    client, _ = agent_client()
    body = call_payload(loan)
    del body["actionDate"]
    before = timezone.now()

    data = envelope_ok(post(client, body), 201)

    recorded = dt.datetime.fromisoformat(data["actionDate"])
    assert before - dt.timedelta(seconds=1) <= recorded <= timezone.now()


def test_it_accepts_a_minimal_body(loan: Loan) -> None:
    client, _ = agent_client()
    body = {
        "cif": loan.customer_id,
        "loanAccountNumber": loan.account_number,
        "type": "SMS",
        "subtype": "PAYMENT_REMINDER",
        "actionResult": "NO_CONTACT",
    }

    data = envelope_ok(post(client, body), 201)

    assert data["notes"] is None and data["callTraceId"] is None
    assert data["visitLocation"] is None


@pytest.mark.parametrize(
    ("action_date", "partition"),
    [
        ("2026-02-15T10:00:00Z", "workflow_service.action_records_2026_q1"),
        ("2025-11-01T10:00:00Z", "workflow_service.action_records_2025_q4"),
        # 2026-04-01 06:30 in Vietnam is still 2026-03-31 in UTC, the partition key.
        ("2026-04-01T06:30:00+07:00", "workflow_service.action_records_2026_q1"),
        ("2024-06-30T12:00:00Z", "workflow_service.action_records_historical"),
    ],
)
def test_the_record_lands_in_the_partition_of_its_date(
    loan: Loan, action_date: str, partition: str
) -> None:
    client, _ = agent_client()

    data = envelope_ok(post(client, call_payload(loan, actionDate=action_date)), 201)

    assert partition_of(data["id"]) == partition


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["cif", "loanAccountNumber", "type", "subtype", "actionResult"])
def test_it_requires_each_mandatory_field(loan: Loan, field: str) -> None:
    client, _ = agent_client()
    body = call_payload(loan)
    del body[field]

    envelope_error(post(client, body), 400, "VALIDATION_ERROR", field)
    assert not ActionRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("type", "PHONE"), ("subtype", "SOCIAL_CALL"), ("actionResult", "MAYBE"), ("type", "call")],
)
def test_it_rejects_a_value_outside_the_enum(loan: Loan, field: str, value: str) -> None:
    client, _ = agent_client()

    envelope_error(
        post(client, call_payload(loan, **{field: value})), 400, "VALIDATION_ERROR", field
    )


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"latitude": 90.00000001, "longitude": 105.0}, "visitLocation.latitude"),
        ({"latitude": -90.5, "longitude": 105.0}, "visitLocation.latitude"),
        ({"latitude": 21.123456789, "longitude": 105.0}, "visitLocation.latitude"),
        ({"latitude": 21.0, "longitude": 180.00000001}, "visitLocation.longitude"),
        ({"latitude": 21.0, "longitude": -181}, "visitLocation.longitude"),
        ({"latitude": 21.0, "longitude": 105.123456789}, "visitLocation.longitude"),
        ({"latitude": "north", "longitude": 105.0}, "visitLocation.latitude"),
        ({"latitude": 21.0}, "visitLocation.longitude"),
        ({"latitude": 21.0, "longitude": None}, "visitLocation.longitude"),
        ({"longitude": 105.0, "address": "Ha Noi"}, "visitLocation.latitude"),
    ],
)
def test_it_rejects_bad_coordinates_naming_the_coordinate(
    loan: Loan, location: dict[str, Any], field: str
) -> None:
    client, _ = agent_client()
    body = call_payload(loan, type="VISIT", subtype="FIELD_VISIT", visitLocation=location)

    envelope_error(post(client, body), 400, "VALIDATION_ERROR", field)
    assert not ActionRecord.objects.exists()


@pytest.mark.parametrize("location", [None, {"address": "12 Hang Bai, Ha Noi"}, {}])
def test_it_requires_coordinates_for_a_visit(loan: Loan, location: Any) -> None:
    client, _ = agent_client()
    body = call_payload(loan, type="VISIT", subtype="FIELD_VISIT", visitLocation=location)
    if location is None:
        del body["visitLocation"]

    envelope_error(post(client, body), 400, "VALIDATION_ERROR", "visitLocation")


def test_it_rejects_a_loan_of_another_customer_naming_both(loan: Loan) -> None:
    client, _ = agent_client()
    CustomerFactory(cif="CIF-B2")
    body = call_payload(loan, cif="CIF-B2")

    error = envelope_error(post(client, body), 400, "VALIDATION_ERROR", "loanAccountNumber")

    assert "LN-A1" in error["message"] and "CIF-B2" in error["message"]
    assert not ActionRecord.objects.exists()


def test_it_answers_404_for_an_unknown_loan(loan: Loan) -> None:
    client, _ = agent_client()

    response = post(client, call_payload(loan, loanAccountNumber="LN-NOPE"))

    envelope_error(response, 404, "NOT_FOUND", "loanAccountNumber")


def test_it_answers_404_for_an_unknown_customer(loan: Loan) -> None:
    client, _ = agent_client()

    envelope_error(post(client, call_payload(loan, cif="CIF-NOPE")), 404, "NOT_FOUND", "cif")


def test_it_rejects_an_action_date_more_than_five_minutes_ahead(loan: Loan) -> None:
    client, _ = agent_client()
    ahead = (timezone.now() + dt.timedelta(minutes=6)).isoformat()

    response = post(client, call_payload(loan, actionDate=ahead))

    envelope_error(response, 400, "VALIDATION_ERROR", "actionDate")


def test_it_tolerates_a_device_clock_slightly_ahead(loan: Loan) -> None:
    client, _ = agent_client()
    ahead = (timezone.now() + dt.timedelta(minutes=3)).isoformat()

    envelope_ok(post(client, call_payload(loan, actionDate=ahead)), 201)


@pytest.mark.parametrize(
    "action_date",
    [
        "1999-12-31T23:59:59Z",
        "2000-01-01T06:59:59+07:00",  # 1999-12-31 in UTC
        "2026-03-02T09:30:00",  # no zone
        "02/03/2026 09:30",
        "2026-02-30T09:30:00Z",
    ],
)
def test_it_rejects_a_bad_action_date(loan: Loan, action_date: str) -> None:
    client, _ = agent_client()

    response = post(client, call_payload(loan, actionDate=action_date))

    envelope_error(response, 400, "VALIDATION_ERROR", "actionDate")


def test_it_accepts_the_first_moment_of_2000(loan: Loan) -> None:
    client, _ = agent_client()

    response = post(client, call_payload(loan, actionDate="2000-01-01T00:00:00Z"))

    assert envelope_ok(response, 201)["actionDate"] == "2000-01-01T00:00:00Z"


@pytest.mark.parametrize(("field", "length"), [("notes", 5001), ("callTraceId", 21)])
def test_it_rejects_overlong_text(loan: Loan, field: str, length: int) -> None:
    client, _ = agent_client()

    response = post(client, call_payload(loan, **{field: "x" * length}))

    envelope_error(response, 400, "VALIDATION_ERROR", field)


def test_it_accepts_notes_of_the_maximum_length(loan: Loan) -> None:
    client, _ = agent_client()

    data = envelope_ok(
        post(client, call_payload(loan, notes="x" * 5000, callTraceId="T" * 20)), 201
    )

    assert len(data["notes"]) == 5000


# --- who may record -----------------------------------------------------------------------


def test_it_refuses_a_caller_without_an_agent_profile(loan: Loan) -> None:
    client = unlinked_client("AGENT")

    envelope_error(post(client, call_payload(loan)), 403, "AGENT_NOT_FOUND")
    assert not ActionRecord.objects.exists()


def test_it_refuses_an_inactive_agent(loan: Loan) -> None:
    client, _ = agent_client(is_active=False)

    body = envelope_error(post(client, call_payload(loan)), 403, "FORBIDDEN")

    assert "inactive" in body["message"]
    assert not ActionRecord.objects.exists()


def test_a_supervisor_with_an_agent_profile_records_as_that_agent(loan: Loan) -> None:
    client, supervisor = agent_client("SUPERVISOR")

    data = envelope_ok(post(client, call_payload(loan)), 201)

    assert data["agentId"] == str(supervisor.id)


def test_it_refuses_a_role_outside_the_matrix(loan: Loan) -> None:
    client = client_for(CrmUserFactory(role="AUDITOR"))

    envelope_error(post(client, call_payload(loan)), 403, "FORBIDDEN")


def test_it_requires_authentication(loan: Loan) -> None:
    envelope_error(post(APIClient(), call_payload(loan)), 401, "AUTH_REQUIRED")


def test_the_agent_comes_from_the_caller_not_from_the_body(loan: Loan) -> None:
    client, agent = agent_client()

    data = envelope_ok(post(client, call_payload(loan, agentId=str(uuid.uuid4()))), 201)

    assert data["agentId"] == str(agent.id)
