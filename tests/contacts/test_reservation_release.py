"""Reservations that are not used: released by the client, or lapsed at ``expiresAt``; either
way they stop counting against the caps."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from actions.services import action_record
from contacts.ledger_services import contact_attempt_release
from contacts.models import ContactAttempt
from contacts.services import contact_attempt_reserve
from tests.actions.helpers import call_payload
from tests.api import agent_client, envelope_error, envelope_ok
from tests.contacts.conftest import Clock
from tests.factories import LoanFactory
from workflow.actors import Actor
from workflow.errors import Conflict
from workflow.models import Loan

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection/"


def reserve(client: Any, loan: Loan, point: str = "0903123456") -> Any:
    return client.post(
        f"{BASE}contact-attempts",
        {"cif": loan.customer_id, "channel": "CALL", "contactPoint": point},
        format="json",
    )


def release(client: Any, attempt_id: str) -> Any:
    return client.post(f"{BASE}contact-attempts/{attempt_id}/release", format="json")


def test_a_released_reservation_stops_counting_at_once(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()
    ids = [envelope_ok(reserve(client, loan), 201)["id"] for _ in range(5)]
    assert reserve(client, loan).status_code == 422  # 5 a day (Vietnam preset)

    data = envelope_ok(release(client, ids[0]))

    assert data["id"] == ids[0] and data["status"] == "RELEASED"
    assert data["releasedAt"] == clock.moment.isoformat().replace("+00:00", "Z")
    assert envelope_ok(reserve(client, loan), 201)["remaining"] == {"CUSTOMER_1D": 0}
    assert ContactAttempt.objects.get(id=ids[0]).status == "RELEASED"


def test_an_unused_reservation_stops_counting_when_it_expires(loan: Loan, clock: Clock) -> None:
    client, _ = agent_client()
    first = [envelope_ok(reserve(client, loan), 201) for _ in range(5)]
    assert reserve(client, loan).status_code == 422

    clock.advance(minutes=14, seconds=59)
    assert reserve(client, loan).status_code == 422  # still live until expiresAt
    expiries = [ContactAttempt.objects.get(id=row["id"]).expires_at for row in first]
    clock.set(max(moment for moment in expiries if moment is not None))

    assert envelope_ok(reserve(client, loan), 201)["remaining"] == {"CUSTOMER_1D": 4}


def test_an_action_naming_a_lapsed_reservation_is_judged_as_one_made_without_it(
    loan: Loan, clock: Clock
) -> None:
    client, _ = agent_client()
    lapsed = envelope_ok(reserve(client, loan), 201)
    clock.advance(minutes=16)
    # The lapsed one no longer counts: five more are granted, the day's cap is full again.
    for _ in range(5):
        envelope_ok(reserve(client, loan), 201)

    action = envelope_ok(
        client.post(
            f"{BASE}actions",
            call_payload(
                loan,
                actionDate=clock.moment.isoformat(),
                actionResult="NO_CONTACT",
                contactAttemptId=lapsed["id"],
                contactPoint="0903123456",
            ),
            format="json",
        ),
        201,
    )

    row = ContactAttempt.objects.get(action_id=action["id"])
    assert (row.status, row.violation_rule) == ("RECORDED", "CUSTOMER_1D")
    assert ContactAttempt.objects.get(id=lapsed["id"]).status == "RESERVED"  # never used


def test_who_may_release_and_what_cannot_be_released(loan: Loan, clock: Clock) -> None:
    owner, _ = agent_client()
    other, _ = agent_client()
    supervisor, _ = agent_client("SUPERVISOR")
    reservation = envelope_ok(reserve(owner, loan), 201)["id"]

    envelope_error(release(other, reservation), 403, "FORBIDDEN")
    envelope_error(release(owner, str(uuid.uuid4())), 404, "NOT_FOUND", "id")
    assert envelope_ok(release(supervisor, reservation))["status"] == "RELEASED"
    assert envelope_ok(release(owner, reservation))["status"] == "RELEASED"  # a retry

    used = envelope_ok(reserve(owner, loan), 201)["id"]
    envelope_ok(
        owner.post(
            f"{BASE}actions",
            call_payload(loan, actionDate=clock.moment.isoformat(), contactAttemptId=used),
            format="json",
        ),
        201,
    )
    error = envelope_error(release(owner, used), 409, "CONFLICT")
    assert "used by action" in error["message"]
    assert ContactAttempt.objects.get(id=used).status == "CONSUMED"


@pytest.mark.django_db(transaction=True)
def test_a_release_is_at_most_three_statements(presets: None, clock: Clock) -> None:
    loan = LoanFactory()
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))
    answer = contact_attempt_reserve(
        actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1"
    )

    with CaptureQueriesContext(connection) as queries:
        contact_attempt_release(actor=actor, attempt_id=answer.attempt_id)  # type: ignore[arg-type]

    # The row under its lock, the caller's agent, the conditional UPDATE.
    run = [q["sql"] for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(run) == 3, run


def _waiting_on_locks(count: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if int(cursor.fetchone()[0]) >= count:
                return
        assert time.monotonic() < deadline, "the release and the action never waited"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_release_racing_the_action_that_uses_the_reservation_lets_exactly_one_win(
    presets: None, clock: Clock
) -> None:
    loan = LoanFactory()
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))
    answer = contact_attempt_reserve(
        actor=actor, cif=loan.customer_id, channel="CALL", contact_point="1"
    )
    outcomes: dict[str, Any] = {}

    def run(name: str, target: Any) -> None:
        try:
            outcomes[name] = target()
        except BaseException as error:  # collected and asserted below
            outcomes[name] = error
        finally:
            connection.close()

    def record() -> Any:
        return action_record(
            actor=actor,
            cif=loan.customer_id,
            loan_account_number=loan.account_number,
            type="CALL",
            subtype="REMINDER_CALL",
            action_result="NO_CONTACT",
            action_date=clock.moment,
            contact_attempt_id=answer.attempt_id,
            contact_point="1",
        )

    threads = [
        threading.Thread(target=run, args=("record", record)),
        threading.Thread(
            target=run,
            args=(
                "release",
                lambda: contact_attempt_release(actor=actor, attempt_id=answer.attempt_id),
            ),
        ),
    ]
    with transaction.atomic():  # hold the reservation's row until both wait on it
        ContactAttempt.objects.select_for_update().get(id=answer.attempt_id)
        for thread in threads:
            thread.start()
        _waiting_on_locks(2)
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()

    record_id = outcomes["record"].id
    row = ContactAttempt.objects.get(id=answer.attempt_id)
    if row.status == "CONSUMED":  # the action won: the release was refused
        assert isinstance(outcomes["release"], Conflict), outcomes
        assert row.action_id == record_id
    else:  # the release won: the action was recorded as made without a reservation
        assert row.status == "RELEASED" and row.action_id is None, outcomes
        assert ContactAttempt.objects.get(action_id=record_id).status == "RECORDED"
