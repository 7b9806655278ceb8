"""Reassignment flags: raised for a deactivated agent's customers, resolved by reassigning them,
listed for supervisors (API and admin)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from agents.models import Agent
from assignments.flags import reassignment_flags_raise
from assignments.models import ReassignmentFlag
from assignments.services import assignment_assign
from tests.admin.conftest import crm_signed_in
from tests.api import agent_client, client_for, envelope_error, envelope_ok
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory, CustomerFactory
from tests.workflow.test_migrations import run, scratch, signature
from workflow.actors import Actor

__all__ = ["scratch"]  # the fixture, re-used

pytestmark = pytest.mark.django_db

URL = "/api/v1/collection/assignments/pending-reassignment"
ACTOR = Actor(username="sup.lan", user_id=uuid.uuid4(), roles=frozenset({"SUPERVISOR"}))


def supervisor() -> APIClient:
    return client_for(CrmUserFactory(role="SUPERVISOR"))


def flag_agent(agent: Agent) -> int:
    return reassignment_flags_raise(agent_id=agent.id, reason="left", event_id=uuid.uuid4())


def open_flags() -> set[tuple[str, str, uuid.UUID]]:
    return {
        (flag.customer_id, flag.role, flag.agent_id)
        for flag in ReassignmentFlag.objects.filter(resolved_at__isnull=True)
    }


# --- Raising and resolving ------------------------------------------------------------------


def test_raising_flags_twice_opens_each_customer_role_once() -> None:
    agent, other = AgentFactory(), AgentFactory()
    both = CustomerCaseFactory(assigned_call_agent=agent, assigned_field_agent=agent)
    field = CustomerCaseFactory(assigned_call_agent=other, assigned_field_agent=agent)

    assert flag_agent(agent) == 3
    assert flag_agent(agent) == 0

    assert open_flags() == {
        (both.customer_id, "CALL", agent.id),
        (both.customer_id, "FIELD", agent.id),
        (field.customer_id, "FIELD", agent.id),
    }


def test_the_database_refuses_a_second_open_flag_and_an_unknown_role() -> None:
    agent = AgentFactory()
    ReassignmentFlag.objects.create(customer_id="C1", agent=agent, role="CALL")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReassignmentFlag.objects.create(customer_id="C1", agent=agent, role="CALL")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReassignmentFlag.objects.create(customer_id="C1", agent=agent, role="OTHER")
    # Once resolved, the customer may be flagged again.
    ReassignmentFlag.objects.update(resolved_at=timezone.now())
    ReassignmentFlag.objects.create(customer_id="C1", agent=agent, role="CALL")


def test_reassigning_the_customer_away_resolves_only_the_flags_of_the_role_that_moved() -> None:
    gone, successor = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=gone, assigned_field_agent=gone)
    untouched = CustomerCaseFactory(assigned_call_agent=gone)
    flag_agent(gone)

    assignment_assign(actor=ACTOR, cif=case.customer_id, call_agent_id=successor.id)

    assert open_flags() == {
        (case.customer_id, "FIELD", gone.id),
        (untouched.customer_id, "CALL", gone.id),
    }
    resolved = ReassignmentFlag.objects.get(customer_id=case.customer_id, role="CALL")
    assert resolved.resolved_by == "sup.lan"
    assert resolved.resolved_at is not None

    # Clearing the field role also takes the customer away from the agent.
    assignment_assign(actor=ACTOR, cif=case.customer_id, field_agent_id=None)
    # Re-assigning the same agents changes nothing and resolves nothing.
    assignment_assign(actor=ACTOR, cif=untouched.customer_id, call_agent_id=gone.id)
    assert open_flags() == {(untouched.customer_id, "CALL", gone.id)}


def test_reassigning_through_the_api_resolves_the_flag() -> None:
    gone, successor = AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=gone)
    flag_agent(gone)
    client = supervisor()

    body = {"cif": case.customer_id, "assignedCallAgentId": str(successor.id)}
    envelope_ok(client.post("/api/v1/collection/assignments", body, format="json"), 201)

    assert open_flags() == set()
    assert envelope_ok(client.get(URL))["flags"] == []


# --- GET assignments/pending-reassignment ---------------------------------------------------


def test_it_lists_the_open_flags_oldest_first_with_customer_and_agent() -> None:
    agent = AgentFactory(name="Tran Thi B", employee_id="EMP042", team="Team A")
    customer = CustomerFactory(cif="C-FLAG-1", name="Nguyen Van A")
    CustomerCaseFactory(customer=customer, assigned_call_agent=agent)
    older = ReassignmentFlag.objects.create(
        customer_id="C-FLAG-0",
        agent=agent,
        role="FIELD",
        reason="older",
        flagged_at=dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC),
    )
    CustomerFactory(cif="C-FLAG-0", name=None, company_name="ACME Ltd")
    flag_agent(agent)
    ReassignmentFlag.objects.create(
        customer_id="C-FLAG-1", agent=agent, role="FIELD", resolved_at=timezone.now()
    )
    client, _ = agent_client()  # any role may read

    data = envelope_ok(client.get(URL))

    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 2}
    first, second = data["flags"]
    assert first == {
        "id": str(older.id),
        "cif": "C-FLAG-0",
        "customerName": "ACME Ltd",
        "agentId": str(agent.id),
        "agentName": "Tran Thi B",
        "agentEmployeeId": "EMP042",
        "agentTeam": "Team A",
        "role": "FIELD",
        "reason": "older",
        "flaggedAt": "2026-03-01T01:00:00Z",
    }
    assert (second["cif"], second["customerName"], second["role"]) == (
        "C-FLAG-1",
        "Nguyen Van A",
        "CALL",
    )
    assert second["reason"] == "left" and second["flaggedAt"].endswith("Z")


def test_it_filters_by_the_agents_team_and_by_agent() -> None:
    a, b = AgentFactory(team="Team A"), AgentFactory(team="Team B")
    for agent in (a, a, b):
        CustomerCaseFactory(assigned_call_agent=agent)
    flag_agent(a)
    flag_agent(b)
    client = supervisor()

    by_team = envelope_ok(client.get(URL, {"team": "Team A"}))["flags"]
    assert {flag["agentId"] for flag in by_team} == {str(a.id)} and len(by_team) == 2
    by_agent = envelope_ok(client.get(URL, {"agentId": str(b.id)}))["flags"]
    assert [flag["agentId"] for flag in by_agent] == [str(b.id)]
    assert envelope_ok(client.get(URL, {"team": "Team A", "agentId": str(b.id)}))["flags"] == []


def test_it_validates_the_filters_and_the_page() -> None:
    client = supervisor()
    envelope_error(client.get(URL, {"agentId": "not-a-uuid"}), 400, "VALIDATION_ERROR", "agentId")
    envelope_error(client.get(URL, {"team": "x" * 31}), 400, "VALIDATION_ERROR", "team")
    envelope_error(client.get(URL, {"pageSize": 101}), 400, "VALIDATION_ERROR", "pageSize")
    agent = AgentFactory()
    CustomerCaseFactory(assigned_call_agent=agent)
    flag_agent(agent)
    past = envelope_ok(client.get(URL, {"page": 3, "pageSize": 1}))
    assert past["flags"] == [] and past["pagination"]["totalItems"] == 1


def test_it_requires_authentication() -> None:
    envelope_error(APIClient().get(URL), 401, "AUTH_REQUIRED")


def test_it_lists_flags_in_a_constant_number_of_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(3):
        agent = AgentFactory()
        for _ in range(10):
            CustomerCaseFactory(assigned_call_agent=agent)
        flag_agent(agent)
    client = supervisor()

    with CaptureQueriesContext(connection) as one_row:
        assert len(envelope_ok(client.get(URL, {"pageSize": 1}))["flags"]) == 1
    with django_assert_max_num_queries(len(one_row)):
        assert len(envelope_ok(client.get(URL, {"pageSize": 50}))["flags"]) == 30
    assert len(one_row) <= 2  # the count and the page (customer and agent joined)


# --- Admin ----------------------------------------------------------------------------------


def test_the_admin_lists_flags_and_opens_the_chosen_customers_in_the_cases_list() -> None:
    crm_admin = crm_signed_in("adm.flags", "ADMIN")
    agent = AgentFactory(name="Gone Agent")
    cases = [CustomerCaseFactory(assigned_call_agent=agent) for _ in range(2)]
    other = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    flag_agent(agent)

    page = crm_admin.get("/admin/assignments/reassignmentflag/?state=open")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Gone Agent" in content and cases[0].customer_id in content
    assert "open case" in content

    response = crm_admin.post(
        "/admin/assignments/reassignmentflag/",
        {
            "action": "open_in_cases",
            "_selected_action": [str(flag.pk) for flag in ReassignmentFlag.objects.all()],
        },
    )
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == "/admin/cases/customercase/"
    assert parse_qs(target.query)["customer_id__in"] == [
        ",".join(sorted(case.customer_id for case in cases))
    ]
    listed = crm_admin.get(response["Location"])
    assert listed.status_code == 200
    listed_content = listed.content.decode()
    assert all(case.customer_id in listed_content for case in cases)
    assert other.customer_id not in listed_content
    assert "Assign selected customers to agent(s)" in listed_content


# --- Schema ---------------------------------------------------------------------------------


def test_the_flags_table_is_idempotent_and_reversible(scratch: psycopg.Connection) -> None:
    for step in ("0001_baseline", "0002_agents_user_id", "0003_fix_assignment_trigger"):
        run(scratch, step)
    before = signature(scratch)
    run(scratch, "0009_reassignment_flags")
    after = signature(scratch)
    run(scratch, "0009_reassignment_flags")
    assert signature(scratch) == after
    assert "uq_reassignment_flags_open" in {row[2] for row in after["indexes"]}
    run(scratch, "0009_reassignment_flags_reverse")
    assert signature(scratch) == before
    run(scratch, "0009_reassignment_flags_reverse")
    assert signature(scratch) == before
