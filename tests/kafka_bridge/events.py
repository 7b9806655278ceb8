"""Payment service events as the payment service writes them (snake_case)."""

from __future__ import annotations

import uuid
from typing import Any


def payment_event(
    *,
    payment_id: str | None = None,
    cif: str | None = "C00000001",
    loan_account_number: str | None = "L00000001",
    amount: str | float = "1500000.00",
    payment_date: str = "2026-03-10T02:30:00Z",
    event_type: str = "payment.recorded",
    event_id: str | None = None,
    **payment_fields: Any,
) -> dict[str, Any]:
    payment: dict[str, Any] = {
        "id": payment_id or f"PAY-{uuid.uuid4().hex[:12]}",
        "reference_number": "REF-0001",
        "loan_account_number": loan_account_number,
        "cif": cif,
        "amount": amount,
        "currency": "VND",
        "payment_date": payment_date,
        "payment_channel": "BANK_TRANSFER",
        **payment_fields,
    }
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": event_type,
        "timestamp": "2026-03-10T02:30:05.123Z",
        "version": "1.0",
        "source": "payment-service",
        "payment": payment,
    }


def payment_ids(inbox_ids: list[int]) -> list[str]:
    """The payments of those (pending) inbox rows, in the order of ``inbox_ids``."""
    # Imported here: the soak imports this module before Django is set up.
    from kafka_bridge import inbox

    payloads = {row.id: row.payload for row in inbox.pending_for(inbox_ids, limit=10_000)}
    return [payloads[inbox_id]["payment"]["id"] for inbox_id in inbox_ids]
