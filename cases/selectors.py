"""Reads of customers' cases: the case-action history and the collection status report
(materialized view). The current case status with the last action is a report
(:mod:`reports.case_status`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import models
from django.db.models import F, QuerySet

from agents.scope import AgentScope
from agents.selectors import AgentRef
from cases.api.filters import CollectionStatusFilter
from cases.models import CustomerCollectionStatus
from workflow.business_time import aware_utc
from workflow.enums import (
    CollateralStatus,
    CustomerStatus,
    LendingViolationStatus,
    ProcessingStateStatus,
    RecoveryAbilityStatus,
)
from workflow.errors import NotFound, ValidationFailed
from workflow.models import Customer
from workflow.sql_list import SqlList, day_range_conditions


def customer_get(*, cif: str) -> Customer:
    """The customer with ``cif``; 404 on the ``cif`` field when unknown."""
    customer = Customer.objects.filter(cif=cif).first()
    if customer is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    return customer


def _label(choices: type[models.TextChoices], value: str | None) -> str | None:
    return choices(value).label if value is not None else None


class CaseActionRow(NamedTuple):
    """A status input on a case, with what ``CaseActionOutput`` (and the case admin's history,
    through the ``get_*_display`` a model has) read off the model."""

    id: uuid.UUID
    customer_id: str
    agent_id: uuid.UUID
    agent: AgentRef
    action_date: dt.datetime
    notes: str | None
    customer_status: str | None
    collateral_status: str | None
    processing_state_status: str | None
    lending_violation_status: str | None
    recovery_ability_status: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    updated_by: str

    def get_customer_status_display(self) -> str | None:
        return _label(CustomerStatus, self.customer_status)

    def get_collateral_status_display(self) -> str | None:
        return _label(CollateralStatus, self.collateral_status)

    def get_processing_state_status_display(self) -> str | None:
        return _label(ProcessingStateStatus, self.processing_state_status)

    def get_lending_violation_status_display(self) -> str | None:
        return _label(LendingViolationStatus, self.lending_violation_status)

    def get_recovery_ability_status_display(self) -> str | None:
        return _label(RecoveryAbilityStatus, self.recovery_ability_status)


def _case_action_row(values: Sequence[Any]) -> CaseActionRow:
    (id_, cif, agent_id, agent_name, employee_id, action_date, *rest) = values
    notes, s1, s2, s3, s4, s5, created_at, updated_at, created_by, updated_by = rest
    return CaseActionRow(
        id_,
        cif,
        agent_id,
        AgentRef(agent_name, employee_id),
        aware_utc(action_date),
        notes,
        s1,
        s2,
        s3,
        s4,
        s5,
        aware_utc(created_at),
        aware_utc(updated_at),
        created_by,
        updated_by,
    )


def case_actions_for_customer(
    *,
    cif: str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    scope: AgentScope | None = None,
) -> SqlList[CaseActionRow]:
    """The customer's case actions, newest first, on the business days ``start..end``, within
    ``scope`` (None: all of them). Plain SQL (``workflow.sql_list``).

    An unknown customer has none: the caller answers 404 for it with :func:`customer_get`
    when the list is empty (a row proves the customer exists).
    """
    conditions = ["cca.cif = %s"]
    params: list[Any] = [cif]
    filter_joins = ""
    if scope is not None:
        filter_joins, condition, scope_params = scope.work_sql("cca")
        conditions.append(condition)
        params += scope_params
    dates, date_params = day_range_conditions("cca.action_date", start_date, end_date)
    return SqlList(
        table="workflow_service.customer_case_actions",
        alias="cca",
        columns="""
            cca.id, cca.cif, cca.agent_id, ag.name, ag.employee_id, cca.action_date, cca.notes,
            cca.customer_status, cca.collateral_status, cca.processing_state_status,
            cca.lending_violation_status, cca.recovery_ability_status, cca.created_at,
            cca.updated_at, cca.created_by, cca.updated_by
        """,
        joins="JOIN workflow_service.agents ag ON ag.id = cca.agent_id",
        filter_joins=filter_joins,
        conditions=(*conditions, *dates),
        params=(*params, *date_params),
        # The id makes the order total, so that pages never repeat or skip a row.
        order_by="cca.action_date DESC, cca.created_at DESC, cca.id DESC",
        row=_case_action_row,
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
    rows = CollectionStatusFilter.apply(filters, CustomerCollectionStatus.objects.all())
    # Served by idx_customer_collection_status_max_dpd (max_dpd DESC NULLS LAST, cif).
    return rows.order_by(F("max_dpd").desc(nulls_last=True), "cif")
