"""Helpers of the promise tests: promises dated in the past, payments on a business day."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import connection

from agents.models import Agent
from payments.services import payment_record, payment_reverse
from promises.models import PaymentPromise, PromiseType
from promises.services import promise_make
from workflow.actors import Actor, system_actor
from workflow.business_time import business_today, business_zone, day_start_utc

ACTOR = Actor(username="tests", roles=frozenset({"SUPERVISOR"}))


def today() -> dt.date:
    return business_today()


def day(offset: int) -> dt.date:
    """The bank's today plus ``offset`` days."""
    return today() + dt.timedelta(days=offset)


def local(on: dt.date, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant of the bank's business day ``on`` (aware, in the bank's zone)."""
    return dt.datetime.combine(on, dt.time(hour, minute, second), tzinfo=business_zone())


def promise(
    *,
    agent: Agent,
    cif: str,
    loan: str,
    amount: str,
    promised: int = 3,
    made: int | None = None,
    customer_level: bool = False,
    grace: int | None = None,
    tolerance: str | None = None,
) -> PaymentPromise:
    """A promise made through the service, then moved in time: promised on ``day(promised)``,
    made on ``day(made)`` (default: today). ``grace``/``tolerance`` override the terms."""
    made_promise = promise_make(
        actor=ACTOR,
        agent_id=agent.id,
        cif=cif,
        loan_account_number=loan,
        amount=Decimal(amount),
        promised_date=today(),
        customer_level=customer_level,
    )
    changes: dict[str, object] = {"promised_date": day(promised)}
    if made is not None:
        changes["created_at"] = day_start_utc(day(made)) + dt.timedelta(hours=1)
    if grace is not None:
        changes["grace_days"] = grace
    if tolerance is not None:
        changes["tolerance_percent"] = Decimal(tolerance)
    PaymentPromise.objects.filter(id=made_promise.id).update(**changes)
    return PaymentPromise.objects.get(id=made_promise.id)


def pay(
    *,
    cif: str,
    loan: str | None,
    amount: str,
    at: dt.datetime | None = None,
    currency: str | None = "VND",
    payment_id: str | None = None,
) -> str:
    """Record a payment as the payment.recorded handler does; return its id."""
    payment_id = payment_id or f"PAY-{uuid.uuid4().hex[:10]}"
    payment_record(
        payment_id=payment_id,
        amount=Decimal(amount),
        payment_date=at or local(today()),
        cif=cif,
        loan_account_number=loan,
        currency=currency,
        raw={},
    )
    return payment_id


def reverse(payment_id: str) -> bool:
    return payment_reverse(payment_id=payment_id, actor=system_actor("payment-service"))


def promise_type(**fields: object) -> PromiseType:
    values: dict[str, object] = {
        "name": "Standard",
        "grace_days": 3,
        "tolerance_percent": Decimal("0.00"),
        "created_by": "tests",
        "updated_by": "tests",
        **fields,
    }
    return PromiseType.objects.create(**values)


def live_appropriations(payment_id: str) -> list[tuple[uuid.UUID, Decimal]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT promise_id, amount FROM workflow_service.promise_appropriations "
            "WHERE payment_id = %s AND reversed_at IS NULL ORDER BY amount DESC",
            [payment_id],
        )
        return list(cursor.fetchall())
