"""Reads of customers' cases: the case-action history, the current case status and the
collection status report (materialized view)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import F, QuerySet

from actions.models import ActionRecord
from cases.api.filters import CaseActionFilter, CollectionStatusFilter
from cases.models import CustomerCase, CustomerCaseAction, CustomerCollectionStatus
from workflow.errors import NotFound, ValidationFailed
from workflow.models import Customer


def customer_get(*, cif: str) -> Customer:
    """The customer with ``cif``; 404 on the ``cif`` field when unknown."""
    customer = Customer.objects.filter(cif=cif).first()
    if customer is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    return customer


def case_actions_for_customer(
    *, cif: str, start_date: dt.date | None = None, end_date: dt.date | None = None
) -> QuerySet[CustomerCaseAction]:
    """The customer's case actions, newest first, on the business days ``start..end``.

    Raises ``NotFound`` for an unknown customer rather than answering an empty list.
    """
    customer_get(cif=cif)
    actions = CustomerCaseAction.objects.filter(customer_id=cif).select_related("agent")
    actions = CaseActionFilter({"start_date": start_date, "end_date": end_date}, actions).qs
    # The id makes the order total, so that pages never repeat or skip a row.
    return actions.order_by("-action_date", "-created_at", "-id")


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


def collection_status_report(
    *,
    segment: str | None = None,
    customer_status: str | None = None,
    call_agent_id: uuid.UUID | None = None,
    field_agent_id: uuid.UUID | None = None,
    agent_id: uuid.UUID | None = None,
    min_dpd: int | None = None,
    max_dpd: int | None = None,
) -> QuerySet[CustomerCollectionStatus]:
    """Rows of the ``customer_collection_status`` view matching every filter given (None =
    any), by max_dpd descending (customers without loans last), then cif.

    ``agent_id`` matches the call or the field agent. A dpd bound leaves out customers
    without loans (null max_dpd). ``min_dpd`` above ``max_dpd`` is a 400 on ``maxDpd``.
    """
    if min_dpd is not None and max_dpd is not None and min_dpd > max_dpd:
        raise ValidationFailed(
            f"maxDpd ({max_dpd}) must not be less than minDpd ({min_dpd}).", field="maxDpd"
        )
    filters = {
        "segment": segment,
        "customer_status": customer_status,
        "call_agent_id": call_agent_id,
        "field_agent_id": field_agent_id,
        "agent_id": agent_id,
        "min_dpd": min_dpd,
        "max_dpd": max_dpd,
    }
    rows = CollectionStatusFilter(filters, CustomerCollectionStatus.objects.all()).qs
    # Served by idx_customer_collection_status_max_dpd (max_dpd DESC NULLS LAST, cif).
    return rows.order_by(F("max_dpd").desc(nulls_last=True), "cif")
