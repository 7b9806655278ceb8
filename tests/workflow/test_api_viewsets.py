"""The API layer: every viewset action declares its capability, undeclared actions are refused,
and a list costs the same number of queries whatever the size of its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from collectioncrm.urls import router
from tests.api import client_for, envelope_ok
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerFactory,
    LoanFactory,
)
from workflow.actors import Actor
from workflow.api.permissions import ActionCapability
from workflow.models import Customer
from workflow.permissions import Capability

BASE = "/api/v1/collection"


def test_every_routed_action_of_every_viewset_declares_its_capability() -> None:
    for prefix, viewset, _ in router.registry:
        routed = {
            action
            for route in router.get_routes(viewset)
            for action in route.mapping.values()
            if hasattr(viewset, action)
        }
        assert routed, prefix
        assert routed == set(viewset.capabilities), (prefix, viewset.__name__)
        assert all(isinstance(value, Capability) for value in viewset.capabilities.values())


class _View:
    def __init__(self, action: str | None, action_map: dict[str, str]) -> None:
        self.action = action
        self.action_map = action_map
        self.capabilities = {"list": Capability.READ, "create": Capability.MANAGE_AGENTS}


def _request(roles: list[str]) -> Any:
    request = APIRequestFactory().get("/")
    request.user = Actor(username="someone", roles=frozenset(roles))
    return request


def test_an_action_without_a_declared_capability_is_refused() -> None:
    permission = ActionCapability()

    allowed = permission.has_permission(_request(["ADMIN"]), _View("destroy", {}))

    assert allowed is False
    assert "destroy" in permission.message


def test_a_method_the_route_does_not_serve_needs_every_capability_of_the_route() -> None:
    route = {"get": "list", "post": "create"}
    agent, supervisor = ActionCapability(), ActionCapability()

    assert agent.has_permission(_request(["AGENT"]), _View(None, route)) is False
    assert agent.message == "This needs the manage_agents capability (see the role matrix)."
    assert supervisor.has_permission(_request(["SUPERVISOR"]), _View(None, route)) is True


def _agents(count: int) -> str:
    AgentFactory.create_batch(count)
    return f"{BASE}/agents?pageSize=100"


def _customer(cif: str) -> Customer:
    return Customer.objects.filter(cif=cif).first() or CustomerFactory(cif=cif)


def _customer_actions(count: int) -> str:
    ActionRecordFactory.create_batch(count, loan=LoanFactory(customer=_customer("CIF-Q1")))
    return f"{BASE}/actions/customer/CIF-Q1?pageSize=100"


def _case_actions(count: int) -> str:
    CustomerCaseActionFactory.create_batch(count, customer=_customer("CIF-Q2"))
    return f"{BASE}/cases/customer/CIF-Q2?pageSize=100"


@pytest.mark.django_db
@pytest.mark.parametrize("make_list", [_agents, _customer_actions, _case_actions])
def test_a_list_runs_as_many_queries_for_twelve_rows_as_for_two(
    make_list: Callable[[int], str],
) -> None:
    client = client_for(CrmUserFactory(role="SUPERVISOR"))

    counts = []
    for added in (2, 10):
        url = make_list(added)
        with CaptureQueriesContext(connection) as queries:
            envelope_ok(client.get(url))
        counts.append(len(queries))

    assert counts[0] == counts[1]
