"""Kafka handlers of bank sync's events: every customer bank sync reports on has a case.

``bank-sync-service.customer.updated`` and ``bank-sync-service.loan.updated`` both name the
customer (``cif``). The handler opens the customer's case when it has none, with the default
statuses (ACTIVE, UNSECURED, IN_PROCESS, NONE, MEDIUM) and no agents, through
``cases.services.case_open_locked``. As for any case opened without agents, the assignment
trigger then writes a first, empty version of the assignment history. An existing case is
left alone. After commit, the cached reports of the customer's agents are invalidated
(:mod:`workflow.generations`), since they are computed from the customer's data.

Idempotent: the event id (``id`` or ``eventId``) is claimed, and opening a case that exists
changes nothing, so no watermark is needed. An event without ``cif`` fails its schema and is
dead-lettered by the consumer; a cif bank sync does not know (no row in
``bank_sync_service.customers``) is dead-lettered by the handler.
"""

from __future__ import annotations

import logging
from typing import Any

from cases.services import case_open_locked
from kafka_bridge import schemas, topics
from kafka_bridge.registry import EventMeta, EventRejected, handler
from workflow import generations
from workflow.actors import system_actor
from workflow.models import Customer

logger = logging.getLogger(__name__)

# Who the audit columns of cases opened by these events name.
ACTOR_NAME = "bank-sync-service"


def _ensure_case(payload: dict[str, Any], meta: EventMeta) -> None:
    cif = payload["cif"]
    if not Customer.objects.filter(cif=cif).exists():
        raise EventRejected(f"customer {cif} does not exist in bank_sync_service.customers")
    case, created = case_open_locked(actor=system_actor(ACTOR_NAME), cif=cif)
    if created:
        logger.info("case opened for customer %s", cif, extra={"topic": meta.topic})
    generations.bump_agents_on_commit(case.assigned_call_agent_id, case.assigned_field_agent_id)


@handler(
    topics.CUSTOMER_UPDATED,
    schema=schemas.CUSTOMER_UPDATED,
    key_field="cif",
    event_id_aliases=("eventId",),
    topic_setting=topics.TOPIC_SETTINGS[topics.CUSTOMER_UPDATED],
)
def customer_updated(payload: dict[str, Any], meta: EventMeta) -> None:
    """Open the customer's case when it has none; invalidate its agents' cached reports."""
    _ensure_case(payload, meta)


@handler(
    topics.LOAN_UPDATED,
    schema=schemas.LOAN_UPDATED,
    key_field="cif",
    event_id_aliases=("eventId",),
    topic_setting=topics.TOPIC_SETTINGS[topics.LOAN_UPDATED],
)
def loan_updated(payload: dict[str, Any], meta: EventMeta) -> None:
    """Open the loan's customer's case when it has none; invalidate its agents' reports."""
    _ensure_case(payload, meta)
