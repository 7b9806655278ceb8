"""Case endpoints: record a status input, list a customer's inputs, a customer's case status,
and the customer collection status report."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import case_actions_for_customer, case_status, collection_status_report
from cases.serializers import (
    CaseActionInput,
    CaseActionOutput,
    CaseStatusOutput,
    CollectionStatusFilters,
    CollectionStatusOutput,
)
from cases.services import case_record_action
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.fields import DateRangeInput
from workflow.api.pagination import paginate
from workflow.api.schema import (
    DATE_RANGE_PARAMETERS,
    PAGE_PARAMETERS,
    enveloped,
    errors,
    page_example,
    paginated,
)
from workflow.enums import CustomerStatus
from workflow.permissions import Capability, requires

TAG = "cases"

CIF_PARAMETER = OpenApiParameter(
    "cif", OpenApiTypes.STR, OpenApiParameter.PATH, description="The customer's CIF."
)

CASE_ACTION_EXAMPLE: dict[str, Any] = {
    "id": "9a4e1c7b-3d2f-4b6a-8c5e-7f1a2b3c4d5e",
    "cif": "CIF10000001",
    "agentId": "8d3c2f0e-6f55-4c3e-9a0c-3c1f2b7a9e42",
    "agentName": "Nguyen Van An",
    "actionDate": "2026-03-02T03:15:00Z",
    "notes": "Collateral documents received; valuation pending.",
    "customerStatus": "COOPERATIVE",
    "collateralStatus": "UNDER_REVIEW",
    "processingStateStatus": None,
    "lendingViolationStatus": None,
    "recoveryAbilityStatus": "HIGH",
    "createdAt": "2026-03-02T03:16:02Z",
    "updatedAt": "2026-03-02T03:16:02Z",
    "createdBy": "an.nguyen",
    "updatedBy": "an.nguyen",
}


class CaseActionsView(APIView):
    permission_classes = [requires(Capability.RECORD_WORK)]

    @extend_schema(
        tags=[TAG],
        summary="Record a status input on a customer's case",
        description=(
            "The caller's linked agent (403 AGENT_NOT_FOUND when none) records notes and/or "
            "new statuses; at least one of them is required. actionDate (ISO-8601 with a zone) "
            "defaults to now and may not lie more than 5 minutes in the future. In one "
            "transaction the input is stored and the given statuses are written to the "
            "customer's case, with fUpdate = actionDate; statuses not given keep their value. "
            "A customer without a case gets one with the default statuses ACTIVE, UNSECURED, "
            "IN_PROCESS, NONE, MEDIUM (overridden by the given ones). 404 for an unknown cif."
        ),
        request=CaseActionInput,
        responses={
            201: enveloped("CaseActionEnvelope", CaseActionOutput()),
            **errors(400, 403, 404),
        },
        examples=[
            OpenApiExample(
                "Record a status input",
                value={
                    "cif": "CIF10000001",
                    "actionDate": "2026-03-02T03:15:00Z",
                    "notes": "Collateral documents received; valuation pending.",
                    "customerStatus": "COOPERATIVE",
                    "collateralStatus": "UNDER_REVIEW",
                    "recoveryAbilityStatus": "HIGH",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={
                    "success": True,
                    "data": CASE_ACTION_EXAMPLE,
                    "message": "Case action recorded.",
                    "errors": [],
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, Actor)
        payload = CaseActionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        case_action = case_record_action(
            actor=request.user,
            cif=data["cif"],
            action_date=data.get("actionDate"),
            notes=data.get("notes"),
            customer_status=data.get("customerStatus"),
            collateral_status=data.get("collateralStatus"),
            processing_state_status=data.get("processingStateStatus"),
            lending_violation_status=data.get("lendingViolationStatus"),
            recovery_ability_status=data.get("recoveryAbilityStatus"),
        )
        return ok(CaseActionOutput(case_action).data, message="Case action recorded.", status=201)


class CustomerCaseActionsView(APIView):
    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=[TAG],
        summary="List a customer's case actions",
        description=(
            "The customer's status inputs, newest first (actionDate descending), with the "
            "recording agent's name. startDate/endDate are inclusive business days of the "
            "bank's time zone. An unknown cif answers 404, not an empty list."
        ),
        parameters=[
            CIF_PARAMETER,
            *DATE_RANGE_PARAMETERS,
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("CaseActionPageEnvelope", "caseActions", CaseActionOutput),
            **errors(400, 403, 404),
        },
        examples=[page_example("A page of case actions", "caseActions", CASE_ACTION_EXAMPLE)],
    )
    def get(self, request: Request, cif: str) -> Response:
        dates = DateRangeInput(data=request.query_params)
        dates.is_valid(raise_exception=True)
        case_actions = case_actions_for_customer(
            cif=cif,
            start_date=dates.validated_data.get("startDate"),
            end_date=dates.validated_data.get("endDate"),
        )
        return ok(
            paginate(
                request,
                case_actions,
                items_key="caseActions",
                serialize=lambda rows: CaseActionOutput(rows, many=True).data,
            )
        )


class CaseStatusView(APIView):
    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=[TAG],
        summary="A customer's current case status",
        description=(
            "The customer's case (agents with names, fUpdate, the five statuses) and the "
            "customer's newest action (lastActionDate, lastActionType, lastActionResult; null "
            "when none). A known customer who has no case yet answers 200 with null agents, "
            "fUpdate and statuses. 404 for an unknown cif."
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
                    },
                    "message": "",
                    "errors": [],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request: Request, cif: str) -> Response:
        return ok(CaseStatusOutput(case_status(cif=cif)).data)


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


class CollectionStatusReportView(APIView):
    permission_classes = [requires(Capability.READ)]

    @extend_schema(
        tags=["reports"],
        summary="Customer collection status report",
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
    )
    def get(self, request: Request) -> Response:
        filters = CollectionStatusFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        rows = collection_status_report(
            segment=values.get("segment"),
            customer_status=values.get("status"),
            call_agent_id=values.get("callAgentId"),
            field_agent_id=values.get("fieldAgentId"),
            agent_id=values.get("agentId"),
            min_dpd=values.get("minDpd"),
            max_dpd=values.get("maxDpd"),
        )
        return ok(
            paginate(
                request,
                rows,
                items_key="customers",
                serialize=lambda page: CollectionStatusOutput(page, many=True).data,
            )
        )
