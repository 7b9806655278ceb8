"""Recording payments reported by the payment service, attributed to the agents of their day."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from assignments.selectors import assignment_on
from payments.models import Payment, PaymentReversal
from promises.services import promises_apply_payment, promises_withdraw_payment
from workflow import generations
from workflow.actors import Actor
from workflow.business_time import business_date
from workflow.models import Loan
from workflow.outbox import json_ready

logger = logging.getLogger(__name__)


@transaction.atomic
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
    business day of ``payment_date`` (:func:`assignments.selectors.assignment_on`). Without a
    ``cif`` the loan's customer is used when bank sync knows the loan; a payment whose customer
    is unknown or unassigned that day is stored unattributed.

    A newly stored payment is then applied to the customer's pending promises
    (:func:`promises.services.promises_apply_payment`), unless it was already reversed (a
    reversal that arrived first).
    """
    if payment_date.tzinfo is None:
        raise ValueError("payment_date must be timezone-aware")
    if not cif and loan_account_number:
        loan = Loan.objects.filter(account_number=loan_account_number).only("customer").first()
        cif = loan.customer_id if loan is not None else None
    version = assignment_on(cif=cif, day=business_date(payment_date)) if cif else None
    payment = Payment(
        id=uuid.uuid4(),
        payment_id=payment_id,
        reference_number=reference_number,
        loan_account_number=loan_account_number,
        cif=cif,
        amount=amount,
        currency=currency,
        payment_date=payment_date,
        payment_channel=payment_channel,
        call_agent_id=version.assigned_call_agent_id if version else None,
        field_agent_id=version.assigned_field_agent_id if version else None,
        event_id=event_id,
        source=source,
        raw=json_ready(raw or {}),
    )
    fields = [f for f in Payment._meta.concrete_fields if f.column != "received_at"]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    values = [f.get_db_prep_save(getattr(payment, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO workflow_service.payments ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            "ON CONFLICT (payment_id) DO NOTHING RETURNING received_at",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        logger.info("payment %s already stored", payment_id)
        return None
    payment.received_at = row[0].replace(tzinfo=dt.UTC)
    generations.bump_agents_on_commit(payment.call_agent_id, payment.field_agent_id)
    if not PaymentReversal.objects.filter(payment_id=payment_id).exists():
        promises_apply_payment(
            payment_id=payment_id,
            cif=cif,
            loan_account_number=loan_account_number,
            amount=amount,
            currency=currency,
            payment_date=payment_date,
        )
    return payment


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
