"""Case endpoints: record a status input, list a customer's inputs.

Routes (``collectioncrm/urls.py`` registers the viewset under ``/api/v1/collection/``):
``cases`` (POST) and ``cases/customer/{cif}`` (GET). ``cases/status/{cif}`` reads across cases
and actions, so the reports app serves it (:class:`reports.api.viewsets.CaseStatusViewSet`).
"""

from __future__ import annotations

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from agents.scope import agent_scope
from cases.api.openapi import case_schema
from cases.api.serializers import CaseActionInput, CaseActionOutput
from cases.selectors import case_actions_for_customer, customer_get
from cases.services import case_record_action
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.fields import DateRangeInput
from workflow.api.output import represent, represent_many, validated
from workflow.api.pagination import paginate
from workflow.api.permissions import ActionCapability, scope_of
from workflow.permissions import Capability


@case_schema
class CaseViewSet(GenericViewSet):
    """Customers' cases: ``cases``, ``cases/customer/{cif}``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "create": Capability.RECORD_WORK,
        "for_customer": Capability.READ_CUSTOMER_WORK,
    }
    # One customer's case actions are few: the page carries its total (EnvelopePagination).
    count_in_page_actions = ("for_customer",)

    def create(self, request: Request) -> Response:
        assert isinstance(request.user, Actor)
        payload = validated(CaseActionInput, request.data)
        data = payload
        case_action = case_record_action(
            actor=request.user,
            cif=data["cif"],
            action_date=data.get("actionDate"),
            notes=data.get("notes"),
            customer_status=data.get("customerStatus"),
            collateral_status=data.get("collateralStatus"),
            processing_state_status=data.get("processingStateStatus"),
            lending_violation_status=data.get("lendingViolationStatus"),
            recovery_ability_status=data.get("recoveryAbilityStatus"),
        )
        return ok(
            represent(CaseActionOutput, case_action), message="Case action recorded.", status=201
        )

    @action(detail=False, url_path="customer/<str:cif>")
    def for_customer(self, request: Request, cif: str) -> Response:
        assert isinstance(request.user, Actor)
        dates = validated(DateRangeInput, request.query_params)
        case_actions = case_actions_for_customer(
            cif=cif,
            start_date=dates.get("startDate"),
            end_date=dates.get("endDate"),
            scope=agent_scope(request.user, scope_of(request)),
        )
        rows = paginate(self, case_actions)
        if not rows:
            customer_get(cif=cif)  # 404 for an unknown customer (rows prove one exists)
        return self.get_paginated_response({"caseActions": represent_many(CaseActionOutput, rows)})
