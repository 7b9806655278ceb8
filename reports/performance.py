"""Performance reports of agents and teams, assembled from :mod:`reports.figures`.

The definitions of every figure are in :mod:`reports.figures` (and in the OpenAPI
descriptions of the endpoints); reports of one agent go through the Redis cache
(:mod:`reports.cache`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from agents.models import Agent
from reports import cache, figures
from reports.figures import (
    ZERO_AMOUNT,
    ActionCounts,
    PaymentTotals,
    live_actions_by_agent,
    payments_by_agent,
    performance_period,
    success_rate,
    view_action_counts,
)
from reports.promise_figures import (
    PromiseFigures,
    promise_figures_by_agent,
    promise_figures_of,
)
from workflow.errors import NotFound

# --- report shapes --------------------------------------------------------------------------


def _success_rate(successful: int, total: int) -> float | None:
    """:func:`reports.figures.success_rate` as the API's JSON number (2 decimals)."""
    rate = success_rate(successful, total)
    return float(rate) if rate is not None else None


def _iso_week(day: dt.date) -> str:
    """``YYYY-Www``: the ISO week (and ISO year) of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _metrics(
    actions: ActionCounts, payments: PaymentTotals, promises: PromiseFigures
) -> dict[str, Any]:
    return {
        "total_actions": actions.total,
        "successful_actions": actions.successful,
        "calls_placed": actions.calls_placed,
        "calls_connected": actions.calls_connected,
        "visits_completed": actions.visits_completed,
        "payments_collected": payments.count,
        "total_amount_collected": payments.amount.quantize(ZERO_AMOUNT),
        "average_call_duration": None,
        "success_rate": _success_rate(actions.successful, actions.total),
        "promises": promises.as_report(),
    }


def _trends(
    actions: dict[dt.date, ActionCounts], payments: dict[dt.date, PaymentTotals]
) -> dict[str, list[dict[str, Any]]]:
    """One daily entry per business day with actions or payments, oldest first, and their
    sums per ISO week of that day."""
    daily: list[dict[str, Any]] = [
        {
            "date": day,
            "actions": actions[day].total if day in actions else 0,
            "amount_collected": (payments[day].amount if day in payments else ZERO_AMOUNT),
        }
        for day in sorted(actions.keys() | payments.keys())
    ]
    weekly: dict[str, dict[str, Any]] = {}
    for entry in daily:
        week = _iso_week(entry["date"])
        bucket = weekly.setdefault(
            week, {"week": week, "actions": 0, "amount_collected": ZERO_AMOUNT}
        )
        bucket["actions"] += entry["actions"]
        bucket["amount_collected"] += entry["amount_collected"]
    return {"daily": daily, "weekly": list(weekly.values())}


def _sum_counts(values: Iterable[ActionCounts]) -> ActionCounts:
    total = ActionCounts()
    for value in values:
        total.add(value)
    return total


def _sum_payments(values: Iterable[PaymentTotals]) -> PaymentTotals:
    total = PaymentTotals()
    for value in values:
        total.add(value)
    return total


# --- reports --------------------------------------------------------------------------------


def agent_performance(
    *, agent: Agent, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """An agent's figures over a business-day period (defaults: see ``performance_period``).

    Two live queries (action metrics per day, payments per day) whose sums give the metrics,
    plus one on the view for a whole-month period (which then gives the action metrics), plus
    one for the promise figures (:mod:`reports.promise_figures`).
    """
    start, end = performance_period(start=start, end=end)
    from_view = view_action_counts([agent], start, end)
    by_day_actions = figures.daily_actions([agent.id], start, end)
    by_day_payments = figures.daily_payments([agent.id], start, end)
    if agent.id in from_view:
        actions = from_view[agent.id]
    else:
        actions = _sum_counts(by_day_actions.values())
    return {
        "agent_id": agent.id,
        "agent_name": agent.name,
        "period": {"start_date": start, "end_date": end},
        "metrics": _metrics(
            actions,
            _sum_payments(by_day_payments.values()),
            promise_figures_of([agent.id], start, end),
        ),
        "trends": _trends(by_day_actions, by_day_payments),
    }


def cached_agent_performance(
    *, agent: Agent, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """:func:`agent_performance` through the Redis cache (:mod:`reports.cache`)."""
    start, end = performance_period(start=start, end=end)
    return cache.cached_report(
        agent_id=agent.id,
        version=agent.updated_at.strftime("%Y%m%d%H%M%S%f"),
        start=start,
        end=end,
        compute=lambda: agent_performance(agent=agent, start=start, end=end),
    )


def _action_counts_by_agent(
    agents: Sequence[Agent], start: dt.date, end: dt.date
) -> dict[uuid.UUID, ActionCounts]:
    """Each agent's action metrics: from the view where it answers, live for the others."""
    counts = view_action_counts(agents, start, end)
    live = [agent.id for agent in agents if agent.id not in counts]
    if live:
        found = live_actions_by_agent(live, start, end)
        counts.update({agent_id: found.get(agent_id, ActionCounts()) for agent_id in live})
    return counts


def agents_ranking(
    *, team: str | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """Every active agent (of ``team`` when given) with its metrics over the period, ranked.

    Order: successfulActions desc, totalActions desc, then name and id. ``rank`` is the
    competition rank on (successfulActions, totalActions): agents equal on both share it and
    the next rank skips (1, 2, 2, 4). At most five queries whatever the number of agents: the
    agents, the view (whole months only), the live counts (only for agents the view does not
    answer for), the payments and the promise figures.
    """
    start, end = performance_period(start=start, end=end)
    agents_query = Agent.objects.filter(is_active=True)
    if team is not None:
        agents_query = agents_query.filter(team=team)
    agents = list(agents_query.order_by("name", "id"))
    actions = _action_counts_by_agent(agents, start, end)
    payments = payments_by_agent([agent.id for agent in agents], start, end) if agents else {}
    promises = promise_figures_by_agent([agent.id for agent in agents], start, end)

    ranked = sorted(
        agents,
        key=lambda agent: (-actions[agent.id].successful, -actions[agent.id].total),
    )  # stable: name, id order kept among equals
    entries: list[dict[str, Any]] = []
    previous: tuple[int, int] | None = None
    rank = 0
    for position, agent in enumerate(ranked, start=1):
        score = (actions[agent.id].successful, actions[agent.id].total)
        if score != previous:
            rank, previous = position, score
        entries.append(
            {
                "agent_id": agent.id,
                "agent_name": agent.name,
                "team": agent.team,
                "rank": rank,
                "metrics": _metrics(
                    actions[agent.id],
                    payments.get(agent.id, PaymentTotals()),
                    promises.get(agent.id, PromiseFigures()),
                ),
            }
        )
    return {"period": {"start_date": start, "end_date": end}, "agents": entries}


def team_performance(
    *, team: str, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """The totals of a team's active agents over the period, with daily and weekly trends.

    404 when the team has no active agent. A payment attributed to two agents of the team
    counts once.
    """
    start, end = performance_period(start=start, end=end)
    agents = list(Agent.objects.filter(is_active=True, team=team).order_by("name", "id"))
    if not agents:
        raise NotFound(f"Team {team!r} has no active agent.", field="team")
    agent_ids = [agent.id for agent in agents]

    from_view = view_action_counts(agents, start, end)
    by_day_actions = figures.daily_actions(agent_ids, start, end)
    by_day_payments = figures.daily_payments(agent_ids, start, end)
    if not from_view:
        actions = _sum_counts(by_day_actions.values())
    else:
        live = [agent_id for agent_id in agent_ids if agent_id not in from_view]
        found = live_actions_by_agent(live, start, end) if live else {}
        actions = _sum_counts([*from_view.values(), *found.values()])
    return {
        "team": team,
        "period": {"start_date": start, "end_date": end},
        "agent_count": len(agents),
        "metrics": _metrics(
            actions,
            _sum_payments(by_day_payments.values()),
            promise_figures_of(agent_ids, start, end),
        ),
        "trends": _trends(by_day_actions, by_day_payments),
    }
