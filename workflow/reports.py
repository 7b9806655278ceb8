"""Refresh of the reporting materialized views (DESIGN.md §2, §3 item 5).

``agent_performance`` and ``customer_collection_status`` are refreshed CONCURRENTLY (readers
keep the old contents until the new ones commit; both views have a unique index since
migration 0004). Each view is refreshed in its own transaction, so a failure of one keeps
the other's new contents. REFRESH … CONCURRENTLY may run inside a transaction block (checked
on PostgreSQL 15 and 18; unlike CREATE INDEX CONCURRENTLY); it takes an EXCLUSIVE lock on the
view, which blocks only other refreshes, never readers.

A session advisory lock keeps two refreshes from running at once across processes (beat
ticks, a manual ``manage.py refresh_reports``): a refresh that finds it taken does nothing
and reports "skipped".
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from typing import Literal

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

VIEWS = ("agent_performance", "customer_collection_status")
# Session advisory-lock key: the first 8 bytes of sha256 of a name, as a signed bigint.
REFRESH_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"workflow.reports_refresh").digest()[:8], "big", signed=True
)


class ReportRefreshError(Exception):
    """At least one view could not be refreshed (the others were)."""

    def __init__(self, outcome: RefreshOutcome) -> None:
        self.outcome = outcome
        failed = ", ".join(f"{view.view}: {view.error}" for view in outcome.failed)
        super().__init__(f"materialized view refresh failed ({failed})")


@dataclass(frozen=True)
class ViewRefresh:
    view: str
    duration_ms: float
    rows: int | None  # rows in the view after the refresh; None when it failed
    error: str | None = None


@dataclass
class RefreshOutcome:
    status: Literal["refreshed", "skipped", "failed"]
    views: list[ViewRefresh] = field(default_factory=list)

    @property
    def failed(self) -> list[ViewRefresh]:
        return [view for view in self.views if view.error is not None]

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "views": [
                {
                    "view": view.view,
                    "duration_ms": view.duration_ms,
                    "rows": view.rows,
                    "error": view.error,
                }
                for view in self.views
            ],
        }


def refresh_reports() -> RefreshOutcome:
    """Refresh both views CONCURRENTLY unless another process is refreshing them.

    Returns the outcome (status "refreshed" or "skipped"); raises :class:`ReportRefreshError`
    when a view failed, after trying every view.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK_KEY])
        row = cursor.fetchone()
        if not (row and row[0]):
            logger.info("report refresh skipped: another refresh holds the advisory lock")
            return RefreshOutcome("skipped")
        try:
            outcome = RefreshOutcome("refreshed", [_refresh(view) for view in VIEWS])
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK_KEY])
    logger.info(
        "report refresh finished",
        extra={
            "duration_ms": round(sum(view.duration_ms for view in outcome.views), 1),
            "views_failed": len(outcome.failed),
        },
    )
    if outcome.failed:
        outcome.status = "failed"
        raise ReportRefreshError(outcome)
    return outcome


def _refresh(view: str) -> ViewRefresh:
    started = time.monotonic()
    try:
        # Its own transaction (a savepoint inside an outer one), so a failure stays local.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY workflow_service.{view}")
            cursor.execute(f"SELECT count(*) FROM workflow_service.{view}")
            row = cursor.fetchone()
    except DatabaseError as exc:
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        logger.exception(
            "materialized view refresh failed",
            extra={"view": view, "duration_ms": duration_ms},
        )
        return ViewRefresh(view, duration_ms, None, error=str(exc).strip())
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    rows = int(row[0]) if row else 0
    logger.info(
        "materialized view refreshed",
        extra={"view": view, "duration_ms": duration_ms, "rows": rows},
    )
    return ViewRefresh(view, duration_ms, rows)
