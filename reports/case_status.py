"""A customer's case status: the case (statuses, agents), the customer's newest action and the
follow-up a promise not kept left open.

A read across domain apps (cases, actions, promises), hence a report.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection

from workflow.business_time import aware_utc
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


# The customer with its case and both agents, its newest action, and the follow-up a promise
# not kept left open: BROKEN or PARTIALLY_KEPT with a follow-up date, on a customer nobody
# recorded an action on since the promise was resolved (the admin's "broken, not yet followed
# up" view, promises.admin.FOLLOWED_UP_SQL, uses the same rule), earliest follow-up first.
# The newest action is served by the (cif, action_date) index of each partition.
_CASE_STATUS_SQL = """
SELECT c.cif, c.name, c.company_name,
       cc.assigned_call_agent_id, call_agent.name, cc.assigned_field_agent_id, field_agent.name,
       cc.f_update, cc.customer_status, cc.collateral_status, cc.processing_state_status,
       cc.lending_violation_status, cc.recovery_ability_status,
       last_action.action_date, last_action.type, last_action.action_result,
       follow_up.follow_up_date, follow_up.follow_up_agent_id, follow_up.id
  FROM bank_sync_service.customers c
  LEFT JOIN workflow_service.customer_cases cc ON cc.cif = c.cif
  LEFT JOIN workflow_service.agents call_agent ON call_agent.id = cc.assigned_call_agent_id
  LEFT JOIN workflow_service.agents field_agent ON field_agent.id = cc.assigned_field_agent_id
  LEFT JOIN LATERAL (
        SELECT a.action_date, a.type, a.action_result
          FROM workflow_service.action_records a
         WHERE a.cif = c.cif
         ORDER BY a.action_date DESC
         LIMIT 1) last_action ON true
  LEFT JOIN LATERAL (
        SELECT p.follow_up_date, p.follow_up_agent_id, p.id
          FROM workflow_service.payment_promises p
         WHERE p.cif = c.cif
           AND p.status IN ('BROKEN', 'PARTIALLY_KEPT')
           AND p.follow_up_date IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM workflow_service.action_records a
                            WHERE a.cif = p.cif AND a.action_date >= p.resolved_at)
         ORDER BY p.follow_up_date, p.resolved_at, p.id
         LIMIT 1) follow_up ON true
 WHERE c.cif = %s
"""


def case_status(*, cif: str) -> CaseStatus:
    """The case status of ``cif`` in one statement; 404 for an unknown customer.

    A known customer nobody has worked on yet has no case row: its statuses and agents are None.
    Plain SQL: a read the frontend makes on every customer it opens.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CASE_STATUS_SQL, [cif])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    (
        customer,
        name,
        company_name,
        call_agent_id,
        call_agent_name,
        field_agent_id,
        field_agent_name,
        f_update,
        customer_status,
        collateral_status,
        processing_state_status,
        lending_violation_status,
        recovery_ability_status,
        last_action_date,
        last_action_type,
        last_action_result,
        follow_up_date,
        follow_up_agent_id,
        follow_up_promise_id,
    ) = row
    return CaseStatus(
        cif=customer,
        customer_name=Customer.name_of(name, company_name),
        assigned_call_agent_id=call_agent_id,
        assigned_call_agent_name=call_agent_name,
        assigned_field_agent_id=field_agent_id,
        assigned_field_agent_name=field_agent_name,
        f_update=aware_utc(f_update),
        customer_status=customer_status,
        collateral_status=collateral_status,
        processing_state_status=processing_state_status,
        lending_violation_status=lending_violation_status,
        recovery_ability_status=recovery_ability_status,
        last_action_date=aware_utc(last_action_date),
        last_action_type=last_action_type,
        last_action_result=last_action_result,
        follow_up_date=follow_up_date,
        follow_up_agent_id=follow_up_agent_id,
        follow_up_promise_id=follow_up_promise_id,
    )
