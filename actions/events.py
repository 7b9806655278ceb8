"""The events the actions app publishes through the outbox (docs/events.md).

Key: the customer's cif, so that one customer's actions reach consumers in the order they were
recorded.
"""

from __future__ import annotations

from actions.models import ActionRecord
from workflow.actors import Actor
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.outbox import ACTOR, ENVELOPE, actor_payload, iso_z, publish

ACTION_RECORDED = "workflow-service.action.recorded"

ACTION_RECORDED_SCHEMA = Schema(
    {
        **ENVELOPE,
        "actionId": Field("uuid"),
        "cif": Field("string", min_length=1, max_length=20),
        "loanAccountNumber": Field("string", min_length=1, max_length=20),
        "agentId": Field("uuid"),
        "type": Field("string", choices=("CALL", "VISIT", "EMAIL", "SMS", "LETTER")),
        "subtype": Field("string", max_length=50),
        "actionResult": Field("string", max_length=50),
        "actionDate": Field("datetime"),
        "notes": Field("string", required=False, nullable=True),
        "callTraceId": Field("string", required=False, nullable=True, max_length=20),
        "visitLatitude": Field("decimal", required=False, nullable=True, decimal_places=8),
        "visitLongitude": Field("decimal", required=False, nullable=True, decimal_places=8),
        "visitAddress": Field("string", required=False, nullable=True),
        "recordedBy": Field("object", schema=ACTOR),
    },
    description="an agent recorded an action on a customer's loan",
)

# Topic -> payload schema of every event this app produces.
PRODUCED: dict[str, Schema] = {ACTION_RECORDED: ACTION_RECORDED_SCHEMA}


def publish_action_recorded(*, record: ActionRecord, actor: Actor) -> OutboxEvent:
    """Queue ``workflow-service.action.recorded`` for a new action record."""
    return publish(
        topic=ACTION_RECORDED,
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
        schema=ACTION_RECORDED_SCHEMA,
    )
