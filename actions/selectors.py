"""Reads of action records: a customer's, a loan's or an agent's actions, newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from agents.models import Agent
from agents.scope import AgentScope
from agents.selectors import AgentRef
from workflow.business_time import aware_utc
from workflow.errors import NotFound
from workflow.models import Customer, Loan
from workflow.sql_list import SqlList, day_range_conditions


@dataclass(frozen=True)
class ActionFilters:
    """The list filters; dates are inclusive business days of the bank (None = open)."""

    type: str | None = None
    subtype: str | None = None
    action_result: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ActionListRow(NamedTuple):
    """An action of a list, with the attributes ``ActionListOutput`` reads off a model."""

    id: uuid.UUID
    customer_id: str
    loan_id: str
    agent_id: uuid.UUID
    agent: AgentRef
    type: str
    subtype: str
    action_result: str
    action_date: dt.datetime
    notes: str | None
    call_trace_id: str | None
    visit_latitude: Decimal | None
    visit_longitude: Decimal | None
    visit_address: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    updated_by: str
    promise_status: str | None  # of the promise this action obtained (None: it made none)


def _action_row(values: Sequence[Any]) -> ActionListRow:
    row = [*values[:4], AgentRef(values[4], values[5]), *values[6:]]
    for index in (8, 14, 15):
        row[index] = aware_utc(row[index])
    return ActionListRow(*row)


# The promise an action obtained: the newest (PaymentPromise's ordering), as the model reads it.
_COLUMNS = """
    ar.id, ar.cif, ar.loan_account_number, ar.agent_id, ag.name, ag.employee_id, ar.type,
    ar.subtype, ar.action_result, ar.action_date, ar.notes, ar.call_trace_id,
    ar.visit_latitude, ar.visit_longitude, ar.visit_address, ar.created_at, ar.updated_at,
    ar.created_by, ar.updated_by,
    (SELECT pp.status FROM workflow_service.payment_promises pp WHERE pp.action_id = ar.id
     ORDER BY pp.created_at DESC, pp.id LIMIT 1)
"""


# An agent's list pages its last month's actions first (``SqlList.recent``): the agent's index
# finds them, where the whole list's page walks the newest partition's action_date index
# filtered on the agent, about as many rows as there are agents for each row of the page. A
# working agent fills its first pages from that month; a month, not a quarter, so that a
# collector's few thousand actions a month stay the most it sorts.
RECENT_SPAN = dt.timedelta(days=31)


def _action_list(
    key: str, value: Any, filters: ActionFilters, scope: AgentScope | None
) -> SqlList[ActionListRow]:
    """The actions whose column ``key`` is ``value``, narrowed by ``filters`` and ``scope``
    (None: every action), newest first; each with its agent's name and the status of the
    promise it obtained. Plain SQL (``workflow.sql_list``): this is the hottest read.

    Dates are inclusive business days of the bank, turned into a half-open UTC range on the
    partition key (naive timestamps, as the column holds them) so that PostgreSQL prunes
    partitions."""
    conditions = [f"ar.{key} = %s"]
    params: list[Any] = [value]
    filter_joins = ""
    if scope is not None:
        # The agent's current customers (their case) or its own actions.
        filter_joins, condition, scope_params = scope.work_sql("ar")
        conditions.append(condition)
        params += scope_params
    for column, wanted in (
        ("type", filters.type),
        ("subtype", filters.subtype),
        ("action_result", filters.action_result),
    ):
        if wanted is not None:
            conditions.append(f"ar.{column} = %s")
            params.append(wanted)
    dates, date_params = day_range_conditions(
        "ar.action_date", filters.start_date, filters.end_date
    )
    conditions += dates
    params += date_params
    return SqlList(
        columns=_COLUMNS,
        table="workflow_service.action_records",
        alias="ar",
        joins="JOIN workflow_service.agents ag ON ag.id = ar.agent_id",
        filter_joins=filter_joins,
        conditions=tuple(conditions),
        params=tuple(params),
        order_by="ar.action_date DESC, ar.id",
        row=_action_row,
        recent=("ar.action_date", RECENT_SPAN) if key == "agent_id" else None,
    )


def customer_must_exist(cif: str) -> None:
    """404 when customer ``cif`` does not exist."""
    if not Customer.objects.filter(cif=cif).exists():
        raise NotFound(f"No customer with cif {cif}.", field="cif")


def loan_must_exist(account_number: str) -> None:
    """404 when loan ``account_number`` does not exist."""
    if not Loan.objects.filter(account_number=account_number).exists():
        raise NotFound(f"No loan with account number {account_number}.", field="accountNumber")


def actions_for_customer(
    *, cif: str, filters: ActionFilters, scope: AgentScope | None = None, check: bool = True
) -> SqlList[ActionListRow]:
    """The actions taken on customer ``cif``; 404 when the customer does not exist.

    ``check=False`` leaves the 404 to the caller (:func:`customer_must_exist`): a page with
    rows proves the customer exists, so the API checks only when a page comes back empty.
    """
    if check:
        customer_must_exist(cif)
    return _action_list("cif", cif, filters, scope)


def actions_for_loan(
    *,
    account_number: str,
    filters: ActionFilters,
    scope: AgentScope | None = None,
    check: bool = True,
) -> SqlList[ActionListRow]:
    """The actions taken on loan ``account_number``; 404 when the loan does not exist
    (``check=False``: the caller's, :func:`loan_must_exist`, as for a customer's)."""
    if check:
        loan_must_exist(account_number)
    return _action_list("loan_account_number", account_number, filters, scope)


def actions_for_agent(
    *, agent_id: uuid.UUID, filters: ActionFilters, scope: AgentScope | None = None
) -> SqlList[ActionListRow]:
    """The actions recorded by agent ``agent_id``; 404 when the agent does not exist."""
    if scope is not None and scope.agent_id == agent_id:
        # Its own actions are all within its work: without the scope's joins of customers and
        # cases the list is served by the agent's index alone (2,500 actions per agent at
        # bench scale 1: 44 ms of SQL per page with the joins, in-process). The agent is the
        # caller's own, read for this request: it exists.
        scope = None
    elif not Agent.objects.filter(id=agent_id).exists():
        raise NotFound(f"No agent with id {agent_id}.", field="agentId")
    return _action_list("agent_id", agent_id, filters, scope)
