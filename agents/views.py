"""The agents API: list, create, update, performance (agent, ranking, team), lookup by user and
linking to users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agents import performance, selectors, services
from agents.models import Agent
from agents.serializers import (
    AgentCreateInput,
    AgentListFilters,
    AgentOutput,
    AgentPerformanceOutput,
    AgentUpdateInput,
    LinkUserInput,
    PeriodOutput,
    RankedAgentOutput,
    RankingFilters,
    TeamPerformanceOutput,
)
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.fields import DateRangeInput
from workflow.api.pagination import paginate
from workflow.api.schema import (
    PAGE_PARAMETERS,
    PaginationSerializer,
    enveloped,
    errors,
    page_example,
    paginated,
)
from workflow.enums import AgentType
from workflow.errors import Forbidden
from workflow.permissions import Capability, can, requires
from workflow.sentinels import UNSET

TAGS = ["agents"]

AGENT_EXAMPLE = {
    "id": "5f0c2f4e-2a59-4d6f-9d0e-3f7a3c1b9a10",
    "employeeId": "EMP001",
    "name": "Nguyen Van An",
    "email": "an.nguyen@bank.vn",
    "phone": "+84901234567",
    "type": "AGENT",
    "team": "Team A",
    "isActive": True,
    "userId": "0b7e4c3a-8d1f-4a52-9c6e-2f1d5a7b8c90",
    "createdAt": "2026-03-01T02:30:00Z",
    "updatedAt": "2026-03-02T08:15:00Z",
}


def _actor(request: Request) -> Actor:
    assert isinstance(request.user, Actor)
    return request.user


def _agent_data(agent: Agent) -> dict[str, Any]:
    return dict(AgentOutput(agent).data)


def _agents_data(agents: Sequence[Agent]) -> list[dict[str, Any]]:
    return [_agent_data(agent) for agent in agents]


class AgentsView(APIView):
    """``GET agents`` (READ) and ``POST agents`` (MANAGE_AGENTS)."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "GET":
            return [requires(Capability.READ)()]
        return [requires(Capability.MANAGE_AGENTS)()]

    @extend_schema(
        tags=TAGS,
        summary="List agents",
        operation_id="agents_list",
        description=(
            "Agents ordered by name (then id), filtered by type, team (exact) and isActive. "
            "Any role may read."
        ),
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR, enum=AgentType.values),
            OpenApiParameter("team", OpenApiTypes.STR, description="Exact team name."),
            OpenApiParameter("isActive", OpenApiTypes.BOOL, description="true or false."),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated("AgentListEnvelope", "agents", AgentOutput), **errors(400, 403)},
        examples=[page_example("A page of agents", "agents", AGENT_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        # A plain dict: DRF reads a BooleanField missing from a QueryDict as False.
        filters = AgentListFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        agents = selectors.agents_list(
            type=filters.validated_data.get("type"),
            team=filters.validated_data.get("team"),
            is_active=filters.validated_data.get("isActive"),
        )
        page = paginate(
            request,
            agents,
            items_key="agents",
            serialize=_agents_data,
        )
        return ok(page)

    @extend_schema(
        tags=TAGS,
        summary="Create an agent",
        description=(
            "Creates an active agent. employeeId and email must be unique (e-mail compared "
            "case-insensitively): a duplicate answers 409 naming the field. Needs SUPERVISOR or "
            "ADMIN, or the permission user_management:user or user_management:all. userId "
            "(optional) links the new agent to a CRM user in the same step, within the scope "
            "of POST agents/link-user: 404 for an unknown user, 409 when the user is linked to "
            "another agent. Once agent-user links are enforced (manage.py "
            "enforce_agent_user_link), userId is required (400 on userId)."
        ),
        request=AgentCreateInput,
        responses={
            201: enveloped("AgentCreatedEnvelope", AgentOutput()),
            **errors(400, 403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "New agent",
                value={
                    "employeeId": "EMP001",
                    "name": "Nguyen Van An",
                    "email": "an.nguyen@bank.vn",
                    "phone": "+84901234567",
                    "type": "AGENT",
                    "team": "Team A",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = AgentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actor = _actor(request)
        if values["userId"] is not None and not can(actor, Capability.LINK_USERS):
            raise Forbidden(
                "Linking a user needs the SUPERVISOR or ADMIN role (link_users).", field="userId"
            )
        agent = services.agent_create(
            employee_id=values["employeeId"],
            name=values["name"],
            email=values["email"],
            phone=values["phone"],
            type=values["type"],
            team=values["team"],
            user_id=values["userId"],
            actor=actor,
        )
        return ok(_agent_data(agent), message="Agent created.", status=201)


class AgentDetailView(APIView):
    """``PUT agents/{id}`` (MANAGE_AGENTS)."""

    permission_classes = [requires(Capability.MANAGE_AGENTS)]

    @extend_schema(
        tags=TAGS,
        summary="Update an agent",
        description=(
            "Changes any of name, email, phone, type, team, isActive (at least one); omitted "
            "fields keep their values and phone null clears the phone. 409 when the e-mail "
            "belongs to another agent. The frontend may send this as POST with "
            "X-HTTP-Method-Override: PUT."
        ),
        request=AgentUpdateInput,
        responses={200: enveloped("AgentEnvelope", AgentOutput()), **errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Move to another team",
                value={"team": "Team B", "isActive": True},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request, agent_id: uuid.UUID) -> Response:
        data = AgentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unset = UNSET
        agent = services.agent_update(
            agent_id=agent_id,
            actor=_actor(request),
            name=values.get("name", unset),
            email=values.get("email", unset),
            phone=values.get("phone", unset),
            type=values.get("type", unset),
            team=values.get("team", unset),
            is_active=values.get("isActive", unset),
        )
        return ok(_agent_data(agent), message="Agent updated.")


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "startDate",
        OpenApiTypes.DATE,
        description="First business day (YYYY-MM-DD); default the 1st of endDate's month.",
    ),
    OpenApiParameter(
        "endDate",
        OpenApiTypes.DATE,
        description="Last business day (YYYY-MM-DD), inclusive; default today.",
    ),
]

METRICS_DESCRIPTION = (
    "Periods are the business days startDate..endDate inclusive (days of the bank's "
    "BUSINESS_TIME_ZONE; default: the current business month up to today; at most 366 days).\n\n"
    "- totalActions: all action records of the agent in the period;\n"
    "- successfulActions: records whose actionResult is PROMISE_TO_PAY, PAYMENT_MADE "
    "or PARTIAL_PAYMENT;\n"
    "- callsPlaced: records of type CALL;\n"
    "- callsConnected: type CALL with actionResult other than NO_CONTACT;\n"
    "- visitsCompleted: type VISIT with actionResult other than NO_CONTACT;\n"
    "- successRate: successfulActions / totalActions * 100, rounded half-up to 2 "
    "decimals; null when totalActions is 0;\n"
    "- paymentsCollected: payments received from the payment service (Kafka) that count for "
    "the agent. A payment counts for an agent when the Kafka bridge attributed it to them: "
    "the call agent or the field agent assigned to the customer on the payment's business "
    "day, fixed when the payment arrived (a later reassignment does not move it). Its day is "
    "the bank's business day of its paymentDate. A payment counts once for an agent who is "
    "both its call and field agent;\n"
    "- totalAmountCollected: the sum of those payments' amounts, a number with 2 decimals "
    "(0 when none; amounts are summed as received, whatever their currency);\n"
    "- averageCallDuration: null — the schema records no call duration.\n\n"
    "Whole-month periods (startDate a 1st, endDate a month's last day) are served from the "
    "agent_performance materialized view (grouped by business month) for the action "
    "counts when every month ended before the view's last refresh and the agent is active "
    "and unchanged since; the numbers are then those of the live computation at that "
    "refresh. A record back-dated into such a month, or a result changed there, shows in "
    "them after the next refresh (every REPORTS_REFRESH_MINUTES); payments and trends are "
    "always live."
)

TRENDS_DESCRIPTION = (
    "trends.daily has one entry per business day of the period with actions or payments, "
    "oldest first (actions: records that day; amountCollected: amount of the payments that "
    "day); trends.weekly sums them by ISO week (YYYY-Www, ISO week-numbering year) of that "
    "business day."
)

METRICS_EXAMPLE = {
    "totalActions": 7,
    "successfulActions": 3,
    "callsPlaced": 3,
    "callsConnected": 2,
    "visitsCompleted": 1,
    "paymentsCollected": 2,
    "totalAmountCollected": 7500000.5,
    "averageCallDuration": None,
    "successRate": 42.86,
}

TRENDS_EXAMPLE = {
    "daily": [
        {"date": "2026-03-01", "actions": 1, "amountCollected": 0.0},
        {"date": "2026-03-02", "actions": 6, "amountCollected": 7500000.5},
    ],
    "weekly": [
        {"week": "2026-W09", "actions": 1, "amountCollected": 0.0},
        {"week": "2026-W10", "actions": 6, "amountCollected": 7500000.5},
    ],
}


def _envelope_example(name: str, data: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(
        name,
        value={"success": True, "data": data, "message": "", "errors": []},
        response_only=True,
    )


class AgentPerformanceView(APIView):
    """``GET agents/{id}/performance`` (READ)."""

    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=TAGS,
        summary="An agent's performance over a period",
        description=(
            "The agent's figures: action counts from its action records, payments from the "
            "payments attributed to it. "
            + METRICS_DESCRIPTION
            + "\n\n"
            + TRENDS_DESCRIPTION
            + "\n\nAnswers are cached in Redis for PERFORMANCE_CACHE_SECONDS (default 300); "
            "recording or changing one of the agent's actions, a payment attributed to it or "
            "a change of the agent makes the next answer fresh. Inactive agents are reported "
            "too."
        ),
        parameters=PERIOD_PARAMETERS,
        responses={
            200: enveloped("AgentPerformanceEnvelope", AgentPerformanceOutput()),
            **errors(400, 403, 404),
        },
        examples=[
            _envelope_example(
                "March",
                {
                    "agentId": AGENT_EXAMPLE["id"],
                    "agentName": AGENT_EXAMPLE["name"],
                    "period": {"startDate": "2026-03-01", "endDate": "2026-03-31"},
                    "metrics": METRICS_EXAMPLE,
                    "trends": TRENDS_EXAMPLE,
                },
            )
        ],
    )
    def get(self, request: Request, agent_id: uuid.UUID) -> Response:
        period = DateRangeInput(data=request.query_params.dict())
        period.is_valid(raise_exception=True)
        agent = selectors.agent_by_id(agent_id)
        report = performance.cached_agent_performance(
            agent=agent,
            start=period.validated_data.get("startDate"),
            end=period.validated_data.get("endDate"),
        )
        return ok(AgentPerformanceOutput(report).data)


class AgentsPerformanceView(APIView):
    """``GET agents/performance`` (READ): the ranked list."""

    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=TAGS,
        summary="Agents ranked by performance over a period",
        operation_id="agents_performance_ranking",
        description=(
            "Every active agent (of team, when given: exact name) with its figures over the "
            "period, ranked by successfulActions descending, then totalActions descending, "
            "then name. rank is the competition rank on (successfulActions, totalActions): "
            "equal agents share it and the next rank skips (1, 2, 2, 4). Paginated "
            "(items key agents); data.period is the period reported. An unknown team gives an "
            "empty list. The figures are those of GET agents/{id}/performance. "
            + METRICS_DESCRIPTION
            + "\n\nNot cached."
        ),
        parameters=[
            OpenApiParameter("team", OpenApiTypes.STR, description="Exact team name."),
            *PERIOD_PARAMETERS,
            *PAGE_PARAMETERS,
        ],
        responses={
            200: enveloped(
                "AgentRankingEnvelope",
                inline_serializer(
                    name="AgentRankingPage",
                    fields={
                        "period": PeriodOutput(),
                        "agents": RankedAgentOutput(many=True),
                        "pagination": PaginationSerializer(),
                    },
                ),
            ),
            **errors(400, 403),
        },
        examples=[
            _envelope_example(
                "Team A in March",
                {
                    "period": {"startDate": "2026-03-01", "endDate": "2026-03-31"},
                    "agents": [
                        {
                            "agentId": AGENT_EXAMPLE["id"],
                            "agentName": AGENT_EXAMPLE["name"],
                            "team": "Team A",
                            "rank": 1,
                            "metrics": METRICS_EXAMPLE,
                        }
                    ],
                    "pagination": {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 1},
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        filters = RankingFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        ranking = performance.agents_ranking(
            team=filters.validated_data.get("team"),
            start=filters.validated_data.get("startDate"),
            end=filters.validated_data.get("endDate"),
        )
        page = paginate(
            request,
            ranking["agents"],
            items_key="agents",
            serialize=lambda rows: RankedAgentOutput(rows, many=True).data,
        )
        return ok({"period": PeriodOutput(ranking["period"]).data, **page})


class TeamPerformanceView(APIView):
    """``GET teams/{team}/performance`` (READ)."""

    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=TAGS,
        summary="A team's performance over a period",
        description=(
            "The totals of the team's active agents (agentCount of them; exact team name, "
            "URL-encoded) over the period, with daily and weekly trends. 404 when no active "
            "agent belongs to the team. A payment attributed to two agents of the team counts "
            "once, so paymentsCollected may be less than the sum of the agents' figures. "
            + METRICS_DESCRIPTION
            + "\n\n"
            + TRENDS_DESCRIPTION
            + "\n\nNot cached."
        ),
        parameters=[
            OpenApiParameter(
                "team", OpenApiTypes.STR, OpenApiParameter.PATH, description="Exact team name."
            ),
            *PERIOD_PARAMETERS,
        ],
        responses={
            200: enveloped("TeamPerformanceEnvelope", TeamPerformanceOutput()),
            **errors(400, 403, 404),
        },
        examples=[
            _envelope_example(
                "Team A in March",
                {
                    "team": "Team A",
                    "period": {"startDate": "2026-03-01", "endDate": "2026-03-31"},
                    "agentCount": 1,
                    "metrics": METRICS_EXAMPLE,
                    "trends": TRENDS_EXAMPLE,
                },
            )
        ],
    )
    def get(self, request: Request, team: str) -> Response:
        period = DateRangeInput(data=request.query_params.dict())
        period.is_valid(raise_exception=True)
        report = performance.team_performance(
            team=team,
            start=period.validated_data.get("startDate"),
            end=period.validated_data.get("endDate"),
        )
        return ok(TeamPerformanceOutput(report).data)


class AgentByUserView(APIView):
    """``GET agents/by-user/{userId}`` (READ)."""

    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=TAGS,
        summary="The agent linked to a CRM user",
        description="404 when no agent is linked to the user (or the id is not a uuid).",
        responses={200: enveloped("AgentByUserEnvelope", AgentOutput()), **errors(403, 404)},
    )
    def get(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(_agent_data(selectors.agent_by_user(user_id)))


class UserAgentView(APIView):
    """``GET users/{userId}/agent`` (READ): the same lookup under the user."""

    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=TAGS,
        summary="The agent linked to a CRM user",
        description=(
            "Same as GET agents/by-user/{userId}. 404 when no agent is linked to the user "
            "(or the id is not a uuid)."
        ),
        responses={200: enveloped("UserAgentEnvelope", AgentOutput()), **errors(403, 404)},
    )
    def get(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(_agent_data(selectors.agent_by_user(user_id)))


class AgentLinkUserView(APIView):
    """``POST agents/link-user`` (LINK_USERS)."""

    permission_classes = [requires(Capability.LINK_USERS)]

    @extend_schema(
        tags=TAGS,
        summary="Link an agent to a CRM user",
        description=(
            "Links the agent to the auth service user (one agent per user, one user per "
            "agent). 404 for an unknown agent (field agentId) or user (field userId); 409 when "
            "the user is linked to another agent (field userId) or the agent to another user "
            "(field agentId). Linking the pair already linked is a no-op answering 200. "
            "ADMIN may link any agent and user. SUPERVISOR may link only an agent of type AGENT "
            "in their own team (the team of the agent linked to their user) to a user whose "
            "role is AGENT; anything else answers 403. reason (optional, at most 500 "
            "characters) is kept in the link audit and sent in the agent.updated event."
        ),
        request=LinkUserInput,
        responses={
            200: enveloped("AgentLinkedEnvelope", AgentOutput()),
            **errors(400, 403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "Link",
                value={"agentId": AGENT_EXAMPLE["id"], "userId": AGENT_EXAMPLE["userId"]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = LinkUserInput(data=request.data)
        data.is_valid(raise_exception=True)
        agent, changed = services.agent_link_user(
            agent_id=data.validated_data["agentId"],
            user_id=data.validated_data["userId"],
            actor=_actor(request),
            reason=data.validated_data.get("reason"),
        )
        message = "Agent linked to the user." if changed else "The agent was already linked."
        return ok(_agent_data(agent), message=message)
