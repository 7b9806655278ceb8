"""The action lists in plain SQL (``workflow.sql_list``) give what the ORM and the model give.

The lists are the hottest reads and skip the ORM; these tests hold them to the definitions
the rest of the code keeps: ``AgentScope.work()`` for an agent's scope, the model and its
output serializer for each item, and the QuerySet paging of ``EnvelopePagination``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import OuterRef, Subquery

from actions import selectors
from actions.api.serializers import ActionListOutput
from actions.models import ActionRecord
from agents.scope import AgentScope
from promises.models import PaymentPromise
from tests.actions.helpers import BASE
from tests.api import agent_client, envelope_ok
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CustomerCaseFactory,
    LoanFactory,
)
from tests.promises.helpers import promise
from workflow.api.output import represent
from workflow.api.pagination import MAX_SQL_OFFSET

pytestmark = pytest.mark.django_db

EVERY = selectors.ActionFilters()


def ids(rows: Any) -> set[Any]:
    return {row.id for row in rows}


def test_an_agents_scope_holds_exactly_what_agent_scope_work_holds() -> None:
    me, other = AgentFactory(), AgentFactory()
    called = CustomerCaseFactory(assigned_call_agent=me).customer
    visited = CustomerCaseFactory(assigned_field_agent=me).customer
    theirs = CustomerCaseFactory(assigned_call_agent=other).customer
    unassigned = LoanFactory().customer  # no case at all
    for customer in (called, visited, theirs, unassigned):
        loan = LoanFactory(customer=customer)
        ActionRecordFactory(loan=loan, customer=customer, agent=other)
        ActionRecordFactory(loan=loan, customer=customer, agent=me)
    scope = AgentScope(agent_id=me.id)

    for customer in (called, visited, theirs, unassigned):
        listed = selectors.actions_for_customer(cif=customer.cif, filters=EVERY, scope=scope)
        orm = ActionRecord.objects.filter(customer=customer).filter(scope.work())
        assert ids(listed) == ids(orm), customer.cif
    # Both actions on the agent's customers, and its own actions on the others'.
    assert len(ids(selectors.actions_for_agent(agent_id=other.id, filters=EVERY, scope=scope))) == 2
    assert ids(selectors.actions_for_agent(agent_id=other.id, filters=EVERY, scope=scope)) == ids(
        ActionRecord.objects.filter(agent=other).filter(scope.work())
    )


def test_a_listed_action_is_served_as_its_model_is() -> None:
    agent = AgentFactory(name="Chi Le")
    loan = LoanFactory()
    visit = ActionRecordFactory(
        loan=loan,
        customer=loan.customer,
        agent=agent,
        type="VISIT",
        subtype="FIELD_VISIT",
        notes="Met the borrower's wife.",
        call_trace_id="TRACE-1",
        visit_latitude=Decimal("21.02850000"),
        visit_longitude=Decimal("-105.85420001"),
        visit_address="12 Hang Bai",
        action_date=dt.datetime(2026, 3, 5, 3, 0, 0, 123456, tzinfo=dt.UTC),
    )
    promised = ActionRecordFactory(loan=loan, customer=loan.customer, agent=agent, notes=None)
    made = promise(agent=agent, cif=loan.customer_id, loan=loan.account_number, amount="100")
    PaymentPromise.objects.filter(id=made.id).update(action_id=promised.id)
    address_only = ActionRecordFactory(
        loan=loan, customer=loan.customer, agent=agent, visit_address="A road"
    )
    statuses = PaymentPromise.objects.filter(action_id=OuterRef("id")).values("status")[:1]
    models = {
        model.id: model
        for model in ActionRecord.objects.select_related("agent").annotate(
            promise_status=Subquery(statuses)
        )
    }

    rows = list(selectors.actions_for_loan(account_number=loan.account_number, filters=EVERY))

    assert [row.id for row in rows] == [
        m.id for m in sorted(models.values(), key=lambda m: (-m.action_date.timestamp(), m.id))
    ]
    for row in rows:
        assert represent(ActionListOutput, row) == represent(ActionListOutput, models[row.id])
        # Aware, as the model's: a naive one would be served in the host's zone.
        assert {row.action_date.tzinfo, row.created_at.tzinfo, row.updated_at.tzinfo} == {dt.UTC}
    served = {row.id: represent(ActionListOutput, row) for row in rows}
    assert served[visit.id]["actionDate"] == "2026-03-05T03:00:00.123456Z"
    assert served[promised.id]["promiseStatus"] == made.status
    assert served[address_only.id]["visitLocation"] == {
        "latitude": None,
        "longitude": None,
        "address": "A road",
    }


@pytest.mark.parametrize("list_of", ["customer", "agent"])
def test_pages_past_the_end_are_empty_with_the_totals(list_of: str) -> None:
    client, _ = agent_client("SUPERVISOR")
    agent = AgentFactory()
    loan = LoanFactory()
    ActionRecordFactory.create_batch(3, loan=loan, customer=loan.customer, agent=agent)
    url = f"{BASE}/{list_of}/{loan.customer_id if list_of == 'customer' else agent.id}"

    for page, size in ((5, 2), (MAX_SQL_OFFSET // 100, 100)):
        data = envelope_ok(client.get(url, {"page": page, "pageSize": size}))
        assert data == {
            "actions": [],
            "pagination": {
                "page": page,
                "pageSize": size,
                "totalPages": 2 if size == 2 else 1,
                "totalItems": 3,
            },
        }
