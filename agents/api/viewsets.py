"""The agents API: list, create, update, lookup by CRM user and linking to a user.

Routes (``collectioncrm/urls.py`` registers the viewsets under ``/api/v1/collection/``):
``agents`` (GET, POST), ``agents/{id}`` (PUT), ``agents/link-user`` (POST),
``agents/by-user/{userId}`` and ``users/{userId}/agent`` (GET).
"""

from __future__ import annotations

import uuid
from typing import Any

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
from workflow import table_versions
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.output import represent, represent_many, validated
from workflow.api.pagination import EnvelopePagination, page_params
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
        values = validated(AgentListFilters, request.query_params.dict())
        page, page_size = page_params(request)  # a bad page is a 400 before any cache lookup

        def page_data() -> dict[str, Any]:
            agents = selectors.agents_list(
                type=values.get("type"), team=values.get("team"), is_active=values.get("isActive")
            )
            rows = self.paginate_queryset(agents)
            assert isinstance(self.paginator, EnvelopePagination)
            return {
                "agents": represent_many(AgentOutput, rows),
                "pagination": self.paginator.get_pagination(),
            }

        # The page as of the agents table's current version: any write to the table, by
        # whoever, gives it a new one (workflow.table_versions), so a page is never stale.
        key = [values.get("type"), values.get("team"), values.get("isActive"), page, page_size]
        return ok(table_versions.cached("agents", key, page_data))

    def create(self, request: Request) -> Response:
        values = validated(AgentCreateInput, request.data)
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
        return ok(represent(AgentOutput, agent), message="Agent created.", status=201)

    def update(self, request: Request, agent_id: uuid.UUID) -> Response:
        values = validated(AgentUpdateInput, request.data)
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
        return ok(represent(AgentOutput, agent), message="Agent updated.")

    @action(detail=False, url_path="by-user/<uuid:user_id>")
    def by_user(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(represent(AgentOutput, selectors.agent_by_user(user_id)))

    @action(detail=False, methods=["post"], url_path="link-user")
    def link_user(self, request: Request) -> Response:
        data = validated(LinkUserInput, request.data)
        agent, changed = services.agent_link_user(
            agent_id=data["agentId"],
            user_id=data["userId"],
            actor=_actor(request),
            reason=data.get("reason"),
        )
        message = "Agent linked to the user." if changed else "The agent was already linked."
        return ok(represent(AgentOutput, agent), message=message)


@user_agent_schema
class UserAgentViewSet(GenericViewSet):
    """``users/{userId}/agent``: the agent linked to a CRM user, looked up under the user."""

    permission_classes = [ActionCapability]
    capabilities = {"agent": Capability.READ}
    lookup_url_kwarg = "user_id"
    lookup_value_converter = "uuid"

    @action(detail=True)
    def agent(self, request: Request, user_id: uuid.UUID) -> Response:
        return ok(represent(AgentOutput, selectors.agent_by_user(user_id)))
