"""The events the workflow service produces, built from its models (docs/events.md).

Services call these inside their own ``@transaction.atomic``, after the write that locks the
entity: each writes one outbox row (:func:`kafka_bridge.outbox.publish`) that commits or rolls
back with the change, and the relay publishes it later. Kafka being down therefore never fails
or slows the service.

Message keys (the relay keeps each key's events in order):

* ``workflow-service.agent.created`` / ``agent.updated``: the agent id (it never changes,
  unlike the e-mail; the employee id could be reused after a deletion);
* ``workflow-service.action.recorded`` and ``assignment.created``: the customer's cif, so that
  one customer's actions and assignments reach consumers in the order they happened.
"""

from __future__ import annotations

import uuid
from typing import Any

from actions.models import ActionRecord
from agents.models import Agent
from assignments.models import CustomerAgent
from kafka_bridge import topics
from kafka_bridge.models import OutboxEvent
from kafka_bridge.outbox import iso_z, json_ready, publish
from workflow.actors import Actor

AgentState = dict[str, Any]


def actor_payload(actor: Actor) -> dict[str, Any]:
    """``{"userId", "username"}``; ``userId`` is None for system processes."""
    return {"userId": actor.user_id, "username": actor.username}


def agent_state(agent: Agent) -> AgentState:
    """The agent as the agent events carry it (JSON-ready: uuids as strings)."""
    return json_ready(
        {
            "agentId": agent.id,
            "userId": agent.user_id,
            "employeeId": agent.employee_id,
            "name": agent.name,
            "email": agent.email,
            "phone": agent.phone,
            "type": agent.type,
            "team": agent.team,
            "isActive": agent.is_active,
        }
    )


def publish_agent_created(*, agent: Agent, actor: Actor) -> OutboxEvent:
    """Queue ``workflow-service.agent.created`` with the new agent's full state."""
    return publish(
        topic=topics.AGENT_CREATED,
        key=str(agent.id),
        payload={**agent_state(agent), "createdBy": actor_payload(actor)},
    )


def publish_agent_updated(
    *, agent: Agent, before: AgentState, actor: Actor, reason: str | None = None
) -> OutboxEvent | None:
    """Queue ``workflow-service.agent.updated`` when the agent differs from ``before`` (its
    :func:`agent_state` taken before the change); None, and nothing queued, when it does not.

    ``changes`` maps each changed field to its previous value; ``reason`` (a link or unlink's,
    when one was given) is added as ``reason``.
    """
    state = agent_state(agent)
    changes = {name: before.get(name) for name, value in state.items() if before.get(name) != value}
    if not changes:
        return None
    return publish(
        topic=topics.AGENT_UPDATED,
        key=str(agent.id),
        payload={
            **state,
            "changes": changes,
            "updatedBy": actor_payload(actor),
            **({"reason": reason} if reason else {}),
        },
    )


def publish_action_recorded(*, record: ActionRecord, actor: Actor) -> OutboxEvent:
    """Queue ``workflow-service.action.recorded`` for a new action record."""
    return publish(
        topic=topics.ACTION_RECORDED,
        key=record.customer_id,
        payload={
            "actionId": record.id,
            "cif": record.customer_id,
            "loanAccountNumber": record.loan_id,
            "agentId": record.agent_id,
            "type": record.type,
            "subtype": record.subtype,
            "actionResult": record.action_result,
            "actionDate": iso_z(record.action_date),
            "notes": record.notes,
            "callTraceId": record.call_trace_id,
            "visitLatitude": record.visit_latitude,
            "visitLongitude": record.visit_longitude,
            "visitAddress": record.visit_address,
            "recordedBy": actor_payload(actor),
        },
    )


def publish_assignment_created(
    *,
    version: CustomerAgent,
    previous_call_agent_id: uuid.UUID | None,
    previous_field_agent_id: uuid.UUID | None,
    actor: Actor,
) -> OutboxEvent:
    """Queue ``workflow-service.assignment.created`` for the customer's new current version."""
    return publish(
        topic=topics.ASSIGNMENT_CREATED,
        key=version.customer_id,
        payload={
            "assignmentId": version.id,
            "cif": version.customer_id,
            "assignedCallAgentId": version.assigned_call_agent_id,
            "assignedFieldAgentId": version.assigned_field_agent_id,
            "previousCallAgentId": previous_call_agent_id,
            "previousFieldAgentId": previous_field_agent_id,
            "startDate": version.start_date,
            "assignedBy": actor_payload(actor),
        },
    )
