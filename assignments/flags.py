"""Reassignment flags: customers waiting for a new agent (``workflow_service.reassignment_flags``).

* :func:`reassignment_flags_raise` flags every customer whose case names the agent as call or
  field agent (the ``auth-service.user.deactivated`` handler calls it);
* :func:`reassignment_flags_resolve_for_case` resolves a customer's open flags once the
  customer is assigned away from the flagged agent in that role (``assignment_assign`` calls
  it), and :func:`reassignment_flags_resolve_for_agent` all the open flags of an agent that
  came back (its user was reactivated);
* :func:`reassignment_flags_pending` lists the open flags for supervisors.

Flags are idempotent: at most one open flag exists per (cif, agent, role), enforced by the
partial unique index ``uq_reassignment_flags_open``.
"""

from __future__ import annotations

import uuid

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assignments.api.filters import ReassignmentFlagFilter
from assignments.models import ReassignmentFlag
from workflow.actors import Actor
from workflow.business_time import naive_utc


@transaction.atomic
def reassignment_flags_raise(
    *, agent_id: uuid.UUID, reason: str, event_id: uuid.UUID | None = None
) -> int:
    """Flag each customer the agent currently holds as call or field agent; return how many
    flags were opened (a customer already flagged for that agent and role is left alone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.reassignment_flags (cif, agent_id, role, reason, event_id)
            SELECT cif, assigned_call_agent_id, 'CALL', %(reason)s, %(event_id)s
            FROM workflow_service.customer_cases WHERE assigned_call_agent_id = %(agent_id)s
            UNION ALL
            SELECT cif, assigned_field_agent_id, 'FIELD', %(reason)s, %(event_id)s
            FROM workflow_service.customer_cases WHERE assigned_field_agent_id = %(agent_id)s
            ON CONFLICT (cif, agent_id, role) WHERE resolved_at IS NULL DO NOTHING
            """,
            {"agent_id": agent_id, "reason": reason, "event_id": event_id},
        )
        return cursor.rowcount


def reassignment_flags_resolve_for_case(
    *,
    cif: str,
    call_agent_id: uuid.UUID | None,
    field_agent_id: uuid.UUID | None,
    actor: Actor,
) -> int:
    """Resolve the customer's open flags whose agent no longer holds the flagged role, now that
    the case names ``call_agent_id`` and ``field_agent_id``; return how many.

    Runs inside the caller's transaction (the case row is locked by then).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE workflow_service.reassignment_flags
            SET resolved_at = %(now)s, resolved_by = %(by)s
            WHERE cif = %(cif)s AND resolved_at IS NULL
              AND ((role = 'CALL' AND agent_id IS DISTINCT FROM %(call)s::uuid)
                   OR (role = 'FIELD' AND agent_id IS DISTINCT FROM %(field)s::uuid))
            """,
            {
                "now": naive_utc(timezone.now()),
                "by": actor.username,
                "cif": cif,
                "call": call_agent_id,
                "field": field_agent_id,
            },
        )
        return cursor.rowcount


@transaction.atomic
def reassignment_flags_resolve_for_agent(*, agent_id: uuid.UUID, actor: Actor) -> int:
    """Resolve every open flag of the agent (it is active again); return how many."""
    return ReassignmentFlag.objects.filter(agent_id=agent_id, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor.username
    )


def reassignment_flags_pending(
    *, team: str | None = None, agent_id: uuid.UUID | None = None
) -> QuerySet[ReassignmentFlag]:
    """Open flags, oldest first, with their customer and agent; ``team`` (the flagged
    agent's team) and ``agent_id`` narrow the list."""
    flags = ReassignmentFlag.objects.filter(resolved_at__isnull=True).select_related(
        "customer", "agent"
    )
    flags = ReassignmentFlagFilter.apply({"team": team, "agent_id": agent_id}, flags)
    return flags.order_by("flagged_at", "id")
