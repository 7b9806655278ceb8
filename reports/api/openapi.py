"""OpenAPI description of the reports viewsets: summaries, descriptions, parameters, examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)

from agents.api.openapi import AGENT_EXAMPLE
from cases.api.openapi import CIF_PARAMETER
from cases.api.openapi import TAG as CASES_TAG
from reports.api.serializers import (
    AgentPerformanceOutput,
    CaseStatusOutput,
    CollectionStatusOutput,
    PeriodOutput,
    RankedAgentOutput,
    TeamPerformanceOutput,
)
from workflow.api.schema import (
    PAGE_PARAMETERS,
    PaginationSerializer,
    enveloped,
    errors,
    page_example,
    paginated,
)
from workflow.enums import CustomerStatus

TAGS = ["agents"]

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
    "both its call and field agent. A reversed payment (payment.reversed event, or a "
    "supervisor's reversal in the admin) no longer counts, in the metrics and the trends;\n"
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


agent_performance_schema = extend_schema_view(
    agent_performance=extend_schema(
        tags=TAGS,
        summary="An agent's performance over a period",
        operation_id="agents_performance_retrieve",
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
    ),
    ranking=extend_schema(
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
    ),
)

team_performance_schema = extend_schema_view(
    team_performance=extend_schema(
        tags=TAGS,
        summary="A team's performance over a period",
        operation_id="teams_performance_retrieve",
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
    ),
)

COLLECTION_STATUS_EXAMPLE: dict[str, Any] = {
    "cif": "CIF10000001",
    "customerName": "Tran Thi Binh",
    "segment": "MASS",
    "customerStatus": "COOPERATIVE",
    "collateralStatus": "UNDER_REVIEW",
    "processingStateStatus": "IN_PROCESS",
    "lendingViolationStatus": "NONE",
    "recoveryAbilityStatus": "HIGH",
    "assignedCallAgentId": "8d3c2f0e-6f55-4c3e-9a0c-3c1f2b7a9e42",
    "assignedCallAgentName": "Nguyen Van An",
    "assignedFieldAgentId": None,
    "assignedFieldAgentName": None,
    "totalLoans": 2,
    "totalOutstanding": 125000000.0,
    "totalDueAmount": 5000000.0,
    "maxDpd": 45,
    "totalActions": 12,
    "lastActionDate": "2026-03-02T03:10:00Z",
}

collection_status_schema = extend_schema_view(
    customer_collection_status=extend_schema(
        tags=["reports"],
        summary="Customer collection status report",
        operation_id="reports_customer_collection_status_retrieve",
        description=(
            "One row per customer of the customer_collection_status materialized view: the "
            "case's five statuses, the assigned call and field agents, the loans' totals "
            "(count, outstanding, due amount, highest dpd) and the customer's actions (count, "
            "newest actionDate). The data is as of the view's last refresh (every "
            "REPORTS_REFRESH_MINUTES minutes, 15 by default), not live. Statuses and agents are "
            "null for a customer without a case; maxDpd is null for a customer without loans. "
            "Filters (all optional, combined with AND): segment (exact), status (the customer "
            "status), callAgentId, fieldAgentId, agentId (call OR field agent), minDpd and "
            "maxDpd (inclusive bounds of maxDpd, integers >= 0; a bound leaves out customers "
            "without loans; minDpd > maxDpd is a 400 on maxDpd). Ordered by maxDpd descending "
            "(customers without loans last), then cif. Any role may read."
        ),
        parameters=[
            OpenApiParameter("segment", OpenApiTypes.STR, description="Exact segment."),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=CustomerStatus.values,
                description="Customer status of the case.",
            ),
            OpenApiParameter("callAgentId", OpenApiTypes.UUID),
            OpenApiParameter("fieldAgentId", OpenApiTypes.UUID),
            OpenApiParameter(
                "agentId", OpenApiTypes.UUID, description="Matches the call or the field agent."
            ),
            OpenApiParameter("minDpd", OpenApiTypes.INT, description="Lowest maxDpd, >= 0."),
            OpenApiParameter("maxDpd", OpenApiTypes.INT, description="Highest maxDpd, >= minDpd."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("CollectionStatusPageEnvelope", "customers", CollectionStatusOutput),
            **errors(400, 403),
        },
        examples=[page_example("A page of customers", "customers", COLLECTION_STATUS_EXAMPLE)],
    ),
)

# Served under the cases prefix (``cases/status/{cif}``), described with the cases.
case_status_schema = extend_schema_view(
    status=extend_schema(
        tags=[CASES_TAG],
        summary="A customer's current case status",
        operation_id="cases_status_retrieve",
        description=(
            "The customer's case (agents with names, fUpdate, the five statuses) and the "
            "customer's newest action (lastActionDate, lastActionType, lastActionResult; null "
            "when none). followUpDate, followUpAgentId and followUpPromiseId: the open "
            "follow-up of a promise to pay that was not kept (null when none). A known "
            "customer who has no case yet answers 200 with null agents, fUpdate and statuses. "
            "404 for an unknown cif."
        ),
        parameters=[CIF_PARAMETER],
        responses={
            200: enveloped("CaseStatusEnvelope", CaseStatusOutput()),
            **errors(403, 404),
        },
        examples=[
            OpenApiExample(
                "Case status",
                value={
                    "success": True,
                    "data": {
                        "cif": "CIF10000001",
                        "customerName": "Tran Thi Binh",
                        "assignedCallAgentId": "8d3c2f0e-6f55-4c3e-9a0c-3c1f2b7a9e42",
                        "assignedCallAgentName": "Nguyen Van An",
                        "assignedFieldAgentId": None,
                        "assignedFieldAgentName": None,
                        "fUpdate": "2026-03-02T03:15:00Z",
                        "customerStatus": "COOPERATIVE",
                        "collateralStatus": "UNDER_REVIEW",
                        "processingStateStatus": "IN_PROCESS",
                        "lendingViolationStatus": "NONE",
                        "recoveryAbilityStatus": "HIGH",
                        "lastActionDate": "2026-03-02T03:10:00Z",
                        "lastActionType": "CALL",
                        "lastActionResult": "PROMISE_TO_PAY",
                        "followUpDate": None,
                        "followUpAgentId": None,
                        "followUpPromiseId": None,
                    },
                    "message": "",
                    "errors": [],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    ),
)
