"""Periodic work of the promises app (beat entry ``promises-resolve-due`` in settings)."""

from __future__ import annotations

import psycopg
from celery import shared_task
from django.db import OperationalError

from promises.resolution import promises_resolve_due


# A lost connection or a lock timeout is transient; the next hourly run would do the same work.
@shared_task(
    name="promises.tasks.resolve_due_promises",
    ignore_result=True,
    autoretry_for=(psycopg.OperationalError, OperationalError),
    max_retries=3,
    retry_backoff=60,
)
def resolve_due_promises() -> dict[str, int]:
    """Turn promises past their due date into PARTIALLY_KEPT or BROKEN."""
    return promises_resolve_due().as_dict()
