"""The events the assignments app publishes through the outbox (docs/events.md).

Key: the customer's cif, so that one customer's assignments reach consumers in the order they
happened.
"""

from __future__ import annotations

import uuid

from assignments.models import CustomerAgent
from workflow.actors import Actor
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.outbox import ACTOR, ENVELOPE, actor_payload, publish

ASSIGNMENT_CREATED = "workflow-service.assignment.created"

ASSIGNMENT_CREATED_SCHEMA = Schema(
    {
        **ENVELOPE,
        "assignmentId": Field("uuid", description="the new current version (customer_agents)"),
        "cif": Field("string", min_length=1, max_length=20),
        "assignedCallAgentId": Field("uuid", nullable=True),
        "assignedFieldAgentId": Field("uuid", nullable=True),
        "previousCallAgentId": Field("uuid", nullable=True),
        "previousFieldAgentId": Field("uuid", nullable=True),
        "startDate": Field("date", description="business day the assignment starts"),
        "assignedBy": Field("object", schema=ACTOR),
    },
    description="a customer's call and/or field agent changed",
)

# Topic -> payload schema of every event this app produces.
PRODUCED: dict[str, Schema] = {ASSIGNMENT_CREATED: ASSIGNMENT_CREATED_SCHEMA}


def publish_assignment_created(
    *,
    version: CustomerAgent,
    previous_call_agent_id: uuid.UUID | None,
    previous_field_agent_id: uuid.UUID | None,
    actor: Actor,
) -> OutboxEvent:
    """Queue ``workflow-service.assignment.created`` for the customer's new current version."""
    return publish(
        topic=ASSIGNMENT_CREATED,
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
        schema=ASSIGNMENT_CREATED_SCHEMA,
    )
