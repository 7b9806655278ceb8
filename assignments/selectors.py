"""Reads of customer assignments: an agent's current customers, a customer's history, and the
version in force on a given business day."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.models import Agent
from agents.scope import AgentScope
from assignments.api.filters import AssignmentFilter
from assignments.models import CustomerAgent
from cases.selectors import customer_get
from contacts.selectors import held_cifs
from workflow.errors import Forbidden, NotFound
from workflow.models import Customer


def assignments_for_agent(
    *, agent_id: uuid.UUID, cif: str | None = None, scope: AgentScope | None = None
) -> QuerySet[CustomerAgent]:
    """The current assignments naming the agent as call or field agent, ordered by cif.

        Each row carries its customer and the customer's case (None when it has no case), joined
        in the same query. ``cif`` narrows to one customer (exact match). Unknown agent: 404.
    Within a ``scope`` only the scope's own agent may be listed (403 otherwise).

        This is the list agents work from, so customers on a contact hold are left out
        (README, "Contact policy"): held for CALL (or every channel) where the agent is the call
        agent, held for VISIT (or every channel) where the agent is the field agent.
    """
    if scope is not None and scope.agent_id != agent_id:
        raise Forbidden("An agent may list only its own assignments.", field="agentId")
    # Within a scope the agent is the caller's own, read for this request: it exists.
    if scope is None and not Agent.objects.filter(id=agent_id).exists():
        raise NotFound(f"No agent with id {agent_id}.", field="agentId")
    now = timezone.now()
    assignments = (
        CustomerAgent.objects.filter(is_current=True)
        .filter(Q(assigned_call_agent_id=agent_id) | Q(assigned_field_agent_id=agent_id))
        .exclude(
            Q(assigned_call_agent_id=agent_id, customer_id__in=held_cifs(channel="CALL", at=now))
            | Q(
                assigned_field_agent_id=agent_id,
                customer_id__in=held_cifs(channel="VISIT", at=now),
            )
        )
        .select_related("customer", "customer__case")
    )
    assignments = AssignmentFilter.apply({"cif": cif or None}, assignments)
    # The id breaks ties between versions of one cif (never two current, but be total).
    return assignments.order_by("customer_id", "id")


def assignment_history(*, cif: str, scope: AgentScope | None = None) -> QuerySet[CustomerAgent]:
    """Every assignment version of the customer, newest first, with both agents joined.

    Versions opened on the same business day are told apart by ``created_at`` (the time of
    the transaction that wrote them), then the current one first. Unknown customer: 404.
    Within a ``scope`` only a customer currently assigned to the scope's agent (403 otherwise,
    before the customer is even looked up).
    """
    if (
        scope is not None
        and not Customer.objects.filter(scope.customers("")).filter(cif=cif).exists()
    ):
        raise Forbidden(
            f"Customer {cif} is not assigned to you: its assignment history is not yours to read.",
            field="cif",
        )
    customer_get(cif=cif)
    return (
        CustomerAgent.objects.filter(customer_id=cif)
        .select_related("assigned_call_agent", "assigned_field_agent")
        .order_by("-start_date", "-created_at", "-is_current")
    )


def assignment_current(*, cif: str) -> CustomerAgent:
    """The customer's current assignment version (the one the trigger opened last)."""
    current = CustomerAgent.objects.filter(customer_id=cif, is_current=True).first()
    if current is None:
        raise NotFound(f"Customer {cif} has no current assignment.", field="cif")
    return current


def assignment_on(*, cif: str, day: dt.date) -> CustomerAgent | None:
    """The version of ``cif``'s assignment history in force on the bank's business ``day``.

    Rule: a version applies on the days ``start_date <= day < end_date`` (``end_date`` NULL =
    still open). The assignment trigger closes the old version with ``end_date`` = the day of the
    change and opens the new one with ``start_date`` = that same day, so on a reassignment day
    the NEW version applies. A version opened and closed on the same day (several changes that
    day) never applies: the last change of the day wins. Should the history overlap anyway, the
    latest ``start_date`` (then the latest created) wins.
    """
    return (
        CustomerAgent.objects.filter(customer_id=cif, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .order_by("-start_date", "-created_at")
        .first()
    )
