"""The benchmark's database: built by the migrations, filled with set-based SQL.

Sizes at ``--scale 1`` (issue 11): 100,000 customers, 150,000 loans, 2,000 agents linked to
2,000 CRM users, 5,000,000 action records from 2024-01-01 to yesterday (every partition up to
today is used), 300,000 assignment versions, 100,000 case actions, 50,000 payments, and 25,000
pending promises to pay plus 25,000 broken ones. Other scales multiply every count (at least 10
agents and 20 customers).

The load runs with ``session_replication_role = replica``, which skips triggers and foreign-key
checks for this session only (superuser needed; the embedded server and the machines' system
PostgreSQL connect as one). So the assignment trigger of ``customer_cases`` writes nothing, and
the history in ``customer_agents`` is generated directly, consistent with the cases: the current
version of each customer carries the case's agents, older versions are closed the day the next
one starts. The secondary indexes of ``action_records`` are dropped for its load and built again
afterwards (one sorted build per index is much faster than 5,000,000 index insertions).

Who is who: agent ``n`` (employee id ``E000n``) is linked to user ``bench.agent<n>``; agent 1
is an ADMIN, agents 2, 52, 102, ... SUPERVISORs, the rest AGENTs. Customer ``n`` (cif
``C00000000n``) has loan ``L00000000n`` (and loan ``C + n`` for the first half of the
customers); its call agent is agent ``1 + n % A`` and its field agent ``1 + (n + 7) % A``.
Every user's password is ``PASSWORD`` (bcrypt with 4 rounds: the bench's admin sign-in is
cheap). Promises (issue 15): customer ``4k`` (k = 1..promises) has a PENDING promise on its loan
``L...4k``, made 1-10 days ago by its call agent, promised within the next 25 days, 3 grace days
(the Kafka path "payment events on pending promises" pays them); customer ``4k - 2`` has a
BROKEN one from the past year with its follow-up.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

PASSWORD = "Bench#2026"
DATASET_VERSION = 3
MARKER_TABLE = "public.bench_dataset"
FIRST_DAY = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Sizes:
    customers: int
    loans: int
    agents: int
    actions: int
    versions: int
    case_actions: int
    payments: int
    promises: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        customers = max(20, round(100_000 * scale))
        return cls(
            customers=customers,
            loans=max(customers, round(150_000 * scale)),
            agents=max(10, round(2_000 * scale)),
            actions=max(100, round(5_000_000 * scale)),
            versions=max(customers, round(300_000 * scale)),
            case_actions=max(10, round(100_000 * scale)),
            payments=max(10, round(50_000 * scale)),
            promises=max(5, round(25_000 * scale)),
        )


@dataclass
class Generation:
    """What the generation did and how long each step took (seconds)."""

    sizes: Sizes
    steps: dict[str, float] = field(default_factory=dict)
    reused: bool = False

    @property
    def total(self) -> float:
        return sum(self.steps.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "sizes": asdict(self.sizes),
            "steps": {name: round(seconds, 2) for name, seconds in self.steps.items()},
            "total_seconds": round(self.total, 2),
            "reused": self.reused,
        }


def is_complete(sizes: Sizes) -> bool:
    """Whether this database already holds a finished data set of these sizes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER_TABLE])
        row = cursor.fetchone()
        if not (row and row[0]):
            return False
        # Compared in SQL: Django's PostgreSQL backend reads jsonb as text, not as a dict.
        cursor.execute(
            f"SELECT version = %s AND sizes = %s::jsonb FROM {MARKER_TABLE}",
            [DATASET_VERSION, _json(asdict(sizes))],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def mark_complete(sizes: Sizes) -> None:
    """Record that this database holds a finished data set of these sizes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (version int, sizes jsonb, generated_at timestamptz)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s::jsonb, now())",
            [DATASET_VERSION, _json(asdict(sizes))],
        )


def generate(sizes: Sizes, *, echo: Callable[[str], None] = print) -> Generation:
    """Fill the (empty, migrated) database; print and return each step's duration."""
    import bcrypt
    from django.db import connection

    outcome = Generation(sizes)
    today = _today()
    span_days = (today - FIRST_DAY).days
    # Action times run up to an hour ago (UTC), never into the future.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    span_seconds = int((now - dt.datetime.combine(FIRST_DAY, dt.time())).total_seconds()) - 3600
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    params: dict[str, Any] = {
        **asdict(sizes),
        "first_day": FIRST_DAY,
        "today": today,
        "span_days": span_days,
        "span_seconds": span_seconds,
        "now": now,
        "password_hash": password_hash,
        "per_customer": max(1, sizes.versions // sizes.customers),
        "extra_versions": sizes.versions
        - max(1, sizes.versions // sizes.customers) * sizes.customers,
    }
    echo(
        f"data set: {sizes.customers:,} customers, {sizes.loans:,} loans, {sizes.agents:,} "
        f"agents, {sizes.actions:,} action records ({FIRST_DAY} .. {now:%Y-%m-%d %H:%M} UTC), "
        f"{sizes.versions:,} assignment versions, {sizes.case_actions:,} case actions, "
        f"{sizes.payments:,} payments, {sizes.promises:,} pending and as many broken promises"
    )
    with connection.cursor() as cursor:
        # A step is several statements with parameters, which server-side binding
        # (DB_PREPARE_THRESHOLD) refuses: the steps bind their parameters client-side.
        steps = psycopg.ClientCursor(connection.connection)
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        try:
            for label, statement in _STEPS:
                if label == "action records":
                    dropped = _drop_secondary_indexes(cursor, "workflow_service.action_records")
                started = time.perf_counter()
                steps.execute(statement.replace(" % ", " %% "), params)
                if label == "action records":
                    for definition in dropped:
                        cursor.execute(definition)
                outcome.steps[label] = time.perf_counter() - started
                echo(f"  {label}: {outcome.steps[label]:.1f} s")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for label, statement in _AFTER:
            started = time.perf_counter()
            cursor.execute(statement)
            outcome.steps[label] = time.perf_counter() - started
            echo(f"  {label}: {outcome.steps[label]:.1f} s")
        cursor.execute(
            "SELECT array_agg(indexrelid::regclass::text) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT i.indisvalid AND n.nspname = 'workflow_service'"
        )
        invalid = cursor.fetchone()[0]  # type: ignore[index]
        if invalid:
            raise RuntimeError(f"invalid indexes after the load: {invalid}")
    mark_complete(sizes)
    echo(f"  generation total: {outcome.total:.1f} s")
    return outcome


def _today() -> dt.date:
    from workflow.business_time import business_today

    return business_today()


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def _drop_secondary_indexes(cursor: Any, table: str) -> list[str]:
    """Drop the table's indexes that back no constraint; return their definitions."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [table],
    )
    rows = cursor.fetchall()
    for name, _ in rows:
        cursor.execute(f"DROP INDEX {name}")
    # pg_get_indexdef() says "ON ONLY" for an index of a partitioned table: that would make an
    # invalid parent index and none on the partitions. Without ONLY it cascades to them.
    return [definition.replace(" ON ONLY ", " ON ", 1) for _, definition in rows]


# Agents and users are numbered 1..agents; the array ``a.ids`` (ordered by employee id) maps a
# number to the agent's uuid.
AGENT_IDS = "(SELECT array_agg(id ORDER BY employee_id) AS ids FROM workflow_service.agents) a"
CIF = "'C' || lpad(({n})::text, 9, '0')"
LOAN = "'L' || lpad(({n})::text, 9, '0')"
ROLE = "CASE WHEN n = 1 THEN 'ADMIN' WHEN n % 50 = 2 THEN 'SUPERVISOR' ELSE 'AGENT' END"

_STEPS: list[tuple[str, str]] = [
    (
        "users and agents",
        f"""
        INSERT INTO auth_service.users
            (username, email, password_hash, first_name, last_name, role, is_active)
        SELECT 'bench.agent' || n, 'agent' || n || '@bench.test', %(password_hash)s,
               'Agent', 'No ' || n, {ROLE}, true
        FROM generate_series(1, %(agents)s) n;
        INSERT INTO workflow_service.agents
            (employee_id, name, email, phone, type, team, is_active, user_id, created_at,
             updated_at, created_by, updated_by)
        SELECT 'E' || lpad(n::text, 6, '0'), 'Agent No ' || n, u.email,
               '09' || lpad(n::text, 8, '0'), ({ROLE})::agent_type, 'Team ' || (n % 20), true,
               u.id, '2024-01-01', '2024-01-01', 'bench', 'bench'
        FROM generate_series(1, %(agents)s) n
        JOIN auth_service.users u ON u.username = 'bench.agent' || n
        """,
    ),
    (
        "customers and loans",
        f"""
        INSERT INTO bank_sync_service.customers
            (cif, type, name, segment, status, source_system, created_by, updated_by)
        SELECT {CIF.format(n="n")}, 'INDIVIDUAL', 'Customer ' || n,
               (ARRAY['MASS', 'SME', 'PRIORITY'])[1 + n % 3], 'ACTIVE', 'T24', 'bench', 'bench'
        FROM generate_series(1, %(customers)s) n;
        INSERT INTO bank_sync_service.loans
            (account_number, cif, product_type, original_amount, currency, disbursement_date,
             maturity_date, interest_rate, term, payment_frequency, outstanding,
             remaining_amount, due_amount, next_payment_date, dpd, delinquency_status, status,
             source_system, created_by, updated_by)
        SELECT {LOAN.format(n="m")}, {CIF.format(n="1 + (m - 1) % %(customers)s")},
               'PERSONAL_LOAN', 100000000, 'VND', '2023-06-15', '2029-06-15', 12.5, 72,
               'MONTHLY', 80000000 + m % 1000 * 1000, 80000000, 2500000, '2027-01-15', m % 181,
               'DPD', 'OPEN', 'T24', 'bench', 'bench'
        FROM generate_series(1, %(loans)s) m
        """,
    ),
    (
        "customer cases",
        f"""
        INSERT INTO workflow_service.customer_cases
            (cif, assigned_call_agent_id, assigned_field_agent_id, f_update, customer_status,
             collateral_status, processing_state_status, lending_violation_status,
             recovery_ability_status, created_by, updated_by)
        SELECT {CIF.format(n="n")}, a.ids[1 + n % %(agents)s], a.ids[1 + (n + 7) % %(agents)s],
               %(today)s::date - (n % 90),
               (ARRAY['ACTIVE', 'COOPERATIVE', 'UNCOOPERATIVE', 'DISPUTED']::customer_status[])
                   [1 + n % 4],
               (ARRAY['SECURED', 'UNSECURED', 'PARTIAL']::collateral_status[])[1 + n % 3],
               (ARRAY['IN_PROCESS', 'PENDING', 'ESCALATED']::processing_state_status[])
                   [1 + n % 3],
               'NONE', (ARRAY['HIGH', 'MEDIUM', 'LOW']::recovery_ability_status[])[1 + n % 3],
               'bench', 'bench'
        FROM generate_series(1, %(customers)s) n, {AGENT_IDS}
        """,
    ),
    # Versions v = 1..k of customer n start spread over FIRST_DAY .. today; the last is current,
    # each other one ends the day the next starts (computed, not lead(): a window would sort
    # every row together with the agents' array).
    (
        "assignment history",
        f"""
        WITH v AS (
            SELECT n, v, k,
                   %(first_day)s::date + ((v - 1) * %(span_days)s / k)
                       + n % greatest(1, %(span_days)s / k / 2) AS start_date,
                   CASE WHEN v < k THEN %(first_day)s::date + (v * %(span_days)s / k)
                       + n % greatest(1, %(span_days)s / k / 2) END AS end_date
            FROM generate_series(1, %(customers)s) n,
                 LATERAL (SELECT %(per_customer)s + (n <= %(extra_versions)s)::int AS k) kk,
                 LATERAL generate_series(1, kk.k) v
        )
        INSERT INTO workflow_service.customer_agents
            (cif, assigned_call_agent_id, assigned_field_agent_id, start_date, end_date,
             is_current, created_at, updated_at)
        SELECT {CIF.format(n="v.n")},
               CASE WHEN v.v = v.k THEN a.ids[1 + v.n % %(agents)s]
                    ELSE a.ids[1 + (v.n + v.v * 13) % %(agents)s] END,
               CASE WHEN v.v = v.k THEN a.ids[1 + (v.n + 7) % %(agents)s]
                    ELSE a.ids[1 + (v.n + v.v * 13 + 7) % %(agents)s] END,
               v.start_date, v.end_date, v.v = v.k, v.start_date, v.start_date
        FROM v, {AGENT_IDS}
        """,
    ),
    (
        "action records",
        f"""
        INSERT INTO workflow_service.action_records
            (cif, loan_account_number, agent_id, type, subtype, action_result, action_date,
             notes, call_trace_id, visit_latitude, visit_longitude, visit_address, created_at,
             updated_at, created_by, updated_by)
        SELECT {CIF.format(n="r.n")},
               CASE WHEN (i / %(customers)s) % 2 = 1 AND r.n + %(customers)s <= %(loans)s
                    THEN {LOAN.format(n="r.n + %(customers)s")} ELSE {LOAN.format(n="r.n")} END,
               a.ids[1 + r.n % %(agents)s],
               (ARRAY['CALL', 'CALL', 'CALL', 'VISIT', 'SMS']::action_type[])[1 + i % 5],
               (ARRAY['REMINDER_CALL', 'FOLLOW_UP_CALL', 'PAYMENT_REMINDER', 'FIELD_VISIT',
                      'COURTESY_CALL']::action_subtype[])[1 + i % 5],
               (ARRAY['PROMISE_TO_PAY', 'PAYMENT_MADE', 'NO_CONTACT', 'REFUSED_TO_PAY',
                      'DISPUTE', 'PARTIAL_PAYMENT', 'RESCHEDULED',
                      'NO_CONTACT']::action_result[])[1 + i % 8],
               r.at, 'Bench action ' || i,
               CASE WHEN i % 5 < 3 THEN 'T' || i % 100000000 END,
               CASE WHEN i % 5 = 3 THEN 10.5 + (i % 1000) / 1000.0 END,
               CASE WHEN i % 5 = 3 THEN 106.5 + (i % 1000) / 1000.0 END,
               CASE WHEN i % 5 = 3 THEN 'Address ' || r.n END,
               r.at, r.at, 'bench', 'bench'
        FROM generate_series(0, %(actions)s - 1) i,
             LATERAL (SELECT 1 + i % %(customers)s AS n,
                             %(first_day)s::timestamp
                                 + make_interval(secs => %(span_seconds)s * 1.0 * i
                                                         / %(actions)s) AS at) r,
             {AGENT_IDS}
        """,
    ),
    (
        "case actions",
        f"""
        INSERT INTO workflow_service.customer_case_actions
            (cif, agent_id, action_date, notes, customer_status, collateral_status,
             processing_state_status, lending_violation_status, recovery_ability_status,
             created_at, updated_at, created_by, updated_by)
        SELECT {CIF.format(n="r.n")}, a.ids[1 + r.n % %(agents)s], r.at, 'Bench case note ' || i,
               (ARRAY['ACTIVE', 'COOPERATIVE', 'UNCOOPERATIVE']::customer_status[])[1 + i % 3],
               CASE WHEN i % 2 = 0 THEN 'SECURED'::collateral_status END,
               (ARRAY['IN_PROCESS', 'PENDING']::processing_state_status[])[1 + i % 2],
               CASE WHEN i % 4 = 0 THEN 'MINOR'::lending_violation_status END,
               'MEDIUM', r.at, r.at, 'bench', 'bench'
        FROM generate_series(0, %(case_actions)s - 1) i,
             LATERAL (SELECT 1 + i % %(customers)s AS n,
                             %(first_day)s::timestamp
                                 + make_interval(secs => %(span_seconds)s * 1.0 * i
                                                         / %(case_actions)s) AS at) r,
             {AGENT_IDS}
        """,
    ),
    (
        "payments",
        f"""
        INSERT INTO workflow_service.payments
            (payment_id, reference_number, cif, loan_account_number, amount, currency,
             payment_date, payment_channel, call_agent_id, field_agent_id, source, raw)
        SELECT 'BENCH-PAY-' || i, 'REF-' || i, {CIF.format(n="r.n")}, {LOAN.format(n="r.n")},
               round((100000 + (i * 7919) % 5000000)::numeric, 2) + 0.25, 'VND', r.at,
               'BANK_TRANSFER', a.ids[1 + r.n % %(agents)s], a.ids[1 + (r.n + 7) % %(agents)s],
               'payment-service', '{{}}'
        FROM generate_series(0, %(payments)s - 1) i,
             LATERAL (SELECT 1 + (i * 7) % %(customers)s AS n,
                             %(first_day)s::timestamp
                                 + make_interval(secs => %(span_seconds)s * 1.0 * i
                                                         / %(payments)s) AS at) r,
             {AGENT_IDS}
        """,
    ),
]

_STEPS.append(
    (
        "promises",
        f"""
        INSERT INTO workflow_service.payment_promises
            (cif, loan_account_number, agent_id, amount, currency, promised_date, grace_days,
             tolerance_percent, status, paid_amount, created_at, updated_at, created_by,
             updated_by)
        SELECT {CIF.format(n="4 * k")}, {LOAN.format(n="4 * k")},
               a.ids[1 + (4 * k) % %(agents)s], 500000 + (k * 7919) % 4500 * 1000, 'VND',
               %(today)s::date + k % 25, 3, 0, 'PENDING', 0,
               %(now)s::timestamp - make_interval(days => 1 + k % 10),
               %(now)s::timestamp - make_interval(days => 1 + k % 10), 'bench', 'bench'
        FROM generate_series(1, %(promises)s) k, {AGENT_IDS};
        INSERT INTO workflow_service.payment_promises
            (cif, loan_account_number, agent_id, amount, currency, promised_date, grace_days,
             tolerance_percent, status, paid_amount, resolved_at, follow_up_date,
             follow_up_agent_id, created_at, updated_at, created_by, updated_by)
        SELECT {CIF.format(n="4 * k - 2")}, {LOAN.format(n="4 * k - 2")},
               a.ids[1 + (4 * k - 2) % %(agents)s], 500000 + (k * 7919) % 4500 * 1000, 'VND',
               d.promised, 3, 0, 'BROKEN', 0, d.promised + 4, d.promised + 5,
               a.ids[1 + (4 * k - 2) % %(agents)s], d.promised - 3, d.promised + 4,
               'bench', 'promise-resolution'
        FROM generate_series(1, %(promises)s) k,
             LATERAL (SELECT %(today)s::date - 10 - k % 355 AS promised) d,
             {AGENT_IDS}
        """,
    )
)

_AFTER: list[tuple[str, str]] = [
    ("VACUUM ANALYZE", "VACUUM (ANALYZE)"),
    # Plain (not CONCURRENTLY) refreshes: nobody reads them yet, and it is much faster.
    (
        "refresh report views",
        "REFRESH MATERIALIZED VIEW workflow_service.agent_performance; "
        "REFRESH MATERIALIZED VIEW workflow_service.customer_collection_status; "
        "ANALYZE workflow_service.agent_performance; "
        "ANALYZE workflow_service.customer_collection_status",
    ),
]
