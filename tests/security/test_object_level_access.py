"""Object-level access (OWASP API1, BOLA): where the policy grants a capability only within a
scope, a caller sees and changes only the objects of that scope.

OWN_WORK (an AGENT reading customers' work): the customers currently assigned to the agent as
call or field agent, and what the agent recorded. OWN_ACTIONS (an AGENT changing a result): the
actions it recorded. TEAM (a SUPERVISOR linking users): ``tests/agents/test_supervisor_linking.py``.
Every operation the policy scopes for some role must have its cases here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from agents.models import Agent
from tests.api import client_for, envelope_error, envelope_ok
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    LoanFactory,
)
from tests.promises import helpers as promise_helpers
from tests.security.policy import expected, operations, principals
from workflow.permissions import Access

BASE = "/api/v1/collection"


@dataclass
class World:
    """Agent ``me`` and agent ``other`` (both AGENT, team A); customer C1 is assigned to me
    (call agent), C2 to the other agent (field agent). Actions: ``mine_on_c1``, ``others_on_c1``
    (visible to me: my customer), ``others_on_c2`` (not visible), ``mine_on_c2`` (visible: I
    recorded it). Case actions likewise."""

    me: Agent
    other: Agent
    agent: APIClient
    unlinked: APIClient
    supervisor: APIClient
    admin: APIClient
    objects: dict[str, Any]


@pytest.fixture
def world(db: None) -> World:
    users = {role: CrmUserFactory(role=role) for role in ("AGENT", "SUPERVISOR", "ADMIN")}
    me = AgentFactory(user=users["AGENT"])
    other = AgentFactory(user=CrmUserFactory(role="AGENT"))
    AgentFactory(user=users["SUPERVISOR"], type="SUPERVISOR")
    l1 = LoanFactory(customer__cif="CIF-OL1", account_number="LN-OL1")
    l2 = LoanFactory(customer__cif="CIF-OL2", account_number="LN-OL2")
    CustomerCaseFactory(customer=l1.customer, assigned_call_agent=me)
    CustomerCaseFactory(customer=l2.customer, assigned_field_agent=other)
    objects = {
        "mine_on_c1": ActionRecordFactory(loan=l1, agent=me),
        "others_on_c1": ActionRecordFactory(loan=l1, agent=other),
        "others_on_c2": ActionRecordFactory(loan=l2, agent=other),
        "mine_on_c2": ActionRecordFactory(loan=l2, agent=me),
        "case_mine_on_c2": CustomerCaseActionFactory(customer=l2.customer, agent=me),
        "case_others_on_c2": CustomerCaseActionFactory(customer=l2.customer, agent=other),
        "case_others_on_c1": CustomerCaseActionFactory(customer=l1.customer, agent=other),
    }
    for name, loan, agent in (
        ("promise_mine_on_c1", l1, me),
        ("promise_others_on_c1", l1, other),
        ("promise_others_on_c2", l2, other),
        ("promise_mine_on_c2", l2, me),
    ):
        objects[name] = promise_helpers.promise(
            agent=agent,
            cif=loan.customer_id,
            loan=loan.account_number,
            amount="1000",
            customer_level=agent is other,  # one pending promise per scope
        )
    return World(
        me=me,
        other=other,
        agent=client_for(users["AGENT"]),
        unlinked=client_for(CrmUserFactory(role="AGENT")),
        supervisor=client_for(users["SUPERVISOR"]),
        admin=client_for(users["ADMIN"]),
        objects=objects,
    )


def _ids(world: World, *names: str) -> set[str]:
    return {str(world.objects[name].id) for name in names}


def _listed(client: APIClient, path: str, key: str) -> set[str]:
    return {item["id"] for item in envelope_ok(client.get(f"{BASE}/{path}"))[key]}


# (path, items key, what the agent sees, what supervisors and admins see)
LISTS = {
    "GET actions/customer/<str:cif>": [
        ("actions/customer/CIF-OL1", "actions", {"mine_on_c1", "others_on_c1"}),
        ("actions/customer/CIF-OL2", "actions", {"mine_on_c2"}),
    ],
    "GET actions/loan/<str:accountNumber>": [
        ("actions/loan/LN-OL1", "actions", {"mine_on_c1", "others_on_c1"}),
        ("actions/loan/LN-OL2", "actions", {"mine_on_c2"}),
    ],
    "GET actions/agent/<uuid:agentId>": [
        ("actions/agent/{other}", "actions", {"others_on_c1"}),
        ("actions/agent/{me}", "actions", {"mine_on_c1", "mine_on_c2"}),
    ],
    "GET cases/customer/<str:cif>": [
        ("cases/customer/CIF-OL2", "caseActions", {"case_mine_on_c2"}),
        ("cases/customer/CIF-OL1", "caseActions", {"case_others_on_c1"}),
    ],
    "GET promises": [
        (
            "promises",
            "promises",
            {"promise_mine_on_c1", "promise_others_on_c1", "promise_mine_on_c2"},
        ),
        ("promises?cif=CIF-OL2", "promises", {"promise_mine_on_c2"}),
    ],
}
EVERYTHING = {
    "actions/customer/CIF-OL1": {"mine_on_c1", "others_on_c1"},
    "actions/customer/CIF-OL2": {"mine_on_c2", "others_on_c2"},
    "actions/loan/LN-OL1": {"mine_on_c1", "others_on_c1"},
    "actions/loan/LN-OL2": {"mine_on_c2", "others_on_c2"},
    "actions/agent/{other}": {"others_on_c1", "others_on_c2"},
    "actions/agent/{me}": {"mine_on_c1", "mine_on_c2"},
    "cases/customer/CIF-OL2": {"case_mine_on_c2", "case_others_on_c2"},
    "cases/customer/CIF-OL1": {"case_others_on_c1"},
    "promises": {
        "promise_mine_on_c1",
        "promise_others_on_c1",
        "promise_others_on_c2",
        "promise_mine_on_c2",
    },
    "promises?cif=CIF-OL2": {"promise_others_on_c2", "promise_mine_on_c2"},
}
# Operations whose scope is checked by the tests below, besides LISTS.
REFUSALS = {
    "GET assignments/agent/<uuid:agent_id>",
    "GET assignments/history/<str:cif>",
    "PUT actions/<uuid:id>/result",
    "GET promises/<uuid:id>",
}
ELSEWHERE = {"POST agents/link-user": "tests/agents/test_supervisor_linking.py"}


def test_every_scoped_operation_has_object_level_tests() -> None:
    scoped = {
        operation.name
        for operation in operations()
        for principal in principals()
        if expected(operation, principal).access is Access.SCOPED
        and operation.method != "HEAD"  # DRF serves HEAD with the GET handler
    }
    covered = set(LISTS) | REFUSALS | set(ELSEWHERE)
    assert scoped <= covered, f"object-level tests missing for {sorted(scoped - covered)}"
    root = Path(__file__).resolve().parents[2]
    assert all((root / path).is_file() for path in ELSEWHERE.values())


def _cases() -> list[tuple[str, str, str, set[str]]]:
    return [(op, path, key, seen) for op, rows in LISTS.items() for path, key, seen in rows]


@pytest.mark.parametrize(("operation", "path", "key", "seen"), _cases())
def test_an_agent_lists_only_its_customers_work_and_its_own(
    world: World, operation: str, path: str, key: str, seen: set[str]
) -> None:
    url = path.format(me=world.me.id, other=world.other.id)

    assert _listed(world.agent, url, key) == _ids(world, *seen)


@pytest.mark.parametrize(("operation", "path", "key", "seen"), _cases())
def test_supervisors_and_admins_list_everyones_work(
    world: World, operation: str, path: str, key: str, seen: set[str]
) -> None:
    url = path.format(me=world.me.id, other=world.other.id)
    for client in (world.supervisor, world.admin):
        assert _listed(client, url, key) == _ids(world, *EVERYTHING[path])


@pytest.mark.parametrize(("operation", "path", "key", "seen"), _cases())
def test_an_agent_user_without_an_agent_profile_has_no_work_to_list(
    world: World, operation: str, path: str, key: str, seen: set[str]
) -> None:
    url = path.format(me=world.me.id, other=world.other.id)

    envelope_error(world.unlinked.get(f"{BASE}/{url}"), 403, "AGENT_NOT_FOUND")


def test_an_agent_lists_its_own_assignments_only(world: World) -> None:
    mine = envelope_ok(world.agent.get(f"{BASE}/assignments/agent/{world.me.id}"))
    assert [row["cif"] for row in mine["assignments"]] == ["CIF-OL1"]

    refused = world.agent.get(f"{BASE}/assignments/agent/{world.other.id}")
    envelope_error(refused, 403, "FORBIDDEN", field="agentId")
    for client in (world.supervisor, world.admin):
        theirs = envelope_ok(client.get(f"{BASE}/assignments/agent/{world.other.id}"))
        assert [row["cif"] for row in theirs["assignments"]] == ["CIF-OL2"]


def test_an_agent_reads_the_assignment_history_of_its_own_customers_only(world: World) -> None:
    assert envelope_ok(world.agent.get(f"{BASE}/assignments/history/CIF-OL1"))["history"]

    for cif in ("CIF-OL2", "CIF-NOBODY"):  # another agent's customer; nobody's
        refused = world.agent.get(f"{BASE}/assignments/history/{cif}")
        envelope_error(refused, 403, "FORBIDDEN", field="cif")
    for client in (world.supervisor, world.admin):
        assert envelope_ok(client.get(f"{BASE}/assignments/history/CIF-OL2"))["history"]


def _change_result(client: APIClient, action_id: Any) -> Any:
    return client.put(
        f"{BASE}/actions/{action_id}/result", {"actionResult": "DISPUTE"}, format="json"
    )


def test_an_agent_changes_the_results_of_its_own_actions_only(world: World) -> None:
    envelope_ok(_change_result(world.agent, world.objects["mine_on_c2"].id))

    # Another agent's action, even on one of my customers: refused, and left as it was.
    for name in ("others_on_c1", "others_on_c2"):
        envelope_error(_change_result(world.agent, world.objects[name].id), 403, "FORBIDDEN")
        world.objects[name].refresh_from_db()
        assert world.objects[name].action_result == "PROMISE_TO_PAY"


def test_supervisors_and_admins_change_anyones_results(world: World) -> None:
    for client in (world.supervisor, world.admin):
        data = envelope_ok(_change_result(client, world.objects["others_on_c2"].id))
        assert data["actionResult"] == "DISPUTE"


def test_an_agent_reads_the_promises_of_its_customers_and_its_own_only(world: World) -> None:
    for name in ("promise_mine_on_c1", "promise_others_on_c1", "promise_mine_on_c2"):
        promise_id = world.objects[name].id
        assert envelope_ok(world.agent.get(f"{BASE}/promises/{promise_id}"))["id"] == str(
            promise_id
        )

    refused = world.agent.get(f"{BASE}/promises/{world.objects['promise_others_on_c2'].id}")
    envelope_error(refused, 403, "FORBIDDEN", field="id")
    for client in (world.supervisor, world.admin):
        envelope_ok(client.get(f"{BASE}/promises/{world.objects['promise_others_on_c2'].id}"))
