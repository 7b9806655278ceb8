"""Reads of the contact-policy engine: the facts a decision needs, in as few statements as
possible, and the lists supervisors and the calling lists use.

A decision needs (1) the customer, their time zone, the policy that applies to them, their
holds and the caller's agent, read by :func:`customer_facts` in one statement (which also takes
the customer's and the contact point's advisory locks when asked), and (2) their earlier
contacts, read by :data:`HISTORY_SQL` in one statement over the ledger's ``(cif,
attempted_at)`` and ``(contact_point, attempted_at)`` indexes. Policy versions never change,
so they are read once per process (:func:`policy_rules`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from contacts.enums import COUNTED_STATUSES, AttemptStatus
from contacts.models import ContactAttempt, ContactPolicy
from contacts.rules import Cap, Contact, Hold, Policy, Window
from workflow.business_time import naive_utc

# Advisory lock classes (pg_advisory_xact_lock(class, hashtext(key))): the customer's first,
# then the contact point's, in every transaction, so two never wait on each other in a cycle.
LOCK_CUSTOMER = 7401
LOCK_CONTACT_POINT = 7402

_FACTS_SQL = """
SELECT c.cif,
       {locks}
       pr.time_zone,
       (SELECT p.id
          FROM workflow_service.contact_policy_assignments a
          JOIN workflow_service.contact_policies p ON p.code = a.policy_code AND p.is_current
         WHERE a.cif = c.cif
            OR (a.cif IS NULL
                AND (a.jurisdiction IS NULL OR a.jurisdiction = pr.jurisdiction)
                AND (a.product_type IS NULL OR a.product_type IN (
                        SELECT l.product_type FROM bank_sync_service.loans l
                         WHERE l.cif = c.cif AND l.status = 'OPEN')))
         ORDER BY a.cif IS NOT NULL DESC, a.jurisdiction IS NOT NULL DESC,
                  a.product_type IS NOT NULL DESC, a.priority, a.created_at
         LIMIT 1) AS policy_id,
       (SELECT coalesce(json_agg(json_build_array(h.id, h.hold_type, h.channels, h.starts_at,
                                                  LEAST(h.expires_at, h.lifted_at))), '[]')
          FROM workflow_service.contact_holds h
         WHERE h.cif = c.cif
           AND coalesce(LEAST(h.expires_at, h.lifted_at) > %(at)s, true)
       ) AS holds,
       (SELECT json_build_array(ag.id, ag.team, ag.is_active)
          FROM workflow_service.agents ag WHERE ag.user_id = %(user_id)s) AS agent
  FROM bank_sync_service.customers c
  LEFT JOIN workflow_service.contact_customer_profiles pr ON pr.cif = c.cif
 WHERE c.cif = %(cif)s
"""

_LOCKS_SQL = f"""
       pg_advisory_xact_lock({LOCK_CUSTOMER}, hashtext(c.cif)),
       (SELECT pg_advisory_xact_lock({LOCK_CONTACT_POINT}, hashtext(point.value))
          FROM (SELECT %(point)s::text AS value) point WHERE point.value IS NOT NULL),
"""

# The customer's and the contact point's contacts since %(since)s, oldest first, as JSON
# arrays [attempted_at, channel, counts_as_attempt, is_conversation]. A reservation counts
# while it is live (until its expires_at, as of %(now)s); one never used then stops counting.
HISTORY_SQL = """
SELECT
  (SELECT coalesce(json_agg(json_build_array(a.attempted_at, a.channel, a.counts_as_attempt,
                                             a.is_conversation) ORDER BY a.attempted_at), '[]')
     FROM workflow_service.contact_attempts a
    WHERE a.cif = %(cif)s AND a.attempted_at >= %(since)s AND a.status = ANY(%(counted)s)
      AND (a.status <> 'RESERVED' OR a.expires_at > %(now)s)
      AND (a.counts_as_attempt OR a.is_conversation)) AS customer_contacts,
  (SELECT coalesce(json_agg(json_build_array(a.attempted_at, a.channel, a.counts_as_attempt,
                                             a.is_conversation) ORDER BY a.attempted_at), '[]')
     FROM workflow_service.contact_attempts a
    WHERE a.contact_point = %(point)s AND a.attempted_at >= %(since)s
      AND a.status = ANY(%(counted)s) AND a.counts_as_attempt
      AND (a.status <> 'RESERVED' OR a.expires_at > %(now)s)) AS point_contacts
"""
COUNTED = [str(status) for status in COUNTED_STATUSES]


@dataclass(frozen=True)
class CustomerFacts:
    """What statement 1 of a decision reads about the customer and the caller."""

    cif: str
    time_zone: str | None
    policy_id: uuid.UUID | None
    holds: tuple[Hold, ...]
    agent_id: uuid.UUID | None
    agent_team: str | None
    agent_active: bool


def parse_utc(value: str | None) -> dt.datetime | None:
    """A ``timestamp`` column as PostgreSQL's JSON writes it (UTC, no zone) → aware UTC."""
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def customer_facts(
    *,
    cif: str,
    at: dt.datetime,
    user_id: uuid.UUID | None,
    lock: bool,
    contact_point: str | None = None,
) -> CustomerFacts | None:
    """The customer's zone, policy, holds in force at or after ``at`` and the caller's agent,
    in one statement; None when there is no such customer.

    With ``lock``, the statement also takes the transaction's advisory locks on the customer
    and on ``contact_point``: whoever decides on the same customer or contact point waits until
    this transaction ends, so the history read next includes every earlier decision.
    """
    sql = _FACTS_SQL.format(locks=_LOCKS_SQL if lock else "")
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"cif": cif, "at": naive_utc(at), "user_id": user_id, "point": contact_point}
        )
        row = cursor.fetchone()
    if row is None:
        return None
    if lock:
        row = (row[0], *row[3:])
    _, time_zone, policy_id, holds, agent = row
    agent = _json(agent)
    return CustomerFacts(
        cif=cif,
        time_zone=time_zone,
        policy_id=policy_id,
        holds=tuple(
            Hold(
                id=uuid.UUID(hold_id),
                hold_type=hold_type,
                channels=frozenset(channels or ()),
                starts_at=parse_utc(starts_at),  # type: ignore[arg-type]
                ends_at=parse_utc(ends_at),
            )
            for hold_id, hold_type, channels, starts_at, ends_at in _json(holds)
        ),
        agent_id=uuid.UUID(agent[0]) if agent else None,
        agent_team=agent[1] if agent else None,
        agent_active=bool(agent[2]) if agent else False,
    )


def history_params(
    *, cif: str, contact_point: str | None, since: dt.datetime, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The parameters of :data:`HISTORY_SQL`; ``now`` (default: the clock) decides which
    reservations are still live."""
    return {
        "cif": cif,
        "point": contact_point,
        "since": naive_utc(since),
        "now": naive_utc(now or timezone.now()),
        "counted": COUNTED,
    }


def contacts_from_json(value: Any) -> tuple[Contact, ...]:
    return tuple(
        Contact(
            at=parse_utc(at),  # type: ignore[arg-type]
            channel=channel,
            counts=bool(counts),
            conversation=bool(conversation),
        )
        for at, channel, counts, conversation in _json(value)
    )


def contact_history(
    *, cif: str, contact_point: str | None, since: dt.datetime, now: dt.datetime | None = None
) -> tuple[tuple[Contact, ...], tuple[Contact, ...]]:
    """The customer's and the contact point's counted contacts since ``since``, reservations
    only while live at ``now`` (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            HISTORY_SQL,
            history_params(cif=cif, contact_point=contact_point, since=since, now=now),
        )
        customer, point = cursor.fetchone()
    return contacts_from_json(customer), contacts_from_json(point)


def lookback_start(policy: Policy, at: dt.datetime) -> dt.datetime:
    """How far back a decision at ``at`` must read contacts: the longest cap or block, plus a
    day for the time zone (the windows are local days)."""
    days = max([cap.days for cap in policy.caps] + [policy.block_days, 1])
    return at - dt.timedelta(days=days + 1)


def policy_from_row(row: ContactPolicy) -> Policy:
    """The rules of a policy version with its windows and caps (prefetched or read here)."""
    return Policy(
        id=row.id,
        code=row.code,
        version=row.version,
        name=row.name,
        channels=frozenset(row.channels),
        parties=frozenset(row.parties),
        windows={w.channel: Window(w.starts, w.ends) for w in row.windows.all()},
        caps=tuple(
            Cap(scope=c.scope, days=c.days, limit=c.max_attempts, channels=frozenset(c.channels))
            for c in row.caps.all()
        ),
        attempt_types=frozenset(row.attempt_types),
        attempt_results=frozenset(row.attempt_results),
        conversation_results=frozenset(row.conversation_results),
        block_days=row.block_days,
        block_channels=frozenset(row.block_channels),
        reservation_minutes=row.reservation_minutes,
    )


@lru_cache(maxsize=512)
def policy_rules(policy_id: uuid.UUID) -> Policy:
    """The rules of policy version ``policy_id``, read once per process (versions never change:
    an edit writes a new version)."""
    row = ContactPolicy.objects.prefetch_related("windows", "caps").get(id=policy_id)
    return policy_from_row(row)


def hold_in_force_sql(alias: str) -> str:
    """SQL condition: the ``contact_holds`` row ``alias`` is in force at an instant, given as
    two parameters (naive UTC timestamps, as the columns hold them): started, and neither
    expired nor lifted (its end is the earlier of the two, as ``_FACTS_SQL`` reads it). Its
    ``channels`` (empty: all) say which channels it suppresses."""
    return (
        f"{alias}.starts_at <= %s::timestamp"
        f" AND coalesce(LEAST({alias}.expires_at, {alias}.lifted_at) > %s::timestamp, true)"
    )


def attempts_for_supervisors(*, kind: str, team: str | None = None) -> QuerySet[ContactAttempt]:
    """Refused attempts (``blocked``), overrides (``overrides``) or flagged contacts
    (``violations``), newest first, of one team when given."""
    rows = ContactAttempt.objects.select_related("policy")
    if kind == "blocked":
        rows = rows.filter(status=AttemptStatus.REFUSED)
    elif kind == "overrides":
        rows = rows.filter(override_reason__isnull=False)
    elif kind == "violations":
        rows = rows.filter(violation_rule__isnull=False)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    if team is not None:
        rows = rows.filter(team=team)
    return rows.order_by("-attempted_at")
