"""A customer's case status: the case (statuses, agents) and the customer's newest action.

A read across two domain apps (cases and actions), hence a report.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from actions.models import ActionRecord
from cases.models import CustomerCase
from workflow.errors import NotFound
from workflow.models import Customer


@dataclass(frozen=True)
class CaseStatus:
    """A customer's current case (None fields when no case exists) and last action."""

    cif: str
    customer_name: str
    assigned_call_agent_id: uuid.UUID | None
    assigned_call_agent_name: str | None
    assigned_field_agent_id: uuid.UUID | None
    assigned_field_agent_name: str | None
    f_update: dt.datetime | None
    customer_status: str | None
    collateral_status: str | None
    processing_state_status: str | None
    lending_violation_status: str | None
    recovery_ability_status: str | None
    last_action_date: dt.datetime | None
    last_action_type: str | None
    last_action_result: str | None


def case_status(*, cif: str) -> CaseStatus:
    """The case status of ``cif`` in two queries; 404 for an unknown customer.

    A known customer nobody has worked on yet has no case row: its statuses and agents are None.
    """
    customer = (
        Customer.objects.select_related("case__assigned_call_agent", "case__assigned_field_agent")
        .filter(cif=cif)
        .first()
    )
    if customer is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    try:
        case: CustomerCase | None = customer.case
    except CustomerCase.DoesNotExist:
        case = None
    # Served by the (cif, action_date) index; the query visits each partition's index once.
    last_action = (
        ActionRecord.objects.filter(customer_id=cif)
        .order_by("-action_date")
        .only("action_date", "type", "action_result")
        .first()
    )
    call_agent = case.assigned_call_agent if case else None
    field_agent = case.assigned_field_agent if case else None
    return CaseStatus(
        cif=customer.cif,
        customer_name=customer.display_name,
        assigned_call_agent_id=call_agent.id if call_agent else None,
        assigned_call_agent_name=call_agent.name if call_agent else None,
        assigned_field_agent_id=field_agent.id if field_agent else None,
        assigned_field_agent_name=field_agent.name if field_agent else None,
        f_update=case.f_update if case else None,
        customer_status=case.customer_status if case else None,
        collateral_status=case.collateral_status if case else None,
        processing_state_status=case.processing_state_status if case else None,
        lending_violation_status=case.lending_violation_status if case else None,
        recovery_ability_status=case.recovery_ability_status if case else None,
        last_action_date=last_action.action_date if last_action else None,
        last_action_type=last_action.type if last_action else None,
        last_action_result=last_action.action_result if last_action else None,
    )
