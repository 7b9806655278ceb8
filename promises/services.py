"""Writes of promises: make, cancel, and apply or withdraw payments.

Rules (README, "Promises to pay"; the terms in :mod:`promises.terms`):

- **Made** with an action (``POST /actions`` with ``promiseAmount`` and ``promiseDate``) or in
  the admin. The currency is the loan's; grace days and tolerance are copied from the most
  specific active promise type of the loan's product and the customer's segment (settings
  ``PROMISE_DEFAULT_*`` when none matches).
- **One pending promise per scope.** A new promise on a loan supersedes the loan's pending
  one (and a new customer-level promise the customer's pending customer-level one): the old
  one becomes CANCELLED with ``superseded_by`` set and keeps what was paid towards it. The
  customer renegotiated; the latest terms are the ones to track.
- **Appropriation.** A payment is applied to the customer's PENDING promises that it can
  count for: same currency, made on or before the payment's business day, due (promised date
  + grace days) on or after it, and on the payment's loan or customer-level. Promises on the
  payment's loan come first, then customer-level ones, each oldest promised date first
  (FIFO); no promise gets more than it still needs. A promise is KEPT as soon as its paid
  amount reaches ``(100 - tolerance)%`` of it. A payment without a loan counts only for
  customer-level promises. Promises passed over for their currency are not appropriated but
  reported (:mod:`promises.mismatches`: a stored row for supervisors, a metric, a log line).
- **Reversal.** The payment's appropriations are marked reversed and stop counting; each
  promise is re-evaluated: still kept, reopened (PENDING, while its due date has not passed)
  or not kept (PARTIALLY_KEPT or BROKEN, with a follow-up and ``promise.broken``). A promise
  that would reopen while a newer promise of its scope is pending is CANCELLED as superseded
  by it instead (one pending promise per scope). A reversal never moves other payments'
  money.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.models import CustomerCase
from promises import events, mismatches, terms
from promises.models import (
    BusinessHoliday,
    PaymentPromise,
    PromiseAppropriation,
    PromiseStatus,
    PromiseType,
)
from promises.selectors import promise_type_for
from workflow import generations
from workflow.actors import Actor
from workflow.business_time import business_date, business_today, day_start_utc, naive_utc
from workflow.enums import ActionResult
from workflow.errors import Conflict, Forbidden, NotFound, ValidationFailed
from workflow.models import Customer, Loan, OutboxEvent
from workflow.outbox import publish_rows
from workflow.permissions import Access, Capability, grant

# numeric(18,2): 16 integer digits.
MAX_AMOUNT = Decimal("9999999999999999.99")
SUPERSEDED_REASON = "Superseded by promise {id}"


# --- making and cancelling -------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseTerms:
    """The promise an action carries (``promiseAmount``, ``promiseDate``, ``promiseScope``);
    both amount and date are needed, checked by :func:`promise_make_for_action`."""

    amount: Decimal | None = None
    promised_date: dt.date | None = None
    customer_level: bool = False


def _check_amount(amount: Decimal, currency: str, *, field_name: str) -> None:
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(f"{field_name} must be more than 0.", field=field_name)
    if amount > MAX_AMOUNT:
        raise ValidationFailed(f"{field_name} is too large.", field=field_name)
    if not terms.has_currency_places(amount, currency):
        places = terms.currency_places(currency)
        raise ValidationFailed(
            f"{field_name} may have at most {places} decimal places in {currency}.",
            field=field_name,
        )


def _check_promised_date(promised_date: dt.date, *, field_name: str) -> None:
    today = business_today()
    horizon = today + dt.timedelta(days=terms.max_days_ahead())
    if promised_date < today:
        raise ValidationFailed(
            f"{field_name} must not be before today ({today.isoformat()}, bank time).",
            field=field_name,
        )
    if promised_date > horizon:
        raise ValidationFailed(
            f"{field_name} must be at most {terms.max_days_ahead()} days ahead "
            f"(on or before {horizon.isoformat()}).",
            field=field_name,
        )


@transaction.atomic
def promise_make(
    *,
    actor: Actor,
    agent_id: uuid.UUID,
    cif: str,
    loan_account_number: str,
    amount: Decimal,
    promised_date: dt.date,
    customer_level: bool = False,
    action_id: uuid.UUID | None = None,
) -> PaymentPromise:
    """Record a promise of customer ``cif`` to pay ``amount`` by ``promised_date``.

    ``loan_account_number`` is the loan the promise was obtained on (its currency is the
    promise's); ``customer_level`` makes the promise cover all the customer's loans. A pending
    promise of the same scope is superseded (module docstring). Publishes ``promise.made``
    (and ``promise.cancelled`` for a superseded one).
    """
    loan = (
        Loan.objects.filter(account_number=loan_account_number)
        .only("customer", "currency", "product_type")
        .first()
    )
    if loan is None:
        raise NotFound(
            f"No loan with account number {loan_account_number}.", field="loanAccountNumber"
        )
    if loan.customer_id != cif:
        raise ValidationFailed(
            f"Loan {loan_account_number} does not belong to customer {cif}.",
            field="loanAccountNumber",
        )
    segment = Customer.objects.filter(cif=cif).values_list("segment", flat=True).first()
    if segment is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    currency = loan.currency.upper()
    _check_amount(amount, currency, field_name="promiseAmount")
    amount = amount.quantize(Decimal("0.01"))  # as stored: numeric(18,2)
    _check_promised_date(promised_date, field_name="promiseDate")

    kind = promise_type_for(product_type=loan.product_type, segment=segment)
    promise = PaymentPromise(
        id=uuid.uuid4(),
        customer_id=cif,
        loan_id=None if customer_level else loan_account_number,
        agent_id=agent_id,
        action_id=action_id,
        promise_type=kind,
        amount=amount,
        currency=currency,
        promised_date=promised_date,
        grace_days=kind.grace_days if kind else settings.PROMISE_DEFAULT_GRACE_DAYS,
        tolerance_percent=(
            kind.tolerance_percent
            if kind
            else Decimal(settings.PROMISE_DEFAULT_TOLERANCE_PERCENT).quantize(Decimal("0.01"))
        ),
        status=PromiseStatus.PENDING,
        paid_amount=Decimal("0.00"),
        created_by=actor.username,
        updated_by=actor.username,
    )
    same_scope = PaymentPromise.objects.select_for_update().filter(
        customer_id=cif, status=PromiseStatus.PENDING
    )
    same_scope = (
        same_scope.filter(loan__isnull=True)
        if customer_level
        else same_scope.filter(loan_id=loan_account_number)
    )
    superseded = list(same_scope.order_by("id"))
    now = timezone.now()
    for old in superseded:
        old.status = PromiseStatus.CANCELLED
        old.resolved_at = now
        old.cancelled_by = actor.username
        old.cancel_reason = SUPERSEDED_REASON.format(id=promise.id)
        old.superseded_by_id = promise.id
        old.updated_at = now
        old.updated_by = actor.username
        old.save(
            update_fields=[
                "status",
                "resolved_at",
                "cancelled_by",
                "cancel_reason",
                "superseded_by",
                "updated_at",
                "updated_by",
            ]
        )
        events.publish_promise_cancelled(promise=old, actor=actor)
    promise.save(force_insert=True)
    events.publish_promise_made(promise=promise, actor=actor)
    generations.bump_agents_on_commit(agent_id, *(old.agent_id for old in superseded))
    return promise


@transaction.atomic
def promise_make_for_action(
    *,
    actor: Actor,
    terms_given: PromiseTerms,
    action_id: uuid.UUID,
    action_result: str,
    agent_id: uuid.UUID,
    cif: str,
    loan_account_number: str,
) -> PaymentPromise:
    """The promise obtained by a new action (``actions.services.action_record``): the
    action's result must be PROMISE_TO_PAY and both the amount and the date are required."""
    if action_result != ActionResult.PROMISE_TO_PAY:
        raise ValidationFailed(
            "promiseAmount and promiseDate go only with actionResult PROMISE_TO_PAY.",
            field="promiseAmount" if terms_given.amount is not None else "promiseDate",
        )
    if terms_given.amount is None:
        raise ValidationFailed("promiseAmount is required with promiseDate.", field="promiseAmount")
    if terms_given.promised_date is None:
        raise ValidationFailed("promiseDate is required with promiseAmount.", field="promiseDate")
    return promise_make(
        actor=actor,
        agent_id=agent_id,
        cif=cif,
        loan_account_number=loan_account_number,
        amount=terms_given.amount,
        promised_date=terms_given.promised_date,
        customer_level=terms_given.customer_level,
        action_id=action_id,
    )


@transaction.atomic
def promise_cancel(*, actor: Actor, promise_id: uuid.UUID, reason: str) -> PaymentPromise:
    """Cancel pending promise ``promise_id`` for ``reason``.

    The agent who obtained it may, and supervisors and admins (EDIT_RESULTS on every action)
    may cancel any. A promise no longer pending cannot be cancelled (409). Publishes
    ``promise.cancelled``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason is required.", field="reason")
    # Locked alone: FOR UPDATE OF cannot name the schema-qualified table of a join.
    promise = PaymentPromise.objects.select_for_update().filter(id=promise_id).first()
    if promise is None:
        raise NotFound(f"No promise with id {promise_id}.", field="id")
    if grant(actor, Capability.EDIT_RESULTS).access is not Access.ALLOWED and (
        actor.user_id is None or promise.agent.user_id != actor.user_id
    ):
        raise Forbidden("Only the agent who obtained this promise, or a supervisor, may cancel it.")
    if promise.status != PromiseStatus.PENDING:
        raise Conflict(
            f"Promise {promise_id} is {promise.status}; only a PENDING promise can be cancelled.",
            field="id",
        )
    now = timezone.now()
    promise.status = PromiseStatus.CANCELLED
    promise.resolved_at = now
    promise.cancelled_by = actor.username
    promise.cancel_reason = reason
    promise.updated_at = now
    promise.updated_by = actor.username
    promise.save(
        update_fields=[
            "status",
            "resolved_at",
            "cancelled_by",
            "cancel_reason",
            "updated_at",
            "updated_by",
        ]
    )
    events.publish_promise_cancelled(promise=promise, actor=actor)
    generations.bump_agents_on_commit(promise.agent_id)
    return promise


@transaction.atomic
def business_holiday_save(*, holiday: BusinessHoliday, actor: Actor) -> BusinessHoliday:
    """Add or rename a bank holiday (the admin's form), audit columns filled. Follow-ups
    decided from now on skip it; those already set keep their date."""
    holiday.name = (holiday.name or "").strip()
    if not holiday.name:
        raise ValidationFailed("name is required.", field="name")
    now = timezone.now()
    if holiday._state.adding:
        holiday.created_at = now
        holiday.created_by = actor.username
    holiday.updated_at = now
    holiday.updated_by = actor.username
    holiday.save()
    return holiday


@transaction.atomic
def promise_type_save(*, promise_type: PromiseType, actor: Actor) -> PromiseType:
    """Create or change a promise type (the admin's form), audit columns filled.

    Promises already made keep the terms they copied. Blank product or segment means any.
    """
    if not 0 <= promise_type.grace_days <= 60:
        raise ValidationFailed("grace_days must be from 0 to 60.", field="grace_days")
    if not Decimal(0) <= promise_type.tolerance_percent < Decimal(100):
        raise ValidationFailed(
            "tolerance_percent must be from 0 to less than 100.", field="tolerance_percent"
        )
    promise_type.product_type = promise_type.product_type or None
    promise_type.segment = promise_type.segment or None
    now = timezone.now()
    if promise_type._state.adding:
        promise_type.created_at = now
        promise_type.created_by = actor.username
    promise_type.updated_at = now
    promise_type.updated_by = actor.username
    promise_type.save()
    return promise_type


# --- payments ----------------------------------------------------------------------------------


@dataclass
class Appropriation:
    """What one payment did to promises."""

    payment_id: str
    applied: list[tuple[uuid.UUID, Decimal]] = field(default_factory=list)
    kept: list[uuid.UUID] = field(default_factory=list)
    currency_mismatch: list[uuid.UUID] = field(default_factory=list)
    unapplied: Decimal = Decimal("0.00")


def _follow_up_agents(cifs: Iterable[str]) -> dict[str, uuid.UUID | None]:
    """The assigned call agent of each customer's case (None without a case or agent)."""
    rows = CustomerCase.objects.filter(customer_id__in=set(cifs)).values_list(
        "customer_id", "assigned_call_agent_id"
    )
    return {str(cif): agent_id for cif, agent_id in rows}


APPROPRIATION_ACTOR = "payment-appropriation"

# Payments' appropriations and the promises they change, in one statement (a payment on the
# Kafka path costs no ORM compilation): each promise's new paid amount, status and resolution
# (once, its state after every payment of the call), and the appropriation rows (a repeat of a
# (payment, promise) pair adds nothing).
_APPROPRIATIONS_SQL = """
WITH changed AS (
    UPDATE workflow_service.payment_promises p
       SET paid_amount = t.paid_amount, status = t.status, resolved_at = t.resolved_at,
           updated_at = %s::timestamp, updated_by = %s::text
      FROM unnest(%s::uuid[], %s::numeric[], %s::text[], %s::timestamp[])
        AS t(id, paid_amount, status, resolved_at)
     WHERE p.id = t.id
)
INSERT INTO workflow_service.promise_appropriations
       (id, promise_id, payment_id, amount, appropriated_at)
SELECT t.id, t.promise_id, t.payment_id, t.amount, %s::timestamp
  FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::numeric[])
    AS t(id, promise_id, payment_id, amount)
ON CONFLICT DO NOTHING
"""


def _appropriations_save(
    *, rows: list[PromiseAppropriation], promises: Iterable[PaymentPromise], now: dt.datetime
) -> None:
    """Write ``rows`` and the new state of ``promises`` (each once)."""
    if not rows:
        return
    changed = list({promise.id: promise for promise in promises}.values())
    naive = naive_utc(now)
    with connection.cursor() as cursor:
        cursor.execute(
            _APPROPRIATIONS_SQL,
            [
                naive,
                APPROPRIATION_ACTOR,
                [promise.id for promise in changed],
                [promise.paid_amount for promise in changed],
                [str(promise.status) for promise in changed],
                [naive_utc(promise.resolved_at) for promise in changed],
                naive,
                [row.id for row in rows],
                [row.promise_id for row in rows],
                [row.payment_id for row in rows],
                [row.amount for row in rows],
            ],
        )


def _candidates_sort_key(
    loan_account_number: str | None,
) -> Callable[[PaymentPromise], tuple[bool, dt.date, dt.datetime, uuid.UUID]]:
    """The order in which a payment on ``loan_account_number`` is applied to its candidates:
    the loan's first, oldest promised date first."""

    def key(promise: PaymentPromise) -> tuple[bool, dt.date, dt.datetime, uuid.UUID]:
        return (
            promise.loan_id != loan_account_number,  # IS DISTINCT FROM: None == None
            promise.promised_date,
            promise.created_at,
            promise.id,
        )

    return key


def _allocate(
    *,
    payment_id: str,
    amount: Decimal,
    currency: str | None,
    candidates: list[PaymentPromise],
    now: dt.datetime,
) -> tuple[Appropriation, list[PromiseAppropriation], list[PaymentPromise]]:
    """Apply a payment to ``candidates`` (in their order), changing them in memory: what it
    did, its appropriation rows and the promises it changed (module docstring)."""
    result = Appropriation(payment_id=payment_id, unapplied=amount)
    remaining = amount
    rows: list[PromiseAppropriation] = []
    changed: list[PaymentPromise] = []
    for promise in candidates:
        if not currency or promise.currency != currency.upper():
            result.currency_mismatch.append(promise.id)
            continue
        if remaining <= 0:
            break
        take = min(promise.amount - promise.paid_amount, remaining)
        if take <= 0:
            continue
        remaining -= take
        rows.append(
            PromiseAppropriation(
                id=uuid.uuid4(), promise=promise, payment_id=payment_id, amount=take
            )
        )
        result.applied.append((promise.id, take))
        promise.paid_amount += take
        promise.updated_at = now
        promise.updated_by = APPROPRIATION_ACTOR
        if terms.is_kept(
            paid=promise.paid_amount,
            amount=promise.amount,
            tolerance_percent=promise.tolerance_percent,
        ):
            promise.status = PromiseStatus.KEPT
            promise.resolved_at = now
            result.kept.append(promise.id)
        changed.append(promise)
    result.unapplied = remaining
    return result, rows, changed


def _after_allocation(
    *,
    result: Appropriation,
    cif: str,
    amount: Decimal,
    currency: str | None,
    candidates: list[PaymentPromise],
    kept_events: list[OutboxEvent],
) -> None:
    """A payment's events and reports once allocated: ``promise.kept`` rows (into
    ``kept_events``, built now: they carry the current request id), its currency mismatches,
    and the cache bumps of the agents whose promises it paid."""
    for promise in candidates:
        if promise.id in result.kept:
            kept_events.append(
                events.promise_kept_row(promise=promise, payment_id=result.payment_id)
            )
    if result.currency_mismatch:
        mismatches.mismatches_record(
            payment_id=result.payment_id,
            cif=cif,
            amount=amount,
            currency=currency,
            promises=(p for p in candidates if p.id in result.currency_mismatch),
        )
    generations.bump_agents_on_commit(
        *(promise.agent_id for promise in candidates if promise.id in dict(result.applied))
    )


@dataclass(frozen=True)
class NewPayment:
    """A payment just stored (``payments.services.payments_record``), to apply."""

    payment_id: str
    cif: str | None  # None: a customer unknown, nothing to apply it to
    loan_account_number: str | None
    amount: Decimal
    currency: str | None  # None: it matches no promise (reported as a currency mismatch)
    payment_date: dt.datetime
    # The context its events are built in (the Kafka event's trace: its request id).
    context: Callable[[], AbstractContextManager[None]] = nullcontext


def promises_apply_payments(payments: Sequence[NewPayment]) -> list[Appropriation]:
    """Apply newly stored payments to their customers' pending promises, in their order
    (module docstring); call it in the transaction that stored them. One statement locks the
    PENDING promises of all their customers. Each payment goes to its candidates: those due on
    or after its business day and made before that day's end, on its loan or customer-level,
    the loan's first, oldest promised date first (a promise an earlier payment completed is
    no longer pending); one statement writes every appropriation and promise (the unique
    (payment, promise) key makes a repeat add nothing), one INSERT the ``promise.kept``
    events of the promises they complete."""
    applicable = [payment for payment in payments if payment.cif and payment.amount > 0]
    results = {
        payment.payment_id: Appropriation(payment_id=payment.payment_id, unapplied=payment.amount)
        for payment in payments
    }
    if not applicable:
        return list(results.values())
    pending: dict[str, list[PaymentPromise]] = {}
    for promise in PaymentPromise.objects.raw(
        "SELECT * FROM workflow_service.payment_promises "
        "WHERE cif = ANY(%s::text[]) AND status = %s::text ORDER BY id FOR UPDATE",
        [sorted({str(payment.cif) for payment in applicable}), PromiseStatus.PENDING.value],
    ):
        pending.setdefault(promise.customer_id, []).append(promise)
    now = timezone.now()
    rows: list[PromiseAppropriation] = []
    changed: list[PaymentPromise] = []
    kept: list[OutboxEvent] = []
    for payment in applicable:
        cif = str(payment.cif)
        pay_day = business_date(payment.payment_date)
        day_end = day_start_utc(pay_day + dt.timedelta(days=1))
        candidates = sorted(
            (
                promise
                for promise in pending.get(cif, [])
                if promise.status == PromiseStatus.PENDING
                and promise.due_date >= pay_day
                and promise.created_at < day_end
                and promise.loan_id in (None, payment.loan_account_number)
            ),
            key=_candidates_sort_key(payment.loan_account_number),
        )
        result, payment_rows, payment_changed = _allocate(
            payment_id=payment.payment_id,
            amount=payment.amount,
            currency=payment.currency,
            candidates=candidates,
            now=now,
        )
        results[payment.payment_id] = result
        rows += payment_rows
        changed += payment_changed
        with payment.context():
            _after_allocation(
                result=result,
                cif=cif,
                amount=payment.amount,
                currency=payment.currency,
                candidates=candidates,
                kept_events=kept,
            )
    _appropriations_save(rows=rows, promises=changed, now=now)
    publish_rows(kept)
    return list(results.values())


def _pending_successor(promise: PaymentPromise) -> PaymentPromise | None:
    """The other PENDING promise of ``promise``'s scope (its loan, or the customer's
    customer-level one), if any: at most one can be pending."""
    others = PaymentPromise.objects.filter(
        customer_id=promise.customer_id, status=PromiseStatus.PENDING
    ).exclude(id=promise.id)
    if promise.loan_id is None:
        return others.filter(loan__isnull=True).first()
    return others.filter(loan_id=promise.loan_id).first()


@transaction.atomic
def promises_withdraw_payment(
    *, payment_id: str, actor: Actor, today: dt.date | None = None
) -> list[PaymentPromise]:
    """Withdraw reversed payment ``payment_id`` from the promises it was applied to and
    re-evaluate them (module docstring); return the promises touched. Idempotent: a payment
    already withdrawn touches nothing."""
    today = today or business_today()
    live = list(
        PromiseAppropriation.objects.select_for_update()
        .filter(payment_id=payment_id, reversed_at__isnull=True)
        .order_by("promise_id")
    )
    if not live:
        return []
    withdrawn: dict[uuid.UUID, Decimal] = {}
    for row in live:
        withdrawn[row.promise_id] = withdrawn.get(row.promise_id, Decimal(0)) + row.amount
    promises = list(
        PaymentPromise.objects.select_for_update().filter(id__in=withdrawn).order_by("id")
    )
    now = timezone.now()
    PromiseAppropriation.objects.filter(id__in=[row.id for row in live]).update(
        reversed_at=now, reversed_by=actor.username
    )
    agents = _follow_up_agents(promise.customer_id for promise in promises)
    for promise in promises:
        before = promise.status
        promise.paid_amount -= withdrawn[promise.id]
        if promise.status != PromiseStatus.CANCELLED and not terms.is_kept(
            paid=promise.paid_amount,
            amount=promise.amount,
            tolerance_percent=promise.tolerance_percent,
        ):
            successor = _pending_successor(promise)
            if promise.due_date >= today and successor is not None:
                # A newer promise of the same scope is pending: it replaces this one, as if
                # it had been made while this one was pending.
                promise.status = PromiseStatus.CANCELLED
                promise.cancelled_by = actor.username
                promise.cancel_reason = SUPERSEDED_REASON.format(id=successor.id)
                promise.superseded_by_id = successor.id
            elif promise.due_date >= today:
                promise.status = PromiseStatus.PENDING
                promise.resolved_at = None
            else:
                promise.status = (
                    PromiseStatus.PARTIALLY_KEPT
                    if promise.paid_amount > 0
                    else PromiseStatus.BROKEN
                )
        if promise.status != before and promise.status in (
            PromiseStatus.BROKEN,
            PromiseStatus.PARTIALLY_KEPT,
        ):
            promise.resolved_at = now
            promise.follow_up_date = terms.next_business_day(today)
            promise.follow_up_agent_id = agents.get(promise.customer_id)
        elif promise.status != before and promise.status == PromiseStatus.CANCELLED:
            promise.resolved_at = now
        promise.updated_at = now
        promise.updated_by = actor.username
        promise.save(
            update_fields=[
                "paid_amount",
                "status",
                "resolved_at",
                "follow_up_date",
                "follow_up_agent",
                "cancelled_by",
                "cancel_reason",
                "superseded_by",
                "updated_at",
                "updated_by",
            ]
        )
        if promise.status != before and promise.status in (
            PromiseStatus.BROKEN,
            PromiseStatus.PARTIALLY_KEPT,
        ):
            events.publish_promise_broken(promise=promise)
        elif promise.status != before and promise.status == PromiseStatus.CANCELLED:
            events.publish_promise_cancelled(promise=promise, actor=actor)
    generations.bump_agents_on_commit(*(promise.agent_id for promise in promises))
    return promises
