"""The agents API: list, create, update, lookup by CRM user and linking to a user.

Routes (``collectioncrm/urls.py`` registers the viewsets under ``/api/v1/collection/``):
``agents`` (GET, POST), ``agents/{id}`` (PUT), ``agents/link-user`` (POST),
``agents/by-user/{userId}`` and ``users/{userId}/agent`` (GET).
"""

from __future__ import annotations

import uuid

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from agents import selectors, services
from agents.api.openapi import agent_schema, user_agent_schema
from agents.api.serializers import (
    AgentCreateInput,
    AgentListFilters,
    AgentOutput,
    AgentUpdateInput,
    LinkUserInput,
)
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.permissions import ActionCapability
from workflow.errors import Forbidden
from workflow.permissions import Capability, can
from workflow.sentinels import UNSET


def _actor(request: Request) -> Actor:
    assert isinstance(request.user, Actor)
    return request.user


@agent_schema
class AgentViewSet(GenericViewSet):
    """Collection agents: ``agents``, ``agents/{id}``, ``agents/by-user/{userId}``,
    ``agents/link-user``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "list": Capability.READ,
        "create": Capability.MANAGE_AGENTS,
        "update": Capability.MANAGE_AGENTS,
        "by_user": Capability.READ,
        "link_user": Capability.LINK_USERS,
    }
    lookup_url_kwarg = "agent_id"
    lookup_value_converter = "uuid"

    def list(self, request: Request) -> Response:
        # A plain dict: DRF reads a BooleanField missing from a QueryDict as False.
        filters = AgentListFilters(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        agents = selectors.agents_list(
            type=filters.validated_data.get("type"),
            team=filters.validated_data.get("team"),
            is_active=filters.validated_data.get("isActive"),
        )
        rows = self.paginate_queryset(agents)
        return self.get_paginated_response({"agents": AgentOutput(rows, many=True).data})

    def create(self, request: Request) -> Response:
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
        return ok(AgentOutput(agent).data, message="Agent created.", status=201)

    def update(self, request: Request, agent_id: uuid.UUID) -> Response:
        data = AgentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agent = services.agent_update(
            agent_id=agent_id,
            actor=_actor(request),
            name=values.get("name", UNSET),
            email=values.get("email", UNSET),
            phone=values.get("phone", UNSET),
            type=values.get("type", UNSET),
            team=values.get("team", UNSET),
            is_active=values.get("isActive", UNSET),
        )
        return ok(AgentOutput(agent).data, message="Agent updated.")

    @action(detail=False, url_path="by-user/<uuid:user_id>")
    def by_user(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(AgentOutput(selectors.agent_by_user(user_id)).data)

    @action(detail=False, methods=["post"], url_path="link-user")
    def link_user(self, request: Request) -> Response:
        data = LinkUserInput(data=request.data)
        data.is_valid(raise_exception=True)
        agent, changed = services.agent_link_user(
            agent_id=data.validated_data["agentId"],
            user_id=data.validated_data["userId"],
            actor=_actor(request),
            reason=data.validated_data.get("reason"),
        )
        message = "Agent linked to the user." if changed else "The agent was already linked."
        return ok(AgentOutput(agent).data, message=message)


@user_agent_schema
class UserAgentViewSet(GenericViewSet):
    """``users/{userId}/agent``: the agent linked to a CRM user, looked up under the user."""

    permission_classes = [ActionCapability]
    capabilities = {"agent": Capability.READ}
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "uuid"

    @action(detail=True)
    def agent(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(AgentOutput(selectors.agent_by_user(user_id)).data)
