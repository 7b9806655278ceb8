"""``POST /actions`` and the contact ledger: reservations consumed, breaches flagged, never
refused; the cost of the policy on the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.services import action_record
from contacts.models import ContactAttempt
from contacts.policy_services import hold_create
from contacts.services import contact_attempt_reserve
from tests.actions.helpers import call_payload
from tests.api import agent_client, envelope_ok
from tests.contacts.conftest import Clock, local
from tests.factories import LoanFactory
from workflow.actors import Actor
from workflow.models import Loan, OutboxEvent

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/collection/actions"
SUPERVISOR = Actor(username="sup.rec", roles=frozenset({"SUPERVISOR"}))


def statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]


def test_an_action_consumes_its_reservation(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()
    reservation = envelope_ok(
        client.post(
            "/api/v1/collection/contact-attempts",
            {"cif": loan.customer_id, "channel": "CALL", "contactPoint": "0903 123 456"},
            format="json",
        ),
        201,
    )
    clock.advance(minutes=3)

    data = envelope_ok(
        client.post(
            ACTIONS,
            call_payload(
                loan,
                actionDate=clock.moment.isoformat(),
                actionResult="NO_CONTACT",
                contactAttemptId=reservation["id"],
            ),
            format="json",
        ),
        201,
    )

    row = ContactAttempt.objects.get(id=reservation["id"])
    assert (row.status, str(row.action_id), row.violation_rule) == ("CONSUMED", data["id"], None)
    assert row.is_conversation is False and row.counts_as_attempt is True
    assert ContactAttempt.objects.count() == 1  # the reservation is the action's ledger row


def test_a_contact_recorded_without_a_reservation_that_breaks_the_policy_is_stored_and_flagged(
    loan: Loan, clock: Clock
) -> None:
    client, agent = agent_client()
    late = local(2026, 3, 1, 22, 15)  # 22:15 in Vietnam: outside 07:00-21:00

    data = envelope_ok(
        client.post(
            ACTIONS,
            call_payload(loan, actionDate=late.isoformat(), party="GUARANTOR", contactPoint="0911"),
            format="json",
        ),
        201,
    )

    row = ContactAttempt.objects.get(action_id=data["id"])
    assert (row.status, row.party, row.contact_point) == ("RECORDED", "GUARANTOR", "0911")
    assert row.violation_rule == "TIME_WINDOW" and row.team == agent.team
    event = OutboxEvent.objects.get(topic="workflow-service.contact.violation")
    assert event.payload["rule"] == "TIME_WINDOW"
    assert event.payload["actionId"] == data["id"] and event.message_key == loan.customer_id


def test_a_held_customer_can_still_be_recorded_and_the_contact_is_flagged(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    hold_create(
        cif=loan.customer_id,
        hold_type="CEASE_CONTACT",
        starts_at=local(2026, 3, 1, 8),
        reason="Written request.",
        actor=SUPERVISOR,
    )

    data = envelope_ok(client.post(ACTIONS, call_payload(loan), format="json"), 201)

    assert ContactAttempt.objects.get(action_id=data["id"]).violation_rule == "HOLD"


def test_the_sixth_recorded_reminder_of_a_day_is_flagged_with_its_cap(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    for minute in range(6):
        when = local(2026, 3, 1, 9, minute)
        envelope_ok(
            client.post(ACTIONS, call_payload(loan, actionDate=when.isoformat()), format="json"),
            201,
        )

    flags = list(
        ContactAttempt.objects.order_by("attempted_at").values_list("violation_rule", flat=True)
    )
    assert flags == [None] * 5 + ["CUSTOMER_1D"]
    violation = ContactAttempt.objects.get(violation_rule__isnull=False).violation
    assert violation is not None
    assert violation["limit"] == 5 and violation["count"] == 5


def test_a_conversation_blocks_calls_under_regulation_f(loan: Loan, clock: Clock) -> None:
    from contacts.policy_services import profile_set

    profile_set(
        cif=loan.customer_id, jurisdiction="US", time_zone="America/Chicago", actor=SUPERVISOR
    )
    client, _ = agent_client()
    spoke = local(2026, 3, 2, 10, zone="America/Chicago")
    clock.set(spoke)
    envelope_ok(
        client.post(ACTIONS, call_payload(loan, actionDate=spoke.isoformat()), format="json"), 201
    )
    clock.set(local(2026, 3, 8, 9, zone="America/Chicago"))  # day 7 after the conversation

    answer = client.get(
        "/api/v1/collection/contact-policy/check",
        {"cif": loan.customer_id, "channel": "CALL", "contactPoint": "1"},
    )

    data = envelope_ok(answer)
    assert data["rule"] == "CONVERSATION_BLOCK"
    # Day 8 (2026-03-09) starts at midnight Central time, after the DST change of 2026-03-08.
    assert data["nextAllowedAt"] == "2026-03-09T08:00:00-05:00"


@pytest.mark.django_db(transaction=True)
def test_the_policy_adds_one_statement_to_recording_an_action(
    presets: None, clock: Clock, settings: Any
) -> None:
    loan = LoanFactory()
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))

    def record(**extra: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            action_record(
                actor=actor,
                cif=loan.customer_id,
                loan_account_number=loan.account_number,
                type="CALL",
                subtype="REMINDER_CALL",
                action_result="NO_CONTACT",
                **extra,
            )
        return len(statements(queries))

    record(contact_point="0903")  # reads the policy version into the process's cache
    settings.CONTACT_POLICY_ENABLED = False
    off = record()
    settings.CONTACT_POLICY_ENABLED = True
    without_reservation = record(contact_point="0903")
    reservation = contact_attempt_reserve(
        actor=actor, cif=loan.customer_id, channel="CALL", contact_point="0903"
    )
    with_reservation = record(contact_attempt_id=reservation.attempt_id)

    assert with_reservation - off == 1  # the reservation is consumed by one UPDATE
    # The facts under the lock replace the customer's existence check; then the row with the
    # history.
    assert without_reservation - off == 1
