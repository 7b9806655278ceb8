"""The promise lifecycle, scenario by scenario (issue 15's list), each checking the stored
status, paid amount and appropriations.

Every scenario runs on a customer with two VND loans (``L1``, ``L2``) and the steps below;
"today" is the bank's business day (``BUSINESS_TIME_ZONE``), days are offsets from it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from promises.mismatches import mismatches_review, mismatches_unreviewed_count
from promises.models import PaymentPromise, PromiseCurrencyMismatch, PromiseStatus
from promises.resolution import promises_resolve_due
from promises.services import promise_cancel
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local
from workflow.models import OutboxEvent

pytestmark = pytest.mark.django_db

P, K, PK, B, C = (
    PromiseStatus.PENDING,
    PromiseStatus.KEPT,
    PromiseStatus.PARTIALLY_KEPT,
    PromiseStatus.BROKEN,
    PromiseStatus.CANCELLED,
)


@dataclass(frozen=True)
class Promise:
    name: str
    amount: str
    loan: str | None = "L1"  # None: customer-level
    promised: int = 3
    made: int = 0
    grace: int = 3
    tolerance: str = "0"


@dataclass(frozen=True)
class Pay:
    payment: str
    amount: str
    loan: str | None = "L1"
    on: int = 0
    at: Callable[[], dt.datetime] | None = None  # an exact instant instead of ``on``
    currency: str = "VND"


@dataclass(frozen=True)
class Reverse:
    payment: str


@dataclass(frozen=True)
class Resolve:
    today: int = 0


@dataclass(frozen=True)
class Cancel:
    name: str


@dataclass(frozen=True)
class Scenario:
    id: str
    steps: list[Any]
    # promise name -> (status, paid amount)
    expect: dict[str, tuple[str, str]]
    # payment -> amounts applied (live appropriations), largest first
    applied: dict[str, list[str]] = field(default_factory=dict)
    # payment -> promises it was passed over for, for its currency (reported); every other
    # scenario checks that nothing was reported
    mismatched: dict[str, list[str]] = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "exact payment",
        [Promise("a", "1000000"), Pay("p1", "1000000")],
        {"a": (K, "1000000")},
        {"p1": ["1000000"]},
    ),
    Scenario(
        "overpayment",
        [Promise("a", "1000000"), Pay("p1", "1500000")],
        {"a": (K, "1000000")},
        {"p1": ["1000000"]},
    ),
    Scenario(
        "partial within tolerance",
        [Promise("a", "1000000", tolerance="5"), Pay("p1", "950000")],
        {"a": (K, "950000")},
    ),
    Scenario(
        "partial below tolerance, then the due date passes",
        [
            Promise("a", "1000000", promised=-4, made=-6, grace=2, tolerance="5"),
            Pay("p1", "949999", on=-3),
            Resolve(),
        ],
        {"a": (PK, "949999")},
    ),
    Scenario(
        "paid late within grace",
        [Promise("a", "1000000", promised=-2, made=-5, grace=3), Pay("p1", "1000000")],
        {"a": (K, "1000000")},
    ),
    Scenario(
        "paid after grace",
        [
            Promise("a", "1000000", promised=-5, made=-8, grace=2),
            Pay("p1", "1000000"),
            Resolve(),
        ],
        {"a": (B, "0")},
        {"p1": []},
    ),
    Scenario(
        "two overlapping promises paid by one payment: the loan's first, then FIFO",
        [
            Promise("cust", "500000", loan=None, promised=1),
            Promise("loan", "600000", promised=2),
            Pay("p1", "1000000"),
        ],
        {"loan": (K, "600000"), "cust": (P, "400000")},
        {"p1": ["600000", "400000"]},
    ),
    Scenario(
        "one promise paid by several payments",
        [
            Promise("a", "1000000"),
            Pay("p1", "400000"),
            Pay("p2", "300000"),
            Pay("p3", "500000"),
        ],
        {"a": (K, "1000000")},
        {"p1": ["400000"], "p2": ["300000"], "p3": ["300000"]},
    ),
    Scenario(
        "payment on another loan of the same customer",
        [
            Promise("loan1", "1000000", loan="L1"),
            Promise("cust", "300000", loan=None),
            Pay("p1", "1000000", loan="L2"),
        ],
        {"loan1": (P, "0"), "cust": (K, "300000")},
        {"p1": ["300000"]},
    ),
    Scenario(
        "duplicate payment event",
        [Promise("a", "1000000"), Pay("p1", "400000"), Pay("p1", "400000")],
        {"a": (P, "400000")},
        {"p1": ["400000"]},
    ),
    Scenario(
        "reversal after KEPT, before the due date: reopened",
        [Promise("a", "1000000"), Pay("p1", "1000000"), Reverse("p1")],
        {"a": (P, "0")},
        {"p1": []},
    ),
    Scenario(
        "reversal after KEPT, after the due date: broken again",
        [
            Promise("a", "1000000", promised=-4, made=-6, grace=1),
            Pay("p1", "1000000", on=-4),
            Reverse("p1"),
        ],
        {"a": (B, "0")},
    ),
    Scenario(
        "reversal of a payment split across two promises",
        [
            Promise("loan", "600000"),
            Promise("cust", "500000", loan=None),
            Pay("p1", "1000000"),
            Pay("p2", "100000", loan=None),
            Reverse("p1"),
        ],
        {"loan": (P, "0"), "cust": (P, "100000")},
        {"p1": [], "p2": ["100000"]},
    ),
    Scenario(
        # Found by the property test: one pending promise per loan holds after a reversal.
        "reversal when a newer promise of the loan is pending: superseded by it",
        [
            Promise("old", "1000000"),
            Pay("p1", "1000000"),
            Promise("new", "500000"),
            Reverse("p1"),
        ],
        {"old": (C, "0"), "new": (P, "0")},
    ),
    Scenario(
        "cancellation: later payments no longer count",
        [Promise("a", "1000000"), Pay("p1", "200000"), Cancel("a"), Pay("p2", "800000")],
        {"a": (C, "200000")},
        {"p2": []},
    ),
    Scenario(
        "currency mismatch: not applied, reported",
        [Promise("a", "1000000"), Pay("p1", "1000000", currency="USD")],
        {"a": (P, "0")},
        {"p1": []},
        {"p1": ["a"]},
    ),
    Scenario(
        "currency mismatch on one promise: the other promise in the currency is paid",
        [
            Promise("a", "1000000", loan=None),
            Promise("b", "400000", loan="L2"),
            Pay("p1", "400000", loan="L2", currency="USD"),
            Pay("p2", "400000", loan="L2"),
        ],
        {"a": (P, "0"), "b": (K, "400000")},
        {"p1": [], "p2": ["400000"]},
        {"p1": ["a", "b"]},
    ),
    Scenario(
        "midnight boundary: the last second of the due day counts",
        [
            Promise("a", "1000000", promised=-1, made=-3, grace=0),
            Pay("p1", "1000000", at=lambda: local(day(-1), 23, 59, 59)),
        ],
        {"a": (K, "1000000")},
    ),
    Scenario(
        "midnight boundary: the first second after the due day does not",
        [
            Promise("a", "1000000", promised=-1, made=-3, grace=0),
            Pay("p1", "1000000", at=lambda: local(day(0), 0, 0, 0)),
            Resolve(today=-1),  # the due day itself: still pending
        ],
        {"a": (P, "0")},
        {"p1": []},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_lifecycle(scenario: Scenario) -> None:
    agent = AgentFactory()
    customer = CustomerFactory()
    CustomerCaseFactory(customer=customer, assigned_call_agent=agent)
    loans = {
        "L1": LoanFactory(customer=customer).account_number,
        "L2": LoanFactory(customer=customer).account_number,
    }
    promises: dict[str, PaymentPromise] = {}
    payment_ids: dict[str, str] = {}
    for step in scenario.steps:
        if isinstance(step, Promise):
            promises[step.name] = helpers.promise(
                agent=agent,
                cif=customer.cif,
                loan=loans["L1"] if step.loan is None else loans[step.loan],
                customer_level=step.loan is None,
                amount=step.amount,
                promised=step.promised,
                made=step.made,
                grace=step.grace,
                tolerance=step.tolerance,
            )
        elif isinstance(step, Pay):
            payment_ids[step.payment] = helpers.pay(
                cif=customer.cif,
                loan=loans[step.loan] if step.loan else None,
                amount=step.amount,
                at=step.at() if step.at else local(day(step.on)),
                currency=step.currency,
                payment_id=f"{scenario.id[:20]}-{step.payment}-{customer.cif}",
            )
        elif isinstance(step, Reverse):
            helpers.reverse(f"{scenario.id[:20]}-{step.payment}-{customer.cif}")
        elif isinstance(step, Resolve):
            promises_resolve_due(today=day(step.today))
        elif isinstance(step, Cancel):
            promise_cancel(actor=helpers.ACTOR, promise_id=promises[step.name].id, reason="test")

    for name, (status, paid) in scenario.expect.items():
        stored = PaymentPromise.objects.get(id=promises[name].id)
        assert (stored.status, stored.paid_amount) == (status, Decimal(paid)), name
        assert (stored.resolved_at is None) == (status == PromiseStatus.PENDING), name
    for payment, amounts in scenario.applied.items():
        applied = helpers.live_appropriations(f"{scenario.id[:20]}-{payment}-{customer.cif}")
        assert [amount for _, amount in applied] == [Decimal(a) for a in amounts], payment
    names = {promise.id: name for name, promise in promises.items()}
    reported: dict[str, list[str]] = {}
    for payment_id, promise_id in PromiseCurrencyMismatch.objects.values_list(
        "payment_id", "promise_id"
    ):
        step = next(name for name, stored_id in payment_ids.items() if stored_id == payment_id)
        reported.setdefault(step, []).append(names[promise_id])
    assert {k: sorted(v) for k, v in reported.items()} == scenario.mismatched


def test_a_broken_promise_gets_a_follow_up_for_the_call_agent_and_an_event() -> None:
    agent, call_agent = AgentFactory(), AgentFactory()
    customer = CustomerFactory()
    CustomerCaseFactory(customer=customer, assigned_call_agent=call_agent)
    loan = LoanFactory(customer=customer).account_number
    made = helpers.promise(
        agent=agent, cif=customer.cif, loan=loan, amount="500000", promised=-3, made=-5, grace=1
    )

    promises_resolve_due(today=day(0))

    stored = PaymentPromise.objects.get(id=made.id)
    assert stored.status == PromiseStatus.BROKEN
    assert stored.follow_up_agent_id == call_agent.id
    assert stored.follow_up_date is not None and stored.follow_up_date > day(0)
    assert stored.follow_up_date.isoweekday() < 6  # a business day
    event = OutboxEvent.objects.get(topic="workflow-service.promise.broken")
    assert event.message_key == customer.cif
    assert event.payload["promiseId"] == str(made.id)
    assert event.payload["followUpAgentId"] == str(call_agent.id)


def test_a_currency_mismatch_is_stored_once_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    agent = AgentFactory()
    customer = CustomerFactory()
    loan = LoanFactory(customer=customer).account_number
    made = helpers.promise(agent=agent, cif=customer.cif, loan=loan, amount="1000")

    with caplog.at_level(logging.WARNING, logger="promises.services"):
        payment = helpers.pay(cif=customer.cif, loan=loan, amount="1000", currency="usd")
        helpers.pay(cif=customer.cif, loan=loan, amount="1000", payment_id=payment)  # again

    assert f"payment {payment} (usd) not applied" in caplog.text
    assert str(made.id) in caplog.text
    (row,) = PromiseCurrencyMismatch.objects.all()
    assert (row.payment_id, row.promise_id, row.cif) == (payment, made.id, customer.cif)
    assert (row.payment_amount, row.payment_currency, row.promise_currency) == (
        Decimal("1000.00"),
        "USD",
        "VND",
    )
    assert row.reviewed_at is None
    assert mismatches_unreviewed_count() == 1
    assert mismatches_review(actor=helpers.ACTOR, mismatch_ids=[row.id], note="Bank fixed it") == 1
    assert mismatches_review(actor=helpers.ACTOR, mismatch_ids=[row.id], note="Again") == 0
    row.refresh_from_db()
    assert (row.reviewed_by, row.review_note) == ("tests", "Bank fixed it")
    assert mismatches_unreviewed_count() == 0


def test_a_kept_promise_publishes_promise_kept_naming_the_payment() -> None:
    agent = AgentFactory()
    customer = CustomerFactory()
    loan = LoanFactory(customer=customer).account_number
    made = helpers.promise(agent=agent, cif=customer.cif, loan=loan, amount="1000")

    payment = helpers.pay(cif=customer.cif, loan=loan, amount="1000")

    (event,) = OutboxEvent.objects.filter(topic="workflow-service.promise.kept")
    assert event.payload["promiseId"] == str(made.id)
    assert event.payload["paymentId"] == payment
    assert event.payload["status"] == "KEPT" and event.payload["paidAmount"] == "1000.00"


def test_a_reversal_that_arrives_before_its_payment_keeps_the_payment_off_promises() -> None:
    agent = AgentFactory()
    customer = CustomerFactory()
    loan = LoanFactory(customer=customer).account_number
    made = helpers.promise(agent=agent, cif=customer.cif, loan=loan, amount="1000")

    assert helpers.reverse("PAY-EARLY") is True
    assert helpers.reverse("PAY-EARLY") is False  # a redelivered reversal changes nothing
    helpers.pay(cif=customer.cif, loan=loan, amount="1000", payment_id="PAY-EARLY")

    stored = PaymentPromise.objects.get(id=made.id)
    assert (stored.status, stored.paid_amount) == (PromiseStatus.PENDING, Decimal("0"))
