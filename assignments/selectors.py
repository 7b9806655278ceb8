"""Reads of customer assignments: an agent's current customers, a customer's history, and the
version in force on a given business day."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from agents.models import Agent
from agents.scope import AgentScope
from agents.selectors import AgentRef
from assignments.models import CustomerAgent
from cases.selectors import customer_get
from contacts.selectors import hold_in_force_sql
from workflow.business_time import naive_utc
from workflow.errors import Forbidden, NotFound
from workflow.models import Customer
from workflow.sql_list import SqlList
from workflow.sql_model import SqlModel


class CaseStatuses(NamedTuple):
    customer_status: str
    collateral_status: str
    processing_state_status: str
    lending_violation_status: str
    recovery_ability_status: str


class CustomerOfAssignment(NamedTuple):
    display_name: str
    case: CaseStatuses | None  # None: the customer has no case


class AgentAssignmentRow(NamedTuple):
    """A current assignment with what ``AgentAssignmentOutput`` reads off the model."""

    id: uuid.UUID
    customer_id: str
    assigned_call_agent_id: uuid.UUID | None
    assigned_field_agent_id: uuid.UUID | None
    start_date: dt.date
    end_date: dt.date | None
    is_current: bool
    customer: CustomerOfAssignment


def _agent_assignment_row(values: Sequence[Any]) -> AgentAssignmentRow:
    (id_, cif, call_agent, field_agent, start, end, current, name, company, has_case) = values[:10]
    case = CaseStatuses(*values[10:]) if has_case else None
    customer = CustomerOfAssignment(Customer.name_of(name, company), case)
    return AgentAssignmentRow(id_, cif, call_agent, field_agent, start, end, current, customer)


def assignments_for_agent(
    *, agent_id: uuid.UUID, cif: str | None = None, scope: AgentScope | None = None
) -> SqlList[AgentAssignmentRow]:
    """The current assignments naming the agent as call or field agent, ordered by cif.

    Each row carries its customer's name and the customer's case statuses (None when it has
    no case), joined in the same statement. ``cif`` narrows to one customer (exact match).
    Unknown agent: 404. Within a ``scope`` only the scope's own agent may be listed (403
    otherwise). Plain SQL (``workflow.sql_list``): an agent's working list is a hot read.

    This is the list agents work from, so customers on a contact hold are left out
    (README, "Contact policy"): held for CALL (or every channel) where the agent is the call
    agent, held for VISIT (or every channel) where the agent is the field agent.
    """
    if scope is not None and scope.agent_id != agent_id:
        raise Forbidden("An agent may list only its own assignments.", field="agentId")
    # Within a scope the agent is the caller's own, read for this request: it exists.
    if scope is None and not Agent.objects.filter(id=agent_id).exists():
        raise NotFound(f"No agent with id {agent_id}.", field="agentId")
    now = naive_utc(timezone.now())
    conditions = [
        "ca.is_current",
        "(ca.assigned_call_agent_id = %s OR ca.assigned_field_agent_id = %s)",
        f"""NOT EXISTS (
            SELECT 1 FROM workflow_service.contact_holds h
             WHERE h.cif = ca.cif AND {hold_in_force_sql("h")}
               AND (cardinality(h.channels) = 0
                    OR (ca.assigned_call_agent_id = %s AND 'CALL' = ANY(h.channels))
                    OR (ca.assigned_field_agent_id = %s AND 'VISIT' = ANY(h.channels))))""",
    ]
    params: list[Any] = [agent_id, agent_id, now, now, agent_id, agent_id]
    if cif is not None:
        conditions.append("ca.cif = %s")
        params.append(cif)
    return SqlList(
        columns="""
            ca.id, ca.cif, ca.assigned_call_agent_id, ca.assigned_field_agent_id, ca.start_date,
            ca.end_date, ca.is_current, c.name, c.company_name, cc.id IS NOT NULL,
            cc.customer_status, cc.collateral_status, cc.processing_state_status,
            cc.lending_violation_status, cc.recovery_ability_status
        """,
        table="workflow_service.customer_agents",
        alias="ca",
        joins="""
            JOIN bank_sync_service.customers c ON c.cif = ca.cif
            LEFT JOIN workflow_service.customer_cases cc ON cc.cif = ca.cif
        """,
        conditions=tuple(conditions),
        params=tuple(params),
        # The id breaks ties between versions of one cif (never two current, but be total).
        order_by="ca.cif, ca.id",
        row=_agent_assignment_row,
    )


class AssignmentVersionRow(NamedTuple):
    """An assignment version with what ``AssignmentHistoryOutput`` (and the case admin's
    history) read off the model."""

    id: uuid.UUID
    customer_id: str
    assigned_call_agent_id: uuid.UUID | None
    assigned_field_agent_id: uuid.UUID | None
    start_date: dt.date
    end_date: dt.date | None
    is_current: bool
    assigned_call_agent: AgentRef | None
    assigned_field_agent: AgentRef | None


def _version_row(values: Sequence[Any]) -> AssignmentVersionRow:
    (id_, cif, call_id, field_id, start, end, current, *agents) = values
    call_name, call_employee, field_name, field_employee = agents
    return AssignmentVersionRow(
        id_,
        cif,
        call_id,
        field_id,
        start,
        end,
        current,
        AgentRef(call_name, call_employee) if call_id is not None else None,
        AgentRef(field_name, field_employee) if field_id is not None else None,
    )


def assignment_history(*, cif: str, scope: AgentScope | None = None) -> list[AssignmentVersionRow]:
    """Every assignment version of the customer, newest first, with both agents' names.

    Versions opened on the same business day are told apart by ``created_at`` (the time of
    the transaction that wrote them), then the current one first. Unknown customer: 404.
    Within a ``scope`` only a customer currently assigned to the scope's agent (403 otherwise,
    before the customer is even looked up). Plain SQL (``workflow.sql_list``); the customer is
    looked up only when it has no version (a version proves it exists, as a case does).
    """
    if scope is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM workflow_service.customer_cases WHERE cif = %s"
                " AND (assigned_call_agent_id = %s OR assigned_field_agent_id = %s)",
                [cif, scope.agent_id, scope.agent_id],
            )
            assigned = cursor.fetchone() is not None
        if not assigned:
            raise Forbidden(
                f"Customer {cif} is not assigned to you: its assignment history is not "
                "yours to read.",
                field="cif",
            )
    versions = list(
        SqlList(
            table="workflow_service.customer_agents",
            alias="ca",
            columns="""
                ca.id, ca.cif, ca.assigned_call_agent_id, ca.assigned_field_agent_id,
                ca.start_date, ca.end_date, ca.is_current, call_agent.name,
                call_agent.employee_id, field_agent.name, field_agent.employee_id
            """,
            joins="""
                LEFT JOIN workflow_service.agents call_agent
                       ON call_agent.id = ca.assigned_call_agent_id
                LEFT JOIN workflow_service.agents field_agent
                       ON field_agent.id = ca.assigned_field_agent_id
            """,
            conditions=("ca.cif = %s",),
            params=(cif,),
            order_by="ca.start_date DESC, ca.created_at DESC, ca.is_current DESC",
            row=_version_row,
        )
    )
    if not versions and scope is None:
        customer_get(cif=cif)
    return versions


_VERSION = SqlModel(CustomerAgent, alias="ca")
_CURRENT_SQL = (
    f"SELECT {_VERSION.columns} FROM workflow_service.customer_agents ca"
    " WHERE ca.cif = %s::text AND ca.is_current ORDER BY ca.id LIMIT 1"
)


def assignment_current_or_none(*, cif: str) -> CustomerAgent | None:
    """The customer's current assignment version (the one the trigger opened last), None when
    it has none. Plain SQL (``workflow.sql_model``): the assignment writes read it after every
    change."""
    return _VERSION.one(_CURRENT_SQL, [cif])


def assignment_current(*, cif: str) -> CustomerAgent:
    """The customer's current assignment version; 404 on ``cif`` when it has none."""
    current = assignment_current_or_none(cif=cif)
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
