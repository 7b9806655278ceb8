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
    promises_apply_payments,
    promises_withdraw_payment,
)
from workflow import generations
from workflow.actors import Actor
from workflow.business_time import aware_utc, business_date, naive_utc
from workflow.outbox import json_ready

logger = logging.getLogger(__name__)


# One statement for any number of payments, in their order: each one's customer (from its loan
# when it names none), the assignment version in force on its business day
# (assignments.selectors.assignment_on, same rule and order), the insert, whether a reversal
# came first, and the loan's currency. Returns the new ones.
_RECORD_SQL = """
WITH input AS (
    SELECT t.*,
           coalesce(t.named_cif, (SELECT l.cif FROM bank_sync_service.loans AS l
                                  WHERE l.account_number = t.loan)) AS cif
    FROM unnest(%s::integer[], %s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::numeric[], %s::text[], %s::timestamp[], %s::date[], %s::text[], %s::uuid[],
                %s::text[], %s::text[])
      AS t(ord, id, payment_id, reference, loan, named_cif, amount, currency, payment_date,
           day, channel, event_id, source, raw)
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
    RETURNING id, received_at, cif, call_agent_id, field_agent_id
)
SELECT i.ord, inserted.received_at, inserted.cif, inserted.call_agent_id,
       inserted.field_agent_id,
       EXISTS (SELECT 1 FROM workflow_service.payment_reversals AS r
               WHERE r.payment_id = i.payment_id),
       (SELECT l.currency FROM bank_sync_service.loans AS l WHERE l.account_number = i.loan)
FROM inserted JOIN input AS i ON i.id = inserted.id
"""


@dataclass(frozen=True)
class RecordedPayment:
    """A payment to store with :func:`payments_record`."""

    payment_id: str
    amount: Decimal
    payment_date: dt.datetime
    cif: str | None = None
    loan_account_number: str | None = None
    reference_number: str | None = None
    currency: str | None = None
    payment_channel: str | None = None
    event_id: uuid.UUID | None = None
    source: str | None = None
    raw: dict[str, Any] | None = None
    # The context its log lines and events are made in (a Kafka event's trace).
    context: Callable[[], AbstractContextManager[None]] = nullcontext


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

    A newly stored payment is then applied to the customer's pending promises (in the loan's
    currency when the payment names none), unless it was already reversed (a reversal that
    arrived first). :func:`payments_record` with one payment: two statements, three when it
    pays a promise.
    """
    payment = RecordedPayment(
        payment_id=payment_id,
        amount=amount,
        payment_date=payment_date,
        cif=cif or None,
        loan_account_number=loan_account_number,
        reference_number=reference_number,
        currency=currency,
        payment_channel=payment_channel,
        event_id=event_id,
        source=source,
        raw=raw,
    )
    stored = payments_record([payment])
    return stored[0] if stored else None


@transaction.atomic(savepoint=False)
def payments_record(payments: Sequence[RecordedPayment]) -> list[Payment]:
    """:func:`payment_record` for many payments, in their order, with the same result as one
    by one (a Kafka batch: ``kafka_bridge.handlers.payments``): the first of a payment id is
    stored, the others and those already stored change nothing. One statement stores and
    attributes them all; the new ones not already reversed are applied to their customers'
    pending promises together (:func:`promises.services.promises_apply_payments`). Returns the
    new ones."""
    first: dict[str, tuple[int, RecordedPayment]] = {}
    for ordinal, payment in enumerate(payments):
        if payment.payment_date.tzinfo is None:
            raise ValueError("payment_date must be timezone-aware")
        first.setdefault(payment.payment_id, (ordinal, payment))
    rows = [
        (ordinal, payment, uuid.uuid4(), json_ready(payment.raw or {}))
        for ordinal, payment in first.values()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_SQL,
            [
                [ordinal for ordinal, *_ in rows],
                [id_ for _, _, id_, _ in rows],
                [payment.payment_id for _, payment, *_ in rows],
                [payment.reference_number for _, payment, *_ in rows],
                [payment.loan_account_number for _, payment, *_ in rows],
                [payment.cif or None for _, payment, *_ in rows],
                [payment.amount for _, payment, *_ in rows],
                [payment.currency for _, payment, *_ in rows],
                [naive_utc(payment.payment_date) for _, payment, *_ in rows],
                [business_date(payment.payment_date) for _, payment, *_ in rows],
                [payment.payment_channel for _, payment, *_ in rows],
                [payment.event_id for _, payment, *_ in rows],
                [payment.source for _, payment, *_ in rows],
                [json.dumps(raw) for *_, raw in rows],
            ],
        )
        stored = {row[0]: row[1:] for row in cursor.fetchall()}
    ids = {ordinal: (id_, raw) for ordinal, _, id_, raw in rows}
    new: list[Payment] = []
    to_apply: list[NewPayment] = []
    for ordinal, payment in enumerate(payments):
        if ordinal not in stored:
            with payment.context():
                logger.info("payment %s already stored", payment.payment_id)
            continue
        received_at, cif, call, field, reversed_, loan_currency = stored[ordinal]
        id_, raw = ids[ordinal]
        new.append(
            Payment(
                id=id_,
                payment_id=payment.payment_id,
                reference_number=payment.reference_number,
                loan_account_number=payment.loan_account_number,
                cif=cif,
                amount=payment.amount,
                currency=payment.currency,
                payment_date=payment.payment_date,
                payment_channel=payment.payment_channel,
                call_agent_id=call,
                field_agent_id=field,
                event_id=payment.event_id,
                source=payment.source,
                raw=raw,
                received_at=aware_utc(received_at),
            )
        )
        generations.bump_agents_on_commit(call, field)
        if not reversed_:
            to_apply.append(
                NewPayment(
                    payment_id=payment.payment_id,
                    cif=cif,
                    loan_account_number=payment.loan_account_number,
                    amount=payment.amount,
                    currency=payment.currency or loan_currency,
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
