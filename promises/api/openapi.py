"""OpenAPI description of the promises viewset: summaries, descriptions, parameters, examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)

from promises.api.serializers import (
    PromiseCancelInput,
    PromiseDetailOutput,
    PromiseOutput,
)
from promises.models import PromiseStatus
from workflow.api.schema import PAGE_PARAMETERS, enveloped, errors, page_example, paginated

TAGS = ["promises"]

PROMISE_EXAMPLE: dict[str, Any] = {
    "id": "0d9b6a52-2f54-4e39-9a3e-6f1f0c7b2a10",
    "cif": "CIF10000001",
    "loanAccountNumber": "LN20000001",
    "agentId": "8d3c2f0e-6f55-4c3e-9a0c-3c1f2b7a9e42",
    "actionId": "5b0f4a51-5d1c-4a52-9a64-0f6b1c9e2d11",
    "amount": 5000000.00,
    "currency": "VND",
    "promisedDate": "2026-03-06",
    "graceDays": 3,
    "tolerancePercent": 5.00,
    "status": "PENDING",
    "paidAmount": 0.00,
    "resolvedAt": None,
    "createdAt": "2026-03-02T03:20:41Z",
}

LIFECYCLE = (
    "A promise is made by POST /actions with actionResult PROMISE_TO_PAY, promiseAmount and "
    "promiseDate (or by a supervisor in the admin); a new promise supersedes the pending one "
    "of the same loan (or the customer's pending customer-level one), which becomes "
    "CANCELLED. Payments of the customer (payment.recorded events) are applied to pending "
    "promises of the same currency on their loan first, then customer-level ones, oldest "
    "promisedDate first, never beyond what a promise still needs; a promise is KEPT once "
    "paidAmount reaches (100 - tolerancePercent)% of amount. A payment counts while its "
    "business day is between the promise's creation and promisedDate + graceDays; after "
    "that the daily job makes the promise PARTIALLY_KEPT (something paid) or BROKEN "
    "(nothing paid) and gives the customer's call agent a follow-up on the next business "
    "day. A reversed payment stops counting: its promises are re-evaluated."
)

promise_schema = extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        summary="List promises to pay",
        operation_id="promises_list",
        description=(
            "Soonest promisedDate first. Supervisors and admins see every promise; an agent "
            "sees, as on the action lists, the promises of the customers currently assigned "
            "to it (call or field agent) and the promises it obtained itself (403 "
            "AGENT_NOT_FOUND for an AGENT user without an agent profile). "
            "promisedFrom/promisedTo are inclusive. " + LIFECYCLE
        ),
        parameters=[
            OpenApiParameter("cif", OpenApiTypes.STR, description="Customer."),
            OpenApiParameter("loan", OpenApiTypes.STR, description="Loan account number."),
            OpenApiParameter("agentId", OpenApiTypes.UUID, description="Agent who obtained it."),
            OpenApiParameter("team", OpenApiTypes.STR, description="That agent's team."),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=PromiseStatus.values, description="Status."
            ),
            OpenApiParameter(
                "promisedFrom", OpenApiTypes.DATE, description="Promised on or after."
            ),
            OpenApiParameter("promisedTo", OpenApiTypes.DATE, description="Promised on or before."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("PromisePageEnvelope", "promises", PromiseOutput),
            **errors(400, 403),
        },
        examples=[page_example("A page of promises", "promises", PROMISE_EXAMPLE)],
    ),
    retrieve=extend_schema(
        tags=TAGS,
        summary="Read a promise with its appropriations",
        operation_id="promises_read",
        description=(
            "The promise, its cancellation and follow-up, and every payment applied to it "
            "(reversed ones with reversedAt). An agent reads the promises of its current "
            "customers and those it obtained (403 FORBIDDEN otherwise). " + LIFECYCLE
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Id.")
        ],
        responses={
            200: enveloped("PromiseDetailEnvelope", PromiseDetailOutput()),
            **errors(403, 404),
        },
    ),
    cancel=extend_schema(
        tags=TAGS,
        summary="Cancel a pending promise",
        operation_id="promises_cancel",
        description=(
            "Only a PENDING promise (409 otherwise). The agent who obtained it may cancel it, "
            "supervisors and admins any (403 FORBIDDEN for another agent). Publishes "
            "workflow-service.promise.cancelled."
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Id.")
        ],
        request=PromiseCancelInput,
        responses={
            200: enveloped("PromiseCancelEnvelope", PromiseOutput()),
            **errors(400, 403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "Cancel",
                value={"reason": "Customer disputes the debt."},
                request_only=True,
            )
        ],
    ),
)
