"""The events the contacts app publishes through the outbox (docs/events.md).

Key: the customer's cif, so that one customer's contact events reach consumers in order. The
contact point (a phone number, an address) is personal data and is not published.
"""

from __future__ import annotations

import uuid

from contacts.models import ContactAttempt
from contacts.rules import Decision
from workflow.actors import Actor
from workflow.event_schema import Field, Schema
from workflow.models import OutboxEvent
from workflow.outbox import ACTOR, ENVELOPE, actor_payload, iso_z, publish

CONTACT_VIOLATION = "workflow-service.contact.violation"
CONTACT_OVERRIDE = "workflow-service.contact.override"

_CHANNELS = ("CALL", "VISIT", "EMAIL", "SMS", "LETTER")
_PARTIES = ("BORROWER", "CO_BORROWER", "GUARANTOR", "REFERENCE")

_CONTACT = {
    "attemptId": Field("uuid", description="the contact's row in the ledger"),
    "cif": Field("string", min_length=1, max_length=20),
    "channel": Field("string", choices=_CHANNELS),
    "party": Field("string", choices=_PARTIES),
    "rule": Field("string", max_length=60, description="the rule broken / overridden"),
    "limit": Field("integer", required=False, nullable=True),
    "count": Field("integer", required=False, nullable=True),
    "policyId": Field("uuid", nullable=True),
    "policyCode": Field("string", nullable=True, max_length=50),
    "policyVersion": Field("integer", nullable=True),
    "agentId": Field("uuid", nullable=True),
    "team": Field("string", nullable=True, max_length=30),
}

CONTACT_VIOLATION_SCHEMA = Schema(
    {
        **ENVELOPE,
        **_CONTACT,
        "actionId": Field("uuid"),
        "actionDate": Field("datetime"),
        "recordedBy": Field("object", schema=ACTOR),
    },
    description="a contact was recorded that broke the customer's contact policy",
)

CONTACT_OVERRIDE_SCHEMA = Schema(
    {
        **ENVELOPE,
        **_CONTACT,
        "reason": Field("string", min_length=1, max_length=500),
        "expiresAt": Field("datetime"),
        "overriddenBy": Field("object", schema=ACTOR),
    },
    description="a supervisor allowed a contact attempt the policy refused",
)

# Topic -> payload schema of every event this app produces.
PRODUCED: dict[str, Schema] = {
    CONTACT_VIOLATION: CONTACT_VIOLATION_SCHEMA,
    CONTACT_OVERRIDE: CONTACT_OVERRIDE_SCHEMA,
}


def _contact(attempt: ContactAttempt, decision: Decision) -> dict[str, object]:
    return {
        "attemptId": attempt.id,
        "cif": attempt.cif,
        "channel": attempt.channel,
        "party": attempt.party,
        "rule": decision.rule,
        "limit": decision.limit,
        "count": decision.count,
        "policyId": decision.policy_id,
        "policyCode": decision.policy_code,
        "policyVersion": decision.policy_version,
        "agentId": attempt.agent_id,
        "team": attempt.team,
    }


def publish_contact_violation(
    *,
    attempt: ContactAttempt,
    decision: Decision,
    action_id: uuid.UUID,
    action_date: object,
    actor: Actor,
) -> OutboxEvent:
    """Queue ``workflow-service.contact.violation`` for a flagged recorded contact."""
    assert attempt.action_date is not None
    return publish(
        topic=CONTACT_VIOLATION,
        key=attempt.cif,
        payload={
            **_contact(attempt, decision),
            "actionId": action_id,
            "actionDate": iso_z(attempt.action_date),
            "recordedBy": actor_payload(actor),
        },
        schema=CONTACT_VIOLATION_SCHEMA,
    )


def publish_contact_override(
    *, attempt: ContactAttempt, decision: Decision, actor: Actor
) -> OutboxEvent:
    """Queue ``workflow-service.contact.override`` for a reservation a supervisor forced."""
    assert attempt.expires_at is not None and attempt.override_reason
    return publish(
        topic=CONTACT_OVERRIDE,
        key=attempt.cif,
        payload={
            **_contact(attempt, decision),
            "reason": attempt.override_reason,
            "expiresAt": iso_z(attempt.expires_at),
            "overriddenBy": actor_payload(actor),
        },
        schema=CONTACT_OVERRIDE_SCHEMA,
    )
