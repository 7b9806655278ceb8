"""Admin forms write through the services when the admin saves them, never while validating:
a form that is valid, or one that fails later, has changed nothing in the database."""

from __future__ import annotations

import pytest

from agents.forms import AgentAdminForm
from agents.models import Agent, AgentLinkAudit
from assignments.forms import CustomerCaseForm
from assignments.models import CustomerAgent
from cases.models import CustomerCase
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory
from workflow.actors import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor(username="adm.forms", roles=frozenset({"ADMIN"}))


def test_validating_the_agent_form_writes_nothing() -> None:
    agent = AgentFactory(team="Team A")
    user = CrmUserFactory()
    form_class = type("Form", (AgentAdminForm,), {"actor": ACTOR})
    data = {
        "employee_id": agent.employee_id,
        "name": agent.name,
        "email": agent.email,
        "type": agent.type,
        "team": "Team B",
        "is_active": "on",
        "user": str(user.pk),
        "reason": "why not",
    }

    form = form_class(data, instance=agent)

    assert form.is_valid(), form.errors
    stored = Agent.objects.get(pk=agent.pk)
    assert (stored.team, stored.user_id) == ("Team A", None)
    assert not AgentLinkAudit.objects.exists()

    written, message = form.write(ACTOR)
    assert (written.team, written.user_id) == ("Team B", user.pk)
    assert "reason: why not" in message


def test_validating_the_case_form_writes_nothing() -> None:
    case = CustomerCaseFactory()
    new_agent = AgentFactory()
    history = CustomerAgent.objects.filter(customer_id=case.customer_id).count()
    form_class = type("Form", (CustomerCaseForm,), {"actor": ACTOR})
    data = {
        "assigned_call_agent": str(new_agent.pk),
        "assigned_field_agent": str(case.assigned_field_agent_id or ""),
        "customer_status": "DISPUTED",
        "collateral_status": case.collateral_status,
        "processing_state_status": case.processing_state_status,
        "lending_violation_status": case.lending_violation_status,
        "recovery_ability_status": case.recovery_ability_status,
    }

    form = form_class(data, instance=case)

    assert form.is_valid(), form.errors
    stored = CustomerCase.objects.get(pk=case.pk)
    assert stored.assigned_call_agent_id != new_agent.pk
    assert stored.customer_status != "DISPUTED"
    assert CustomerAgent.objects.filter(customer_id=case.customer_id).count() == history
