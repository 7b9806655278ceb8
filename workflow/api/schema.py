"""OpenAPI helpers: the envelope around every response, shared error responses, bearer auth."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers


class BearerSessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.auth.authentication.BearerSessionAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "An access token of the CRM auth service (HS256; claims sub, username, roles, "
                "sessionId, iat, exp) whose Redis session auth:session:<sessionId> exists."
            ),
        }


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable error code, e.g. VALIDATION_ERROR.")
    message = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The offending input field.")


class PaginationSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    totalPages = serializers.IntegerField()
    totalItems = serializers.IntegerField()


def enveloped(name: str, data: serializers.Field | serializers.BaseSerializer) -> Any:
    """A serializer describing ``{success, data, message, errors}`` around ``data``."""
    envelope = inline_serializer(
        name=name,
        fields={
            "success": serializers.BooleanField(),
            "data": data,
            "message": serializers.CharField(),
            "errors": ErrorItemSerializer(many=True),
        },
    )
    # An envelope is one object, even around a list: keep drf-spectacular from wrapping the
    # response of a viewset's ``list`` action in an array.
    extend_schema_serializer(many=False)(type(envelope))
    return envelope


def paginated(name: str, items_key: str, item: type[serializers.BaseSerializer]) -> Any:
    """The envelope of a list endpoint: ``data = {<items_key>: [...], pagination}``."""
    page = inline_serializer(
        name=f"{name}Page",
        fields={items_key: item(many=True), "pagination": PaginationSerializer()},
    )
    return enveloped(name, page)


PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        description="1-based page number (default 1).",
    ),
    OpenApiParameter(
        "pageSize",
        {"type": "integer", "minimum": 1, "maximum": 100},
        description="Items per page, 1 to 100 (default 10).",
    ),
]

DATE_RANGE_PARAMETERS = [
    OpenApiParameter(
        "startDate",
        OpenApiTypes.DATE,
        description="First business day (bank time zone), inclusive, YYYY-MM-DD.",
    ),
    OpenApiParameter(
        "endDate",
        OpenApiTypes.DATE,
        description="Last business day (bank time zone), inclusive, YYYY-MM-DD.",
    ),
]


def page_example(summary: str, items_key: str, item: dict[str, Any]) -> OpenApiExample:
    """An example success response of a list endpoint holding one ``item``."""
    return OpenApiExample(
        summary,
        value={
            "success": True,
            "data": {
                items_key: [item],
                "pagination": {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 1},
            },
            "message": "",
            "errors": [],
        },
        response_only=True,
        status_codes=["200"],
    )


ERROR_ENVELOPE = enveloped("ErrorEnvelope", serializers.JSONField(allow_null=True))


def _error(status: int, code: str, message: str, field: str | None = None) -> OpenApiResponse:
    error: dict[str, str] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return OpenApiResponse(
        ERROR_ENVELOPE,
        description=message,
        examples=[
            OpenApiExample(
                code,
                value={"success": False, "data": None, "message": message, "errors": [error]},
                response_only=True,
                status_codes=[str(status)],
            )
        ],
    )


BAD_REQUEST = _error(400, "VALIDATION_ERROR", "cif: This field is required.", "cif")
UNAUTHORIZED = _error(401, "AUTH_REQUIRED", "Authentication credentials were not provided.")
FORBIDDEN = _error(403, "FORBIDDEN", "You do not have permission to do this.")
NOT_FOUND = _error(404, "NOT_FOUND", "Not found.")
CONFLICT = _error(409, "CONFLICT", "An agent with this employeeId already exists.", "employeeId")
TOO_MANY = _error(429, "TOO_MANY_ATTEMPTS", "Too many failed login attempts; try again later.")


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The shared error responses for ``extend_schema(responses=...)``; 401 always included."""
    table = {
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
        429: TOO_MANY,
    }
    return {status: table[status] for status in sorted({401, *statuses})}


def _error_response(status: int, code: str, message: str) -> dict[str, Any]:
    """An OpenAPI response object of the error envelope (as ``_error`` renders one)."""
    error = {"code": code, "message": message}
    body = {"success": False, "data": None, "message": message, "errors": [error]}
    return {
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorEnvelope"},
                "examples": {code.replace("_", ""): {"value": body, "summary": code}},
            }
        },
        "description": message,
    }


WRITE_LIMIT = _error_response(
    429,
    "TOO_MANY_ATTEMPTS",
    "Request was throttled. Expected available in 12 seconds. (API_WRITE_RATE_PER_USER, or "
    "API_ANON_RATE_PER_IP without a token; Retry-After gives the seconds to wait.)",
)
BODY_TOO_LARGE = _error_response(413, "PAYLOAD_TOO_LARGE", "The body is larger than 2621440 bytes.")
NOT_JSON = _error_response(
    415, "UNSUPPORTED_MEDIA_TYPE", 'Unsupported media type "text/plain" in request.'
)

# Which operation can act on what another one created, for clients and for schemathesis'
# stateful tests (tests/security/test_fuzz_api.py): operationId -> (201 answer, links).
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "actions_record": {
        "UpdateResult": {
            "operationId": "actions_update_result",
            "parameters": {"id": "$response.body#/data/id"},
            "description": "Change the result of the action just recorded.",
        },
        "ListCustomerActions": {
            "operationId": "actions_for_customer",
            "parameters": {"cif": "$response.body#/data/cif"},
            "description": "The customer's actions, the new one included.",
        },
    },
    "agents_create": {
        "UpdateAgent": {
            "operationId": "agents_update",
            "parameters": {"agent_id": "$response.body#/data/id"},
            "description": "Change the agent just created.",
        },
        "AgentPerformance": {
            "operationId": "agents_performance_retrieve",
            "parameters": {"agent_id": "$response.body#/data/id"},
            "description": "The new agent's performance.",
        },
    },
    "assignments_create": {
        "UpdateAssignment": {
            "operationId": "assignments_update",
            "parameters": {"assignment_id": "$response.body#/data/id"},
            "description": "Reassign the customer of the assignment just made.",
        },
        "AssignmentHistory": {
            "operationId": "assignments_history_retrieve",
            "parameters": {"cif": "$response.body#/data/cif"},
            "description": "The customer's assignment history, the new version included.",
        },
    },
    "cases_create": {
        "CaseStatus": {
            "operationId": "cases_status_retrieve",
            "parameters": {"cif": "$response.body#/data/cif"},
            "description": "The customer's case status after this status input.",
        },
    },
}


def document_limits_and_links(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the answers every write may give besides its own
    (429 over the write limits; 413 and 415 for a body too large or not JSON) and the links
    from each create operation's 201 to the operations that use what it created."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.get("responses", {})
            if method != "get":
                responses.setdefault("429", WRITE_LIMIT)
            if "requestBody" in operation:
                responses.setdefault("413", BODY_TOO_LARGE)
                responses.setdefault("415", NOT_JSON)
            links = LINKS.get(operation.get("operationId", ""))
            if links and "201" in responses:
                responses["201"]["links"] = links
            operation["responses"] = dict(sorted(responses.items()))
    return result
