"""Writes of customer assignments.

The current assignment lives in ``customer_cases`` (its two agent columns); the history in
``customer_agents`` is written only by the database trigger on that table. These services
therefore change ``customer_cases`` and read back the version the trigger opened; they never
write ``customer_agents`` themselves, and they skip the UPDATE when nothing changes so that
no version is written for a no-op. Each change publishes ``workflow-service.assignment.created``
(outbox, same transaction) and resolves the customer's reassignment flags
(``assignments.flags``) whose agent lost the flagged role.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

from django.db import connection, transaction

from assignments.events import publish_assignment_created
from assignments.flags import reassignment_flags_resolve_for_case
from assignments.models import CustomerAgent
from assignments.selectors import assignment_current, assignment_current_or_none
from cases.services import case_open_locked
from workflow.actors import Actor
from workflow.errors import Conflict, NotFound, ValidationFailed
from workflow.sentinels import UNSET, Unset

AgentChoice = uuid.UUID | None | Unset
"""An agent id to assign, None to clear the role, or UNSET to leave it as it is."""


class _Case(NamedTuple):
    """The locked ``customer_cases`` row's id and agents."""

    id: uuid.UUID
    assigned_call_agent_id: uuid.UUID | None
    assigned_field_agent_id: uuid.UUID | None


class _Locked(NamedTuple):
    """What one statement read while locking the customer's case (:func:`_lock`)."""

    cif: str | None  # None: no customer (assign) or no such version (reassign)
    active: dict[uuid.UUID, bool]  # the named agents that exist: whether each is active
    case: _Case | None  # None: the customer has no case


def _agent_ids(call_agent_id: AgentChoice, field_agent_id: AgentChoice) -> list[uuid.UUID]:
    return [value for value in (call_agent_id, field_agent_id) if isinstance(value, uuid.UUID)]


# The customer (by cif, or by the assignment version's cif), the named agents and the case,
# locked FOR UPDATE, in one statement. {customer} is the row source giving the cif.
_LOCK_SQL = """
    SELECT who.cif, named.ids, named.active,
           k.id, k.assigned_call_agent_id, k.assigned_field_agent_id
    FROM (SELECT 1) AS one
    CROSS JOIN (
        SELECT array_agg(a.id) AS ids, array_agg(a.is_active) AS active
        FROM workflow_service.agents a WHERE a.id = ANY(%(agents)s::uuid[])
    ) AS named
    LEFT JOIN ({customer}) AS who ON true
    LEFT JOIN LATERAL (
        SELECT c.id, c.assigned_call_agent_id, c.assigned_field_agent_id
        FROM workflow_service.customer_cases c
        WHERE c.cif = who.cif
        FOR UPDATE
    ) AS k ON true
"""
_LOCK_BY_CIF = _LOCK_SQL.format(
    customer="SELECT cif FROM bank_sync_service.customers WHERE cif = %(key)s::text"
)
_LOCK_BY_VERSION = _LOCK_SQL.format(
    customer="SELECT cif FROM workflow_service.customer_agents"
    " WHERE id = %(key)s::uuid ORDER BY start_date LIMIT 1"
)


def _lock(sql: str, key: str | uuid.UUID, agent_ids: list[uuid.UUID]) -> _Locked:
    """Run :data:`_LOCK_BY_CIF` or :data:`_LOCK_BY_VERSION`: one round trip where the ORM took
    three (the customer, the agents, the case)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"key": key, "agents": agent_ids})
        row = cursor.fetchone()
    assert row is not None, "the statement selects from a one-row source"
    cif, agent_ids, agents_active, case_id, call_agent, field_agent = row
    active = dict(zip(agent_ids or (), agents_active or (), strict=True))
    case = _Case(case_id, call_agent, field_agent) if case_id is not None else None
    return _Locked(cif, active, case)


def _check_agents(
    active: dict[uuid.UUID, bool], call_agent_id: AgentChoice, field_agent_id: AgentChoice
) -> None:
    """404 for an unknown agent and 400 for an inactive one, naming the request field."""
    wanted = {
        "assignedCallAgentId": call_agent_id,
        "assignedFieldAgentId": field_agent_id,
    }
    for field, agent_id in wanted.items():
        if not isinstance(agent_id, uuid.UUID):
            continue
        if agent_id not in active:
            raise NotFound(f"No agent with id {agent_id}.", field=field)
        if not active[agent_id]:
            raise ValidationFailed(f"Agent {agent_id} is inactive.", field=field)


def _resolve(
    case: _Case | None, call_agent_id: AgentChoice, field_agent_id: AgentChoice
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The agents the case will have; 400 when that would leave the customer with none."""
    current_call = case.assigned_call_agent_id if case else None
    current_field = case.assigned_field_agent_id if case else None
    new_call = current_call if call_agent_id is UNSET else call_agent_id
    new_field = current_field if field_agent_id is UNSET else field_agent_id
    if new_call is None and new_field is None:
        raise ValidationFailed(
            "The customer must keep a call agent or a field agent.",
            field="assignedCallAgentId" if call_agent_id is None else "assignedFieldAgentId",
        )
    return new_call, new_field


def _assigned(
    *,
    actor: Actor,
    cif: str,
    previous_call_agent_id: uuid.UUID | None,
    previous_field_agent_id: uuid.UUID | None,
) -> CustomerAgent:
    """After a change of the case's agents: the version the trigger opened, announced with
    ``workflow-service.assignment.created`` (outbox), and the customer's reassignment flags
    resolved where the flagged agent lost its role."""
    version = assignment_current(cif=cif)
    publish_assignment_created(
        version=version,
        previous_call_agent_id=previous_call_agent_id,
        previous_field_agent_id=previous_field_agent_id,
        actor=actor,
    )
    reassignment_flags_resolve_for_case(
        cif=cif,
        call_agent_id=version.assigned_call_agent_id,
        field_agent_id=version.assigned_field_agent_id,
        actor=actor,
    )
    return version


def _require_a_role(call_agent_id: AgentChoice, field_agent_id: AgentChoice) -> None:
    if call_agent_id is UNSET and field_agent_id is UNSET:
        raise ValidationFailed(
            "Give assignedCallAgentId, assignedFieldAgentId or both.", field="assignedCallAgentId"
        )


@transaction.atomic
def assignment_assign(
    *,
    actor: Actor,
    cif: str,
    call_agent_id: AgentChoice = UNSET,
    field_agent_id: AgentChoice = UNSET,
) -> tuple[CustomerAgent, bool]:
    """Assign the customer's call and/or field agent; ``(current version, changed)``.

    ``UNSET`` (the default) leaves a role as it is, ``None`` clears it; at least one role must
    be named and the result must keep at least one agent. A customer without a case gets one
    (default statuses) carrying the agents. Assigning the agents the customer already has
    changes nothing and returns the current version with ``changed`` False.
    """
    _require_a_role(call_agent_id, field_agent_id)
    locked = _lock(_LOCK_BY_CIF, cif, _agent_ids(call_agent_id, field_agent_id))
    if locked.cif is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    _check_agents(locked.active, call_agent_id, field_agent_id)
    return _assign_locked(
        actor=actor,
        cif=cif,
        case=locked.case,
        call_agent_id=call_agent_id,
        field_agent_id=field_agent_id,
    )


def _assign_locked(
    *,
    actor: Actor,
    cif: str,
    case: _Case | None,
    call_agent_id: AgentChoice,
    field_agent_id: AgentChoice,
    current: CustomerAgent | None = None,
) -> tuple[CustomerAgent, bool]:
    """:func:`assignment_assign` once the customer's ``case`` is locked (None: it has none);
    ``current``, when the caller read it after the lock, is the customer's current version."""
    new_call, new_field = _resolve(case, call_agent_id, field_agent_id)
    if case is None:
        opened, created = case_open_locked(
            actor=actor,
            cif=cif,
            assigned_call_agent_id=new_call,
            assigned_field_agent_id=new_field,
        )
        if created:
            version = _assigned(
                actor=actor, cif=cif, previous_call_agent_id=None, previous_field_agent_id=None
            )
            return version, True
        # A concurrent request opened the case meanwhile: apply our change on top of it.
        case = _Case(opened.id, opened.assigned_call_agent_id, opened.assigned_field_agent_id)
        new_call, new_field = _resolve(case, call_agent_id, field_agent_id)

    if case.assigned_call_agent_id == new_call and case.assigned_field_agent_id == new_field:
        return current or assignment_current(cif=cif), False
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_service.customer_cases SET assigned_call_agent_id = %s::uuid,"
            " assigned_field_agent_id = %s::uuid, updated_by = %s::text WHERE id = %s::uuid",
            [new_call, new_field, actor.username, case.id],
        )
    version = _assigned(
        actor=actor,
        cif=cif,
        previous_call_agent_id=case.assigned_call_agent_id,
        previous_field_agent_id=case.assigned_field_agent_id,
    )
    return version, True


@transaction.atomic
def assignment_reassign(
    *,
    actor: Actor,
    assignment_id: uuid.UUID,
    call_agent_id: AgentChoice = UNSET,
    field_agent_id: AgentChoice = UNSET,
) -> tuple[CustomerAgent, bool]:
    """Reassign the customer of the assignment version ``assignment_id``, which must be current.

    A closed version is history and cannot change (409). Otherwise as ``assignment_assign``,
    without the lookups the version makes needless: it names an existing customer, whose case
    is locked through it in the statement that finds it.
    """
    locked = _lock(_LOCK_BY_VERSION, assignment_id, _agent_ids(call_agent_id, field_agent_id))
    if locked.cif is None:
        raise NotFound(f"No assignment with id {assignment_id}.", field="id")
    cif = locked.cif  # a version without a case: assigned as a new customer
    # Whether the version is current, read after the lock: a concurrent reassignment may have
    # closed it while this request waited for the case (the locking statement's snapshot, which
    # found the version, predates that wait).
    current = assignment_current_or_none(cif=cif)
    if current is None or current.id != assignment_id:
        raise Conflict(
            f"Assignment {assignment_id} is a closed version: history is immutable. "
            "Change the customer's current assignment instead.",
            field="id",
        )
    _require_a_role(call_agent_id, field_agent_id)
    _check_agents(locked.active, call_agent_id, field_agent_id)
    return _assign_locked(
        actor=actor,
        cif=cif,
        case=locked.case,
        call_agent_id=call_agent_id,
        field_agent_id=field_agent_id,
        current=current,
    )
