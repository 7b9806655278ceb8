"""The promise figures of the performance reports (issue 15), from ``payment_promises``.

Definitions (periods are inclusive business days of ``BUSINESS_TIME_ZONE``; a promise belongs
to the agent who obtained it and to the period of the business day it was made):

- made: promises to pay with terms (amount and date) made in the period, whatever became of
  them; kept, partiallyKept, broken, cancelled, pending: how many of those are in each status
  now (a PROMISE_TO_PAY action without terms tracks no promise and is not counted here);
- keptRateByCount: kept / (kept + partiallyKept + broken) as a percentage, rounded half-up to
  2 decimals; cancelled and still pending promises are left out; null when none is resolved;
- keptRateByAmount: the amount paid towards those resolved promises / the amount they
  promised, as a percentage (2 decimals, half-up); null when none is resolved. Amounts of
  different currencies are added as they are;
- medianDaysToNextContact: over the BROKEN promises, the median number of business days from
  the day it was broken (resolvedAt) to the day of the first action recorded on the customer
  from that moment on, by any agent; promises without such an action yet are left out; null
  when there is none.

One query per report (grouped by agent for the ranking).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from workflow.business_time import day_range_utc, naive_utc

ZERO = Decimal("0.00")
PERCENT_PLACES = Decimal("0.01")


@dataclass
class PromiseFigures:
    """The promise figures of one agent (or team)."""

    made: int = 0
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    cancelled: int = 0
    resolved_amount: Decimal = field(default_factory=lambda: ZERO)
    resolved_paid: Decimal = field(default_factory=lambda: ZERO)
    median_days_to_next_contact: float | None = None

    @property
    def pending(self) -> int:
        return self.made - self.kept - self.partially_kept - self.broken - self.cancelled

    def as_report(self) -> dict[str, Any]:
        resolved = self.kept + self.partially_kept + self.broken
        return {
            "made": self.made,
            "kept": self.kept,
            "partially_kept": self.partially_kept,
            "broken": self.broken,
            "cancelled": self.cancelled,
            "pending": self.pending,
            "kept_rate_by_count": _percent(Decimal(self.kept), Decimal(resolved)),
            "kept_rate_by_amount": _percent(self.resolved_paid, self.resolved_amount),
            "median_days_to_next_contact": self.median_days_to_next_contact,
        }


def _percent(part: Decimal, whole: Decimal) -> float | None:
    if whole == 0:
        return None
    return float((part * 100 / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP))


PROMISE_FIGURES_SQL = """
    SELECT {group_key},
           count(*),
           count(*) FILTER (WHERE p.status = 'KEPT'),
           count(*) FILTER (WHERE p.status = 'PARTIALLY_KEPT'),
           count(*) FILTER (WHERE p.status = 'BROKEN'),
           count(*) FILTER (WHERE p.status = 'CANCELLED'),
           coalesce(sum(p.amount)
                    FILTER (WHERE p.status IN ('KEPT', 'PARTIALLY_KEPT', 'BROKEN')), 0),
           coalesce(sum(p.paid_amount)
                    FILTER (WHERE p.status IN ('KEPT', 'PARTIALLY_KEPT', 'BROKEN')), 0),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY contact.days)
               FILTER (WHERE contact.days IS NOT NULL)
    FROM workflow_service.payment_promises p
    LEFT JOIN LATERAL (
        SELECT ((a.action_date AT TIME ZONE 'UTC') AT TIME ZONE %(zone)s)::date
             - ((p.resolved_at AT TIME ZONE 'UTC') AT TIME ZONE %(zone)s)::date AS days
        FROM workflow_service.action_records a
        WHERE p.status = 'BROKEN' AND a.cif = p.cif AND a.action_date >= p.resolved_at
        ORDER BY a.action_date
        LIMIT 1
    ) contact ON true
    WHERE p.agent_id = ANY(%(agents)s)
      AND p.created_at >= %(lower)s AND p.created_at < %(upper)s
    GROUP BY 1
"""


def _rows(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date, *, by_agent: bool
) -> list[tuple[Any, ...]]:
    lower, upper = day_range_utc(start, end)
    assert lower is not None and upper is not None
    sql = PROMISE_FIGURES_SQL.format(group_key="p.agent_id" if by_agent else "NULL::uuid")
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "agents": list(agent_ids),
                "zone": settings.BUSINESS_TIME_ZONE,
                "lower": naive_utc(lower),
                "upper": naive_utc(upper),
            },
        )
        return list(cursor.fetchall())


def _figures(row: tuple[Any, ...]) -> PromiseFigures:
    median = row[8]
    return PromiseFigures(
        made=row[1],
        kept=row[2],
        partially_kept=row[3],
        broken=row[4],
        cancelled=row[5],
        resolved_amount=Decimal(row[6]),
        resolved_paid=Decimal(row[7]),
        median_days_to_next_contact=float(median) if median is not None else None,
    )


def promise_figures_by_agent(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[uuid.UUID, PromiseFigures]:
    """Each agent's promise figures over ``start..end`` (one grouped query; agents without
    promises are absent)."""
    if not agent_ids:
        return {}
    return {row[0]: _figures(row) for row in _rows(agent_ids, start, end, by_agent=True)}


def promise_figures_of(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> PromiseFigures:
    """The promise figures of these agents together (a team), over ``start..end``."""
    if not agent_ids:
        return PromiseFigures()
    rows = _rows(agent_ids, start, end, by_agent=False)
    return _figures(rows[0]) if rows else PromiseFigures()
