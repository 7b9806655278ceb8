"""The daily resolution job: set-based, batched, with follow-ups and valid promise.broken events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promises.events import PROMISE_BROKEN, PROMISE_BROKEN_SCHEMA
from promises.models import PaymentPromise, PromiseStatus
from promises.resolution import promises_resolve_due
from promises.tasks import resolve_due_promises
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day
from workflow.models import OutboxEvent

pytestmark = pytest.mark.django_db


def due_promises(count: int, *, paid: bool = False) -> list[PaymentPromise]:
    agent = AgentFactory()
    made = []
    for _ in range(count):
        customer = CustomerFactory()
        CustomerCaseFactory(customer=customer, assigned_call_agent=agent)
        loan = LoanFactory(customer=customer).account_number
        promise = helpers.promise(
            agent=agent, cif=customer.cif, loan=loan, amount="1000", promised=-6, made=-8, grace=2
        )
        if paid:
            helpers.pay(cif=customer.cif, loan=loan, amount="400", at=helpers.local(day(-5)))
        made.append(promise)
    return made


def test_it_resolves_in_batches_with_a_query_count_independent_of_the_promises() -> None:
    broken = due_promises(5)
    partial = due_promises(2, paid=True)
    not_due = helpers.promise(
        agent=AgentFactory(),
        cif=(customer := CustomerFactory()).cif,
        loan=LoanFactory(customer=customer).account_number,
        amount="1000",
        promised=1,
    )

    with CaptureQueriesContext(connection) as queries:
        result = promises_resolve_due(today=day(0), batch=3)

    assert result.as_dict() == {"broken": 5, "partially_kept": 2, "batches": 3}
    statements = [q["sql"] for q in queries if "payment_promises" in q["sql"]]
    assert len(statements) == 3  # one statement per batch of 3, never one per promise
    for promise in broken:
        assert PaymentPromise.objects.get(id=promise.id).status == PromiseStatus.BROKEN
    for promise in partial:
        stored = PaymentPromise.objects.get(id=promise.id)
        assert (stored.status, stored.paid_amount) == (PromiseStatus.PARTIALLY_KEPT, Decimal("400"))
    assert PaymentPromise.objects.get(id=not_due.id).status == PromiseStatus.PENDING
    # A second run has nothing left to do.
    assert promises_resolve_due(today=day(0)).as_dict()["batches"] == 0


def test_the_events_written_in_sql_match_the_promise_broken_schema() -> None:
    (promise,) = due_promises(1, paid=True)

    resolve_due_promises()

    (event,) = OutboxEvent.objects.filter(topic=PROMISE_BROKEN)
    assert PROMISE_BROKEN_SCHEMA.validate(event.payload) == []
    stored = PaymentPromise.objects.get(id=promise.id)
    assert event.event_id.hex == event.payload["id"].replace("-", "")
    assert event.payload["status"] == "PARTIALLY_KEPT"
    assert event.payload["paidAmount"] == "400.00"
    assert stored.follow_up_date is not None
    assert event.payload["followUpDate"] == stored.follow_up_date.isoformat()
    assert event.payload["followUpAgentId"] == str(stored.follow_up_agent_id)
    assert event.payload["promisedDate"] == stored.promised_date.isoformat()
    assert event.message_key == stored.customer_id
