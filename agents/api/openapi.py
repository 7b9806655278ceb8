"""OpenAPI description of the agents viewsets: summaries, descriptions, parameters, examples."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)

from agents.api.serializers import AgentCreateInput, AgentOutput, AgentUpdateInput, LinkUserInput
from workflow.api.schema import PAGE_PARAMETERS, enveloped, errors, page_example, paginated
from workflow.enums import AgentType

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

agent_schema = extend_schema_view(
    list=extend_schema(
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
    ),
    create=extend_schema(
        tags=TAGS,
        summary="Create an agent",
        operation_id="agents_create",
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
    ),
    update=extend_schema(
        tags=TAGS,
        summary="Update an agent",
        operation_id="agents_update",
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
    ),
    by_user=extend_schema(
        tags=TAGS,
        summary="The agent linked to a CRM user",
        operation_id="agents_by_user_retrieve",
        description="404 when no agent is linked to the user (or the id is not a uuid).",
        responses={200: enveloped("AgentByUserEnvelope", AgentOutput()), **errors(403, 404)},
    ),
    link_user=extend_schema(
        tags=TAGS,
        summary="Link an agent to a CRM user",
        operation_id="agents_link_user_create",
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
    ),
)

user_agent_schema = extend_schema_view(
    agent=extend_schema(
        tags=TAGS,
        summary="The agent linked to a CRM user",
        operation_id="users_agent_retrieve",
        description=(
            "Same as GET agents/by-user/{userId}. 404 when no agent is linked to the user "
            "(or the id is not a uuid)."
        ),
        responses={200: enveloped("UserAgentEnvelope", AgentOutput()), **errors(403, 404)},
    ),
)
