"""Promises through the API: made by ``POST /actions``, listed, read, cancelled, and shown on
the customer's action list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from promises.models import PaymentPromise, PromiseStatus
from tests.actions.helpers import BASE as ACTIONS
from tests.actions.helpers import call_payload
from tests.api import agent_client, client_for, envelope_error, envelope_ok
from tests.factories import CrmUserFactory, CustomerCaseFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day
from workflow.models import Loan, OutboxEvent

pytestmark = pytest.mark.django_db

PROMISES = "/api/v1/collection/promises"


@pytest.fixture
def loan() -> Loan:
    return LoanFactory(customer__cif="CIF-P1", account_number="LN-P1", currency="VND")


def promise_body(loan: Loan, **terms: Any) -> dict[str, Any]:
    body = {"promiseAmount": "5000000", "promiseDate": day(3).isoformat(), **terms}
    return call_payload(loan, **body)


def make(client: APIClient, loan: Loan, **terms: Any) -> dict[str, Any]:
    return envelope_ok(client.post(ACTIONS, promise_body(loan, **terms), format="json"), 201)


def test_an_action_with_terms_records_the_promise_and_returns_it(loan: Loan) -> None:
    client, agent = agent_client()
    helpers.promise_type(
        name="Personal",
        product_type="PERSONAL_LOAN",
        grace_days=5,
        tolerance_percent=Decimal("2.50"),
    )

    data = make(client, loan)

    promise = data["promise"]
    assert promise == {
        "id": promise["id"],
        "cif": "CIF-P1",
        "loanAccountNumber": "LN-P1",
        "agentId": str(agent.id),
        "actionId": data["id"],
        "amount": 5000000.00,
        "currency": "VND",
        "promisedDate": day(3).isoformat(),
        "graceDays": 5,
        "tolerancePercent": 2.50,
        "status": "PENDING",
        "paidAmount": 0.00,
        "resolvedAt": None,
        "createdAt": promise["createdAt"],
    }
    event = OutboxEvent.objects.get(topic="workflow-service.promise.made")
    assert event.payload["promiseId"] == promise["id"]
    assert event.payload["amount"] == "5000000.00"


def test_an_action_without_terms_answers_as_before_and_tracks_no_promise(loan: Loan) -> None:
    client, _ = agent_client()

    data = envelope_ok(client.post(ACTIONS, call_payload(loan), format="json"), 201)

    assert "promise" not in data
    assert not PaymentPromise.objects.exists()


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"promiseAmount": "0"}, "promiseAmount"),
        ({"promiseAmount": "-5"}, "promiseAmount"),
        ({"promiseAmount": "1000.5"}, "promiseAmount"),  # VND has no decimals
        ({"promiseDate": None}, "promiseDate"),
        ({"promiseAmount": None}, "promiseAmount"),
        ({"promiseDate": "2000-01-01"}, "promiseDate"),
        ({"promiseDate": "2100-01-01"}, "promiseDate"),
        ({"actionResult": "NO_CONTACT"}, "promiseAmount"),
        ({"promiseScope": "EVERYTHING"}, "promiseScope"),
        ({"promiseDate": "tomorrow"}, "promiseDate"),
    ],
)
def test_bad_terms_answer_400_naming_the_field(
    loan: Loan, terms: dict[str, Any], field: str
) -> None:
    client, _ = agent_client()
    body = {**promise_body(loan), **terms}

    envelope_error(client.post(ACTIONS, body, format="json"), 400, "VALIDATION_ERROR", field)
    assert not PaymentPromise.objects.exists()


def test_the_promised_date_may_be_today_or_the_last_day_of_the_horizon(loan: Loan) -> None:
    client, _ = agent_client()

    make(client, loan, promiseDate=day(0).isoformat())
    last = make(client, loan, promiseDate=day(30).isoformat())

    assert last["promise"]["promisedDate"] == day(30).isoformat()


def test_a_new_promise_on_the_loan_supersedes_the_pending_one(loan: Loan) -> None:
    client, _ = agent_client()
    first = make(client, loan)["promise"]

    second = make(client, loan, promiseAmount="3000000")["promise"]

    old = PaymentPromise.objects.get(id=first["id"])
    assert old.status == PromiseStatus.CANCELLED
    assert str(old.superseded_by_id) == second["id"]
    assert old.cancel_reason == f"Superseded by promise {second['id']}"
    cancelled = OutboxEvent.objects.get(topic="workflow-service.promise.cancelled")
    assert cancelled.payload["supersededBy"] == second["id"]


def test_a_customer_level_promise_does_not_supersede_a_loan_promise(loan: Loan) -> None:
    client, _ = agent_client()
    on_loan = make(client, loan)["promise"]

    customer = make(client, loan, promiseScope="CUSTOMER")["promise"]

    assert customer["loanAccountNumber"] is None
    assert PaymentPromise.objects.get(id=on_loan["id"]).status == PromiseStatus.PENDING


def test_the_list_filters_and_pages_promises() -> None:
    supervisor, _ = agent_client("SUPERVISOR")
    an, an_agent = agent_client(team="Team A")
    binh, _ = agent_client(team="Team B")
    loans = [LoanFactory() for _ in range(3)]
    for days, (client, loan_) in zip(
        (5, 2, 9), ((an, loans[0]), (an, loans[1]), (binh, loans[2])), strict=True
    ):
        make(client, loan_, promiseDate=day(days).isoformat())

    everything = envelope_ok(supervisor.get(PROMISES))
    assert [p["promisedDate"] for p in everything["promises"]] == [
        day(2).isoformat(),
        day(5).isoformat(),
        day(9).isoformat(),
    ]
    assert everything["pagination"] == {
        "page": 1,
        "pageSize": 10,
        "totalPages": 1,
        "totalItems": 3,
    }
    team_b = envelope_ok(supervisor.get(PROMISES, {"team": "Team B"}))["promises"]
    assert [p["loanAccountNumber"] for p in team_b] == [loans[2].account_number]
    ranged = envelope_ok(
        supervisor.get(
            PROMISES, {"promisedFrom": day(3).isoformat(), "promisedTo": day(9).isoformat()}
        )
    )["promises"]
    assert len(ranged) == 2
    by_agent = envelope_ok(supervisor.get(PROMISES, {"agentId": str(an_agent.id)}))
    assert by_agent["pagination"]["totalItems"] == 2
    by_loan = envelope_ok(supervisor.get(PROMISES, {"loan": loans[1].account_number}))
    assert by_loan["pagination"]["totalItems"] == 1
    assert envelope_ok(supervisor.get(PROMISES, {"status": "KEPT"}))["promises"] == []


def test_an_agent_lists_the_promises_of_its_customers_and_its_own_only() -> None:
    an, an_agent = agent_client()
    binh, binh_agent = agent_client()
    supervisor, _ = agent_client("SUPERVISOR")
    admin, _ = agent_client("ADMIN")
    an_customer, binh_customer, nobodys = LoanFactory(), LoanFactory(), LoanFactory()
    CustomerCaseFactory(customer=an_customer.customer, assigned_call_agent=an_agent)
    CustomerCaseFactory(customer=binh_customer.customer, assigned_field_agent=binh_agent)
    mine_on_mine = make(an, an_customer)["promise"]["id"]
    theirs_on_mine = make(binh, an_customer, promiseScope="CUSTOMER")["promise"]["id"]
    theirs_on_theirs = make(binh, binh_customer)["promise"]["id"]
    mine_on_nobodys = make(an, nobodys)["promise"]["id"]

    def listed(client: APIClient, **query: str) -> set[str]:
        return {p["id"] for p in envelope_ok(client.get(PROMISES, query))["promises"]}

    assert listed(an) == {mine_on_mine, theirs_on_mine, mine_on_nobodys}
    # Naming another agent's customer shows nothing more than the scope allows.
    assert listed(an, cif=binh_customer.customer_id) == set()
    assert listed(an, cif=an_customer.customer_id) == {mine_on_mine, theirs_on_mine}
    assert listed(binh) == {theirs_on_mine, theirs_on_theirs}
    everything = {mine_on_mine, theirs_on_mine, theirs_on_theirs, mine_on_nobodys}
    assert listed(supervisor) == listed(admin) == everything
    assert listed(supervisor, cif=binh_customer.customer_id) == {theirs_on_theirs}
    # The detail follows the same scope.
    envelope_ok(an.get(f"{PROMISES}/{theirs_on_mine}"))
    envelope_error(an.get(f"{PROMISES}/{theirs_on_theirs}"), 403, "FORBIDDEN", "id")
    for client in (supervisor, admin):
        envelope_ok(client.get(f"{PROMISES}/{theirs_on_theirs}"))


def test_an_agent_user_without_an_agent_profile_lists_no_promises() -> None:
    unlinked = client_for(CrmUserFactory(role="AGENT"))

    envelope_error(unlinked.get(PROMISES), 403, "AGENT_NOT_FOUND")
    envelope_error(unlinked.get(f"{PROMISES}/{helpers_uuid()}"), 403, "AGENT_NOT_FOUND")


def test_bad_list_filters_answer_400(loan: Loan) -> None:
    client, _ = agent_client()
    envelope_error(client.get(PROMISES, {"status": "LOST"}), 400, "VALIDATION_ERROR", "status")
    envelope_error(
        client.get(PROMISES, {"promisedFrom": "2026-03-05", "promisedTo": "2026-03-01"}),
        400,
        "VALIDATION_ERROR",
        "promisedTo",
    )


def test_the_list_runs_a_constant_number_of_queries() -> None:
    supervisor, _ = agent_client("SUPERVISOR")
    client, _ = agent_client()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            envelope_ok(supervisor.get(PROMISES))
        return len(queries)

    make(client, LoanFactory())
    one = count()
    for _ in range(4):
        make(client, LoanFactory())
    assert count() == one


def test_a_promise_is_read_with_its_appropriations(loan: Loan) -> None:
    client, _ = agent_client()
    promise = make(client, loan)["promise"]
    first = helpers.pay(cif="CIF-P1", loan="LN-P1", amount="2000000")
    helpers.pay(cif="CIF-P1", loan="LN-P1", amount="3000000")
    helpers.reverse(first)

    data = envelope_ok(client.get(f"{PROMISES}/{promise['id']}"))

    assert data["status"] == "PENDING" and data["paidAmount"] == 3000000.00
    assert [
        (a["paymentId"], a["amount"], a["reversedAt"] is None) for a in data["appropriations"]
    ] == [
        (first, 2000000.00, False),
        (data["appropriations"][1]["paymentId"], 3000000.00, True),
    ]


def test_an_unknown_promise_is_404() -> None:
    client, _ = agent_client()
    envelope_error(client.get(f"{PROMISES}/{helpers_uuid()}"), 404, "NOT_FOUND")


def helpers_uuid() -> str:
    return "00000000-0000-4000-8000-0000000000ff"


def test_the_agent_who_obtained_it_cancels_a_pending_promise(loan: Loan) -> None:
    client, _ = agent_client()
    promise = make(client, loan)["promise"]

    data = envelope_ok(
        client.post(f"{PROMISES}/{promise['id']}/cancel", {"reason": "Disputed"}, format="json")
    )

    assert data["status"] == "CANCELLED" and data["resolvedAt"] is not None
    stored = PaymentPromise.objects.get(id=promise["id"])
    assert (stored.cancelled_by, stored.cancel_reason) == (client.user.username, "Disputed")
    event = OutboxEvent.objects.get(topic="workflow-service.promise.cancelled")
    assert event.payload["reason"] == "Disputed"
    # Not twice.
    envelope_error(
        client.post(f"{PROMISES}/{promise['id']}/cancel", {"reason": "Again"}, format="json"),
        409,
        "CONFLICT",
    )


def test_another_agent_may_not_cancel_but_a_supervisor_may(loan: Loan) -> None:
    owner, _ = agent_client()
    other, _ = agent_client()
    supervisor, _ = agent_client("SUPERVISOR")
    promise = make(owner, loan)["promise"]
    url = f"{PROMISES}/{promise['id']}/cancel"

    envelope_error(other.post(url, {"reason": "No"}, format="json"), 403, "FORBIDDEN")
    envelope_error(owner.post(url, {}, format="json"), 400, "VALIDATION_ERROR", "reason")
    envelope_ok(supervisor.post(url, {"reason": "Restructured"}, format="json"))


def test_the_customers_action_list_shows_the_status_of_the_promise_each_action_made(
    loan: Loan,
) -> None:
    client, _ = agent_client()
    made = make(client, loan)
    envelope_ok(
        client.post(ACTIONS, call_payload(loan, actionResult="NO_CONTACT"), format="json"), 201
    )
    PaymentPromise.objects.filter(id=made["promise"]["id"]).update(
        status=PromiseStatus.KEPT, resolved_at=dt.datetime.now(dt.UTC)
    )

    actions = envelope_ok(client.get(f"{ACTIONS}/customer/CIF-P1"))["actions"]

    statuses = {a["id"]: a["promiseStatus"] for a in actions}
    assert statuses.pop(made["id"]) == "KEPT"
    assert list(statuses.values()) == [None]
