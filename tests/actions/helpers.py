"""Helpers shared by the action tests."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from workflow.models import Loan

BASE = "/api/v1/collection/actions"


def call_payload(loan: Loan, **overrides: Any) -> dict[str, Any]:
    """A valid ``POST /actions`` body for a reminder call on ``loan``."""
    body: dict[str, Any] = {
        "cif": loan.customer_id,
        "loanAccountNumber": loan.account_number,
        "type": "CALL",
        "subtype": "REMINDER_CALL",
        "actionResult": "PROMISE_TO_PAY",
        "actionDate": "2026-03-02T09:30:00+07:00",
        "notes": "Promised to pay on Friday.",
        "callTraceId": "TRACE-0001",
    }
    body.update(overrides)
    return body


def partition_of(action_id: uuid.UUID | str) -> str:
    """The partition of ``action_records`` that holds the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM workflow_service.action_records WHERE id = %s",
            [action_id],
        )
        return str(cursor.fetchone()[0])
