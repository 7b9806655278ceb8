"""The events the agents app publishes through the outbox (docs/events.md).

Key: the agent id (it never changes, unlike the e-mail; the employee id could be reused after a
deletion), so that one agent's events reach consumers in order.
"""

from __future__ import annotations

from typing import Any

from agents.models import Agent
from workflow.actors import Actor
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.outbox import ACTOR, ENVELOPE, actor_payload, event_row, json_ready, publish

AGENT_CREATED = "workflow-service.agent.created"
AGENT_UPDATED = "workflow-service.agent.updated"

_AGENT_STATE = {
    "agentId": Field("uuid"),
    "employeeId": Field("string", min_length=1, max_length=20),
    "name": Field("string", min_length=1, max_length=100),
    "email": Field("string", min_length=3, max_length=100),
    "phone": Field("string", nullable=True, max_length=20),
    "type": Field("string", choices=("AGENT", "SUPERVISOR", "ADMIN")),
    "team": Field("string", min_length=1, max_length=30),
    "isActive": Field("boolean"),
    "userId": Field("uuid", nullable=True),
}

AGENT_CREATED_SCHEMA = Schema(
    {**ENVELOPE, **_AGENT_STATE, "createdBy": Field("object", schema=ACTOR)},
    description="an agent was created; the agent's full state",
)

AGENT_UPDATED_SCHEMA = Schema(
    {
        **ENVELOPE,
        **_AGENT_STATE,
        "changes": Field("object", description="changed field name -> previous value"),
        "updatedBy": Field("object", schema=ACTOR),
        "reason": Field(
            "string",
            required=False,
            max_length=500,
            description="why a user was linked or unlinked, when one was given",
        ),
    },
    description="an agent changed; the agent's full state after the change",
)

# Topic -> payload schema of every event this app produces.
PRODUCED: dict[str, Schema] = {
    AGENT_CREATED: AGENT_CREATED_SCHEMA,
    AGENT_UPDATED: AGENT_UPDATED_SCHEMA,
}

AgentState = dict[str, Any]


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
    row = agent_created_row(agent=agent, actor=actor)
    row.save(force_insert=True)
    return row


def agent_created_row(*, agent: Agent, actor: Actor) -> OutboxEvent:
    """The outbox row of :func:`publish_agent_created`, not yet saved (``outbox.publish_rows``)."""
    return event_row(
        topic=AGENT_CREATED,
        key=str(agent.id),
        payload={**agent_state(agent), "createdBy": actor_payload(actor)},
        schema=AGENT_CREATED_SCHEMA,
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
        topic=AGENT_UPDATED,
        key=str(agent.id),
        payload={
            **state,
            "changes": changes,
            "updatedBy": actor_payload(actor),
            **({"reason": reason} if reason else {}),
        },
        schema=AGENT_UPDATED_SCHEMA,
    )
