"""``payment.recorded`` in a batch: the batch step stores and applies the payments it can
set-based and leaves the rest to the handler, with the same result as applying the events one
by one (issue 11)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from kafka_bridge import processing, topics
from kafka_bridge.handlers import payments as payment_handlers
from kafka_bridge.topics import PAYMENT_RECEIVED
from payments.models import Payment, PaymentReversal
from payments.services import payment_record
from promises.events import PROMISE_KEPT
from promises.models import PaymentPromise, PromiseAppropriation, PromiseCurrencyMismatch
from tests.factories import AgentFactory, CustomerCaseFactory, LoanFactory
from tests.kafka_bridge.auth_events import bank_event
from tests.kafka_bridge.events import payment_event
from tests.kafka_bridge.test_batches import apply_as, record_events
from tests.promises.helpers import promise
from workflow.models import OutboxEvent

pytestmark = [pytest.mark.django_db]


def paid(payment_id: str, cif: str | None, loan: str | None, amount: str, **fields: Any) -> Any:
    return payment_event(
        payment_id=payment_id,
        cif=cif,
        loan_account_number=loan,
        amount=amount,
        payment_date=fields.pop("at", timezone.now()).isoformat(),
        **fields,
    )


@pytest.mark.parametrize("mode", ["batch", "one by one"])
def test_a_mixed_batch_of_payments_ends_as_the_events_applied_one_by_one(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    agent = AgentFactory()
    loans = [LoanFactory() for _ in range(6)]
    c1, c2, c3, c4, c5, c6 = (loan.customer_id for loan in loans)
    l1, l2, l3, l4, l5, l6 = (loan.account_number for loan in loans)
    l1b = LoanFactory(customer=loans[0].customer).account_number
    for loan in loans:
        CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
    promises = {
        "c1 loan": promise(agent=agent, cif=c1, loan=l1, amount="300"),
        "c1 customer": promise(agent=agent, cif=c1, loan=l1, amount="500", customer_level=True),
        "c2": promise(agent=agent, cif=c2, loan=l2, amount="300"),
        "c3 in USD": promise(agent=agent, cif=c3, loan=l3, amount="300"),
        "c4": promise(agent=agent, cif=c4, loan=l4, amount="300"),
        "c5": promise(agent=agent, cif=c5, loan=l5, amount="300"),
        "c6": promise(agent=agent, cif=c6, loan=l6, amount="300"),
    }
    PaymentPromise.objects.filter(id=promises["c3 in USD"].id).update(currency="USD")
    PaymentReversal.objects.create(payment_id="REV")  # its reversal came first
    payment_record(  # stored before the batch
        payment_id="OLD", cif=c2, loan_account_number=l2, amount=Decimal(50),
        currency="VND", payment_date=timezone.now(),
    )  # fmt: skip
    events = [
        paid("P1", c1, l1, "200"),
        paid("P1", c1, l1, "999"),  # the same payment again: nothing
        paid("P2", c1, l1, "250"),  # completes the loan's promise, 150 to the customer's
        paid("OLD", c2, l2, "50"),  # already stored: nothing
        paid("REV", c2, l2, "100"),  # stored, not applied: reversed already
        paid("P5", c3, l3, "100"),  # another currency: reported
        paid("P6", c4, l4, "100"),  # then reversed in the same batch: the handler's, in order
        paid("P6", c4, l4, "100", event_type="payment.reversed"),
        paid("P3", c1, l1b, "400"),  # another loan: the customer's promise only; 50 left
        paid("P7", c4, l4, "300"),
        paid("P8", c5, l5, "100", currency=None),  # the loan's currency: the handler's
        paid("P8b", c5, l5, "50"),  # after P8 of its customer: the handler's, in order
        paid("P9", c6, l6, "100", at=timezone.now() - dt.timedelta(days=10)),  # before it
    ]
    ids = record_events(PAYMENT_RECEIVED, events)

    stepped: list[str] = []
    stepping = payment_handlers.payments_record

    def step(payments: Any) -> Any:
        stepped.extend(payment.payment_id for payment in payments)
        return stepping(payments)

    with (
        caplog.at_level(logging.WARNING, logger="kafka_bridge.processing"),
        mock.patch.object(payment_handlers, "payments_record", side_effect=step),
    ):
        outcomes = apply_as(mode, ids)

    assert outcomes == {processing.APPLIED: 13}
    assert "one by one" not in caplog.text  # the batch did not fail and fall back
    if mode == "batch":
        assert stepped == ["P1", "P1", "P2", "OLD", "REV", "P5", "P3", "P9"]
    else:
        assert stepped == []
    amounts = dict(Payment.objects.values_list("payment_id", "amount"))
    assert amounts == {
        "OLD": 50, "P1": 200, "P2": 250, "REV": 100, "P5": 100, "P6": 100, "P3": 400,
        "P7": 300, "P8": 100, "P8b": 50, "P9": 100,
    }  # fmt: skip
    # Attributed to the agent assigned on the payment's day: none yet ten days ago.
    attributed = dict(Payment.objects.values_list("payment_id", "call_agent_id"))
    assert attributed == {payment_id: agent.id for payment_id in amounts} | {"P9": None}
    label = {value.id: name for name, value in promises.items()}
    states = {
        label[p.id]: (p.status, p.paid_amount, p.resolved_at is not None)
        for p in PaymentPromise.objects.all()
    }
    assert states == {
        "c1 loan": ("KEPT", Decimal("300.00"), True),
        "c1 customer": ("KEPT", Decimal("500.00"), True),
        "c2": ("PENDING", Decimal("50.00"), False),
        "c3 in USD": ("PENDING", Decimal("0.00"), False),
        "c4": ("KEPT", Decimal("300.00"), True),
        "c5": ("PENDING", Decimal("150.00"), False),
        "c6": ("PENDING", Decimal("0.00"), False),
    }
    appropriations = sorted(
        (a.payment_id, label[a.promise_id], a.amount, a.reversed_at is not None)
        for a in PromiseAppropriation.objects.all()
    )
    assert appropriations == [
        ("OLD", "c2", Decimal("50.00"), False),
        ("P1", "c1 loan", Decimal("200.00"), False),
        ("P2", "c1 customer", Decimal("150.00"), False),
        ("P2", "c1 loan", Decimal("100.00"), False),
        ("P3", "c1 customer", Decimal("350.00"), False),
        ("P6", "c4", Decimal("100.00"), True),
        ("P7", "c4", Decimal("300.00"), False),
        ("P8", "c5", Decimal("100.00"), False),
        ("P8b", "c5", Decimal("50.00"), False),
    ]
    assert sorted(
        (m.payment_id, label[m.promise_id]) for m in PromiseCurrencyMismatch.objects.all()
    ) == [("P5", "c3 in USD")]
    kept = OutboxEvent.objects.filter(topic=PROMISE_KEPT).order_by("id")
    assert sorted(
        (event.payload["paymentId"], label[uuid.UUID(event.payload["promiseId"])]) for event in kept
    ) == [("P2", "c1 loan"), ("P3", "c1 customer"), ("P7", "c4")]
    if mode == "batch":
        # Each names its own consumed event as the request id, as the handler's do.
        event_ids = {event["payment"]["id"]: event["event_id"] for event in events}
        assert {event.payload["paymentId"]: event.headers["request-id"] for event in kept} == {
            payment_id: event_ids[payment_id] for payment_id in ("P2", "P3", "P7")
        }


@pytest.mark.parametrize("mode", ["batch", "one by one"])
def test_a_payment_found_through_its_loan_leaves_the_whole_batch_to_the_handler(
    mode: str,
) -> None:
    # Its customer is known only once the handler reads the loan: any event of the batch may
    # be that customer's, so none is taken out of order.
    agent = AgentFactory()
    loan = LoanFactory()
    CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
    pending = promise(agent=agent, cif=loan.customer_id, loan=loan.account_number, amount="300")
    events = [
        paid("A", None, loan.account_number, "100"),
        paid("B", loan.customer_id, loan.account_number, "250"),
    ]
    ids = record_events(PAYMENT_RECEIVED, events)
    with mock.patch.object(
        payment_handlers, "payments_record", wraps=payment_handlers.payments_record
    ) as step:
        assert apply_as(mode, ids) == {processing.APPLIED: 2}

    assert step.call_args_list == []  # the step took nothing, B included
    assert sorted(PromiseAppropriation.objects.values_list("payment_id", "amount")) == [
        ("A", Decimal("100.00")),
        ("B", Decimal("200.00")),
    ]
    pending.refresh_from_db()
    assert (pending.status, pending.paid_amount) == ("KEPT", Decimal("300.00"))


def test_a_payment_whose_customer_has_a_bank_event_in_the_batch_goes_to_the_handler() -> None:
    # Batch steps run before every handler: an event of the same key and another topic
    # (here the customer's update, first in the batch) keeps the payment in order.
    agent = AgentFactory()
    loans = [LoanFactory() for _ in range(2)]
    for loan in loans:
        CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
    updated, other = (loan.customer_id for loan in loans)
    ids = record_events(topics.CUSTOMER_UPDATED, [bank_event(updated)])
    ids += record_events(
        PAYMENT_RECEIVED,
        [paid("U", updated, loans[0].account_number, "10"), paid("O", other, None, "10")],
    )
    with mock.patch.object(
        payment_handlers, "payments_record", wraps=payment_handlers.payments_record
    ) as step:
        assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 3}

    assert [[p.payment_id for p in call.args[0]] for call in step.call_args_list] == [["O"]]
    assert set(Payment.objects.values_list("payment_id", flat=True)) == {"U", "O"}
