"""``PUT /actions/{id}/result``: the contact ledger follows a changed result (attempt,
conversation), and the flags of the contacts it affects follow too, as the audit judges them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.services import action_record, action_update_result
from contacts.audit import audit_contacts
from contacts.models import ContactAttempt
from contacts.policy_services import profile_set
from tests.actions.helpers import call_payload
from tests.api import agent_client, envelope_ok
from tests.contacts.conftest import Clock, local
from tests.factories import LoanFactory
from workflow.actors import Actor
from workflow.models import Loan, OutboxEvent

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/collection/actions"
SUPERVISOR = Actor(username="sup.results", roles=frozenset({"SUPERVISOR"}))
CHICAGO = "America/Chicago"


def test_a_result_changed_to_a_conversation_blocks_the_calls_after_it_and_back(
    loan: Loan, clock: Clock
) -> None:
    profile_set(cif=loan.customer_id, jurisdiction="US", time_zone=CHICAGO, actor=SUPERVISOR)
    client, _ = agent_client()
    clock.set(local(2026, 3, 13, 12, zone=CHICAGO))
    dates = [local(2026, 3, day, 10, zone=CHICAGO) for day in (2, 4, 12)]
    ids = [
        envelope_ok(
            client.post(
                ACTIONS,
                call_payload(
                    loan, actionDate=when.isoformat(), actionResult="NO_CONTACT", contactPoint="1"
                ),
                format="json",
            ),
            201,
        )["id"]
        for when in dates
    ]
    assert not ContactAttempt.objects.filter(violation_rule__isnull=False).exists()

    # The first call turns out to have reached the borrower: Regulation F blocks calls for 7
    # days (March 2-8), so the call of March 4 broke it; that of March 12 did not.
    envelope_ok(
        client.put(f"{ACTIONS}/{ids[0]}/result", {"actionResult": "PROMISE_TO_PAY"}, format="json")
    )

    rows = {str(row.action_id): row for row in ContactAttempt.objects.all()}
    assert rows[ids[0]].is_conversation is True and rows[ids[0]].counts_as_attempt is True
    assert [rows[i].violation_rule for i in ids] == [None, "CONVERSATION_BLOCK", None]
    event = OutboxEvent.objects.get(topic="workflow-service.contact.violation")
    assert event.payload["actionId"] == ids[1] and event.payload["rule"] == "CONVERSATION_BLOCK"
    report = audit_contacts(start=dates[0].date(), end=dates[-1].date())
    assert (len(report.violations), report.flagged_at_recording, report.disagreements) == (1, 1, 0)

    envelope_ok(
        client.put(f"{ACTIONS}/{ids[0]}/result", {"actionResult": "NO_CONTACT"}, format="json")
    )

    rows = {str(row.action_id): row for row in ContactAttempt.objects.all()}
    assert rows[ids[0]].is_conversation is False
    assert [rows[i].violation_rule for i in ids] == [None, None, None]
    assert rows[ids[1]].violation is None
    report = audit_contacts(start=dates[0].date(), end=dates[-1].date())
    assert (len(report.violations), report.flagged_at_recording, report.disagreements) == (0, 0, 0)
    # A cleared flag is not published; only the one flag set was.
    assert OutboxEvent.objects.filter(topic="workflow-service.contact.violation").count() == 1


def test_a_changed_result_judges_again_the_contact_point_of_another_customer(
    presets: None, clock: Clock
) -> None:
    """Saudi preset: 10 calls or SMS per contact point in 30 days, across customers. The
    attempt status does not depend on the result there, so a change of result must leave the
    other customer's flags exactly as they are."""
    first, second = LoanFactory(), LoanFactory()
    for loan in (first, second):
        profile_set(cif=loan.customer_id, jurisdiction="SA", time_zone=None, actor=SUPERVISOR)
    client, _ = agent_client()
    clock.set(local(2026, 3, 20, 12))
    ids = []
    for n in range(11):
        loan = first if n < 6 else second
        when = local(2026, 3, 1 + n, 10)
        ids.append(
            envelope_ok(
                client.post(
                    ACTIONS,
                    call_payload(
                        loan,
                        actionDate=when.isoformat(),
                        actionResult="NO_CONTACT",
                        contactPoint="0500000001",
                    ),
                    format="json",
                ),
                201,
            )["id"]
        )
    before = dict(ContactAttempt.objects.values_list("action_id", "violation_rule"))
    assert list(before.values()).count("CONTACT_POINT_30D_CALL_SMS") == 1

    envelope_ok(
        client.put(f"{ACTIONS}/{ids[0]}/result", {"actionResult": "PROMISE_TO_PAY"}, format="json")
    )

    assert dict(ContactAttempt.objects.values_list("action_id", "violation_rule")) == before


@pytest.mark.django_db(transaction=True)
def test_a_result_change_costs_one_statement_when_the_classification_stays(
    presets: None, clock: Clock, settings: Any
) -> None:
    loan = LoanFactory()
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))
    record = action_record(
        actor=actor,
        cif=loan.customer_id,
        loan_account_number=loan.account_number,
        type="CALL",
        subtype="REMINDER_CALL",
        action_result="PROMISE_TO_PAY",
        contact_point="1",
    )

    def change(result: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            action_update_result(actor=actor, action_id=record.id, action_result=result)
        return len([q for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])

    settings.CONTACT_POLICY_ENABLED = False
    off = change("REFUSED_TO_PAY")
    settings.CONTACT_POLICY_ENABLED = True
    on = change("RESCHEDULED")  # a conversation still (Vietnam preset): nothing to judge again

    assert on - off == 1
    row = ContactAttempt.objects.get(action_id=record.id)
    assert row.is_conversation is True
