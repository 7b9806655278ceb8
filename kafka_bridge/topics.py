"""Kafka topic names and consumer groups (DESIGN.md §5)."""

from __future__ import annotations

from actions import events as action_events
from agents import events as agent_events
from assignments import events as assignment_events
from contacts import events as contact_events
from promises import events as promise_events

USER_CREATED = "auth-service.user.created"
USER_UPDATED = "auth-service.user.updated"
USER_DEACTIVATED = "auth-service.user.deactivated"
CUSTOMER_UPDATED = "bank-sync-service.customer.updated"
LOAN_UPDATED = "bank-sync-service.loan.updated"
# The default name; the topic actually consumed is ``conf.payment_topic()`` (KAFKA_PAYMENT_TOPIC).
PAYMENT_RECEIVED = "payment-service.payment.received"

# Produced: each app names the topics of its events in its events.py.
AGENT_CREATED = agent_events.AGENT_CREATED
AGENT_UPDATED = agent_events.AGENT_UPDATED
ACTION_RECORDED = action_events.ACTION_RECORDED
ASSIGNMENT_CREATED = assignment_events.ASSIGNMENT_CREATED
CONTACT_VIOLATION = contact_events.CONTACT_VIOLATION
CONTACT_OVERRIDE = contact_events.CONTACT_OVERRIDE
PROMISE_MADE = promise_events.PROMISE_MADE
PROMISE_KEPT = promise_events.PROMISE_KEPT
PROMISE_BROKEN = promise_events.PROMISE_BROKEN
PROMISE_CANCELLED = promise_events.PROMISE_CANCELLED

# Settings that rename a consumed topic (default: the DESIGN.md name above), e.g. for an
# installation whose producers use other names, or for tests that need topics of their own.
TOPIC_SETTINGS: dict[str, str] = {
    USER_CREATED: "KAFKA_USER_CREATED_TOPIC",
    USER_UPDATED: "KAFKA_USER_UPDATED_TOPIC",
    USER_DEACTIVATED: "KAFKA_USER_DEACTIVATED_TOPIC",
    CUSTOMER_UPDATED: "KAFKA_CUSTOMER_UPDATED_TOPIC",
    LOAN_UPDATED: "KAFKA_LOAN_UPDATED_TOPIC",
    PAYMENT_RECEIVED: "KAFKA_PAYMENT_TOPIC",
}

# --group option value -> (consumer group id, topics)
CONSUMER_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "user": ("workflow-service-user-events", (USER_CREATED, USER_UPDATED, USER_DEACTIVATED)),
    "bank": ("workflow-service-bank-events", (CUSTOMER_UPDATED, LOAN_UPDATED)),
    "payment": ("workflow-service-payment-events", (PAYMENT_RECEIVED,)),
}

# Dead letters of topic T go to T + DLQ_SUFFIX; replay_dlq reads them with its own group.
DLQ_SUFFIX = ".dlq"
DLQ_REPLAY_GROUP = "workflow-service-dlq-replay"


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of ``topic``."""
    return topic + DLQ_SUFFIX
