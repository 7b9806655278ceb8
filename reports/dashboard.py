"""The supervisors' team dashboard: per team and per agent figures over a business period.

Figures over the bank's business days ``start..end`` (inclusive), from three queries whatever
the number of agents: the agents, one grouped aggregate over the period's action records
(a half-open UTC range on ``action_date``, so PostgreSQL visits only the period's partitions)
and one grouped count of the current assignments in ``customer_cases``.

- actions: the action records of the period;
- promises to pay: results PROMISE_TO_PAY;
- payments: results PAYMENT_MADE and PARTIAL_PAYMENT as recorded by agents. Payments received
  from the payment service (Kafka) are not available yet and are not counted;
- success rate: (PROMISE_TO_PAY + PAYMENT_MADE + PARTIAL_PAYMENT) / actions, a percentage;
- customers assigned: customers whose case names the agent as call or field agent today
  (a customer counts once per agent and once per team, even with both roles in it).

An action counts for its agent's current team. Listed: every active agent, and inactive
agents that still have actions in the period or customers assigned.

``bar_chart_svg`` draws actions against successful actions as an inline SVG, server-side,
so that the page needs no JavaScript and renders in any browser.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from actions.models import ActionRecord
from agents.models import Agent
from cases.models import CustomerCase
from reports.figures import SUCCESSFUL_RESULTS, success_rate
from workflow.business_time import day_range_utc
from workflow.enums import ActionResult

PAYMENT_RESULTS = (ActionResult.PAYMENT_MADE, ActionResult.PARTIAL_PAYMENT)


@dataclass
class Figures:
    """The counts of one agent, one team or everybody."""

    actions: int = 0
    promises: int = 0
    payments: int = 0
    successful: int = 0
    customers: int = 0

    @property
    def success_rate(self) -> Decimal | None:
        """Successful actions over actions, in percent with one decimal; None without actions."""
        if not self.actions:
            return None
        return success_rate(self.successful, self.actions, places=Decimal("0.1"))

    def add(self, other: Figures) -> None:
        """Add ``other``'s action counts (customers are counted distinct, elsewhere)."""
        self.actions += other.actions
        self.promises += other.promises
        self.payments += other.payments
        self.successful += other.successful


@dataclass
class AgentRow:
    agent_id: uuid.UUID
    name: str
    employee_id: str
    team: str
    is_active: bool
    figures: Figures


@dataclass
class TeamRow:
    team: str
    figures: Figures = field(default_factory=Figures)
    agents: list[AgentRow] = field(default_factory=list)


@dataclass
class TeamDashboard:
    start: dt.date
    end: dt.date
    team: str | None
    teams: list[TeamRow]
    total: Figures

    @property
    def agents(self) -> list[AgentRow]:
        return [agent for team in self.teams for agent in team.agents]


def _action_figures(
    *, start: dt.date, end: dt.date, agent_ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, Figures]:
    """Action counts per agent over the business days ``start..end``, in one query."""
    lower, upper = day_range_utc(start, end)
    actions = ActionRecord.objects.filter(action_date__gte=lower, action_date__lt=upper)
    if agent_ids is not None:
        actions = actions.filter(agent_id__in=agent_ids)
    rows = (
        actions.order_by()
        .values("agent_id")
        .annotate(
            actions=Count("id"),
            promises=Count("id", filter=Q(action_result=ActionResult.PROMISE_TO_PAY)),
            payments=Count("id", filter=Q(action_result__in=PAYMENT_RESULTS)),
            successful=Count("id", filter=Q(action_result__in=SUCCESSFUL_RESULTS)),
        )
    )
    return {
        row["agent_id"]: Figures(
            actions=row["actions"],
            promises=row["promises"],
            payments=row["payments"],
            successful=row["successful"],
        )
        for row in rows
    }


def _assigned_customers(*, team: str | None) -> tuple[dict[uuid.UUID, int], dict[str, int], int]:
    """Customers currently assigned: per agent, per team and in all, in one query.

    A customer whose call and field agent are the same person, or are in the same team,
    counts once for that agent or team (UNION and COUNT DISTINCT).
    """
    cases = connection.ops.quote_name(CustomerCase._meta.db_table)
    agents = connection.ops.quote_name(Agent._meta.db_table)
    team_filter = "WHERE ag.team = %s" if team is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH assigned AS (
                SELECT cif, assigned_call_agent_id AS agent_id FROM {cases}
                WHERE assigned_call_agent_id IS NOT NULL
                UNION
                SELECT cif, assigned_field_agent_id FROM {cases}
                WHERE assigned_field_agent_id IS NOT NULL
            )
            SELECT GROUPING(ag.team, s.agent_id), ag.team, s.agent_id, COUNT(DISTINCT s.cif)
            FROM assigned AS s JOIN {agents} AS ag ON ag.id = s.agent_id
            {team_filter}
            GROUP BY GROUPING SETS ((ag.team, s.agent_id), (ag.team), ())
            """,
            [team] if team is not None else [],
        )
        rows = cursor.fetchall()
    per_agent: dict[uuid.UUID, int] = {}
    per_team: dict[str, int] = {}
    total = 0
    for grouping, team_name, agent_id, customers in rows:
        if grouping == 0:
            per_agent[agent_id] = customers
        elif grouping == 1:
            per_team[team_name] = customers
        else:
            total = customers
    return per_agent, per_team, total


def team_dashboard(*, start: dt.date, end: dt.date, team: str | None = None) -> TeamDashboard:
    """The figures of every team (or of ``team``) and its agents over ``start..end``."""
    agents = Agent.objects.order_by("team", "name", "id").only(
        "id", "name", "employee_id", "team", "is_active"
    )
    if team is not None:
        agents = agents.filter(team=team)
    agent_list = list(agents)
    actions = _action_figures(
        start=start,
        end=end,
        agent_ids=[agent.id for agent in agent_list] if team is not None else None,
    )
    customers_per_agent, customers_per_team, customers_total = _assigned_customers(team=team)

    teams: dict[str, TeamRow] = {}
    total = Figures(customers=customers_total)
    for agent in agent_list:
        figures = actions.get(agent.id, Figures())
        figures.customers = customers_per_agent.get(agent.id, 0)
        if not agent.is_active and not (figures.actions or figures.customers):
            continue
        row = teams.setdefault(
            agent.team,
            TeamRow(
                team=agent.team, figures=Figures(customers=customers_per_team.get(agent.team, 0))
            ),
        )
        row.agents.append(
            AgentRow(
                agent_id=agent.id,
                name=agent.name,
                employee_id=agent.employee_id,
                team=agent.team,
                is_active=agent.is_active,
                figures=figures,
            )
        )
        row.figures.add(figures)
        total.add(figures)
    return TeamDashboard(start=start, end=end, team=team, teams=list(teams.values()), total=total)


# --- Chart ---------------------------------------------------------------------------------

CHART_WIDTH = 760
LABEL_WIDTH = 210
VALUE_WIDTH = 60
BAR_HEIGHT = 12
ROW_GAP = 10
TOP = 34
ACTIONS_COLOUR = "#79aec8"
SUCCESS_COLOUR = "#5b8a3c"


def bar_chart_svg(bars: list[tuple[str, int, int]], *, title: str) -> SafeString:
    """A horizontal bar chart of ``(label, actions, successful)``, as inline SVG markup.

    Each label gets two bars on one scale, actions and successful actions, with their values
    written at the end of the bar. Labels are escaped.
    """
    plot_width = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    scale = max([actions for _, actions, _ in bars] + [1])
    row_height = 2 * BAR_HEIGHT + ROW_GAP
    height = TOP + max(len(bars), 1) * row_height + 10
    parts: list[str] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
            'role="img" aria-label="{}" class="dashboard-chart" '
            'font-family="sans-serif" font-size="12">',
            CHART_WIDTH,
            height,
            CHART_WIDTH,
            height,
            title,
        ),
        format_html("<title>{}</title>", title),
        format_html(
            '<rect x="{}" y="6" width="12" height="12" fill="{}"/>'
            '<text x="{}" y="16">actions</text>'
            '<rect x="{}" y="6" width="12" height="12" fill="{}"/>'
            '<text x="{}" y="16">successful (promise to pay or payment)</text>',
            LABEL_WIDTH,
            ACTIONS_COLOUR,
            LABEL_WIDTH + 16,
            LABEL_WIDTH + 90,
            SUCCESS_COLOUR,
            LABEL_WIDTH + 106,
        ),
    ]
    if not bars:
        parts.append(format_html('<text x="{}" y="{}">No data.</text>', LABEL_WIDTH, TOP + 12))
    for index, (label, actions, successful) in enumerate(bars):
        y = TOP + index * row_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT + 4,
                label if len(label) <= 30 else label[:29] + "…",
            )
        )
        for offset, value, colour in (
            (0, actions, ACTIONS_COLOUR),
            (BAR_HEIGHT, successful, SUCCESS_COLOUR),
        ):
            width = round(plot_width * value / scale, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="10">{}</text>',
                    LABEL_WIDTH,
                    y + offset,
                    width,
                    BAR_HEIGHT - 1,
                    colour,
                    LABEL_WIDTH + width + 4,
                    y + offset + BAR_HEIGHT - 2,
                    value,
                )
            )
    parts.append("</svg>")
    # Every part is a constant or built by format_html, which escapes the labels.
    return mark_safe("".join(parts))  # noqa: S308
