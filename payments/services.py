"""Recording payments reported by the payment service, attributed to the agents of their day."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from payments.models import Payment
from promises.services import (
    NewPayment,
    promises_apply_payment,
    promises_apply_payments,
    promises_withdraw_payment,
)
from workflow import generations
from workflow.actors import Actor
from workflow.business_time import business_date, naive_utc
from workflow.outbox import json_ready

logger = logging.getLogger(__name__)


# One statement: the customer (from the loan when the event names none), the assignment
# version in force on the business day (assignments.selectors.assignment_on, same rule and
# order), the insert, whether a reversal came first, and the loan's currency.
_RECORD_SQL = """
WITH customer AS (
    SELECT coalesce(%(cif)s::text, (SELECT l.cif FROM bank_sync_service.loans AS l
                                    WHERE l.account_number = %(loan)s::text)) AS cif
), version AS (
    SELECT ca.assigned_call_agent_id, ca.assigned_field_agent_id
    FROM workflow_service.customer_agents AS ca, customer
    WHERE ca.cif = customer.cif AND ca.start_date <= %(day)s::date
      AND (ca.end_date IS NULL OR ca.end_date > %(day)s::date)
    ORDER BY ca.start_date DESC, ca.created_at DESC
    LIMIT 1
), inserted AS (
    INSERT INTO workflow_service.payments
        (id, payment_id, reference_number, loan_account_number, cif, amount, currency,
         payment_date, payment_channel, call_agent_id, field_agent_id, event_id, source, raw)
    SELECT %(id)s::uuid, %(payment_id)s::text, %(reference)s::text, %(loan)s::text,
           customer.cif, %(amount)s::numeric, %(currency)s::text, %(payment_date)s::timestamp,
           %(channel)s::text, version.assigned_call_agent_id, version.assigned_field_agent_id,
           %(event_id)s::uuid, %(source)s::text, %(raw)s::jsonb
    FROM customer LEFT JOIN version ON true
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING received_at, cif, call_agent_id, field_agent_id
)
SELECT inserted.*,
       EXISTS (SELECT 1 FROM workflow_service.payment_reversals AS r
               WHERE r.payment_id = %(payment_id)s::text),
       (SELECT l.currency FROM bank_sync_service.loans AS l
        WHERE l.account_number = %(loan)s::text)
FROM inserted
"""


# savepoint=False: nested in the caller's transaction (a Kafka batch), a failure fails it whole.
@transaction.atomic(savepoint=False)
def payment_record(
    *,
    payment_id: str,
    amount: Decimal,
    payment_date: dt.datetime,
    cif: str | None = None,
    loan_account_number: str | None = None,
    reference_number: str | None = None,
    currency: str | None = None,
    payment_channel: str | None = None,
    event_id: uuid.UUID | None = None,
    source: str | None = None,
    raw: dict[str, Any] | None = None,
) -> Payment | None:
    """Store a payment once (idempotent on ``payment_id``) and return it; None when it was
    already stored.

    It is attributed to the call and field agents assigned to the customer on the bank's
    business day of ``payment_date`` (the rule of :func:`assignments.selectors.assignment_on`).
    Without a ``cif`` the loan's customer is used when bank sync knows the loan; a payment
    whose customer is unknown or unassigned that day is stored unattributed.

    A newly stored payment is then applied to the customer's pending promises
    (:func:`promises.services.promises_apply_payment`), unless it was already reversed (a
    reversal that arrived first). Plain SQL: one statement for all of that but the promises.
    """
    if payment_date.tzinfo is None:
        raise ValueError("payment_date must be timezone-aware")
    payment = Payment(
        id=uuid.uuid4(),
        payment_id=payment_id,
        reference_number=reference_number,
        loan_account_number=loan_account_number,
        cif=cif or None,
        amount=amount,
        currency=currency,
        payment_date=payment_date,
        payment_channel=payment_channel,
        event_id=event_id,
        source=source,
        raw=json_ready(raw or {}),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_SQL,
            {
                "id": str(payment.id),
                "payment_id": payment_id,
                "reference": reference_number,
                "loan": loan_account_number,
                "cif": cif or None,
                "amount": amount,
                "currency": currency,
                "payment_date": naive_utc(payment_date),
                "day": business_date(payment_date),
                "channel": payment_channel,
                "event_id": str(event_id) if event_id else None,
                "source": source,
                "raw": json.dumps(payment.raw),
            },
        )
        row = cursor.fetchone()
    if row is None:
        logger.info("payment %s already stored", payment_id)
        return None
    (
        received_at,
        payment.cif,
        payment.call_agent_id,
        payment.field_agent_id,
        reversed_,
        loan_currency,
    ) = row
    payment.received_at = received_at.replace(tzinfo=dt.UTC)
    generations.bump_agents_on_commit(payment.call_agent_id, payment.field_agent_id)
    if not reversed_:
        promises_apply_payment(
            payment_id=payment_id,
            cif=payment.cif,
            loan_account_number=loan_account_number,
            amount=amount,
            # The loan's currency when the event names none (promises_apply_payment would
            # read it again).
            currency=currency or loan_currency,
            payment_date=payment_date,
        )
    return payment


# payment_record's statement for many payments of known customers at once (the same
# attribution rule), in their order; returns the new ones and whether a reversal came first.
_RECORD_MANY_SQL = """
WITH input AS (
    SELECT *
    FROM unnest(%s::integer[], %s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::numeric[], %s::text[], %s::timestamp[], %s::date[], %s::text[], %s::uuid[],
                %s::text[], %s::text[])
      AS t(ord, id, payment_id, reference, loan, cif, amount, currency, payment_date, day,
           channel, event_id, source, raw)
), inserted AS (
    INSERT INTO workflow_service.payments
        (id, payment_id, reference_number, loan_account_number, cif, amount, currency,
         payment_date, payment_channel, call_agent_id, field_agent_id, event_id, source, raw)
    SELECT i.id, i.payment_id, i.reference, i.loan, i.cif, i.amount, i.currency,
           i.payment_date, i.channel, v.assigned_call_agent_id, v.assigned_field_agent_id,
           i.event_id, i.source, i.raw::jsonb
    FROM input AS i
    LEFT JOIN LATERAL (
        SELECT ca.assigned_call_agent_id, ca.assigned_field_agent_id
        FROM workflow_service.customer_agents AS ca
        WHERE ca.cif = i.cif AND ca.start_date <= i.day
          AND (ca.end_date IS NULL OR ca.end_date > i.day)
        ORDER BY ca.start_date DESC, ca.created_at DESC
        LIMIT 1
    ) AS v ON true
    ORDER BY i.ord
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING id, call_agent_id, field_agent_id
)
SELECT i.ord, inserted.call_agent_id, inserted.field_agent_id,
       EXISTS (SELECT 1 FROM workflow_service.payment_reversals AS r
               WHERE r.payment_id = i.payment_id)
FROM inserted JOIN input AS i ON i.id = inserted.id
"""


@dataclass(frozen=True)
class RecordedPayment:
    """A payment to store with :func:`payments_record`: its customer and currency known."""

    payment_id: str
    amount: Decimal
    payment_date: dt.datetime
    cif: str
    currency: str
    loan_account_number: str | None = None
    reference_number: str | None = None
    payment_channel: str | None = None
    event_id: uuid.UUID | None = None
    source: str | None = None
    raw: dict[str, Any] | None = None
    # The context its log lines and events are made in (a Kafka event's trace).
    context: Callable[[], AbstractContextManager[None]] = nullcontext


@transaction.atomic(savepoint=False)
def payments_record(payments: Sequence[RecordedPayment]) -> list[RecordedPayment]:
    """:func:`payment_record` for many payments, in their order, with the same result (a
    Kafka batch: ``kafka_bridge.handlers.payments``): the first of a payment id is stored, the
    others and those already stored change nothing. One statement stores and attributes them
    all; the new ones not already reversed are applied to their customers' pending promises
    together (:func:`promises.services.promises_apply_payments`). Returns the new ones."""
    first: dict[str, tuple[int, RecordedPayment]] = {}
    for ordinal, payment in enumerate(payments):
        if payment.payment_date.tzinfo is None:
            raise ValueError("payment_date must be timezone-aware")
        first.setdefault(payment.payment_id, (ordinal, payment))
    rows = list(first.values())
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_MANY_SQL,
            [
                [ordinal for ordinal, _ in rows],
                [uuid.uuid4() for _ in rows],
                [payment.payment_id for _, payment in rows],
                [payment.reference_number for _, payment in rows],
                [payment.loan_account_number for _, payment in rows],
                [payment.cif for _, payment in rows],
                [payment.amount for _, payment in rows],
                [payment.currency for _, payment in rows],
                [naive_utc(payment.payment_date) for _, payment in rows],
                [business_date(payment.payment_date) for _, payment in rows],
                [payment.payment_channel for _, payment in rows],
                [payment.event_id for _, payment in rows],
                [payment.source for _, payment in rows],
                [json.dumps(json_ready(payment.raw or {})) for _, payment in rows],
            ],
        )
        stored = {ordinal: (call, field, reversed_) for ordinal, call, field, reversed_ in cursor}
    new: list[RecordedPayment] = []
    to_apply: list[NewPayment] = []
    for ordinal, payment in enumerate(payments):
        if ordinal not in stored:
            with payment.context():
                logger.info("payment %s already stored", payment.payment_id)
            continue
        call, field, reversed_ = stored[ordinal]
        generations.bump_agents_on_commit(call, field)
        new.append(payment)
        if not reversed_:
            to_apply.append(
                NewPayment(
                    payment_id=payment.payment_id,
                    cif=payment.cif,
                    loan_account_number=payment.loan_account_number,
                    amount=payment.amount,
                    currency=payment.currency,
                    payment_date=payment.payment_date,
                    context=payment.context,
                )
            )
    promises_apply_payments(to_apply)
    return new


@transaction.atomic
def payment_reverse(
    *,
    payment_id: str,
    actor: Actor,
    reason: str | None = None,
    event_id: uuid.UUID | None = None,
) -> bool:
    """Record that payment ``payment_id`` was reversed and withdraw it from the promises it
    was applied to (:func:`promises.services.promises_withdraw_payment`). True when recorded
    now; False (nothing changes) when it was already reversed.

    The payment may not be stored yet (a reversal that overtook its payment): the reversal
    is recorded all the same, and the payment, when it arrives, is stored but applied to no
    promise.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.payment_reversals "
            "(payment_id, reason, event_id, reversed_by) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id",
            [payment_id, reason, event_id, actor.username[:50]],
        )
        recorded = cursor.fetchone() is not None
    if not recorded:
        logger.info("payment %s already reversed", payment_id)
        return False
    promises_withdraw_payment(payment_id=payment_id, actor=actor)
    # The payment no longer counts as collected: drop its agents' cached performance.
    agents = (
        Payment.objects.filter(payment_id=payment_id)
        .values_list("call_agent_id", "field_agent_id")
        .first()
    )
    if agents is not None:
        generations.bump_agents_on_commit(*agents)
    return True
