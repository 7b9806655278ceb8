"""A customer's case status: the case (statuses, agents), the customer's newest action and the
follow-up a promise not kept left open.

A read across domain apps (cases, actions, promises), hence a report.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from actions.models import ActionRecord
from cases.models import CustomerCase
from promises.models import PaymentPromise, PromiseStatus
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
    follow_up_date: dt.date | None = None
    follow_up_agent_id: uuid.UUID | None = None
    follow_up_promise_id: uuid.UUID | None = None


def open_follow_ups() -> QuerySet[PaymentPromise]:
    """Promises not kept (BROKEN, PARTIALLY_KEPT) whose follow-up nobody did yet: no action
    was recorded on the customer since the promise was resolved (the admin's "broken, not yet
    followed up" view uses the same rule), earliest follow-up date first. Filter it by
    ``customer_id``."""
    followed = ActionRecord.objects.filter(
        customer_id=OuterRef("customer_id"), action_date__gte=OuterRef("resolved_at")
    )
    return (
        PaymentPromise.objects.filter(
            status__in=[PromiseStatus.BROKEN, PromiseStatus.PARTIALLY_KEPT],
            follow_up_date__isnull=False,
        )
        .exclude(Exists(followed))
        .order_by("follow_up_date", "resolved_at", "id")
    )


def case_status(*, cif: str) -> CaseStatus:
    """The case status of ``cif`` in two queries; 404 for an unknown customer.

    A known customer nobody has worked on yet has no case row: its statuses and agents are None.
    """
    follow_up = open_follow_ups().filter(customer_id=OuterRef("cif"))
    customer = (
        Customer.objects.select_related("case__assigned_call_agent", "case__assigned_field_agent")
        .annotate(
            follow_up_date=Subquery(follow_up.values("follow_up_date")[:1]),
            follow_up_agent_id=Subquery(follow_up.values("follow_up_agent_id")[:1]),
            follow_up_promise_id=Subquery(follow_up.values("id")[:1]),
        )
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
        follow_up_date=customer.follow_up_date,  # type: ignore[attr-defined]
        follow_up_agent_id=customer.follow_up_agent_id,  # type: ignore[attr-defined]
        follow_up_promise_id=customer.follow_up_promise_id,  # type: ignore[attr-defined]
    )
