"""OpenAPI description of the cases viewset: summaries, descriptions, parameters, examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)

from cases.api.serializers import CaseActionInput, CaseActionOutput
from workflow.api.schema import (
    DATE_RANGE_PARAMETERS,
    PAGE_PARAMETERS,
    enveloped,
    errors,
    page_example,
    paginated,
)

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

case_schema = extend_schema_view(
    create=extend_schema(
        tags=[TAG],
        summary="Record a status input on a customer's case",
        operation_id="cases_create",
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
    ),
    for_customer=extend_schema(
        tags=[TAG],
        summary="List a customer's case actions",
        operation_id="cases_customer_retrieve",
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
    ),
)
