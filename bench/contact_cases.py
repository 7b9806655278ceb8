"""The contact-policy cases (issue 14): the gate and the recording, with the policy on and off.

- ``contact_attempts_create``: ``POST /contact-attempts``, a call to the borrower reserved by
  the customer's call agent (the shipped default policy, Vietnam: 5 a day, 07:00-21:00);
- ``actions_create_reserved``: ``POST /actions`` naming a live reservation, which it consumes
  (the dialer's flow after the gate);
- ``actions_create_policy_off``: the requests of ``actions_create`` sent to a second gunicorn
  started with ``CONTACT_POLICY_ENABLED=false``: the unflagged path the issue compares with.

The gate has no "policy off" path of its own: with no policy it refuses (``NO_POLICY``, fail
closed) and the setting leaves it on, so its whole cost shows as the extra request a dialer
makes, beside ``POST /actions`` off.

So that the figures do not depend on the hour the bench runs at (outside 07:00-21:00 every
reservation would be refused and every recorded call flagged), the builders first give every
customer a contact profile in a fixed-offset zone where it is about noon now
(:func:`daytime_everywhere`); the rules still run in full. Customers chosen for a reservation
have fewer than 3 counted contacts in the last day, so the daily cap of 5 never refuses one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bench.load import Request

if TYPE_CHECKING:
    from bench.cases import Context

API = "/api/v1/collection"
# Environment of the second web server of the "policy off" cases.
POLICY_OFF_ENVIRONMENT = {"CONTACT_POLICY_ENABLED": "false"}


def noon_zone(now: dt.datetime) -> str:
    """The fixed-offset zone (``Etc/GMT-5`` is UTC+5) where ``now`` is between 12:00 and 13:00
    local time, or as near as the zones go (UTC-11 to UTC+12)."""
    offset = 12 - now.astimezone(dt.UTC).hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def daytime_everywhere() -> str:
    """Give every customer a contact profile whose zone makes now about noon; the zone."""
    from django.db import connection

    zone = noon_zone(dt.datetime.now(dt.UTC))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.contact_customer_profiles (cif, time_zone, updated_by)
            SELECT cif, %s, 'bench' FROM bank_sync_service.customers
            ON CONFLICT (cif) DO UPDATE SET time_zone = EXCLUDED.time_zone
             WHERE contact_customer_profiles.time_zone IS DISTINCT FROM EXCLUDED.time_zone
            """,
            [zone],
        )
    return zone


def quiet_customers(ctx: Context, count: int) -> list[int]:
    """Up to ``count`` customer numbers, at random, with fewer than 3 counted contacts in the
    last day (drawn from all customers, so repeated runs on the same day never run short)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT cif FROM workflow_service.contact_attempts
             WHERE attempted_at > (now() AT TIME ZONE 'UTC') - interval '1 day'
               AND status IN ('RESERVED', 'CONSUMED', 'RECORDED')
             GROUP BY cif HAVING count(*) >= 3
            """
        )
        busy = {row[0] for row in cursor.fetchall()}
    if not busy:
        return ctx.customer_numbers(count)
    return [n for n in ctx.customer_numbers(ctx.customers) if ctx.cif(n) not in busy][:count]


def phone_of(n: int) -> str:
    return f"09{n % 10**8:08d}"


def contact_attempts_create(ctx: Context, count: int) -> list[Request]:
    """Call agents reserve a call to the borrower of their own customers (distinct customers)."""
    daytime_everywhere()
    return [
        Request(
            "POST",
            f"{API}/contact-attempts",
            "Authorization",
            ctx.call_agent_of(n).authorization,
            {
                "cif": ctx.cif(n),
                "channel": "CALL",
                "party": "BORROWER",
                "contactPoint": phone_of(n),
            },
        )
        for n in quiet_customers(ctx, count)
    ]


def actions_create_reserved(ctx: Context, count: int) -> list[Request]:
    """Calls recorded with the reservation made for them just before (written here with SQL,
    as the gate writes them: the default policy's current version, 15 minutes)."""
    from django.db import connection

    daytime_everywhere()
    numbers = quiet_customers(ctx, count)
    agents = {n: ctx.call_agent_of(n) for n in numbers}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.contact_attempts
                (cif, channel, party, contact_point, policy_id, status, attempted_at,
                 expires_at, counts_as_attempt, agent_id, team, created_by)
            SELECT t.cif, 'CALL', 'BORROWER', t.point, p.id, 'RESERVED',
                   now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + interval '15 minutes',
                   true, t.agent_id::uuid, ag.team, 'bench'
              FROM unnest(%s::text[], %s::text[], %s::text[]) AS t(cif, point, agent_id)
              JOIN workflow_service.agents ag ON ag.id = t.agent_id::uuid
              JOIN workflow_service.contact_policy_assignments a
                ON a.cif IS NULL AND a.jurisdiction IS NULL AND a.product_type IS NULL
              JOIN workflow_service.contact_policies p ON p.code = a.policy_code AND p.is_current
            RETURNING cif, id
            """,
            [
                [ctx.cif(n) for n in numbers],
                [phone_of(n) for n in numbers],
                [agents[n].agent_id for n in numbers],
            ],
        )
        reservations = dict(cursor.fetchall())
    requests = []
    for i, n in enumerate(numbers):
        requests.append(
            Request(
                "POST",
                f"{API}/actions",
                "Authorization",
                agents[n].authorization,
                {
                    "cif": ctx.cif(n),
                    "loanAccountNumber": ctx.loan(n),
                    "type": "CALL",
                    "subtype": "REMINDER_CALL",
                    "actionResult": "NO_CONTACT" if i % 2 else "PROMISE_TO_PAY",
                    "notes": f"Bench reserved call {i}",
                    "contactAttemptId": str(reservations[ctx.cif(n)]),
                    "party": "BORROWER",
                    "contactPoint": phone_of(n),
                },
            )
        )
    return requests
