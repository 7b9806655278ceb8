"""Admin list filters by the team of a row's agent, shared by every admin listing agents' work."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from agents.models import Agent
from agents.selectors import agent_teams


def request_teams(request: HttpRequest) -> list[str]:
    """The agents' teams, read once per admin request (a page may show several team filters)."""
    teams: list[str] | None = getattr(request, "_agent_teams", None)
    if teams is None:
        teams = agent_teams()
        request._agent_teams = teams  # type: ignore[attr-defined]
    return teams


class AgentTeamFilter(admin.SimpleListFilter):
    """Rows whose agent (``agent_field``) belongs to the chosen team."""

    agent_field: str

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(team, team) for team in request_teams(request)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        team = self.value()
        if team is None:
            return queryset
        # An id list keeps the agent-id indexes usable (no join on every row).
        in_team = Agent.objects.filter(team=team).values("id")
        return queryset.filter(**{f"{self.agent_field}__in": in_team})


class CallAgentTeamFilter(AgentTeamFilter):
    title = "call agent's team"
    parameter_name = "call_team"
    agent_field = "assigned_call_agent"


class FieldAgentTeamFilter(AgentTeamFilter):
    title = "field agent's team"
    parameter_name = "field_team"
    agent_field = "assigned_field_agent"


class CaseActionAgentTeamFilter(AgentTeamFilter):
    title = "agent's team"
    parameter_name = "team"
    agent_field = "agent"


class AgentFilter(admin.SimpleListFilter):
    """Rows of one agent, chosen among the agents of the team chosen in ``team_parameter``.

    A bank has thousands of agents: a list of all of them is of no use to a supervisor and costs
    a link per agent on every page. So the filter lists the agents of the chosen team, or every
    agent only while there are at most ``LISTED_WITHOUT_TEAM``; otherwise it asks for a team
    first. The URL parameter is the one of Django's own related filter (``agent__id__exact``).
    """

    title = "agent"
    parameter_name = "agent__id__exact"
    agent_field = "agent"
    team_parameter = "team"
    LISTED_WITHOUT_TEAM = 50
    team_needed = False

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        team = request.GET.get(self.team_parameter)
        agents = Agent.objects.order_by("name", "id").values_list("id", "name", "employee_id")
        if team:
            rows = list(agents.filter(team=team))
        else:
            rows = list(agents[: self.LISTED_WITHOUT_TEAM + 1])
            self.team_needed = len(rows) > self.LISTED_WITHOUT_TEAM
            if self.team_needed:
                return []
        return [(str(pk), f"{name} ({employee_id})") for pk, name, employee_id in rows]

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Any:
        yield from super().choices(changelist)
        if self.team_needed:
            yield {
                "selected": self.value() is not None,
                "query_string": changelist.get_query_string(),
                "display": (
                    "The chosen agent" if self.value() else "Choose a team to list its agents"
                ),
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        agent = self.value()
        return queryset if agent is None else queryset.filter(**{f"{self.agent_field}_id": agent})
