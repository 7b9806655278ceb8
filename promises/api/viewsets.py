"""``/promises``: list promises, read one with its appropriations, cancel one.

Routes (``collectioncrm/urls.py`` registers the viewset under ``/api/v1/collection/``):
``promises`` (GET), ``promises/{id}`` (GET) and ``promises/{id}/cancel`` (POST).
"""

from __future__ import annotations

import uuid

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from agents.scope import AgentScope, agent_scope
from promises import selectors, services
from promises.api.openapi import promise_schema
from promises.api.serializers import (
    PromiseCancelInput,
    PromiseDetailOutput,
    PromiseListQuery,
    PromiseOutput,
)
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.output import represent, represent_many, validated
from workflow.api.permissions import ActionCapability, scope_of
from workflow.permissions import Capability


def _actor(request: Request) -> Actor:
    assert isinstance(request.user, Actor)
    return request.user


def _scope(request: Request) -> AgentScope | None:
    return agent_scope(_actor(request), scope_of(request))


@promise_schema
class PromiseViewSet(GenericViewSet):
    """Promises to pay: ``promises``, ``promises/{id}``, ``promises/{id}/cancel``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "list": Capability.READ_CUSTOMER_WORK,
        "retrieve": Capability.READ_CUSTOMER_WORK,
        "cancel": Capability.RECORD_WORK,
    }
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"

    def list(self, request: Request) -> Response:
        values = validated(PromiseListQuery, request.query_params.dict())
        promises = selectors.promises_list(
            scope=_scope(request),
            filters=selectors.PromiseFilters(
                cif=values.get("cif"),
                loan=values.get("loan"),
                agent_id=values.get("agentId"),
                team=values.get("team"),
                status=values.get("status"),
                promised_from=values.get("promisedFrom"),
                promised_to=values.get("promisedTo"),
            ),
        )
        rows = self.paginate_queryset(promises)
        return self.get_paginated_response({"promises": represent_many(PromiseOutput, rows)})

    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        return ok(
            represent(
                PromiseDetailOutput, selectors.promise_detail(promise_id=id, scope=_scope(request))
            )
        )

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, id: uuid.UUID) -> Response:
        data = validated(PromiseCancelInput, request.data)
        promise = services.promise_cancel(
            actor=_actor(request), promise_id=id, reason=data["reason"]
        )
        return ok(represent(PromiseOutput, promise), message="Promise cancelled.")
