"""OpenAPI description of the assignments viewset: summaries, descriptions, parameters,
examples."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)

from assignments.api.serializers import (
    AgentAssignmentOutput,
    AssignmentCreateInput,
    AssignmentHistoryOutput,
    AssignmentOutput,
    AssignmentUpdateInput,
    ReassignmentFlagOutput,
)
from workflow.api.schema import PAGE_PARAMETERS, enveloped, errors, page_example, paginated

TAG = "assignments"

ASSIGNMENT_EXAMPLE = {
    "id": "3f1c2a9e-8b7d-4c6e-9a5f-1e2d3c4b5a69",
    "cif": "CIF00012345",
    "assignedCallAgentId": "0b6a3c1e-2f4d-4e8a-9c7b-5d1e2f3a4b5c",
    "assignedFieldAgentId": None,
    "startDate": "2026-03-02",
    "endDate": None,
    "isCurrent": True,
}

FLAG_EXAMPLE = {
    "id": "5a1d9c3e-7b2f-4e6a-8d1c-2b3a4c5d6e7f",
    "cif": "CIF00012345",
    "customerName": "Nguyen Van A",
    "agentId": "0b6a3c1e-2f4d-4e8a-9c7b-5d1e2f3a4b5c",
    "agentName": "Tran Thi B",
    "agentEmployeeId": "EMP042",
    "agentTeam": "Team A",
    "role": "CALL",
    "reason": "The agent's user was deactivated in the auth service: left the bank",
    "flaggedAt": "2026-03-10T02:30:00Z",
}

assignment_schema = extend_schema_view(
    for_agent=extend_schema(
        tags=[TAG],
        summary="List the customers currently assigned to an agent",
        operation_id="assignments_agent_retrieve",
        description=(
            "The current assignment versions naming the agent as call agent or as field agent, "
            "ordered by cif, each with the customer's name and its case statuses (null when "
            "the customer has no case). `cif` narrows the list to one customer (exact match). "
            "404 when the agent does not exist."
        ),
        parameters=[
            OpenApiParameter(
                "agent_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The agent."
            ),
            OpenApiParameter("cif", OpenApiTypes.STR, description="Only this customer."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("AgentAssignmentPage", "assignments", AgentAssignmentOutput),
            **errors(400, 403, 404),
        },
    ),
    create=extend_schema(
        tags=[TAG],
        summary="Assign a customer to a call agent and/or a field agent",
        operation_id="assignments_create",
        description=(
            "Sets the customer's current call and/or field agent (supervisors, admins, or the "
            "permission customer_assignment:all). An omitted agent id keeps the current agent; "
            "null clears that role; the customer must keep at least one agent. Agents must be "
            "active (400) and exist (404); the customer must exist (404). A customer without a "
            "case gets one with the default statuses. The database keeps the history: a change "
            "closes the current version and opens a new one, returned with 201. Assigning the "
            "agents the customer already has changes nothing and answers 200 with the current "
            "version."
        ),
        request=AssignmentCreateInput,
        responses={
            201: enveloped("AssignmentEnvelope", AssignmentOutput()),
            200: enveloped("AssignmentUnchangedEnvelope", AssignmentOutput()),
            **errors(400, 403, 404),
        },
        examples=[
            OpenApiExample(
                "Assign a call agent",
                value={
                    "cif": "CIF00012345",
                    "assignedCallAgentId": "0b6a3c1e-2f4d-4e8a-9c7b-5d1e2f3a4b5c",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Assigned",
                value={"success": True, "data": ASSIGNMENT_EXAMPLE, "message": "", "errors": []},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    ),
    update=extend_schema(
        tags=[TAG],
        summary="Reassign the customer of a current assignment version",
        operation_id="assignments_update",
        description=(
            "`id` is an assignment version (a history row). It must be the customer's current "
            "version: closed versions are history and answer 409. An omitted agent id keeps "
            "the current agent, null clears that role (the customer must keep at least one "
            "agent). Answers 200 with the new current version, or with the same version when "
            "nothing changed. Also reachable as POST with `X-HTTP-Method-Override: PUT`."
        ),
        parameters=[
            OpenApiParameter(
                "assignment_id",
                OpenApiTypes.UUID,
                OpenApiParameter.PATH,
                description="The assignment version (a history row id).",
            )
        ],
        request=AssignmentUpdateInput,
        responses={
            200: enveloped("AssignmentUpdatedEnvelope", AssignmentOutput()),
            **errors(400, 403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "Move the field role to another agent",
                value={"assignedFieldAgentId": "7c2d4e6f-8a9b-4c1d-8e2f-3a4b5c6d7e8f"},
                request_only=True,
            )
        ],
    ),
    history=extend_schema(
        tags=[TAG],
        summary="Assignment history of a customer",
        operation_id="assignments_history_retrieve",
        description=(
            "Every assignment version of the customer, newest first, with the agents' names. "
            "Dates are the bank's business days. 404 when the customer does not exist."
        ),
        parameters=[
            OpenApiParameter("cif", OpenApiTypes.STR, OpenApiParameter.PATH, description="CIF.")
        ],
        responses={
            200: enveloped(
                "AssignmentHistoryEnvelope",
                inline_serializer(
                    "AssignmentHistory", fields={"history": AssignmentHistoryOutput(many=True)}
                ),
            ),
            **errors(403, 404),
        },
    ),
    pending_reassignment=extend_schema(
        tags=[TAG],
        summary="List customers waiting for a new agent",
        operation_id="assignments_pending_reassignment_retrieve",
        description=(
            "Open reassignment flags, oldest first. A flag names a customer and the agent it "
            "must be taken from in one role (CALL or FIELD): when an agent's login user is "
            "deactivated in the auth service, every customer the agent holds is flagged. A "
            "flag disappears once the customer is assigned away from that agent in that role "
            "(POST/PUT assignments, or the back-office bulk assignment), or when the user is "
            "reactivated. `team` (the flagged agent's team, exact) and `agentId` narrow the "
            "list."
        ),
        parameters=[
            OpenApiParameter("team", OpenApiTypes.STR, description="The agent's team (exact)."),
            OpenApiParameter("agentId", OpenApiTypes.UUID, description="Only this agent."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("PendingReassignmentPage", "flags", ReassignmentFlagOutput),
            **errors(400, 403),
        },
        examples=[page_example("A page of flags", "flags", FLAG_EXAMPLE)],
    ),
)
