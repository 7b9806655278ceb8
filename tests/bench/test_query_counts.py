"""Database queries per request: a constant per endpoint, never one per row (issue 11).

Counts are deterministic where times are not, so they are asserted here and the load benchmark
(``make bench``) only prints them. Every list is asked for one row and for fifty rows of a
data set where each row names another agent, and must make the same number of queries; every
endpoint must make exactly the number below (``BEGIN`` and ``COMMIT`` of a write count: they
are round trips too). A change of a count is a deliberate decision:
update the number here (and say why in the commit) only when the new count is constant too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from agents.models import Agent
from assignments.models import CustomerAgent
from bench.contact_cases import noon_zone
from cases.models import CustomerCase
from contacts.policy_services import profile_set
from tests.api import client_for
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    CustomerFactory,
    LoanFactory,
)
from workflow.actors import Actor
from workflow.models import CrmUser, Customer, Loan

# Transactional: each request's transactions are real ones, as in production, so the counts
# hold no SAVEPOINT of a test-wrapping transaction and match the benchmark's.
pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/collection"
ROWS = 6  # rows of each list: one page of 1 and one page of 50 must cost the same


@dataclass
class World:
    agents: list[Agent]  # agents[0] is the reader's own agent
    reader: APIClient  # an AGENT with a linked profile
    supervisor: APIClient
    admin: APIClient
    customer: Customer
    loan: Loan
    lone_customer: Customer  # one assignment version, one action, no case actions
    free_user: CrmUser  # no agent profile
    free_agent: Agent  # no user


@pytest.fixture
def world() -> World:
    users = [CrmUserFactory(role="AGENT") for _ in range(ROWS)]
    agents = [AgentFactory(user=user) for user in users]
    supervisor_user = CrmUserFactory(role="SUPERVISOR")
    AgentFactory(user=supervisor_user, type="SUPERVISOR")
    admin_user = CrmUserFactory(role="ADMIN")
    customer = CustomerFactory()
    # About noon in the customer's zone whenever the suite runs: POST /actions is counted on
    # the normal path, not a breach of the calling hours (two statements more).
    profile_set(
        cif=customer.cif,
        jurisdiction=None,
        time_zone=noon_zone(dt.datetime.now(dt.UTC)),
        actor=Actor(username="tests", roles=frozenset({"ADMIN"})),
    )
    loan = LoanFactory(customer=customer)
    second_loan = LoanFactory(customer=customer)
    case = CustomerCaseFactory(
        customer=customer, assigned_call_agent=agents[0], assigned_field_agent=agents[1]
    )
    # Each change of the agents writes a version (the trigger): ROWS versions in all.
    for index in range(2, ROWS + 1):
        CustomerCase.objects.filter(id=case.id).update(assigned_field_agent=agents[index % ROWS])
    started = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
    for index, agent in enumerate(agents):
        when = started + dt.timedelta(days=index)
        ActionRecordFactory(loan=loan if index % 2 else second_loan, agent=agent, action_date=when)
        ActionRecordFactory(loan=loan, agent=agent, action_date=when + dt.timedelta(hours=1))
        CustomerCaseActionFactory(customer=customer, agent=agent, action_date=when)
        # More customers of the reader's agent, each with a case and actions by others.
        other = CustomerCaseFactory(
            assigned_call_agent=agents[0], assigned_field_agent=agent
        ).customer
        ActionRecordFactory(loan=LoanFactory(customer=other), agent=agents[0], action_date=when)
    lone = CustomerCaseFactory(assigned_call_agent=agents[1]).customer
    ActionRecordFactory(loan=LoanFactory(customer=lone), agent=agents[1])
    for _ in range(ROWS):
        AgentFactory()
    assert CustomerAgent.objects.filter(customer_id=customer.cif).count() == ROWS
    return World(
        agents=agents,
        reader=client_for(users[0]),
        supervisor=client_for(supervisor_user),
        admin=client_for(admin_user),
        customer=customer,
        loan=loan,
        lone_customer=lone,
        free_user=CrmUserFactory(role="AGENT"),
        free_agent=AgentFactory(),
    )


def send(client: APIClient, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, data=_json(body or {}), content_type="application/json")


def _json(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body)


# --- lists: one row or fifty, the same queries ------------------------------------------------

# The reader is an AGENT: its lists of customers' work cost one query more than a supervisor's,
# the lookup of its own agent that scopes them (issue 13, "own work"). A customer's or a loan's
# page carries its total (COUNT(*) OVER ()): one query less than the long lists, which count
# apart. GET /agents: the table's version, the count and the page (a miss; a page cached at that
# version is the version alone, tests/agents/test_agent_list_cache.py).
LISTS: dict[str, tuple[Callable[[World], str], int]] = {
    "GET /agents": (lambda w: f"{API}/agents?", 3),
    # A page with rows proves the customer (loan) exists: the caller's agent and the page.
    "GET /actions/customer/{cif}": (lambda w: f"{API}/actions/customer/{w.customer.cif}?", 2),
    "GET /actions/loan/{n}": (lambda w: f"{API}/actions/loan/{w.loan.account_number}?", 2),
    # The reader's own lists: its agent, read for the scope, needs no existence check. An
    # agent's actions: its recent ones first, then (these are of March 2026, older than the
    # recent span) the whole list's page: 3 when recent actions fill the page
    # (tests/actions/test_action_lists_api.py), 4 here, with one row as with fifty.
    "GET /actions/agent/{id}": (lambda w: f"{API}/actions/agent/{w.agents[0].id}?", 4),
    "GET /assignments/agent/{id}": (lambda w: f"{API}/assignments/agent/{w.agents[0].id}?", 3),
    "GET /cases/customer/{cif}": (lambda w: f"{API}/cases/customer/{w.customer.cif}?", 2),
}


@pytest.mark.parametrize("endpoint", LISTS)
def test_it_lists_a_page_of_fifty_rows_with_the_queries_of_a_page_of_one(
    endpoint: str, world: World, django_assert_num_queries: Any
) -> None:
    url, expected = LISTS[endpoint]
    for size in (1, 50):
        with django_assert_num_queries(expected):
            response = world.reader.get(f"{url(world)}pageSize={size}")
        assert response.status_code == 200, response.content
        items = next(value for value in response.json()["data"].values() if isinstance(value, list))
        # Enough rows, each naming another agent, that a query per row would show.
        assert len(items) == 1 if size == 1 else len(items) >= ROWS


def test_it_reads_a_long_assignment_history_with_the_queries_of_a_short_one(
    world: World, django_assert_num_queries: Any
) -> None:
    for customer, versions in ((world.lone_customer, 1), (world.customer, ROWS)):
        with django_assert_num_queries(1):
            # A supervisor: an agent reads only the history of its own customers (issue 13).
            # The versions prove the customer exists: no lookup of it.
            response = world.supervisor.get(f"{API}/assignments/history/{customer.cif}")
        assert len(response.json()["data"]["history"]) == versions


# --- every endpoint: the exact count at today's code -----------------------------------------

Call = Callable[[World], tuple[APIClient, str, str, dict[str, Any] | None]]

ENDPOINTS: dict[str, tuple[Call, int, int]] = {
    # name: (who sends what, status, queries)
    "GET /agents/{id}/performance": (
        lambda w: (
            w.reader,
            "GET",
            f"{API}/agents/{w.agents[0].id}/performance?startDate=2026-03-01&endDate=2026-03-31",
            None,
        ),
        200,
        5,  # with the promise figures (issue 15)
    ),
    "GET /agents/by-user/{userId}": (
        lambda w: (w.reader, "GET", f"{API}/agents/by-user/{w.agents[1].user_id}", None),
        200,
        1,
    ),
    "GET /users/{userId}/agent": (
        lambda w: (w.reader, "GET", f"{API}/users/{w.agents[1].user_id}/agent", None),
        200,
        1,
    ),
    "GET /cases/status/{cif}": (
        lambda w: (w.reader, "GET", f"{API}/cases/status/{w.customer.cif}", None),
        200,
        1,
    ),
    "POST /agents": (
        lambda w: (
            w.supervisor,
            "POST",
            f"{API}/agents",
            {
                "employeeId": "Q0001",
                "name": "Query Count",
                "email": "query.count@bank.test",
                "type": "AGENT",
                "team": "Team Q",
            },
        ),
        201,
        6,  # no savepoint around the INSERT: agent_create's own block rolls a violation back
    ),
    "PUT /agents/{id}": (
        lambda w: (w.supervisor, "PUT", f"{API}/agents/{w.agents[2].id}", {"phone": "0900"}),
        200,
        # The changed columns in one UPDATE ... RETURNING, last before the commit (issue 11).
        5,
    ),
    "POST /agents/link-user": (
        lambda w: (
            w.admin,
            "POST",
            f"{API}/agents/link-user",
            {"agentId": str(w.free_agent.id), "userId": str(w.free_user.id)},
        ),
        200,
        # With the link audit row (issue 10); the user's existence and holder in one statement,
        # the UPDATE returning updated_at (issue 11).
        7,
    ),
    "POST /actions": (
        lambda w: (
            w.reader,
            "POST",
            f"{API}/actions",
            {
                "cif": w.customer.cif,
                "loanAccountNumber": w.loan.account_number,
                "type": "CALL",
                "subtype": "REMINDER_CALL",
                "actionResult": "PROMISE_TO_PAY",
            },
        ),
        201,
        8,  # the contact policy's facts replace the customer check; the ledger row (issue 14)
    ),
    "PUT /actions/{id}/result": (
        lambda w: (
            w.reader,
            "PUT",
            f"{API}/actions/{_own_action(w)}/result",
            {"actionResult": "NO_CONTACT", "notes": "No answer."},
        ),
        200,
        # As the agent who recorded it (a supervisor's edit skips the agent lookup: 5), with
        # the contact ledger following the result (issue 14: one statement while the contact's
        # classification stays). The UPDATE returns the row with its agent (issue 11).
        6,
    ),
    "POST /assignments": (
        lambda w: (
            w.supervisor,
            "POST",
            f"{API}/assignments",
            {"cif": w.customer.cif, "assignedCallAgentId": str(w.agents[3].id)},
        ),
        201,
        # The customer, the agents and the locked case in one statement (issue 11).
        7,
    ),
    "PUT /assignments/{id}": (
        lambda w: (
            w.supervisor,
            "PUT",
            f"{API}/assignments/{_current_version(w)}",
            {"assignedFieldAgentId": str(w.agents[4].id)},
        ),
        200,
        # The version, the agents and the locked case in one statement, then whether the
        # version is still current (issue 11).
        8,
    ),
    "POST /cases": (
        lambda w: (
            w.reader,
            "POST",
            f"{API}/cases",
            {"cif": w.customer.cif, "notes": "Promised.", "customerStatus": "COOPERATIVE"},
        ),
        201,
        7,
    ),
}


def _own_action(world: World) -> str:
    from actions.models import ActionRecord

    record = ActionRecord.objects.filter(agent=world.agents[0]).first()
    assert record is not None
    return str(record.id)


def _current_version(world: World) -> str:
    version = CustomerAgent.objects.get(customer_id=world.customer.cif, is_current=True)
    return str(version.id)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_endpoint_makes_its_known_number_of_queries(
    endpoint: str, world: World, django_assert_num_queries: Any
) -> None:
    call, status, expected = ENDPOINTS[endpoint]
    client, method, url, body = call(world)
    with django_assert_num_queries(expected):
        response = send(client, method, url, body)
    assert response.status_code == status, response.content
