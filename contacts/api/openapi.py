"""OpenAPI description of the contact gate: summaries, descriptions, examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from contacts.api.serializers import (
    AttemptOutput,
    ContactOverrideInput,
    ContactRequestInput,
    DecisionOutput,
    ReservationOutput,
)
from contacts.enums import Channel, Party
from workflow.api.schema import enveloped, errors

TAGS = ["contacts"]

RULES_TEXT = (
    "Rules, in the order a refusal cites them: CHANNEL_NOT_ALLOWED, PARTY_NOT_ALLOWED (a party "
    "not liable for the debt, e.g. REFERENCE), HOLD (dispute, cease-contact, deceased, "
    "hardship, legal moratorium), TIME_WINDOW (customer's local hours), CONVERSATION_BLOCK, "
    "then the caps by key (CUSTOMER_1D, CUSTOMER_7D_CALL, CONTACT_POINT_30D_CALL_SMS: scope, "
    "local calendar days, channels counted). NO_POLICY when no policy applies."
)

DECISION_EXAMPLE: dict[str, Any] = {
    "allowed": True,
    "rule": None,
    "message": "Allowed.",
    "limit": None,
    "count": None,
    "remaining": {"CUSTOMER_1D": 3},
    "nextAllowedAt": "2026-03-02T10:15:00+07:00",
    "timeZone": "Asia/Ho_Chi_Minh",
    "policy": {
        "id": "0b6a3c1e-54d8-4f4c-9d42-2f0a6a3c1b10",
        "code": "VN_CIRCULAR_18_2019",
        "version": 1,
    },
}
REFUSED_EXAMPLE: dict[str, Any] = {
    **DECISION_EXAMPLE,
    "allowed": False,
    "rule": "CUSTOMER_1D",
    "message": "5 of at most 5 attempts on the customer today.",
    "limit": 5,
    "count": 5,
    "remaining": {"CUSTOMER_1D": 0},
    "nextAllowedAt": "2026-03-03T07:00:00+07:00",
}
RESERVATION_EXAMPLE: dict[str, Any] = {
    "id": "7f1d2b9c-3a4e-4f5b-8c6d-1e2f3a4b5c6d",
    **DECISION_EXAMPLE,
    "expiresAt": "2026-03-02T03:30:00Z",
    "overrideReason": None,
}
REQUEST_EXAMPLE = OpenApiExample(
    "A call to the borrower",
    value={
        "cif": "CIF10000001",
        "channel": "CALL",
        "party": "BORROWER",
        "contactPoint": "0903123456",
    },
    request_only=True,
)

REFUSED_RESPONSE = OpenApiResponse(
    enveloped("ContactRefusedEnvelope", ReservationOutput()),
    description="Refused by the policy (CONTACT_POLICY_VIOLATION); nothing reserved.",
    examples=[
        OpenApiExample(
            "Daily cap reached",
            value={
                "success": False,
                "data": {**REFUSED_EXAMPLE, "id": None, "expiresAt": None, "overrideReason": None},
                "message": REFUSED_EXAMPLE["message"],
                "errors": [
                    {
                        "code": "CONTACT_POLICY_VIOLATION",
                        "message": REFUSED_EXAMPLE["message"],
                        "rule": "CUSTOMER_1D",
                        "limit": 5,
                        "count": 5,
                        "nextAllowedAt": "2026-03-03T07:00:00+07:00",
                    }
                ],
            },
            response_only=True,
            status_codes=["422"],
        )
    ],
)

contact_attempt_schema = extend_schema_view(
    create=extend_schema(
        tags=TAGS,
        summary="Reserve a contact attempt",
        operation_id="contact_attempts_reserve",
        description=(
            "Call before every contact (frontend, dialers). Checks the customer's contact "
            "policy (the version in force is named in policy) at the customer's local time and "
            "reserves one attempt atomically: concurrent reservations for one customer or "
            "contact point queue, so a cap is never exceeded. 201 with the reservation: give "
            "its id as contactAttemptId to POST /actions, and make the contact before "
            "expiresAt: a reservation counts against the caps until it is used, released "
            "(POST /contact-attempts/{id}/release) or past expiresAt, after which an action "
            "naming it is checked as a contact made without one. 422 "
            "CONTACT_POLICY_VIOLATION when refused, with the rule, the limit, "
            "the count and nextAllowedAt (the customer's UTC offset). remaining counts, per "
            "cap, the attempts left after this one. " + RULES_TEXT + " The caller needs an "
            "agent profile (403 AGENT_NOT_FOUND)."
        ),
        request=ContactRequestInput,
        responses={
            201: enveloped("ContactReservationEnvelope", ReservationOutput()),
            422: REFUSED_RESPONSE,
            **errors(400, 403, 404),
        },
        examples=[
            REQUEST_EXAMPLE,
            OpenApiExample(
                "Reserved",
                value={
                    "success": True,
                    "data": RESERVATION_EXAMPLE,
                    "message": "Contact attempt reserved.",
                    "errors": [],
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
    override=extend_schema(
        tags=TAGS,
        summary="Override a refused contact attempt (supervisors)",
        operation_id="contact_attempts_override",
        description=(
            "Supervisors and admins reserve an attempt the policy refuses, with a mandatory "
            "reason; audited in the ledger and published as workflow-service.contact.override. "
            "rule names the rule overridden. A hold is never overridden (409 CONFLICT): lift or "
            "narrow it in the admin. When the policy allows the attempt anyway, this is an "
            "ordinary reservation (overrideReason null)."
        ),
        request=ContactOverrideInput,
        responses={
            201: enveloped("ContactOverrideEnvelope", ReservationOutput()),
            **errors(400, 403, 404, 409),
        },
    ),
    release=extend_schema(
        tags=TAGS,
        summary="Release an unused reservation",
        operation_id="contact_attempts_release",
        description=(
            "Give back a reservation that will not be used (the customer is not dialled after "
            "all): it stops counting against the caps at once; status becomes RELEASED. A "
            "reservation nobody releases stops counting at expiresAt. The agent who reserved "
            "it, or a supervisor or admin, may release it (403 otherwise). Releasing a "
            "released reservation answers 200 again (safe to retry). 409 CONFLICT for a "
            "reservation already used by an action (a release and the action consuming the "
            "same reservation never both succeed), a refusal, or a contact recorded without a "
            "reservation. No body."
        ),
        request=None,
        responses={
            200: enveloped("ContactReleaseEnvelope", AttemptOutput()),
            **errors(403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "Released",
                value={
                    "success": True,
                    "data": {
                        "id": "7f1d2b9c-3a4e-4f5b-8c6d-1e2f3a4b5c6d",
                        "cif": "CIF10000001",
                        "channel": "CALL",
                        "party": "BORROWER",
                        "status": "RELEASED",
                        "attemptedAt": "2026-03-02T03:15:00Z",
                        "expiresAt": "2026-03-02T03:30:00Z",
                        "releasedAt": "2026-03-02T03:17:42Z",
                    },
                    "message": "Contact reservation released.",
                    "errors": [],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    ),
)

contact_policy_schema = extend_schema_view(
    check=extend_schema(
        tags=TAGS,
        summary="Check the contact policy without reserving",
        operation_id="contact_policy_check",
        description=(
            "The same decision as POST /contact-attempts, computed by the same function, "
            "without reserving or locking: always 200, allowed tells. " + RULES_TEXT
        ),
        parameters=[
            OpenApiParameter("cif", OpenApiTypes.STR, required=True, description="CIF."),
            OpenApiParameter(
                "channel",
                OpenApiTypes.STR,
                required=True,
                enum=Channel.values,
                description="The action type the contact will be.",
            ),
            OpenApiParameter(
                "party", OpenApiTypes.STR, enum=Party.values, description="Default BORROWER."
            ),
            OpenApiParameter(
                "contactPoint",
                OpenApiTypes.STR,
                required=True,
                description="Phone number, e-mail address or postal address.",
            ),
        ],
        responses={
            200: enveloped("ContactDecisionEnvelope", DecisionOutput()),
            **errors(400, 404),
        },
        examples=[
            OpenApiExample(
                "Refused: daily cap reached",
                value={
                    "success": True,
                    "data": REFUSED_EXAMPLE,
                    "message": REFUSED_EXAMPLE["message"],
                    "errors": [],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    ),
)
