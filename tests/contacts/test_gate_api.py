"""``POST contact-attempts``, ``GET contact-policy/check`` and ``contact-attempts/override``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from contacts.models import ContactAttempt
from contacts.policy_services import hold_create, profile_set
from contacts.services import contact_attempt_reserve
from tests.api import agent_client, client_for, envelope_error, envelope_ok
from tests.contacts.conftest import Clock, local
from tests.factories import CrmUserFactory, LoanFactory
from workflow.actors import Actor
from workflow.models import Loan, OutboxEvent

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection/"
SUPERVISOR = Actor(username="sup.holds", roles=frozenset({"SUPERVISOR"}))


def body(loan: Loan, **overrides: Any) -> dict[str, Any]:
    return {
        "cif": loan.customer_id,
        "channel": "CALL",
        "party": "BORROWER",
        "contactPoint": "+84 903 123 456",
        **overrides,
    }


def refused(response: Any) -> dict[str, Any]:
    """Assert a 422 CONTACT_POLICY_VIOLATION (the decision in data); return its error."""
    payload = response.json()
    assert response.status_code == 422, payload
    assert payload["success"] is False and payload["data"]["allowed"] is False, payload
    error = payload["errors"][0]
    assert error["code"] == "CONTACT_POLICY_VIOLATION", payload
    return error


def reserve(client: APIClient, loan: Loan, **overrides: Any) -> Any:
    return client.post(f"{BASE}contact-attempts", body(loan, **overrides), format="json")


def check(client: APIClient, loan: Loan, **overrides: Any) -> Any:
    return client.get(f"{BASE}contact-policy/check", body(loan, **overrides))


def test_it_reserves_an_attempt_under_the_vietnam_preset(loan: Loan, clock: Clock) -> None:
    client, agent = agent_client()

    data = envelope_ok(reserve(client, loan), 201)

    assert data["allowed"] is True and data["rule"] is None
    assert data["remaining"] == {"CUSTOMER_1D": 4}
    assert data["nextAllowedAt"] == "2026-03-02T10:00:00+07:00"
    assert data["expiresAt"] == "2026-03-02T03:15:00Z"
    assert data["timeZone"] == "Asia/Ho_Chi_Minh"
    assert data["policy"]["code"] == "VN_CIRCULAR_18_2019" and data["policy"]["version"] == 1
    row = ContactAttempt.objects.get(id=data["id"])
    assert (row.status, row.agent_id, row.team) == ("RESERVED", agent.id, agent.team)
    assert row.contact_point == "+84903123456"  # one spelling per number
    assert str(row.policy_id) == data["policy"]["id"]


def test_the_sixth_attempt_of_the_day_is_refused_with_the_rule_and_the_next_moment(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    for left in (4, 3, 2, 1, 0):
        assert envelope_ok(reserve(client, loan), 201)["remaining"] == {"CUSTOMER_1D": left}

    answer = check(client, loan)
    response = reserve(client, loan)

    assert response.status_code == 422
    payload = response.json()
    assert payload["success"] is False
    error = payload["errors"][0]
    assert error["code"] == "CONTACT_POLICY_VIOLATION"
    assert (error["rule"], error["limit"], error["count"]) == ("CUSTOMER_1D", 5, 5)
    # The window of the next local day opens at 07:00, Vietnam time.
    assert error["nextAllowedAt"] == "2026-03-03T07:00:00+07:00"
    assert payload["data"]["id"] is None
    # The check answers exactly the same, without reserving.
    checked = envelope_ok(answer)
    for key in ("allowed", "rule", "limit", "count", "remaining", "nextAllowedAt", "policy"):
        assert checked[key] == payload["data"][key], key
    assert ContactAttempt.objects.filter(status="RESERVED").count() == 5
    assert ContactAttempt.objects.filter(status="REFUSED").count() == 1


def test_it_refuses_outside_the_local_window_in_the_customers_own_zone(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    profile_set(
        cif=loan.customer_id, jurisdiction="US", time_zone="America/New_York", actor=SUPERVISOR
    )
    clock.set(local(2026, 3, 2, 7, 30, zone="America/New_York"))

    error = refused(reserve(client, loan))

    assert error["rule"] == "TIME_WINDOW"  # Regulation F applies to US customers: 08:00-21:00
    assert error["nextAllowedAt"] == "2026-03-02T08:00:00-05:00"


def test_reference_persons_are_never_contacted_under_the_presets(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()

    error = refused(reserve(client, loan, party="REFERENCE"))

    assert error["rule"] == "PARTY_NOT_ALLOWED"
    assert error["nextAllowedAt"] is None


def test_a_held_customer_is_refused_until_the_hold_expires(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()
    hold_create(
        cif=loan.customer_id,
        hold_type="DISPUTE",
        channels=["CALL", "SMS"],
        starts_at=clock.moment,
        expires_at=local(2026, 3, 5, 9, 0),
        reason="Customer disputes the balance.",
        actor=SUPERVISOR,
    )

    error = refused(reserve(client, loan))
    assert error["rule"] == "HOLD"
    assert error["nextAllowedAt"] == "2026-03-05T09:00:00+07:00"
    # A channel the hold does not name stays open.
    envelope_ok(reserve(client, loan, channel="EMAIL", contactPoint="an@example.com"), 201)


def test_a_supervisor_overrides_a_refusal_with_a_reason_and_it_is_published(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    for _ in range(5):
        envelope_ok(reserve(client, loan), 201)
    supervisor, _ = agent_client(role="SUPERVISOR")
    url = f"{BASE}contact-attempts/override"

    envelope_error(client.post(url, {**body(loan), "reason": "x"}, format="json"), 403, "FORBIDDEN")
    envelope_error(
        supervisor.post(url, body(loan), format="json"), 400, "VALIDATION_ERROR", "reason"
    )
    data = envelope_ok(
        supervisor.post(
            url, {**body(loan), "reason": "Customer asked to be called back."}, format="json"
        ),
        201,
    )

    assert data["allowed"] is True and data["rule"] == "CUSTOMER_1D"
    assert data["overrideReason"] == "Customer asked to be called back."
    event = OutboxEvent.objects.get(topic="workflow-service.contact.override")
    assert event.message_key == loan.customer_id
    assert event.payload["rule"] == "CUSTOMER_1D" and event.payload["attemptId"] == data["id"]
    assert "contactPoint" not in event.payload


def test_a_hold_is_never_overridden(loan: Loan, clock: Clock) -> None:
    hold_create(
        cif=loan.customer_id, hold_type="DECEASED", reason="Death certificate.", actor=SUPERVISOR
    )
    supervisor, _ = agent_client(role="SUPERVISOR")

    response = supervisor.post(
        f"{BASE}contact-attempts/override", {**body(loan), "reason": "Estate"}, format="json"
    )

    envelope_error(response, 409, "CONFLICT")


def test_it_needs_an_agent_profile_to_reserve_but_not_to_check(loan: Loan, clock: Clock) -> None:
    client = client_for(CrmUserFactory(role="SUPERVISOR"))

    envelope_error(reserve(client, loan), 403, "AGENT_NOT_FOUND")
    assert envelope_ok(check(client, loan))["allowed"] is True


def test_it_validates_the_request(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()

    envelope_error(reserve(client, loan, channel="FAX"), 400, "VALIDATION_ERROR", "channel")
    envelope_error(reserve(client, loan, party="NEIGHBOUR"), 400, "VALIDATION_ERROR", "party")
    envelope_error(
        client.post(
            f"{BASE}contact-attempts", {"cif": loan.customer_id, "channel": "CALL"}, format="json"
        ),
        400,
        "VALIDATION_ERROR",
        "contactPoint",
    )
    envelope_error(reserve(client, loan, cif="NOPE"), 404, "NOT_FOUND", "cif")


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL statements run, without the transaction's own BEGIN and COMMIT."""
    return [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]


@pytest.mark.django_db(transaction=True)
def test_a_reservation_is_three_statements(presets: None, clock: Clock) -> None:
    loan = LoanFactory()
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))
    contact_attempt_reserve(actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1")

    # As in a request (its own transaction): the facts with the locks, the history, the row.
    with CaptureQueriesContext(connection) as queries:
        contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1"
        )

    assert len(statements(queries)) == 3, statements(queries)
    # A refusal is logged in as many.
    for _ in range(3):
        contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1"
        )
    with CaptureQueriesContext(connection) as queries:
        answer = contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1"
        )
    assert not answer.decision.allowed
    assert len(statements(queries)) == 3, statements(queries)
