"""Admin list filters by the team of a row's agent, shared by every admin listing agents' work."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from agents.models import Agent
from agents.selectors import agent_teams


class AgentTeamFilter(admin.SimpleListFilter):
    """Rows whose agent (``agent_field``) belongs to the chosen team."""

    agent_field: str

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(team, team) for team in agent_teams()]

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
