"""The reports API: an agent's performance, the agents' ranking, a team's performance and the
customer collection status.

Routes (``collectioncrm/urls.py`` registers the viewsets under ``/api/v1/collection/``):
``agents/{id}/performance``, ``agents/performance``, ``teams/{team}/performance`` and
``reports/customer-collection-status`` and ``cases/status/{cif}`` (GET).
"""

from __future__ import annotations

import uuid

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from agents import selectors
from cases.selectors import collection_status_report
from reports import performance
from reports.api.openapi import (
    agent_performance_schema,
    case_status_schema,
    collection_status_schema,
    team_performance_schema,
)
from reports.api.serializers import (
    AgentPerformanceOutput,
    CaseStatusOutput,
    CollectionStatusFilters,
    CollectionStatusOutput,
    PeriodOutput,
    RankedAgentOutput,
    RankingFilters,
    TeamPerformanceOutput,
)
from reports.case_status import case_status
from workflow.api.envelope import ok
from workflow.api.fields import DateRangeInput
from workflow.api.output import represent, represent_many, validated
from workflow.api.permissions import ActionCapability
from workflow.permissions import Capability


@agent_performance_schema
class AgentPerformanceViewSet(GenericViewSet):
    """``agents/{id}/performance`` and ``agents/performance`` (the ranking), registered on the
    ``agents`` prefix beside ``agents.api.viewsets.AgentViewSet``."""

    permission_classes = [ActionCapability]
    capabilities = {"agent_performance": Capability.READ, "ranking": Capability.READ}
    lookup_url_kwarg = "agent_id"
    lookup_value_converter = "uuid"

    @action(detail=True, url_path="performance")
    def agent_performance(self, request: Request, agent_id: uuid.UUID) -> Response:
        period = validated(DateRangeInput, request.query_params.dict())
        agent = selectors.agent_by_id(agent_id)
        report = performance.cached_agent_performance(
            agent=agent,
            start=period.get("startDate"),
            end=period.get("endDate"),
        )
        return ok(represent(AgentPerformanceOutput, report))

    @action(detail=False, url_path="performance", url_name="performance-ranking")
    def ranking(self, request: Request) -> Response:
        filters = validated(RankingFilters, request.query_params.dict())
        ranking = performance.agents_ranking(
            team=filters.get("team"),
            start=filters.get("startDate"),
            end=filters.get("endDate"),
        )
        rows = self.paginate_queryset(ranking["agents"])
        return self.get_paginated_response(
            {
                "period": represent(PeriodOutput, ranking["period"]),
                "agents": represent_many(RankedAgentOutput, rows),
            }
        )


@team_performance_schema
class TeamPerformanceViewSet(GenericViewSet):
    """``teams/{team}/performance``. Team names are free text: the lookup takes any name the
    data holds, "/" included (URL-encoded or not)."""

    permission_classes = [ActionCapability]
    capabilities = {"team_performance": Capability.READ}
    lookup_url_kwarg = "team"
    lookup_value_converter = "path"

    @action(detail=True, url_path="performance")
    def team_performance(self, request: Request, team: str) -> Response:
        period = validated(DateRangeInput, request.query_params.dict())
        report = performance.team_performance(
            team=team,
            start=period.get("startDate"),
            end=period.get("endDate"),
        )
        return ok(represent(TeamPerformanceOutput, report))


@collection_status_schema
class CollectionStatusReportViewSet(GenericViewSet):
    """``reports/customer-collection-status``: the collection status of every customer."""

    permission_classes = [ActionCapability]
    capabilities = {"customer_collection_status": Capability.READ}

    @action(detail=False, url_path="customer-collection-status")
    def customer_collection_status(self, request: Request) -> Response:
        values = validated(CollectionStatusFilters, request.query_params.dict())
        rows = collection_status_report(
            segment=values.get("segment"),
            customer_status=values.get("status"),
            call_agent_id=values.get("callAgentId"),
            field_agent_id=values.get("fieldAgentId"),
            agent_id=values.get("agentId"),
            min_dpd=values.get("minDpd"),
            max_dpd=values.get("maxDpd"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            {"customers": represent_many(CollectionStatusOutput, page)}
        )


@case_status_schema
class CaseStatusViewSet(GenericViewSet):
    """``cases/status/{cif}``: a customer's case and newest action, registered on the ``cases``
    prefix beside :class:`cases.api.viewsets.CaseViewSet`."""

    permission_classes = [ActionCapability]
    capabilities = {"status": Capability.READ}

    @action(detail=False, url_path="status/<str:cif>")
    def status(self, request: Request, cif: str) -> Response:
        return ok(represent(CaseStatusOutput, case_status(cif=cif)))
