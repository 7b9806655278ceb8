"""Payments are stored once and attributed to the agents assigned on the payment's business day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from agents.models import Agent
from assignments.selectors import assignment_on
from cases.models import CustomerCase
from kafka_bridge import conf
from kafka_bridge.models import ProcessedEvent
from kafka_bridge.processing import APPLIED, DUPLICATE, apply_event
from payments.models import Payment
from payments.selectors import payments_for_agent
from payments.services import payment_record
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory, LoanFactory
from tests.kafka_bridge.events import payment_event
from workflow.business_time import business_today

pytestmark = pytest.mark.django_db


def add_version(
    cif: str,
    call: Agent | None,
    field: Agent | None,
    start: dt.date,
    end: dt.date | None,
) -> None:
    """One row of assignment history, as the trigger would have written it in the past."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.customer_agents
                (cif, assigned_call_agent_id, assigned_field_agent_id, start_date, end_date,
                 is_current)
            VALUES (%s, %s, %s, %s, %s, %s)
            """,
            [cif, call.id if call else None, field.id if field else None, start, end, end is None],
        )


def record(payload: dict[str, object]) -> str:
    return apply_event(topic=conf.payment_topic(), key=None, payload=payload, headers={})


@pytest.fixture
def history() -> tuple[str, Agent, Agent, Agent]:
    """Customer assigned to A (1 Jan - 10 Mar 2026), then to B and field agent C from 10 Mar;
    on 10 Mar an intermediate assignment to C lasted less than a day."""
    a, b, c = AgentFactory(), AgentFactory(), AgentFactory()
    cif = CustomerFactory().cif
    add_version(cif, a, None, dt.date(2026, 1, 1), dt.date(2026, 3, 10))
    add_version(cif, c, None, dt.date(2026, 3, 10), dt.date(2026, 3, 10))
    add_version(cif, b, c, dt.date(2026, 3, 10), None)
    return cif, a, b, c


def test_the_version_in_force_on_a_day_is_the_one_started_and_not_yet_ended(
    history: tuple[str, Agent, Agent, Agent],
) -> None:
    cif, a, b, c = history

    def agents_on(day: dt.date) -> tuple[object, object] | None:
        version = assignment_on(cif=cif, day=day)
        if version is None:
            return None
        return version.assigned_call_agent_id, version.assigned_field_agent_id

    assert agents_on(dt.date(2025, 12, 31)) is None
    assert agents_on(dt.date(2026, 1, 1)) == (a.id, None)
    assert agents_on(dt.date(2026, 3, 9)) == (a.id, None)
    # Reassignment day: the old version ends that day, the new (last of the day) one applies.
    assert agents_on(dt.date(2026, 3, 10)) == (b.id, c.id)
    assert agents_on(dt.date(2027, 6, 1)) == (b.id, c.id)


def test_a_payment_is_attributed_by_the_banks_business_day_not_the_utc_date(
    history: tuple[str, Agent, Agent, Agent],
) -> None:
    cif, a, b, c = history
    # 16:30 UTC on 9 March is 23:30 in Vietnam: still A's day.
    assert record(payment_event(payment_id="P1", cif=cif, payment_date="2026-03-09T16:30:00Z"))
    # 17:30 UTC on 9 March is 00:30 on 10 March in Vietnam: B and C's day.
    record(payment_event(payment_id="P2", cif=cif, payment_date="2026-03-09T17:30:00Z"))
    record(payment_event(payment_id="P3", cif=cif, payment_date="2025-12-31T12:00:00+07:00"))
    p1, p2, p3 = (Payment.objects.get(payment_id=p) for p in ("P1", "P2", "P3"))
    assert (p1.call_agent_id, p1.field_agent_id) == (a.id, None)
    assert (p2.call_agent_id, p2.field_agent_id) == (b.id, c.id)
    assert (p3.call_agent_id, p3.field_agent_id) == (None, None)


def test_on_the_day_of_a_reassignment_by_the_trigger_the_new_agents_get_the_payment() -> None:
    old, new = AgentFactory(), AgentFactory()
    case: CustomerCase = CustomerCaseFactory(assigned_call_agent=old)
    case.assigned_call_agent = new
    case.save(update_fields=["assigned_call_agent"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0]
    payment = payment_record(
        payment_id="P-TODAY", amount=Decimal("10.00"), payment_date=now, cif=case.customer_id
    )
    assert payment is not None
    assert payment.call_agent_id == new.id
    current = assignment_on(cif=case.customer_id, day=business_today())
    assert current is not None and current.start_date == business_today()


def test_the_stored_payment_keeps_the_events_fields_and_the_raw_event(
    history: tuple[str, Agent, Agent, Agent],
) -> None:
    cif = history[0]
    event = payment_event(payment_id="P9", cif=cif, amount=1500000.5, currency="VND")
    assert record(event) == APPLIED
    payment = Payment.objects.get(payment_id="P9")
    assert payment.amount == Decimal("1500000.50")
    assert payment.payment_date == dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)
    assert (payment.currency, payment.payment_channel, payment.source) == (
        "VND",
        "BANK_TRANSFER",
        "payment-service",
    )
    assert str(payment.event_id) == event["event_id"]
    assert payment.raw == event
    assert payment.received_at is not None


def test_a_redelivered_event_and_a_second_event_for_the_same_payment_change_nothing() -> None:
    event = payment_event(payment_id="P-ONCE", cif=None)
    assert record(event) == APPLIED
    assert record(event) == DUPLICATE
    again = payment_event(payment_id="P-ONCE", cif=None, amount="99.00")
    assert record(again) == APPLIED  # a new event id, but the payment is already stored
    assert Payment.objects.filter(payment_id="P-ONCE").count() == 1
    assert Payment.objects.get(payment_id="P-ONCE").amount == Decimal("1500000.00")
    assert ProcessedEvent.objects.count() == 2


def test_without_a_cif_the_loans_customer_is_used_and_an_unknown_loan_is_stored_anyway() -> None:
    agent = AgentFactory()
    loan = LoanFactory()
    add_version(loan.customer_id, agent, None, dt.date(2026, 1, 1), None)
    record(payment_event(payment_id="P-LOAN", cif=None, loan_account_number=loan.account_number))
    record(payment_event(payment_id="P-NEW", cif=None, loan_account_number="L-NOT-SYNCED"))
    record(payment_event(payment_id="P-NOBODY", cif="C-UNKNOWN"))
    by_loan = Payment.objects.get(payment_id="P-LOAN")
    assert (by_loan.cif, by_loan.call_agent_id) == (loan.customer_id, agent.id)
    unknown = Payment.objects.get(payment_id="P-NEW")
    assert (unknown.cif, unknown.loan_account_number, unknown.call_agent_id) == (
        None,
        "L-NOT-SYNCED",
        None,
    )
    assert Payment.objects.get(payment_id="P-NOBODY").call_agent_id is None


def test_payments_for_agent_covers_both_roles_and_inclusive_business_days(
    history: tuple[str, Agent, Agent, Agent],
) -> None:
    cif, a, b, c = history
    record(payment_event(payment_id="A1", cif=cif, payment_date="2026-03-01T03:00:00Z"))
    record(payment_event(payment_id="BC1", cif=cif, payment_date="2026-03-09T17:30:00Z"))
    record(payment_event(payment_id="BC2", cif=cif, payment_date="2026-03-20T16:59:59Z"))
    record(payment_event(payment_id="BC3", cif=cif, payment_date="2026-03-20T17:00:00Z"))

    def ids(agent: Agent, start: dt.date | None = None, end: dt.date | None = None) -> list[str]:
        return [p.payment_id for p in payments_for_agent(agent_id=agent.id, start=start, end=end)]

    assert ids(a) == ["A1"]
    assert ids(b) == ["BC1", "BC2", "BC3"]
    assert ids(c) == ["BC1", "BC2", "BC3"]  # as field agent
    # 20 March in Vietnam ends at 17:00 UTC.
    assert ids(c, dt.date(2026, 3, 10), dt.date(2026, 3, 20)) == ["BC1", "BC2"]
    assert ids(b, dt.date(2026, 3, 21)) == ["BC3"]
