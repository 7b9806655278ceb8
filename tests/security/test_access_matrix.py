"""The access matrix (OWASP API1/API5): endpoint x method x caller -> allowed / scoped / denied,
generated from the router and ``workflow.permissions.POLICY``. Each cell is a test; a route
without a declared capability fails the walk. Object-level (scoped) cells:
``test_object_level_access.py``."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api import client_for
from tests.factories import AgentFactory, CrmUserFactory
from tests.security.policy import (
    NOT_POLICED,
    Operation,
    Principal,
    expected,
    operations,
    principals,
    url_names_outside_the_router,
)
from workflow.api.permissions import denial_message
from workflow.permissions import POLICY, Access

OPERATIONS = operations()


def test_every_url_under_the_api_is_a_policed_operation_or_a_known_public_view() -> None:
    assert set(url_names_outside_the_router()) <= NOT_POLICED


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_every_operation_declares_a_capability_of_the_policy(operation: Operation) -> None:
    assert operation.capability in POLICY, f"{operation.name}: no capability for {operation.action}"


def _call(client: APIClient, operation: Operation) -> tuple[int, dict]:
    response = client.generic(
        operation.method, operation.path(), data="{}", content_type="application/json"
    )
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("principal", principals(), ids=lambda p: p.name)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_the_policy_decides_who_may_call_each_operation(
    operation: Operation, principal: Principal
) -> None:
    user = CrmUserFactory(role=principal.role)
    AgentFactory(user=user, type=principal.role)
    permissions = [principal.permission] if principal.permission else None
    status, body = _call(client_for(user, permissions=permissions), operation)

    assert operation.capability is not None
    refused = status == 403 and body["message"] == denial_message(operation.capability)
    if expected(operation, principal).access is Access.DENIED:
        assert refused, (status, body)
        assert body["errors"][0]["code"] == "FORBIDDEN"
    else:
        assert not refused, body
        assert status < 500, body


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_every_operation_refuses_an_anonymous_caller(operation: Operation) -> None:
    status, body = _call(APIClient(), operation)

    assert status == 401, body
    assert body["errors"][0]["code"] == "AUTH_REQUIRED"
