"""``GET reports/customer-collection-status``: the materialized view, filtered and paginated."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from agents.models import Agent
from tests.api import envelope_error, envelope_ok, unlinked_client
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from workflow import reports
from workflow.models import Customer

pytestmark = pytest.mark.django_db

URL = "/api/v1/collection/reports/customer-collection-status"


def customer(
    cif: str,
    *,
    dpds: list[int],
    segment: str = "MASS",
    status: str | None = "ACTIVE",
    call: Agent | None = None,
    field: Agent | None = None,
) -> None:
    """A customer with one loan per dpd and, unless ``status`` is None, a case."""
    person = CustomerFactory(cif=cif, segment=segment, name=f"Customer {cif}")
    for dpd in dpds:
        LoanFactory(customer=person, dpd=dpd)
    if status is not None:
        CustomerCaseFactory(
            customer=person,
            customer_status=status,
            assigned_call_agent=call,
            assigned_field_agent=field,
        )


@pytest.fixture
def book() -> dict[str, Agent]:
    """Six customers; their max dpd: C1 90, C2 45, C3 45, C4 0, C5 none (no loan), C6 120."""
    anh: Agent = AgentFactory(name="Anh")
    binh: Agent = AgentFactory(name="Binh")
    customer("C1", dpds=[10, 90], call=anh, field=binh, status="UNCOOPERATIVE")
    customer("C2", dpds=[45], call=anh, segment="SME")
    customer("C3", dpds=[45], field=anh, status="COOPERATIVE")
    customer("C4", dpds=[0], call=binh)
    customer("C5", dpds=[], status=None)
    customer("C6", dpds=[120], segment="SME", status="DISPUTED", field=binh)
    ActionRecordFactory(
        loan=LoanFactory(customer=Customer.objects.get(cif="C1"), dpd=5),
        agent=anh,
        action_date=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    reports.refresh_reports()
    return {"anh": anh, "binh": binh}


def cifs(query: str = "") -> list[str]:
    data = envelope_ok(unlinked_client("SUPERVISOR").get(f"{URL}?{query}&pageSize=100"))
    return [row["cif"] for row in data["customers"]]


def test_it_lists_customers_by_max_dpd_descending_without_loans_last(
    book: dict[str, Agent],
) -> None:
    data = envelope_ok(unlinked_client("AGENT").get(URL))

    assert [row["cif"] for row in data["customers"]] == ["C6", "C1", "C2", "C3", "C4", "C5"]
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 6}
    c1 = data["customers"][1]
    assert c1 == {
        "cif": "C1",
        "customerName": "Customer C1",
        "segment": "MASS",
        "customerStatus": "UNCOOPERATIVE",
        "collateralStatus": "UNSECURED",
        "processingStateStatus": "IN_PROCESS",
        "lendingViolationStatus": "NONE",
        "recoveryAbilityStatus": "MEDIUM",
        "assignedCallAgentId": str(book["anh"].id),
        "assignedCallAgentName": "Anh",
        "assignedFieldAgentId": str(book["binh"].id),
        "assignedFieldAgentName": "Binh",
        "totalLoans": 3,
        "totalOutstanding": 240000000.0,
        "totalDueAmount": 7500000.0,
        "maxDpd": 90,
        "totalActions": 1,
        "lastActionDate": "2026-03-02T03:00:00Z",
    }
    c5 = data["customers"][5]
    assert (c5["customerStatus"], c5["assignedCallAgentId"], c5["maxDpd"]) == (None, None, None)
    assert (c5["totalLoans"], c5["totalOutstanding"], c5["totalActions"]) == (0, 0.0, 0)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("segment=SME", ["C6", "C2"]),
        ("status=COOPERATIVE", ["C3"]),
        ("status=ACTIVE", ["C2", "C4"]),
        ("minDpd=45", ["C6", "C1", "C2", "C3"]),
        ("maxDpd=45", ["C2", "C3", "C4"]),
        ("minDpd=45&maxDpd=45", ["C2", "C3"]),
        ("minDpd=0&maxDpd=0", ["C4"]),
        ("segment=SME&minDpd=100", ["C6"]),
        ("segment=NONE", []),
    ],
)
def test_it_filters_by_segment_status_and_dpd_range(
    book: dict[str, Agent], query: str, expected: list[str]
) -> None:
    assert cifs(query) == expected


def test_it_filters_by_call_field_or_either_agent(book: dict[str, Agent]) -> None:
    anh, binh = book["anh"], book["binh"]

    assert cifs(f"callAgentId={anh.id}") == ["C1", "C2"]
    assert cifs(f"fieldAgentId={anh.id}") == ["C3"]
    assert cifs(f"agentId={anh.id}") == ["C1", "C2", "C3"]
    assert cifs(f"agentId={binh.id}") == ["C6", "C1", "C4"]
    assert cifs(f"callAgentId={anh.id}&fieldAgentId={binh.id}") == ["C1"]
    assert cifs(f"agentId={uuid.uuid4()}") == []


def test_the_data_is_as_of_the_last_refresh(book: dict[str, Agent]) -> None:
    customer("C7", dpds=[365])
    assert "C7" not in cifs()

    reports.refresh_reports()

    assert cifs()[0] == "C7"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("minDpd=60&maxDpd=30", "maxDpd"),
        ("minDpd=-1", "minDpd"),
        ("maxDpd=-5", "maxDpd"),
        ("maxDpd=ten", "maxDpd"),
        ("minDpd=1.5", "minDpd"),
        ("status=HAPPY", "status"),
        ("callAgentId=not-a-uuid", "callAgentId"),
        ("fieldAgentId=123", "fieldAgentId"),
        ("agentId=x", "agentId"),
        ("segment=" + "S" * 51, "segment"),
        ("pageSize=101", "pageSize"),
        ("page=0", "page"),
    ],
)
def test_it_rejects_bad_filters(query: str, field: str) -> None:
    response = unlinked_client("AGENT").get(f"{URL}?{query}")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


def test_it_paginates_in_constant_queries(django_assert_num_queries: Any) -> None:
    for n in range(30):
        customer(f"K{n:03d}", dpds=[n])
    reports.refresh_reports()
    client = unlinked_client("AGENT")

    with django_assert_num_queries(2):  # count and page
        small = envelope_ok(client.get(f"{URL}?pageSize=1"))
    with django_assert_num_queries(2):
        large = envelope_ok(client.get(f"{URL}?pageSize=50"))

    assert [row["cif"] for row in small["customers"]] == ["K029"]
    assert len(large["customers"]) == 30
    page_two = envelope_ok(client.get(f"{URL}?page=2&pageSize=20"))
    assert [row["cif"] for row in page_two["customers"]][:2] == ["K009", "K008"]
    past_end = envelope_ok(client.get(f"{URL}?page=9&pageSize=20"))
    assert past_end["customers"] == []
    assert past_end["pagination"]["totalPages"] == 2


@pytest.mark.parametrize("role", ["AGENT", "SUPERVISOR", "ADMIN"])
def test_every_role_may_read_the_report(role: str) -> None:
    envelope_ok(unlinked_client(role).get(URL))


def test_the_report_needs_authentication() -> None:
    envelope_error(APIClient().get(URL), 401, "AUTH_REQUIRED")
