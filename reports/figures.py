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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from actions.models import ActionRecord
from agents.models import Agent
from payments.models import Payment
from workflow.business_time import business_today, day_range_utc, day_start_utc
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


def agent_actions_in_period(
    *, agent: Agent, start: dt.date, end: dt.date
) -> QuerySet[ActionRecord]:
    """The agent's action records on the business days ``start..end`` inclusive.

    Filters ``action_date`` with a half-open UTC range so that PostgreSQL prunes partitions.
    """
    lower, upper = day_range_utc(start, end)
    return ActionRecord.objects.filter(
        agent=agent, action_date__gte=lower, action_date__lt=upper
    ).order_by()


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


def _action_aggregates() -> dict[str, Count]:
    return {
        "total": Count("id"),
        "successful": Count("id", filter=Q(action_result__in=SUCCESSFUL_RESULTS)),
        "calls_placed": Count("id", filter=Q(type=ActionType.CALL)),
        "calls_connected": Count(
            "id", filter=Q(type=ActionType.CALL) & ~Q(action_result=ActionResult.NO_CONTACT)
        ),
        "visits_completed": Count(
            "id", filter=Q(type=ActionType.VISIT) & ~Q(action_result=ActionResult.NO_CONTACT)
        ),
    }


def _counts(row: Mapping[str, Any]) -> ActionCounts:
    return ActionCounts(
        total=row["total"],
        successful=row["successful"],
        calls_placed=row["calls_placed"],
        calls_connected=row["calls_connected"],
        visits_completed=row["visits_completed"],
    )


# Both columns hold UTC in a timestamp without time zone: read it as UTC, then take the
# calendar day in the bank's zone (one AT TIME ZONE alone would read it as local time).
def _action_business_day() -> RawSQL:
    return RawSQL(
        "((action_date AT TIME ZONE 'UTC') AT TIME ZONE %s)::date",
        (settings.BUSINESS_TIME_ZONE,),
        output_field=DateField(),
    )


def _payment_business_day() -> RawSQL:
    return RawSQL(
        "((payment_date AT TIME ZONE 'UTC') AT TIME ZONE %s)::date",
        (settings.BUSINESS_TIME_ZONE,),
        output_field=DateField(),
    )


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A parameter for a ``timestamp`` (UTC) column in raw SQL, as UTCDateTimeField does."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment is not None else None


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


def daily_actions(actions: QuerySet[ActionRecord]) -> dict[dt.date, ActionCounts]:
    """The action metrics per business day of ``actions`` (one grouped query)."""
    per_day = (
        actions.annotate(day=_action_business_day())
        .values("day")
        .annotate(**_action_aggregates())
        .order_by("day")
    )
    return {row["day"]: _counts(row) for row in per_day}


def daily_payments(payments: QuerySet[Payment]) -> dict[dt.date, PaymentTotals]:
    """Count and amount of ``payments`` per business day of payment_date (one query)."""
    per_day = (
        payments.order_by()
        .annotate(day=_payment_business_day())
        .values("day")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("day")
    )
    return {
        row["day"]: PaymentTotals(count=row["n"], amount=row["amount"] or ZERO_AMOUNT)
        for row in per_day
    }


def live_actions_by_agent(
    agent_ids: Sequence[uuid.UUID], start: dt.date, end: dt.date
) -> dict[uuid.UUID, ActionCounts]:
    """The action metrics of each agent, from action_records (one grouped query)."""
    lower, upper = day_range_utc(start, end)
    rows = (
        ActionRecord.objects.filter(
            agent_id__in=agent_ids, action_date__gte=lower, action_date__lt=upper
        )
        .values("agent_id")
        .annotate(**_action_aggregates())
        .order_by()
    )
    return {row["agent_id"]: _counts(row) for row in rows}


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
            {"agents": list(agent_ids), "lower": _naive_utc(lower), "upper": _naive_utc(upper)},
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
