"""Kafka handler of the payment service's events.

- ``payment.recorded``: store each payment, attributed to the agents assigned to its customer
  on its business day, and apply it to the customer's pending promises
  (``payments.services.payment_record``).
- ``payment.reversed``: the same payload, naming the payment that was reversed (and an
  optional top-level ``reason``): its promise appropriations stop counting
  (``payments.services.payment_reverse``). Idempotent on the payment id.
"""

from __future__ import annotations

from typing import Any

from kafka_bridge import schemas, topics
from kafka_bridge.registry import EventMeta, handler
from payments.services import payment_record, payment_reverse
from workflow.actors import system_actor
from workflow.event_schema import parse_datetime_utc, parse_decimal

# Who the reversal rows and promise audit columns name for reversals from the payment service.
ACTOR_NAME = "payment-service"


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
    payment_record(
        payment_id=str(payment["id"]),
        amount=parse_decimal(payment["amount"]),
        payment_date=parse_datetime_utc(payment["payment_date"]),
        cif=payment.get("cif") or None,
        loan_account_number=payment.get("loan_account_number") or None,
        reference_number=payment.get("reference_number"),
        currency=payment.get("currency"),
        payment_channel=payment.get("payment_channel"),
        event_id=meta.event_id,
        source=payload.get("source"),
        raw=payload,
    )
