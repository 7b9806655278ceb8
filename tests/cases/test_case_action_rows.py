"""A customer's case actions in plain SQL (``workflow.sql_list``) are served as their models
are, and show in the case admin's history as the models' ``get_*_display`` would."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.api.serializers import CaseActionOutput
from cases.models import CustomerCaseAction
from cases.selectors import case_actions_for_customer
from tests.factories import CustomerCaseActionFactory, CustomerFactory
from workflow.api.output import represent

pytestmark = pytest.mark.django_db

DISPLAYS = (
    "get_customer_status_display",
    "get_collateral_status_display",
    "get_processing_state_status_display",
    "get_lending_violation_status_display",
    "get_recovery_ability_status_display",
)


def test_a_case_action_row_is_served_and_displayed_as_its_model() -> None:
    customer = CustomerFactory()
    CustomerCaseActionFactory(
        customer=customer,
        customer_status="UNCOOPERATIVE",
        collateral_status="SECURED",
        processing_state_status="IN_PROCESS",
        lending_violation_status="NONE",
        recovery_ability_status="HIGH",
        notes="All five.",
        action_date=dt.datetime(2026, 3, 10, 2, 30, 0, 250000, tzinfo=dt.UTC),
    )
    CustomerCaseActionFactory(customer=customer, customer_status=None, notes=None)
    models = {
        m.id: m
        for m in CustomerCaseAction.objects.filter(customer=customer).select_related("agent")
    }

    rows = list(case_actions_for_customer(cif=customer.cif))

    assert len(rows) == 2
    for row in rows:
        model = models[row.id]
        assert represent(CaseActionOutput, row) == represent(CaseActionOutput, model)
        assert [getattr(row, name)() for name in DISPLAYS] == [
            getattr(model, name)() or None for name in DISPLAYS
        ]
        assert (row.agent.name, row.agent.employee_id) == (
            model.agent.name,
            model.agent.employee_id,
        )
    displayed = {row.notes: row.get_customer_status_display() for row in rows}
    assert displayed == {"All five.": "Uncooperative", None: None}
