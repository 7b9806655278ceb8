"""Concurrent (re)assignments of one customer keep exactly one current version.

The threaded tests are deterministic: the test holds a lock both requests need, waits until
PostgreSQL reports both of them waiting, then releases it. Each thread has its own database
connection (Django connections are per thread) and commits for real.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from assignments.models import CustomerAgent
from assignments.services import assignment_assign
from cases.models import CustomerCase
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory
from workflow.actors import Actor

ACTOR = Actor(username="sup.concurrency", roles=frozenset({"SUPERVISOR"}))


def test_several_reassignments_leave_exactly_one_current_version(db: None) -> None:
    agents = [AgentFactory() for _ in range(4)]
    customer = CustomerFactory()
    for agent in [*agents, agents[0]]:
        assignment_assign(actor=ACTOR, cif=customer.cif, call_agent_id=agent.id)
    assignment_assign(actor=ACTOR, cif=customer.cif, field_agent_id=agents[1].id)
    assignment_assign(actor=ACTOR, cif=customer.cif, field_agent_id=agents[1].id)  # no-op

    rows = CustomerAgent.objects.filter(customer_id=customer.cif)
    assert rows.count() == 6
    assert rows.filter(is_current=True).count() == 1
    assert rows.filter(is_current=False, end_date__isnull=True).count() == 0


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # The test polls inside its own transaction, where pg_stat_activity is a snapshot
        # taken at first access: drop it to see the other sessions' current state.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


class Blocked:
    """Calls started in threads that all wait on a lock the test holds."""

    def __init__(self, calls: list[Callable[[], object]]) -> None:
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(call,)) for call in calls]
        for thread in self.threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting_on_locks() < len(calls):
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, "the calls never waited on the lock"
            time.sleep(0.02)

    def _run(self, call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as error:  # reported to the test thread by finish()
            self.errors.append(error)
        finally:
            connection.close()

    def finish(self) -> None:
        """Wait for every call (after the test released its lock); fail on their errors."""
        for thread in self.threads:
            thread.join(timeout=20)
            assert not thread.is_alive(), "a call never finished"
        assert not self.errors, self.errors


def _assign(cif: str, **agents: uuid.UUID) -> Callable[[], object]:
    return lambda: assignment_assign(actor=ACTOR, cif=cif, **agents)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reassignments_of_one_customer_are_serialized() -> None:
    first, call, field = AgentFactory(), AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=first)
    cif = case.customer_id

    with transaction.atomic():
        CustomerCase.objects.select_for_update().get(customer_id=cif)
        blocked = Blocked(
            [_assign(cif, call_agent_id=call.id), _assign(cif, field_agent_id=field.id)]
        )
    blocked.finish()

    # Each request kept the other's role: each read the case only once it held the lock.
    case.refresh_from_db()
    assert (case.assigned_call_agent_id, case.assigned_field_agent_id) == (call.id, field.id)
    rows = CustomerAgent.objects.filter(customer_id=cif)
    assert rows.count() == 3
    assert rows.filter(is_current=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_assignments_open_one_case() -> None:
    call, field = AgentFactory(), AgentFactory()
    customer = CustomerFactory()
    cif = customer.cif

    # An uncommitted case row of the test makes both requests wait on the unique cif; rolling
    # it back lets one insert while the other waits for it, then continues on its row.
    with transaction.atomic():
        CustomerCaseFactory(customer=customer)
        blocked = Blocked(
            [_assign(cif, call_agent_id=call.id), _assign(cif, field_agent_id=field.id)]
        )
        transaction.set_rollback(True)
    blocked.finish()

    case = CustomerCase.objects.get(customer_id=cif)
    assert (case.assigned_call_agent_id, case.assigned_field_agent_id) == (call.id, field.id)
    rows = CustomerAgent.objects.filter(customer_id=cif)
    assert rows.count() == 2
    assert rows.filter(is_current=True).count() == 1
