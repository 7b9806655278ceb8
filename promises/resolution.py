"""The daily resolution of promises whose time ran out, in set-based passes.

A PENDING promise whose due date (promised date + grace days) is before the bank's today
(``BUSINESS_TIME_ZONE``) becomes PARTIALLY_KEPT when something was paid towards it, BROKEN
otherwise. In the same statement it gets its follow-up (the next business day, for the call
agent assigned to the customer's case at that moment) and a ``promise.broken`` outbox row
whose payload matches :data:`promises.events.PROMISE_BROKEN_SCHEMA`.

One statement per batch of ``batch`` promises (claimed with ``FOR UPDATE SKIP LOCKED``, so a
payment being applied to a promise at that moment is simply resolved by the next run), never
one query per promise. The beat entry ``promises-resolve-due`` runs it hourly; a run with
nothing due is one index probe.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from promises import events, terms
from workflow import generations
from workflow.business_time import business_today, naive_utc
from workflow.outbox import EVENT_VERSION, iso_z

logger = logging.getLogger(__name__)

RESOLVER = "promise-resolution"
DEFAULT_BATCH = 50_000

# The outbox payload is built by PostgreSQL; decimals travel as strings, as
# workflow.outbox.json_ready writes them, and timestamps as ISO-8601 with milliseconds and Z.
RESOLVE_SQL = """
WITH due AS (
    SELECT p.id, c.assigned_call_agent_id
    FROM workflow_service.payment_promises p
    LEFT JOIN workflow_service.customer_cases c ON c.cif = p.cif
    WHERE p.status = 'PENDING' AND p.due_date < %(today)s
    ORDER BY p.due_date, p.id
    LIMIT %(batch)s
    FOR UPDATE OF p SKIP LOCKED
), resolved AS (
    UPDATE workflow_service.payment_promises p
    SET status = CASE WHEN p.paid_amount > 0 THEN 'PARTIALLY_KEPT' ELSE 'BROKEN' END,
        resolved_at = %(now)s,
        follow_up_date = %(follow_up)s,
        follow_up_agent_id = due.assigned_call_agent_id,
        updated_at = %(now)s,
        updated_by = %(resolver)s
    FROM due
    WHERE p.id = due.id
    RETURNING p.*
), outgoing AS (
    SELECT r.*, public.uuid_generate_v4() AS event_id FROM resolved r
), published AS (
    INSERT INTO workflow_service.outbox_events
        (event_id, topic, message_key, payload, headers, created_at)
    SELECT o.event_id, %(topic)s::text, o.cif,
           jsonb_build_object(
               'id', o.event_id::text,
               'timestamp', %(timestamp)s::text,
               'version', %(version)s::text,
               'promiseId', o.id::text,
               'cif', o.cif,
               'loanAccountNumber', o.loan_account_number,
               'agentId', o.agent_id::text,
               'actionId', o.action_id::text,
               'amount', o.amount::text,
               'currency', o.currency,
               'promisedDate', to_char(o.promised_date, 'YYYY-MM-DD'),
               'graceDays', o.grace_days,
               'tolerancePercent', o.tolerance_percent::text,
               'status', o.status,
               'paidAmount', o.paid_amount::text,
               'resolvedAt', %(timestamp)s::text,
               'followUpDate', to_char(o.follow_up_date, 'YYYY-MM-DD'),
               'followUpAgentId', o.follow_up_agent_id::text
           ),
           '{}'::jsonb, %(now)s
    FROM outgoing o
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM outgoing WHERE status = 'BROKEN'),
    (SELECT count(*) FROM outgoing WHERE status = 'PARTIALLY_KEPT'),
    (SELECT count(*) FROM published),
    (SELECT coalesce(array_agg(DISTINCT agent_id), '{}') FROM outgoing)
"""


@dataclass
class ResolveResult:
    """What one run resolved."""

    broken: int = 0
    partially_kept: int = 0
    batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "broken": self.broken,
            "partially_kept": self.partially_kept,
            "batches": self.batches,
        }


def _resolve_batch(
    *, today: dt.date, follow_up: dt.date, batch: int
) -> tuple[int, int, list[uuid.UUID]]:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            RESOLVE_SQL,
            {
                "today": today,
                "batch": batch,
                "now": naive_utc(now),
                "follow_up": follow_up,
                "resolver": RESOLVER,
                "topic": events.PROMISE_BROKEN,
                "timestamp": iso_z(now),
                "version": EVENT_VERSION,
            },
        )
        broken, partial, _published, agent_ids = cursor.fetchone()
        generations.bump_agents_on_commit(*agent_ids)
    return broken, partial, list(agent_ids)


def promises_resolve_due(
    *, today: dt.date | None = None, batch: int = DEFAULT_BATCH
) -> ResolveResult:
    """Resolve every PENDING promise due before ``today`` (default: the bank's today), in
    batches of ``batch``, each its own transaction."""
    today = today or business_today()
    follow_up = terms.next_business_day(today)
    result = ResolveResult()
    while True:
        broken, partial, _agents = _resolve_batch(today=today, follow_up=follow_up, batch=batch)
        if broken + partial == 0:
            break
        result.broken += broken
        result.partially_kept += partial
        result.batches += 1
        if broken + partial < batch:
            break
    logger.info("promises resolved: %s", result.as_dict())
    return result
