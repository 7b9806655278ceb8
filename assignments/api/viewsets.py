"""Assignment endpoints: an agent's customers, (re)assigning a customer, assignment history,
customers waiting for reassignment.

Routes (``collectioncrm/urls.py`` registers the viewset under ``/api/v1/collection/``):
``assignments`` (POST), ``assignments/{id}`` (PUT), ``assignments/agent/{agentId}``,
``assignments/pending-reassignment`` and ``assignments/history/{cif}`` (GET).
"""

from __future__ import annotations

import uuid

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from agents.scope import agent_scope
from assignments.api.openapi import assignment_schema
from assignments.api.serializers import (
    AgentAssignmentOutput,
    AssignmentCreateInput,
    AssignmentHistoryOutput,
    AssignmentOutput,
    AssignmentUpdateInput,
    PendingReassignmentFilters,
    ReassignmentFlagOutput,
)
from assignments.flags import reassignment_flags_pending
from assignments.selectors import assignment_history, assignments_for_agent
from assignments.services import assignment_assign, assignment_reassign
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.output import represent, represent_many, validated
from workflow.api.pagination import paginate
from workflow.api.permissions import ActionCapability, scope_of
from workflow.permissions import Capability
from workflow.sentinels import UNSET


@assignment_schema
class AssignmentViewSet(GenericViewSet):
    """Customer assignments: ``assignments``, ``assignments/{id}``, ``assignments/agent/...``,
    ``assignments/pending-reassignment``, ``assignments/history/...``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "create": Capability.ASSIGN_CUSTOMERS,
        "update": Capability.ASSIGN_CUSTOMERS,
        "for_agent": Capability.READ_CUSTOMER_WORK,
        "pending_reassignment": Capability.READ,
        "history": Capability.READ_CUSTOMER_WORK,
    }
    lookup_url_kwarg = "assignment_id"
    lookup_value_converter = "uuid"

    def create(self, request: Request) -> Response:
        assert isinstance(request.user, Actor)
        payload = validated(AssignmentCreateInput, request.data)
        data = payload
        assignment, changed = assignment_assign(
            actor=request.user,
            cif=data["cif"],
            call_agent_id=data.get("assignedCallAgentId", UNSET),
            field_agent_id=data.get("assignedFieldAgentId", UNSET),
        )
        return ok(
            represent(AssignmentOutput, assignment),
            message="Customer assigned." if changed else "The assignment is unchanged.",
            status=201 if changed else 200,
        )

    def update(self, request: Request, assignment_id: uuid.UUID) -> Response:
        assert isinstance(request.user, Actor)
        payload = validated(AssignmentUpdateInput, request.data)
        data = payload
        assignment, changed = assignment_reassign(
            actor=request.user,
            assignment_id=assignment_id,
            call_agent_id=data.get("assignedCallAgentId", UNSET),
            field_agent_id=data.get("assignedFieldAgentId", UNSET),
        )
        return ok(
            represent(AssignmentOutput, assignment),
            message="Customer reassigned." if changed else "The assignment is unchanged.",
        )

    @action(detail=False, url_path="agent/<uuid:agent_id>")
    def for_agent(self, request: Request, agent_id: uuid.UUID) -> Response:
        assert isinstance(request.user, Actor)
        assignments = assignments_for_agent(
            agent_id=agent_id,
            cif=request.query_params.get("cif") or None,
            scope=agent_scope(request.user, scope_of(request)),
        )
        rows = paginate(self, assignments)
        return self.get_paginated_response(
            {"assignments": represent_many(AgentAssignmentOutput, rows)}
        )

    @action(detail=False, url_path="pending-reassignment")
    def pending_reassignment(self, request: Request) -> Response:
        filters = validated(PendingReassignmentFilters, request.query_params.dict())
        flags = reassignment_flags_pending(
            team=filters.get("team"),
            agent_id=filters.get("agentId"),
        )
        rows = self.paginate_queryset(flags)
        return self.get_paginated_response({"flags": represent_many(ReassignmentFlagOutput, rows)})

    @action(detail=False, url_path="history/<str:cif>")
    def history(self, request: Request, cif: str) -> Response:
        assert isinstance(request.user, Actor)
        history = assignment_history(cif=cif, scope=agent_scope(request.user, scope_of(request)))
        return ok({"history": represent_many(AssignmentHistoryOutput, history)})
