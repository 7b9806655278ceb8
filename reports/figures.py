"""The figures of agents' performance reports and where they come from: action records, payments
and the monthly view.

Definitions (the same in every report; periods are inclusive business days of the bank's
time zone, ``BUSINESS_TIME_ZONE``):

- action metrics count the agent's ``action_records`` whose ``action_date`` falls on a day of
  the period: totalActions (all), successfulActions (results PROMISE_TO_PAY, PAYMENT_MADE,
  PARTIAL_PAYMENT), callsPlaced (CALL), callsConnected (CALL not NO_CONTACT),
  visitsCompleted (VISIT not NO_CONTACT);
- a payment counts for an agent when the Kafka bridge attributed it to the agent, as call OR
  field agent (the agents assigned to the customer on the business day of the payment, fixed
  when the payment arrived); its day is the business day of ``payment_date``. A payment whose
  call and field agent are the same person counts once for them; in a team's totals a payment
  attributed to two agents of the team counts once.

Two sources give the action metrics, with identical numbers:

- live: grouped queries on ``action_records`` over the UTC range of the period
  (``day_range_utc``), so PostgreSQL scans only the partitions of the period;
- the ``agent_performance`` materialized view (business months since migration 0008), used
  when the period is whole business months, every one of which ended at least
  ``VIEW_SETTLE`` before the view's last refresh, the view was cut in ``BUSINESS_TIME_ZONE``,
  and the agent is active and unchanged since that refresh (the view holds active agents
  only). Figures from the view are as of that refresh: a record back-dated into such a
  month, or a result changed there, reaches them at the next refresh (every
  ``REPORTS_REFRESH_MINUTES``). Payments and the daily/weekly trends are always live.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from agents.models import Agent
from workflow.business_time import business_today, day_range_utc, day_start_utc, naive_utc
from workflow.enums import ActionResult, ActionType
from workflow.errors import ValidationFailed

# A month is read from the view only when it ended this long before the view's refresh, so
# that actions of its last minutes still being committed during the refresh are in it.
VIEW_SETTLE = dt.timedelta(minutes=5)

ZERO_AMOUNT = Decimal("0.00")

# Results that count as a successful action.
SUCCESSFUL_RESULTS = (
    ActionResult.PROMISE_TO_PAY,
    ActionResult.PAYMENT_MADE,
    ActionResult.PARTIAL_PAYMENT,
)

# The longest period one report may cover.
MAX_PERIOD_DAYS = 366


def performance_period(*, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The inclusive business-day period of a report, defaults applied and checked.

    ``end`` defaults to the bank's today and ``start`` to the first day of ``end``'s month.
    """
    end = end or business_today()
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationFailed(
            f"startDate {start} is after endDate {end} (endDate defaults to today).",
            field="startDate",
        )
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            f"The period may cover at most {MAX_PERIOD_DAYS} days.", field="endDate"
        )
    return start, end


@dataclass
class ActionCounts:
    """The action metrics of one agent (or team, or day)."""

    total: int = 0
    successful: int = 0
    calls_placed: int = 0
    calls_connected: int = 0
    visits_completed: int = 0

    def add(self, other: ActionCounts) -> None:
        self.total += other.total
        self.successful += other.successful
        self.calls_placed += other.calls_placed
        self.calls_connected += other.calls_connected
        self.visits_completed += other.visits_completed


@dataclass
class PaymentTotals:
    """Payments counted and their amount."""

    count: int = 0
    amount: Decimal = field(default_factory=lambda: ZERO_AMOUNT)

    def add(self, other: PaymentTotals) -> None:
        self.count += other.count
        self.amount += other.amount


# The action metrics (module docstring) as SQL aggregates over ``action_records``, in the
# order of ActionCounts' fields. The constants are the enums' own values.
_SUCCESSFUL_SQL = ", ".join(f"'{result.value}'" for result in SUCCESSFUL_RESULTS)
_ACTION_COUNTS_SQL = f"""
    count(*),
    count(*) FILTER (WHERE action_result IN ({_SUCCESSFUL_SQL})),
    count(*) FILTER (WHERE type = '{ActionType.CALL.value}'),
    count(*) FILTER (WHERE type = '{ActionType.CALL.value}'
                       AND action_result <> '{ActionResult.NO_CONTACT.value}'),
    count(*) FILTER (WHERE type = '{ActionType.VISIT.value}'
                       AND action_result <> '{ActionResult.NO_CONTACT.value}')
"""

# Both columns hold UTC in a timestamp without time zone: read it as UTC, then take the
# calendar day in the bank's zone (one AT TIME ZONE alone would read it as local time).
_BUSINESS_DAY_SQL = "(({column} AT TIME ZONE 'UTC') AT TIME ZONE %(zone)s::text)::date"

# The agents' actions per business day of the period (the UTC range prunes partitions).
DAILY_ACTIONS_SQL = f"""
    SELECT {_BUSINESS_DAY_SQL.format(column="action_date")} AS day, {_ACTION_COUNTS_SQL}
    FROM workflow_service.action_records
    WHERE agent_id = ANY(%(agents)s::uuid[])
      AND action_date >= %(lower)s::timestamp AND action_date < %(upper)s::timestamp
    GROUP BY day
    ORDER BY day
"""

# Each agent's actions over the period.
ACTIONS_BY_AGENT_SQL = f"""
    SELECT agent_id, {_ACTION_COUNTS_SQL}
    FROM workflow_service.action_records
    WHERE agent_id = ANY(%(agents)s::uuid[])
      AND action_date >= %(lower)s::timestamp AND action_date < %(upper)s::timestamp
    GROUP BY agent_id
"""

# The payments attributed to any of the agents (as call or field agent: each payment once),
# per business day of payment_date; reversed payments (payment_reversals) are not collected
# (payments.selectors.counted_payments).
DAILY_PAYMENTS_SQL = f"""
    SELECT {_BUSINESS_DAY_SQL.format(column="payment_date")} AS day, count(*),
           coalesce(sum(amount), 0)
    FROM workflow_service.payments p
    WHERE (call_agent_id = ANY(%(agents)s::uuid[]) OR field_agent_id = ANY(%(agents)s::uuid[]))
      AND payment_date >= %(lower)s::timestamp AND payment_date < %(upper)s::timestamp
      AND NOT EXISTS (SELECT 1 FROM workflow_service.payment_reversals r
                      WHERE r.payment_id = p.payment_id)
    GROUP BY day
    ORDER BY day
"""


def _period_rows(
    sql: str, agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    lower, upper = day_range_utc(start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "agents": list(agent_ids),
                "lower": naive_utc(lower),
                "upper": naive_utc(upper),
                "zone": settings.BUSINESS_TIME_ZONE,
            },
        )
        return cursor.fetchall()


def success_rate(
    successful: int, total: int, *, places: Decimal = Decimal("0.01")
) -> Decimal | None:
    """The success rate: ``successful / total`` as a percentage, rounded half-up to ``places``;
    None when ``total`` is 0. Every report uses this one definition (``successful`` counts the
    results in :data:`SUCCESSFUL_RESULTS`)."""
    if total == 0:
        return None
    return (Decimal(successful) * 100 / Decimal(total)).quantize(places, rounding=ROUND_HALF_UP)


# --- live sources ---------------------------------------------------------------------------


def daily_actions(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[dt.date, ActionCounts]:
    """The action metrics of the agents per business day of ``start..end`` (one statement)."""
    return {
        day: ActionCounts(*counts)
        for day, *counts in _period_rows(DAILY_ACTIONS_SQL, agent_ids, start, end)
    }


def daily_payments(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[dt.date, PaymentTotals]:
    """Count and amount of the payments attributed to any of the agents (each once), per
    business day of ``start..end`` (one statement)."""
    return {
        day: PaymentTotals(count=n, amount=amount)
        for day, n, amount in _period_rows(DAILY_PAYMENTS_SQL, agent_ids, start, end)
    }


def live_actions_by_agent(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[uuid.UUID, ActionCounts]:
    """The action metrics of each agent, from action_records (one statement)."""
    return {
        agent_id: ActionCounts(*counts)
        for agent_id, *counts in _period_rows(ACTIONS_BY_AGENT_SQL, agent_ids, start, end)
    }


# Reversed payments (payment_reversals) are not collected: payments.selectors.counted_payments.
PAYMENTS_BY_AGENT_SQL = """
    SELECT agent_id, count(*), coalesce(sum(amount), 0)
    FROM (
        SELECT call_agent_id AS agent_id, amount
        FROM workflow_service.payments p
        WHERE call_agent_id = ANY(%(agents)s)
          AND payment_date >= %(lower)s AND payment_date < %(upper)s
          AND NOT EXISTS (SELECT 1 FROM workflow_service.payment_reversals r
                          WHERE r.payment_id = p.payment_id)
        UNION ALL
        SELECT field_agent_id, amount
        FROM workflow_service.payments p
        WHERE field_agent_id = ANY(%(agents)s)
          AND field_agent_id IS DISTINCT FROM call_agent_id
          AND payment_date >= %(lower)s AND payment_date < %(upper)s
          AND NOT EXISTS (SELECT 1 FROM workflow_service.payment_reversals r
                          WHERE r.payment_id = p.payment_id)
    ) attributed
    GROUP BY agent_id
"""


def payments_by_agent(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[uuid.UUID, PaymentTotals]:
    """Payments attributed to each agent as call or field agent (one query)."""
    lower, upper = day_range_utc(start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            PAYMENTS_BY_AGENT_SQL,
            {"agents": list(agent_ids), "lower": naive_utc(lower), "upper": naive_utc(upper)},
        )
        return {
            agent_id: PaymentTotals(count=n, amount=amount)
            for agent_id, n, amount in cursor.fetchall()
        }


# --- the materialized view ------------------------------------------------------------------


def whole_months(start: dt.date, end: dt.date) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``((first year, month), (last year, month))`` when ``start..end`` is whole calendar
    months (start on a 1st, end on a month's last day); None otherwise."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return None
    return (start.year, start.month), (end.year, end.month)


VIEW_SQL = """
    WITH meta AS (
        SELECT refreshed_at, business_time_zone
        FROM workflow_service.agent_performance
        LIMIT 1
    )
    SELECT meta.refreshed_at, meta.business_time_zone, months.*
    FROM meta
    LEFT JOIN (
        SELECT agent_id,
               sum(total_actions), sum(successful_actions), sum(calls_placed),
               sum(calls_connected), sum(visits_completed)
        FROM workflow_service.agent_performance
        WHERE agent_id = ANY(%(agents)s)
          AND (year, month) >= (%(first_year)s, %(first_month)s)
          AND (year, month) <= (%(last_year)s, %(last_month)s)
        GROUP BY agent_id
    ) months ON true
"""


def view_action_counts(
    agents: Iterable[Agent], start: dt.date, end: dt.date
) -> dict[uuid.UUID, ActionCounts]:
    """The action metrics of those ``agents`` the materialized view can answer for exactly.

    Empty (and no query) unless ``start..end`` is whole months and an agent is active. The
    view answers for an agent when the view was cut in ``BUSINESS_TIME_ZONE``, the period
    ended ``VIEW_SETTLE`` before its refresh and the agent is active and was not changed
    since ``VIEW_SETTLE`` before it; such an agent without rows had no action (zeros).
    """
    months = whole_months(start, end)
    active = [agent for agent in agents if agent.is_active]
    if months is None or not active:
        return {}
    (first_year, first_month), (last_year, last_month) = months
    with connection.cursor() as cursor:
        cursor.execute(
            VIEW_SQL,
            {
                "agents": [agent.id for agent in active],
                "first_year": first_year,
                "first_month": first_month,
                "last_year": last_year,
                "last_month": last_month,
            },
        )
        rows = cursor.fetchall()
    if not rows:  # an empty view: not even a refresh time to rely on
        return {}
    refreshed_at = rows[0][0].replace(tzinfo=dt.UTC)
    if rows[0][1] != settings.BUSINESS_TIME_ZONE:
        return {}
    if day_start_utc(end + dt.timedelta(days=1)) + VIEW_SETTLE > refreshed_at:
        return {}
    sums = {
        row[2]: ActionCounts(*(int(value) for value in row[3:]))
        for row in rows
        if row[2] is not None
    }
    return {
        agent.id: sums.get(agent.id, ActionCounts())
        for agent in active
        if agent.updated_at + VIEW_SETTLE <= refreshed_at
    }
