"""Reads of customers' cases: the case-action history and the collection status report
(materialized view). The current case status with the last action is a report
(:mod:`reports.case_status`)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import F, QuerySet

from agents.scope import AgentScope
from cases.api.filters import CaseActionFilter, CollectionStatusFilter
from cases.models import CustomerCaseAction, CustomerCollectionStatus
from workflow.errors import NotFound, ValidationFailed
from workflow.models import Customer


def customer_get(*, cif: str) -> Customer:
    """The customer with ``cif``; 404 on the ``cif`` field when unknown."""
    customer = Customer.objects.filter(cif=cif).first()
    if customer is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    return customer


def case_actions_for_customer(
    *,
    cif: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    scope: AgentScope | None = None,
) -> QuerySet[CustomerCaseAction]:
    """The customer's case actions, newest first, on the business days ``start..end``, within
    ``scope`` (None: all of them).

    Raises ``NotFound`` for an unknown customer rather than answering an empty list.
    """
    customer_get(cif=cif)
    actions = CustomerCaseAction.objects.filter(customer_id=cif).select_related("agent")
    if scope is not None:
        actions = actions.filter(scope.work())
    actions = CaseActionFilter.apply({"start_date": start_date, "end_date": end_date}, actions)
    # The id makes the order total, so that pages never repeat or skip a row.
    return actions.order_by("-action_date", "-created_at", "-id")


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
    rows = CollectionStatusFilter.apply(filters, CustomerCollectionStatus.objects.all())
    # Served by idx_customer_collection_status_max_dpd (max_dpd DESC NULLS LAST, cif).
    return rows.order_by(F("max_dpd").desc(nulls_last=True), "cif")
