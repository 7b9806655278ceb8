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

from django.db import transaction

from agents.models import Agent
from assignments.events import publish_assignment_created
from assignments.flags import reassignment_flags_resolve_for_case
from assignments.models import CustomerAgent
from assignments.selectors import assignment_current
from cases.models import CustomerCase
from cases.selectors import customer_get
from cases.services import case_open_locked
from workflow.actors import Actor
from workflow.errors import Conflict, NotFound, ValidationFailed
from workflow.sentinels import UNSET, Unset

AgentChoice = uuid.UUID | None | Unset
"""An agent id to assign, None to clear the role, or UNSET to leave it as it is."""


def _check_agents(call_agent_id: AgentChoice, field_agent_id: AgentChoice) -> None:
    """404 for an unknown agent and 400 for an inactive one, naming the request field."""
    wanted = {
        "assignedCallAgentId": call_agent_id,
        "assignedFieldAgentId": field_agent_id,
    }
    ids = [value for value in wanted.values() if isinstance(value, uuid.UUID)]
    agents = Agent.objects.only("id", "is_active").in_bulk(ids)
    for field, agent_id in wanted.items():
        if not isinstance(agent_id, uuid.UUID):
            continue
        agent = agents.get(agent_id)
        if agent is None:
            raise NotFound(f"No agent with id {agent_id}.", field=field)
        if not agent.is_active:
            raise ValidationFailed(f"Agent {agent_id} is inactive.", field=field)


def _resolve(
    case: CustomerCase | None, call_agent_id: AgentChoice, field_agent_id: AgentChoice
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
    customer_get(cif=cif)
    _check_agents(call_agent_id, field_agent_id)
    case = CustomerCase.objects.select_for_update().filter(customer_id=cif).first()
    return _assign_locked(
        actor=actor, cif=cif, case=case, call_agent_id=call_agent_id, field_agent_id=field_agent_id
    )


def _assign_locked(
    *,
    actor: Actor,
    cif: str,
    case: CustomerCase | None,
    call_agent_id: AgentChoice,
    field_agent_id: AgentChoice,
) -> tuple[CustomerAgent, bool]:
    """:func:`assignment_assign` once the customer's ``case`` is locked (None: it has none)."""
    new_call, new_field = _resolve(case, call_agent_id, field_agent_id)
    if case is None:
        case, created = case_open_locked(
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
        new_call, new_field = _resolve(case, call_agent_id, field_agent_id)

    if case.assigned_call_agent_id == new_call and case.assigned_field_agent_id == new_field:
        return assignment_current(cif=cif), False
    previous_call, previous_field = case.assigned_call_agent_id, case.assigned_field_agent_id
    case.assigned_call_agent_id = new_call
    case.assigned_field_agent_id = new_field
    case.updated_by = actor.username
    case.save(update_fields=["assigned_call_agent", "assigned_field_agent", "updated_by"])
    version = _assigned(
        actor=actor,
        cif=cif,
        previous_call_agent_id=previous_call,
        previous_field_agent_id=previous_field,
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
    is locked through it in one statement.
    """
    # Lock the case before checking is_current: a concurrent reassignment may close this
    # version between the check and our change otherwise.
    case = (
        CustomerCase.objects.select_for_update()
        .filter(
            customer_id__in=CustomerAgent.objects.filter(id=assignment_id).values("customer_id")
        )
        .first()
    )
    if case is not None:
        cif = case.customer_id
    else:
        version = CustomerAgent.objects.filter(id=assignment_id).only("customer_id").first()
        if version is None:
            raise NotFound(f"No assignment with id {assignment_id}.", field="id")
        cif = version.customer_id  # a version without a case: assigned as a new customer
    if not CustomerAgent.objects.filter(id=assignment_id, is_current=True).exists():
        raise Conflict(
            f"Assignment {assignment_id} is a closed version: history is immutable. "
            "Change the customer's current assignment instead.",
            field="id",
        )
    _require_a_role(call_agent_id, field_agent_id)
    _check_agents(call_agent_id, field_agent_id)
    return _assign_locked(
        actor=actor, cif=cif, case=case, call_agent_id=call_agent_id, field_agent_id=field_agent_id
    )
