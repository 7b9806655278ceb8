"""Kafka topic names and consumer groups (DESIGN.md §5)."""

from __future__ import annotations

USER_CREATED = "auth-service.user.created"
USER_UPDATED = "auth-service.user.updated"
USER_DEACTIVATED = "auth-service.user.deactivated"
CUSTOMER_UPDATED = "bank-sync-service.customer.updated"
LOAN_UPDATED = "bank-sync-service.loan.updated"
PAYMENT_RECEIVED = "payment-service.payment.received"

AGENT_CREATED = "workflow-service.agent.created"
AGENT_UPDATED = "workflow-service.agent.updated"
ACTION_RECORDED = "workflow-service.action.recorded"
ASSIGNMENT_CREATED = "workflow-service.assignment.created"

# --group option value -> (consumer group id, topics)
CONSUMER_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "user": ("workflow-service-user-events", (USER_CREATED, USER_UPDATED, USER_DEACTIVATED)),
    "bank": ("workflow-service-bank-events", (CUSTOMER_UPDATED, LOAN_UPDATED)),
    "payment": ("workflow-service-payment-events", (PAYMENT_RECEIVED,)),
}
