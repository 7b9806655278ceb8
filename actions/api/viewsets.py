"""``/actions``: record an action, list a customer's / loan's / agent's actions, change a result.

Routes (``collectioncrm/urls.py`` registers the viewset under ``/api/v1/collection/``):
``actions`` (POST), ``actions/customer/{cif}``, ``actions/loan/{accountNumber}``,
``actions/agent/{agentId}`` (GET) and ``actions/{id}/result`` (PUT).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from actions import selectors, services
from actions.api.openapi import action_schema
from actions.api.serializers import (
    ActionCreateInput,
    ActionListOutput,
    ActionListQuery,
    ActionOutput,
    ActionResultInput,
)
from agents.scope import AgentScope, agent_scope
from promises.api.serializers import PromiseOutput
from promises.selectors import promise_for_action
from promises.services import PromiseTerms
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.output import represent, represent_many, validated
from workflow.api.pagination import paginate
from workflow.api.permissions import ActionCapability, scope_of
from workflow.permissions import Capability
from workflow.sentinels import UNSET
from workflow.sql_list import SqlList


def _actor(request: Request) -> Actor:
    assert isinstance(request.user, Actor)
    return request.user


def _scope(request: Request) -> AgentScope | None:
    return agent_scope(_actor(request), scope_of(request))


def _action_filters(request: Request) -> selectors.ActionFilters:
    values = validated(ActionListQuery, request.query_params)
    return selectors.ActionFilters(
        type=values.get("type"),
        subtype=values.get("subtype"),
        action_result=values.get("actionResult"),
        start_date=values.get("startDate"),
        end_date=values.get("endDate"),
    )


def _promise_terms(values: dict[str, Any]) -> PromiseTerms | None:
    """The promise terms of a POST /actions body; None when it carries none."""
    if values.get("promiseAmount") is None and values.get("promiseDate") is None:
        return None
    return PromiseTerms(
        amount=values.get("promiseAmount"),
        promised_date=values.get("promiseDate"),
        customer_level=values.get("promiseScope") == "CUSTOMER",
    )


@action_schema
class ActionViewSet(GenericViewSet):
    """Action records: ``actions``, ``actions/{customer,loan,agent}/...``,
    ``actions/{id}/result``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "create": Capability.RECORD_WORK,
        "for_customer": Capability.READ_CUSTOMER_WORK,
        "for_loan": Capability.READ_CUSTOMER_WORK,
        "for_agent": Capability.READ_CUSTOMER_WORK,
        "result": Capability.EDIT_RESULTS,
    }
    # A customer's or a loan's actions are few: the page carries its total (EnvelopePagination);
    # an agent's run to thousands and keep the count apart.
    count_in_page_actions = ("for_customer", "for_loan")
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"

    def _page(
        self,
        actions: SqlList[selectors.ActionListRow],
        *,
        must_exist: Callable[[], None] | None = None,
    ) -> Response:
        rows = paginate(self, actions)
        if not rows and must_exist is not None:
            # Rows prove the customer (loan) exists; an empty page is a 404 when it does not
            # (one statement saved on every page with rows).
            must_exist()
        return self.get_paginated_response({"actions": represent_many(ActionListOutput, rows)})

    def create(self, request: Request) -> Response:
        values = validated(ActionCreateInput, request.data)
        location = values.get("visitLocation")
        promise = _promise_terms(values)
        record = services.action_record(
            actor=_actor(request),
            cif=values["cif"],
            loan_account_number=values["loanAccountNumber"],
            type=values["type"],
            subtype=values["subtype"],
            action_result=values["actionResult"],
            action_date=values.get("actionDate"),
            notes=values.get("notes"),
            call_trace_id=values.get("callTraceId"),
            visit_location=(
                services.VisitLocation(
                    latitude=location.get("latitude"),
                    longitude=location.get("longitude"),
                    address=location.get("address"),
                )
                if location is not None
                else None
            ),
            contact_attempt_id=values.get("contactAttemptId"),
            party=values.get("party"),
            contact_point=values.get("contactPoint"),
            promise=promise,
        )
        output = represent(ActionOutput, record)
        if promise is not None:  # the promise it made (absent for bodies without terms)
            output["promise"] = represent(PromiseOutput, promise_for_action(action_id=record.id))
        return ok(output, message="Action recorded.", status=201)

    @action(detail=False, url_path="customer/<str:cif>")
    def for_customer(self, request: Request, cif: str) -> Response:
        filters = _action_filters(request)
        return self._page(
            selectors.actions_for_customer(
                cif=cif, filters=filters, scope=_scope(request), check=False
            ),
            must_exist=lambda: selectors.customer_must_exist(cif),
        )

    @action(detail=False, url_path="loan/<str:accountNumber>")
    def for_loan(self, request: Request, accountNumber: str) -> Response:
        filters = _action_filters(request)
        return self._page(
            selectors.actions_for_loan(
                account_number=accountNumber, filters=filters, scope=_scope(request), check=False
            ),
            must_exist=lambda: selectors.loan_must_exist(accountNumber),
        )

    @action(detail=False, url_path="agent/<uuid:agentId>")
    def for_agent(self, request: Request, agentId: uuid.UUID) -> Response:
        filters = _action_filters(request)
        return self._page(
            selectors.actions_for_agent(agent_id=agentId, filters=filters, scope=_scope(request))
        )

    @action(detail=True, methods=["put"])
    def result(self, request: Request, id: uuid.UUID) -> Response:
        values = validated(ActionResultInput, request.data)
        record = services.action_update_result(
            actor=_actor(request),
            action_id=id,
            action_result=values["actionResult"],
            notes=values["notes"] if "notes" in values else UNSET,
        )
        return ok(represent(ActionOutput, record), message="Action result updated.")
