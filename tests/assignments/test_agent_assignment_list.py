"""An agent's assignment list and a customer's assignment history, in plain SQL
(``workflow.sql_list``).

The agent's list is the list it calls and visits from: customers on a contact hold for its
channel are left out while the hold is in force (issue 14, README "Contact policy"), and come
back when it expires or is lifted. Each item is served as the model would be."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assignments.api.serializers import AgentAssignmentOutput, AssignmentHistoryOutput
from assignments.models import CustomerAgent
from assignments.selectors import assignment_history, assignments_for_agent
from assignments.services import assignment_assign
from cases.models import CustomerCase
from contacts.policy_services import hold_create, hold_lift
from tests.api import agent_client, envelope_ok
from tests.factories import AgentFactory, CustomerFactory
from workflow.actors import Actor
from workflow.api.output import represent

pytestmark = pytest.mark.django_db

SUPERVISOR = Actor(username="supervisor", roles=frozenset({"SUPERVISOR"}))
BASE = "/api/v1/collection/assignments/agent"


def test_held_customers_are_left_out_for_the_channels_the_hold_suppresses() -> None:
    me, other = AgentFactory(), AgentFactory()
    now = timezone.now()
    # (cif, the agent's role, the hold's channels (None: no hold), listed?)
    cases = [
        ("CIF-H-CALL", "call", ["CALL"], False),
        ("CIF-H-SMS", "call", ["SMS"], True),
        ("CIF-H-ALL", "call", [], False),
        ("CIF-H-FIELD-CALL", "field", ["CALL"], True),
        ("CIF-H-FIELD-VISIT", "field", ["VISIT", "CALL"], False),
        ("CIF-H-FIELD-ALL", "field", [], False),
        ("CIF-H-NONE", "call", None, True),
    ]
    for cif, role, channels, _ in cases:
        CustomerFactory(cif=cif)
        assignment_assign(
            actor=SUPERVISOR,
            cif=cif,
            call_agent_id=me.id if role == "call" else other.id,
            field_agent_id=me.id if role == "field" else None,
        )
        if channels is not None:
            hold_create(
                cif=cif,
                hold_type="DISPUTE",
                channels=channels,
                reason="Disputed.",
                actor=SUPERVISOR,
            )
    # Holds not in force: expired, lifted, not started yet.
    for cif in ("CIF-H-EXPIRED", "CIF-H-LIFTED", "CIF-H-LATER"):
        CustomerFactory(cif=cif)
        assignment_assign(actor=SUPERVISOR, cif=cif, call_agent_id=me.id)
    hold_create(
        cif="CIF-H-EXPIRED",
        hold_type="HARDSHIP",
        starts_at=now - dt.timedelta(days=10),
        expires_at=now - dt.timedelta(days=1),
        reason="Lost job.",
        actor=SUPERVISOR,
    )
    lifted = hold_create(cif="CIF-H-LIFTED", hold_type="DISPUTE", reason="x", actor=SUPERVISOR)
    hold_lift(hold_id=lifted.id, reason="Resolved.", actor=SUPERVISOR)
    hold_create(
        cif="CIF-H-LATER",
        hold_type="LEGAL_MORATORIUM",
        starts_at=now + dt.timedelta(days=1),
        reason="Moratorium from tomorrow.",
        actor=SUPERVISOR,
    )
    client, _ = agent_client("SUPERVISOR")

    data = envelope_ok(client.get(f"{BASE}/{me.id}", {"pageSize": 100}))

    expected = sorted(
        [cif for cif, _, _, listed in cases if listed]
        + ["CIF-H-EXPIRED", "CIF-H-LIFTED", "CIF-H-LATER"]
    )
    assert [row["cif"] for row in data["assignments"]] == expected
    assert data["pagination"]["totalItems"] == len(expected)


def test_a_listed_assignment_is_served_as_its_model_is() -> None:
    me = AgentFactory()
    CustomerFactory(cif="CIF-R-PERSON")
    CustomerFactory(cif="CIF-R-COMPANY", type="ORGANIZATION", name=None, company_name="Acme")
    CustomerFactory(cif="CIF-R-NO-CASE")
    for cif in ("CIF-R-PERSON", "CIF-R-COMPANY", "CIF-R-NO-CASE"):
        assignment_assign(actor=SUPERVISOR, cif=cif, call_agent_id=me.id, field_agent_id=me.id)
    CustomerCase.objects.filter(customer_id="CIF-R-COMPANY").update(customer_status="DISPUTED")
    CustomerCase.objects.filter(customer_id="CIF-R-NO-CASE").delete()
    models = {
        row.id: row
        for row in CustomerAgent.objects.filter(is_current=True).select_related(
            "customer", "customer__case"
        )
    }

    rows = list(assignments_for_agent(agent_id=me.id))

    assert [row.customer_id for row in rows] == ["CIF-R-COMPANY", "CIF-R-NO-CASE", "CIF-R-PERSON"]
    served = [represent(AgentAssignmentOutput, row) for row in rows]
    assert served == [represent(AgentAssignmentOutput, models[row.id]) for row in rows]
    assert served[0]["customerName"] == "Acme"
    assert served[0]["customerStatus"] == "DISPUTED"
    assert served[1]["customerStatus"] is None


def test_a_customers_history_is_served_as_its_models_are() -> None:
    first, second = AgentFactory(), AgentFactory()
    CustomerFactory(cif="CIF-R-HISTORY")
    assignment_assign(actor=SUPERVISOR, cif="CIF-R-HISTORY", call_agent_id=first.id)
    assignment_assign(
        actor=SUPERVISOR, cif="CIF-R-HISTORY", call_agent_id=second.id, field_agent_id=first.id
    )
    models = CustomerAgent.objects.filter(customer_id="CIF-R-HISTORY").select_related(
        "assigned_call_agent", "assigned_field_agent"
    )

    rows = assignment_history(cif="CIF-R-HISTORY")

    assert len(rows) == 2
    by_id = {model.id: model for model in models}
    for row in rows:
        assert represent(AssignmentHistoryOutput, row) == represent(
            AssignmentHistoryOutput, by_id[row.id]
        )
    assert rows[-1].assigned_field_agent is None
    assert rows[0].assigned_field_agent == (first.name, first.employee_id)
