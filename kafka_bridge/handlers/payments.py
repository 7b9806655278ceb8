"""Kafka handler of the payment service's events.

- ``payment.recorded``: store each payment, attributed to the agents assigned to its customer
  on its business day, and apply it to the customer's pending promises
  (``payments.services.payment_record``).
- ``payment.reversed``: the same payload, naming the payment that was reversed (and an
  optional top-level ``reason``): its promise appropriations stop counting
  (``payments.services.payment_reverse``). Idempotent on the payment id.

In a batch, :func:`payments_recorded` stores the ``payment.recorded`` events it can set-based
(``payments.services.payments_record``) and leaves the others to the handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from kafka_bridge import schemas, topics
from kafka_bridge.registry import BatchEvent, EventMeta, batch_step, handler
from payments.services import RecordedPayment, payment_record, payment_reverse, payments_record
from workflow.actors import system_actor
from workflow.event_schema import parse_datetime_utc, parse_decimal

# Who the reversal rows and promise audit columns name for reversals from the payment service.
ACTOR_NAME = "payment-service"


def _recorded(payload: dict[str, Any], meta: EventMeta) -> dict[str, Any]:
    """The arguments of ``payment_record`` for a ``payment.recorded`` event."""
    payment = payload["payment"]
    return {
        "payment_id": str(payment["id"]),
        "amount": parse_decimal(payment["amount"]),
        "payment_date": parse_datetime_utc(payment["payment_date"]),
        "cif": payment.get("cif") or None,
        "loan_account_number": payment.get("loan_account_number") or None,
        "reference_number": payment.get("reference_number"),
        "currency": payment.get("currency"),
        "payment_channel": payment.get("payment_channel"),
        "event_id": meta.event_id,
        "source": payload.get("source"),
        "raw": payload,
    }


@handler(
    topics.PAYMENT_RECEIVED,
    topic_setting="KAFKA_PAYMENT_TOPIC",
    schema=schemas.PAYMENT_RECEIVED,
    key_field="payment.cif",
    event_id_field="event_id",
    event_types=(schemas.PAYMENT_RECORDED, schemas.PAYMENT_REVERSED),
)
def payment_received(payload: dict[str, Any], meta: EventMeta) -> None:
    """``payment.recorded``: store and apply the payment; ``payment.reversed``: withdraw it."""
    payment = payload["payment"]
    if payload["event_type"] == schemas.PAYMENT_REVERSED:
        reason = payload.get("reason")
        payment_reverse(
            payment_id=str(payment["id"]),
            actor=system_actor(ACTOR_NAME),
            reason=str(reason)[:1000] if reason else None,
            event_id=meta.event_id,
        )
        return
    payment_record(**_recorded(payload, meta))


@batch_step(topics.PAYMENT_RECEIVED)
def payments_recorded(events: Sequence[BatchEvent]) -> set[uuid.UUID]:
    """A batch's ``payment.recorded`` events naming their customer and currency, stored and
    applied set-based (``payments.services.payments_record``), in their order, unless their
    order against an event left to the handler matters: the handler takes every event of a
    customer one of its events is left to the handler for (a reversal, a payment without a
    currency), every event naming a payment id it takes, and every event when one of those
    names no customer (a payment found through its loan, whose customer is not known here).
    A reversal is taken to name the customer of the payment it reverses (the same payload).
    (Events whose key another topic's event of the batch shares never reach a batch step.)"""

    payment: dict[int, dict[str, Any]] = {id(event): event.payload["payment"] for event in events}
    taken = [
        event
        for event in events
        if event.payload["event_type"] == schemas.PAYMENT_RECORDED
        and payment[id(event)].get("cif")
        and payment[id(event)].get("currency")
    ]
    while True:
        kept_ids = {id(event) for event in taken}
        left = [payment[id(event)] for event in events if id(event) not in kept_ids]
        if any(not fields.get("cif") for fields in left):
            return set()
        customers = {str(fields["cif"]) for fields in left}
        payment_ids = {str(fields["id"]) for fields in left}
        still = [
            event
            for event in taken
            if str(payment[id(event)]["cif"]) not in customers
            and str(payment[id(event)]["id"]) not in payment_ids
        ]
        if len(still) == len(taken):
            break
        taken = still
    payments_record(
        [
            RecordedPayment(**_recorded(event.payload, event.meta), context=event.traced)
            for event in taken
        ]
    )
    return {event.meta.event_id for event in taken}
