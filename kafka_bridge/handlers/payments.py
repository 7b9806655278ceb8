"""Kafka handler of the payment service's events: store each payment, attributed to the agents
assigned to its customer on its business day (``payments.services.payment_record``)."""

from __future__ import annotations

from typing import Any

from kafka_bridge import schemas, topics
from kafka_bridge.registry import EventMeta, handler
from payments.services import payment_record
from workflow.event_schema import parse_datetime_utc, parse_decimal


@handler(
    topics.PAYMENT_RECEIVED,
    topic_setting="KAFKA_PAYMENT_TOPIC",
    schema=schemas.PAYMENT_RECEIVED,
    key_field="payment.cif",
    event_id_field="event_id",
    event_types=(schemas.PAYMENT_RECORDED,),
)
def payment_received(payload: dict[str, Any], meta: EventMeta) -> None:
    """``payment.recorded``: store the payment, attributed to the agents of its day."""
    payment = payload["payment"]
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
