"""OpenAPI description of the actions viewset: summaries, descriptions, parameters, examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)

from actions.api.serializers import (
    ActionCreateInput,
    ActionListOutput,
    ActionOutput,
    ActionRecordedOutput,
    ActionResultInput,
)
from workflow.api.schema import (
    DATE_RANGE_PARAMETERS,
    PAGE_PARAMETERS,
    enveloped,
    errors,
    page_example,
    paginated,
)
from workflow.enums import ActionResult, ActionSubtype, ActionType

TAGS = ["actions"]

ACTION_EXAMPLE: dict[str, Any] = {
    "id": "5b0f4a51-5d1c-4a52-9a64-0f6b1c9e2d11",
    "cif": "CIF10000001",
    "loanAccountNumber": "LN20000001",
    "agentId": "8d3c2f0e-6f55-4c3e-9a0c-3c1f2b7a9e42",
    "agentName": "Nguyen Van An",
    "type": "VISIT",
    "subtype": "FIELD_VISIT",
    "actionResult": "PROMISE_TO_PAY",
    "actionDate": "2026-03-02T03:15:00Z",
    "notes": "Customer promised to pay 5,000,000 VND on Friday.",
    "callTraceId": None,
    "visitLocation": {"latitude": 21.0285, "longitude": 105.8542, "address": "12 Hang Bai, Ha Noi"},
    "createdAt": "2026-03-02T03:20:41Z",
    "updatedAt": "2026-03-02T03:20:41Z",
    "createdBy": "an.nguyen",
    "updatedBy": "an.nguyen",
}

LIST_PARAMETERS = [
    OpenApiParameter("type", OpenApiTypes.STR, enum=ActionType.values, description="Action type."),
    OpenApiParameter(
        "subtype", OpenApiTypes.STR, enum=ActionSubtype.values, description="Action subtype."
    ),
    OpenApiParameter(
        "actionResult", OpenApiTypes.STR, enum=ActionResult.values, description="Action result."
    ),
    *DATE_RANGE_PARAMETERS,
    *PAGE_PARAMETERS,
]

LIST_RESPONSES = {
    200: paginated("ActionPageEnvelope", "actions", ActionListOutput),
    **errors(400, 403, 404),
}

LIST_EXAMPLE = page_example(
    "A page of actions", "actions", {**ACTION_EXAMPLE, "promiseStatus": "PENDING"}
)

LIST_DESCRIPTION = (
    "Newest first (actionDate descending). startDate/endDate are inclusive business days of "
    "the bank's time zone. An unknown {what} answers 404, not an empty list."
)

action_schema = extend_schema_view(
    create=extend_schema(
        tags=TAGS,
        summary="Record an action",
        operation_id="actions_record",
        description=(
            "Records a call, visit, e-mail, SMS or letter of the caller's own agent profile "
            "(403 AGENT_NOT_FOUND without one; an inactive agent may not record). actionDate "
            "defaults to now and may be at most 5 minutes in the future, not before 2000. The "
            "loan must belong to the customer. A VISIT needs visitLocation with latitude and "
            "longitude. Contact policy: contactAttemptId (a reservation of POST "
            "/contact-attempts) is consumed; party (default BORROWER) and contactPoint are kept "
            "in the contact ledger; a contact that breaks the customer's contact policy is still "
            "recorded, then flagged and published as workflow-service.contact.violation."
            " A PROMISE_TO_PAY may carry promiseAmount and promiseDate (both, or "
            "neither: then no promise is tracked) and promiseScope: the promise is recorded "
            "with the action and returned as promise (see the promises endpoints for its "
            "lifecycle); it supersedes the pending promise of the same loan (CUSTOMER scope: "
            "the customer's pending customer-level one). 400 names the field at fault: "
            "promiseAmount (not > 0, more decimals than the loan's currency has, without "
            "promiseDate, or with another result), promiseDate (before today or beyond "
            "PROMISE_MAX_DAYS_AHEAD days, in the bank's time zone)."
        ),
        request=ActionCreateInput,
        responses={
            201: enveloped("ActionEnvelope", ActionRecordedOutput()),
            **errors(400, 403, 404),
        },
        examples=[
            OpenApiExample(
                "A field visit",
                value={
                    "cif": "CIF10000001",
                    "loanAccountNumber": "LN20000001",
                    "type": "VISIT",
                    "subtype": "FIELD_VISIT",
                    "actionResult": "PROMISE_TO_PAY",
                    "actionDate": "2026-03-02T10:15:00+07:00",
                    "notes": "Customer promised to pay 5,000,000 VND on Friday.",
                    "visitLocation": {
                        "latitude": 21.0285,
                        "longitude": 105.8542,
                        "address": "12 Hang Bai, Ha Noi",
                    },
                },
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={
                    "success": True,
                    "data": ACTION_EXAMPLE,
                    "message": "Action recorded.",
                    "errors": [],
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
    for_customer=extend_schema(
        tags=TAGS,
        summary="List a customer's actions",
        operation_id="actions_for_customer",
        description=LIST_DESCRIPTION.format(what="cif"),
        parameters=[
            OpenApiParameter("cif", OpenApiTypes.STR, OpenApiParameter.PATH, description="CIF."),
            *LIST_PARAMETERS,
        ],
        responses=LIST_RESPONSES,
        examples=[LIST_EXAMPLE],
    ),
    for_loan=extend_schema(
        tags=TAGS,
        summary="List a loan's actions",
        operation_id="actions_for_loan",
        description=LIST_DESCRIPTION.format(what="account number"),
        parameters=[
            OpenApiParameter(
                "accountNumber",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Loan account number.",
            ),
            *LIST_PARAMETERS,
        ],
        responses=LIST_RESPONSES,
        examples=[LIST_EXAMPLE],
    ),
    for_agent=extend_schema(
        tags=TAGS,
        summary="List the actions an agent recorded",
        operation_id="actions_for_agent",
        description=LIST_DESCRIPTION.format(what="agent"),
        parameters=[
            OpenApiParameter(
                "agentId", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Agent id."
            ),
            *LIST_PARAMETERS,
        ],
        responses=LIST_RESPONSES,
        examples=[LIST_EXAMPLE],
    ),
    result=extend_schema(
        tags=TAGS,
        summary="Change an action's result",
        operation_id="actions_update_result",
        description=(
            "Sets actionResult and, when notes is given, replaces the notes. Only the agent who "
            "recorded the action may change it (403 FORBIDDEN for another agent, 403 "
            "AGENT_NOT_FOUND for a caller without an agent profile); supervisors and admins "
            "may change any. The frontend may send this as POST with X-HTTP-Method-Override: "
            "PUT."
        ),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Action id."
            )
        ],
        request=ActionResultInput,
        responses={200: enveloped("ActionResultEnvelope", ActionOutput()), **errors(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Payment made",
                value={"actionResult": "PAYMENT_MADE", "notes": "Paid in full at the branch."},
                request_only=True,
            ),
            OpenApiExample(
                "Updated",
                value={
                    "success": True,
                    "data": {
                        **ACTION_EXAMPLE,
                        "actionResult": "PAYMENT_MADE",
                        "notes": "Paid in full at the branch.",
                        "updatedAt": "2026-03-06T08:02:10Z",
                        "updatedBy": "binh.supervisor",
                    },
                    "message": "Action result updated.",
                    "errors": [],
                },
                response_only=True,
                status_codes=["200"],
            ),
        ],
    ),
)
