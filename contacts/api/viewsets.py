"""``/contact-attempts`` and ``/contact-policy/check``: the gate the frontend and dialers pass
before every contact.

Routes (``collectioncrm/urls.py`` registers the viewsets under ``/api/v1/collection/``):
``contact-attempts`` (POST: reserve), ``contact-attempts/override`` (POST: a supervisor allows a
refused attempt), ``contact-attempts/{id}/release`` (POST: give back an unused reservation)
and ``contact-policy/check`` (GET: the same decision, nothing reserved).
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from contacts import ledger_services, services
from contacts.api.openapi import contact_attempt_schema, contact_policy_schema
from contacts.api.serializers import (
    AttemptOutput,
    ContactOverrideInput,
    ContactRequestInput,
    DecisionOutput,
    ReservationOutput,
    attempt_data,
    decision_data,
    reservation_data,
)
from workflow.actors import Actor
from workflow.api.envelope import ok
from workflow.api.permissions import ActionCapability
from workflow.permissions import Capability

VIOLATION_CODE = "CONTACT_POLICY_VIOLATION"


def _actor(request: Request) -> Actor:
    assert isinstance(request.user, Actor)
    return request.user


def _refused(data: dict[str, Any]) -> Response:
    """422 in the envelope: the decision in ``data``, the rule and its figures in the error."""
    error = {
        "code": VIOLATION_CODE,
        "message": data["message"],
        "rule": data["rule"],
        "limit": data["limit"],
        "count": data["count"],
        "nextAllowedAt": data["nextAllowedAt"],
    }
    body = {"success": False, "data": data, "message": data["message"], "errors": [error]}
    return Response(body, status=422)


def _request_values(serializer: ContactRequestInput) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    return {
        "cif": values["cif"],
        "channel": values["channel"],
        "party": values["party"],
        "contact_point": values["contactPoint"],
    }


@contact_attempt_schema
class ContactAttemptViewSet(GenericViewSet):
    """Reservations of contact attempts: ``contact-attempts``, ``contact-attempts/override``,
    ``contact-attempts/{id}/release``."""

    permission_classes = [ActionCapability]
    capabilities = {
        "create": Capability.RECORD_WORK,
        "override": Capability.OVERRIDE_CONTACTS,
        "release": Capability.RECORD_WORK,
    }
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"

    def create(self, request: Request) -> Response:
        values = _request_values(ContactRequestInput(data=request.data))
        answer = services.contact_attempt_reserve(actor=_actor(request), **values)
        data = dict(ReservationOutput(reservation_data(answer)).data)
        if not answer.decision.allowed:
            return _refused(data)
        return ok(data, message="Contact attempt reserved.", status=201)

    @action(detail=False, methods=["post"], url_path="override")
    def override(self, request: Request) -> Response:
        serializer = ContactOverrideInput(data=request.data)
        values = _request_values(serializer)
        answer = services.contact_attempt_override(
            actor=_actor(request), reason=serializer.validated_data["reason"], **values
        )
        data = dict(ReservationOutput(reservation_data(answer)).data)
        message = (
            "Contact attempt reserved by override."
            if answer.override_reason
            else "Contact attempt reserved (the policy allows it; nothing overridden)."
        )
        return ok(data, message=message, status=201)

    @action(detail=True, methods=["post"], url_path="release")
    def release(self, request: Request, id: uuid.UUID) -> Response:
        attempt = ledger_services.contact_attempt_release(actor=_actor(request), attempt_id=id)
        return ok(
            AttemptOutput(attempt_data(attempt)).data, message="Contact reservation released."
        )


@contact_policy_schema
class ContactPolicyViewSet(GenericViewSet):
    """``contact-policy/check``: the reservation's decision without reserving."""

    permission_classes = [ActionCapability]
    capabilities = {"check": Capability.READ}

    @action(detail=False, methods=["get"], url_path="check")
    def check(self, request: Request) -> Response:
        values = _request_values(ContactRequestInput(data=request.query_params))
        answer = services.contact_policy_check(actor=_actor(request), **values)
        data = DecisionOutput(decision_data(answer)).data
        return ok(data, message=data["message"])
