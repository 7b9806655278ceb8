"""Eight agents reserving at the same moment against a cap of five get exactly five.

Deterministic: the test holds the customer's advisory lock, starts eight reservations in
threads (each with its own database connection, committing for real), waits until PostgreSQL
shows all eight waiting, then releases the lock.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from contacts.models import ContactAttempt
from contacts.selectors import LOCK_CONTACT_POINT, LOCK_CUSTOMER
from contacts.services import GateAnswer, contact_attempt_reserve
from tests.api import agent_client
from tests.contacts.conftest import Clock
from tests.factories import LoanFactory
from workflow.actors import Actor


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _race(calls: int, target: object, lock_sql: str, key: str) -> list[GateAnswer]:
    answers: list[GateAnswer] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            answers.append(target())  # type: ignore[operator]
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_lock({lock_sql}, hashtext(%s))", [key])
    threads = [threading.Thread(target=run) for _ in range(calls)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting_on_locks() < calls:
            assert not errors, errors
            assert time.monotonic() < deadline, "the reservations never waited on the lock"
            time.sleep(0.02)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_advisory_unlock({lock_sql}, hashtext(%s))", [key])
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert not errors, errors
    return answers


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_reservations_against_a_cap_of_five_yield_exactly_five(
    presets: None, clock: Clock
) -> None:
    loan = LoanFactory()
    agents = [agent_client()[1] for _ in range(8)]
    actors = iter(
        Actor(username=a.email, user_id=a.user_id, roles=frozenset({"AGENT"})) for a in agents
    )
    lock = threading.Lock()

    def reserve() -> GateAnswer:
        with lock:
            actor = next(actors)
        return contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="CALL", contact_point="0903123456"
        )

    answers = _race(8, reserve, str(LOCK_CUSTOMER), loan.customer_id)

    assert sorted(a.decision.allowed for a in answers) == [False] * 3 + [True] * 5
    assert {a.decision.rule for a in answers if not a.decision.allowed} == {"CUSTOMER_1D"}
    assert ContactAttempt.objects.filter(status="RESERVED").count() == 5
    assert ContactAttempt.objects.filter(status="REFUSED").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_shared_contact_point_is_capped_across_customers(presets: None, clock: Clock) -> None:
    from contacts.policy_services import profile_set

    loans = [LoanFactory() for _ in range(12)]
    for loan in loans:  # SAMA: 10 attempts per number in 30 days
        profile_set(cif=loan.customer_id, jurisdiction="SA", time_zone=None, actor=Actor("sup"))
    _, agent = agent_client()
    actor = Actor(username="agent", user_id=agent.user_id, roles=frozenset({"AGENT"}))
    customers = iter(loans)
    lock = threading.Lock()

    def reserve() -> GateAnswer:
        with lock:
            loan = next(customers)
        return contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="SMS", contact_point="+966 50 000 0000"
        )

    answers = _race(12, reserve, str(LOCK_CONTACT_POINT), "+966500000000")

    assert sum(a.decision.allowed for a in answers) == 10
    assert {a.decision.rule for a in answers if not a.decision.allowed} == {
        "CONTACT_POINT_30D_CALL_SMS"
    }
