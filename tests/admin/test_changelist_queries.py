"""The changelists supervisors open answer in a constant number of queries, whatever the rows.

Each page is read once to warm the caches (session, permissions), then counted with a few rows
and again with many more rows, agents, teams and CRM users: no statement per row or per agent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseFactory,
)

pytestmark = pytest.mark.django_db


def queries_of(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(queries)


def more_action_records(count: int) -> None:
    yesterday = timezone.now() - dt.timedelta(days=1)
    for n in range(count):
        agent = AgentFactory(team=f"Team {n % 3}", user=CrmUserFactory())
        ActionRecordFactory(agent=agent, action_date=yesterday - dt.timedelta(minutes=n))


def more_cases(count: int) -> None:
    for n in range(count):
        CustomerCaseFactory(
            assigned_call_agent=AgentFactory(team=f"Team {n % 3}"),
            assigned_field_agent=AgentFactory(team=f"Team {n % 4}"),
        )


def more_agents(count: int) -> None:
    for n in range(count):
        AgentFactory(team=f"Team {n % 3}", user=CrmUserFactory() if n % 2 else None)


# session, user, the user's and its groups' permissions, the page's own statements:
# actions: the agent filter's agents, teams, capped count, page, date bar bounds;
# cases: teams (once for both team filters), table estimate, capped count, page;
# agents: the actor's CRM user, count, page, the team filter's values.
@pytest.mark.parametrize(
    ("path", "add", "expected"),
    [
        ("/admin/actions/actionrecord/", more_action_records, 9),
        ("/admin/cases/customercase/", more_cases, 8),
        ("/admin/agents/agent/", more_agents, 8),
    ],
)
def test_a_changelist_page_answers_in_the_same_number_of_queries_whatever_the_rows(
    supervisor: Client, path: str, add: Callable[[int], None], expected: int
) -> None:
    add(2)
    supervisor.get(path)  # warm the session and permission caches

    few = queries_of(supervisor, path)
    add(30)
    many = queries_of(supervisor, path)

    assert (few, many) == (expected, expected)
