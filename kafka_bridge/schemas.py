"""The payload of every topic we consume or produce (docs/events.md describes them in prose).

Consumed payloads are checked by the consumer before hand-off (a failure dead-letters the
message); produced payloads are checked by :func:`kafka_bridge.outbox.publish` (a failure is a
programming error and raises in the caller's transaction).
"""

from __future__ import annotations

from kafka_bridge import topics
from kafka_bridge.validation import Field, Schema

# --- Shared pieces -------------------------------------------------------------------------

# Envelope of the CRM's own events (auth service and us): id, timestamp, version.
_ENVELOPE = {
    "id": Field("uuid", description="event id (idempotency key)"),
    "timestamp": Field("datetime", description="when the event happened, ISO-8601 UTC"),
    "version": Field("string", required=False, max_length=20, description='"1.0"'),
}

ACTOR = Schema(
    {
        "userId": Field("uuid", nullable=True),
        "username": Field("string", max_length=50),
    },
    description="who caused the event",
)

_ROLE = Field("string", min_length=1, max_length=50)

# --- Consumed: auth service (handlers: agents/handlers.py) ----------------------------------

USER_CREATED = Schema(
    {
        **_ENVELOPE,
        "userId": Field("uuid"),
        "username": Field("string", min_length=1, max_length=50),
        "email": Field("string", min_length=3, max_length=100),
        "role": _ROLE,
        "createdBy": Field("object", required=False, nullable=True, schema=ACTOR),
    },
    description="a login user was created in the auth service",
)

USER_UPDATED = Schema(
    {
        **_ENVELOPE,
        "userId": Field("uuid"),
        "username": Field("string", required=False, min_length=1, max_length=50),
        "email": Field("string", required=False, min_length=3, max_length=100),
        "role": Field("string", required=False, min_length=1, max_length=50),
        "isActive": Field("boolean", required=False),
        "updatedBy": Field("object", required=False, nullable=True, schema=ACTOR),
    },
    description="a login user changed; only the changed keys are present",
)

USER_DEACTIVATED = Schema(
    {
        **_ENVELOPE,
        "userId": Field("uuid"),
        "deactivatedBy": Field("object", required=False, nullable=True, schema=ACTOR),
        "reason": Field("string", required=False, nullable=True, max_length=500),
    },
    description="a login user was deactivated",
)

# --- Consumed: bank sync (handlers: cases/handlers.py) ---------------------------------------

# DESIGN.md gives no contract for bank sync's events: these schemas ask only for what the
# handlers use. The event id may be named ``id`` (the CRM's convention) or ``eventId``.
_BANK_ENVELOPE = {
    "id": Field("uuid", required=False, description="event id (or eventId)"),
    "eventId": Field("uuid", required=False, description="event id (or id)"),
    "timestamp": Field("datetime", required=False, nullable=True),
    "version": Field("string", required=False, nullable=True, max_length=20),
    "cif": Field("string", min_length=1, max_length=20, description="the customer"),
}
BANK_EVENT_ID_FIELDS = ("id", "eventId")

CUSTOMER_UPDATED = Schema(
    _BANK_ENVELOPE,
    description="bank sync stored new data of a customer",
    one_of_required=[BANK_EVENT_ID_FIELDS],
)

LOAN_UPDATED = Schema(
    {
        **_BANK_ENVELOPE,
        "accountNumber": Field("string", required=False, nullable=True, max_length=20),
    },
    description="bank sync stored new data of a loan of the customer",
    one_of_required=[BANK_EVENT_ID_FIELDS],
)

# --- Consumed: payment service --------------------------------------------------------------

PAYMENT = Schema(
    {
        "id": Field("identifier", max_length=64, description="the payment service's payment id"),
        "reference_number": Field("string", required=False, nullable=True, max_length=100),
        "loan_account_number": Field("string", required=False, nullable=True, max_length=20),
        "cif": Field("string", required=False, nullable=True, max_length=20),
        "amount": Field("decimal", max_digits=18, decimal_places=2),
        "currency": Field("string", required=False, nullable=True, max_length=3),
        "payment_date": Field("datetime", description="when the customer paid (UTC if no zone)"),
        "payment_channel": Field("string", required=False, nullable=True, max_length=50),
    },
    description="the payment",
)

PAYMENT_RECEIVED = Schema(
    {
        "event_id": Field("uuid", description="event id (idempotency key)"),
        "event_type": Field("string", min_length=1, max_length=100),
        "timestamp": Field("datetime"),
        "version": Field("string", required=False, nullable=True, max_length=20),
        "source": Field("string", required=False, nullable=True, max_length=100),
        "payment": Field("object", schema=PAYMENT),
    },
    description="the payment service's event (snake_case); only payment.recorded is applied",
)
PAYMENT_RECORDED = "payment.recorded"

# --- Produced (the services write them through kafka_bridge.publishers) ---------------------

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

AGENT_CREATED = Schema(
    {**_ENVELOPE, **_AGENT_STATE, "createdBy": Field("object", schema=ACTOR)},
    description="an agent was created; the agent's full state",
)

AGENT_UPDATED = Schema(
    {
        **_ENVELOPE,
        **_AGENT_STATE,
        "changes": Field("object", description="changed field name -> previous value"),
        "updatedBy": Field("object", schema=ACTOR),
    },
    description="an agent changed; the agent's full state after the change",
)

ACTION_RECORDED = Schema(
    {
        **_ENVELOPE,
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

ASSIGNMENT_CREATED = Schema(
    {
        **_ENVELOPE,
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

CONSUMED: dict[str, Schema] = {
    topics.USER_CREATED: USER_CREATED,
    topics.USER_UPDATED: USER_UPDATED,
    topics.USER_DEACTIVATED: USER_DEACTIVATED,
    topics.CUSTOMER_UPDATED: CUSTOMER_UPDATED,
    topics.LOAN_UPDATED: LOAN_UPDATED,
    topics.PAYMENT_RECEIVED: PAYMENT_RECEIVED,
}

PRODUCED: dict[str, Schema] = {
    topics.AGENT_CREATED: AGENT_CREATED,
    topics.AGENT_UPDATED: AGENT_UPDATED,
    topics.ACTION_RECORDED: ACTION_RECORDED,
    topics.ASSIGNMENT_CREATED: ASSIGNMENT_CREATED,
}
