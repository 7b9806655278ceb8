"""The events the promises app publishes through the outbox (docs/events.md).

Key: the customer's cif, so that one customer's promise events (and actions, assignments)
reach consumers in order. Every payload carries the promise's state after the change.
The resolution job (:mod:`promises.resolution`) writes ``promise.broken`` rows with one
set-based INSERT built from :data:`PROMISE_BROKEN_SCHEMA`'s fields (a test checks them).
"""

from __future__ import annotations

from typing import Any

from promises.models import PaymentPromise, PromiseStatus
from workflow.actors import Actor
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.outbox import ACTOR, ENVELOPE, actor_payload, event_row, iso_z, publish

PROMISE_MADE = "workflow-service.promise.made"
PROMISE_KEPT = "workflow-service.promise.kept"
PROMISE_BROKEN = "workflow-service.promise.broken"
PROMISE_CANCELLED = "workflow-service.promise.cancelled"

_PROMISE_STATE = {
    **ENVELOPE,
    "promiseId": Field("uuid"),
    "cif": Field("string", min_length=1, max_length=20),
    "loanAccountNumber": Field(
        "string", nullable=True, max_length=20, description="null: a customer-level promise"
    ),
    "agentId": Field("uuid"),
    "actionId": Field("uuid", nullable=True),
    "amount": Field("decimal"),
    "currency": Field("string", min_length=3, max_length=3),
    "promisedDate": Field("date"),
    "graceDays": Field("integer"),
    "tolerancePercent": Field("decimal"),
    "status": Field("string", choices=tuple(PromiseStatus.values)),
    "paidAmount": Field("decimal"),
    "resolvedAt": Field("datetime", nullable=True),
}

PROMISE_MADE_SCHEMA = Schema(
    {
        **_PROMISE_STATE,
        "madeBy": Field("object", schema=ACTOR),
    },
    description="an agent obtained a promise to pay (with amount and date)",
)

PROMISE_KEPT_SCHEMA = Schema(
    {**_PROMISE_STATE, "paymentId": Field("identifier", max_length=64)},
    description="payments reached (100 - tolerance)% of the promise; paymentId completed it",
)

PROMISE_BROKEN_SCHEMA = Schema(
    {
        **_PROMISE_STATE,
        "followUpDate": Field("date", description="business day the call agent follows up"),
        "followUpAgentId": Field(
            "uuid", nullable=True, description="the customer's assigned call agent, if any"
        ),
    },
    description=(
        "the promise was not kept by its due date (status BROKEN: nothing paid, or "
        "PARTIALLY_KEPT: something paid)"
    ),
)

PROMISE_CANCELLED_SCHEMA = Schema(
    {
        **_PROMISE_STATE,
        "reason": Field("string", max_length=500),
        "supersededBy": Field("uuid", nullable=True, description="the promise replacing it"),
        "cancelledBy": Field("object", schema=ACTOR),
    },
    description="the promise was cancelled, or superseded by a new one on the same loan",
)

# Topic -> payload schema of every event this app produces.
PRODUCED: dict[str, Schema] = {
    PROMISE_MADE: PROMISE_MADE_SCHEMA,
    PROMISE_KEPT: PROMISE_KEPT_SCHEMA,
    PROMISE_BROKEN: PROMISE_BROKEN_SCHEMA,
    PROMISE_CANCELLED: PROMISE_CANCELLED_SCHEMA,
}


def promise_state(promise: PaymentPromise) -> dict[str, Any]:
    """The promise as every promise event carries it."""
    return {
        "promiseId": promise.id,
        "cif": promise.customer_id,
        "loanAccountNumber": promise.loan_id,
        "agentId": promise.agent_id,
        "actionId": promise.action_id,
        "amount": promise.amount,
        "currency": promise.currency,
        "promisedDate": promise.promised_date.isoformat(),
        "graceDays": promise.grace_days,
        "tolerancePercent": promise.tolerance_percent,
        "status": promise.status,
        "paidAmount": promise.paid_amount,
        "resolvedAt": iso_z(promise.resolved_at) if promise.resolved_at else None,
    }


def publish_promise_made(*, promise: PaymentPromise, actor: Actor) -> OutboxEvent:
    """Queue ``workflow-service.promise.made``."""
    return publish(
        topic=PROMISE_MADE,
        key=promise.customer_id,
        payload={**promise_state(promise), "madeBy": actor_payload(actor)},
        schema=PROMISE_MADE_SCHEMA,
    )


def promise_kept_row(*, promise: PaymentPromise, payment_id: str) -> OutboxEvent:
    """The outbox row of ``workflow-service.promise.kept``, not yet saved
    (``outbox.publish_rows``); ``payment_id`` is the payment that made it."""
    return event_row(
        topic=PROMISE_KEPT,
        key=promise.customer_id,
        payload={**promise_state(promise), "paymentId": payment_id},
        schema=PROMISE_KEPT_SCHEMA,
    )


def publish_promise_broken(*, promise: PaymentPromise) -> OutboxEvent:
    """Queue ``workflow-service.promise.broken`` (status BROKEN or PARTIALLY_KEPT)."""
    assert promise.follow_up_date is not None
    return publish(
        topic=PROMISE_BROKEN,
        key=promise.customer_id,
        payload={
            **promise_state(promise),
            "followUpDate": promise.follow_up_date.isoformat(),
            "followUpAgentId": promise.follow_up_agent_id,
        },
        schema=PROMISE_BROKEN_SCHEMA,
    )


def publish_promise_cancelled(*, promise: PaymentPromise, actor: Actor) -> OutboxEvent:
    """Queue ``workflow-service.promise.cancelled``."""
    return publish(
        topic=PROMISE_CANCELLED,
        key=promise.customer_id,
        payload={
            **promise_state(promise),
            "reason": (promise.cancel_reason or "")[:500],
            "supersededBy": promise.superseded_by_id,
            "cancelledBy": actor_payload(actor),
        },
        schema=PROMISE_CANCELLED_SCHEMA,
    )
