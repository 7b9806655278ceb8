"""The payload of every topic we consume or produce (docs/events.md describes them in prose).

Consumed payloads are checked by the consumer before hand-off (a failure dead-letters the
message). The schemas of the events we produce live beside their publishers in each app's
``events.py`` (checked by :func:`workflow.outbox.publish`); :data:`PRODUCED` gathers them.
"""

from __future__ import annotations

from actions import events as action_events
from agents import events as agent_events
from assignments import events as assignment_events
from contacts import events as contact_events
from kafka_bridge import topics
from promises import events as promise_events
from workflow.event_schema import Field, Schema
from workflow.outbox import ACTOR, ENVELOPE

# --- Shared pieces -------------------------------------------------------------------------

_ROLE = Field("string", min_length=1, max_length=50)

# --- Consumed: auth service (handlers: kafka_bridge/handlers/users.py) -------------------

USER_CREATED = Schema(
    {
        **ENVELOPE,
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
        **ENVELOPE,
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
        **ENVELOPE,
        "userId": Field("uuid"),
        "deactivatedBy": Field("object", required=False, nullable=True, schema=ACTOR),
        "reason": Field("string", required=False, nullable=True, max_length=500),
    },
    description="a login user was deactivated",
)

# --- Consumed: bank sync (handlers: kafka_bridge/handlers/bank.py) ----------------------

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
    description=(
        "the payment service's event (snake_case); payment.recorded and payment.reversed "
        "are applied"
    ),
)
PAYMENT_RECORDED = "payment.recorded"
# The same payload naming the reversed payment, with an optional top-level "reason".
PAYMENT_REVERSED = "payment.reversed"

CONSUMED: dict[str, Schema] = {
    topics.USER_CREATED: USER_CREATED,
    topics.USER_UPDATED: USER_UPDATED,
    topics.USER_DEACTIVATED: USER_DEACTIVATED,
    topics.CUSTOMER_UPDATED: CUSTOMER_UPDATED,
    topics.LOAN_UPDATED: LOAN_UPDATED,
    topics.PAYMENT_RECEIVED: PAYMENT_RECEIVED,
}

PRODUCED: dict[str, Schema] = {
    **agent_events.PRODUCED,
    **action_events.PRODUCED,
    **assignment_events.PRODUCED,
    **contact_events.PRODUCED,
    **promise_events.PRODUCED,
}
