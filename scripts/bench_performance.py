"""Measure the reporting views' refresh time and the performance endpoints' latency.

    .venv/bin/python scripts/bench_performance.py [--rows 1000000] [--agents 200]
        [--customers 50000] [--requests 20]

It builds a throw-away database (``test_<name>_<pid>``, made by the migrations, dropped at
the end) on the server of ``DATABASE_URL`` (the embedded PostgreSQL and Redis when unset) and
fills it with SQL ``generate_series``: ``--agents`` active agents in 10 teams, ``--customers``
customers with one loan and a case each, ``--rows`` action records spread evenly over
2025-07-01 .. 2026-10-31 (UTC) and ``--rows``/20 payments. Then it

1. refreshes both materialized views (``workflow.reports.refresh_reports``) twice and prints
   each view's time: the first refresh computes everything, the second is the steady state
   (REFRESH ... CONCURRENTLY diffing against the previous contents);
2. sends ``--requests`` requests per case through Django's test client with a real token and
   session (the whole stack: authentication, view, serializer, JSON) and prints the median
   and 95th percentile latency:
   - ``GET agents/{id}/performance``, a whole closed month (action counts from the view) and
     the same month minus its last day (live), each uncached (the agent's cache generation is
     bumped before every request, outside the timing) and cached;
   - ``GET agents/performance`` (200 agents ranked) and ``GET teams/{team}/performance``
     (not cached), whole month and live.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings_test")

FIRST_DAY = "2025-07-01"
LAST_DAY = "2026-10-31"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench_performance.py",
        description="Refresh time of the reporting views and latency of the performance "
        "endpoints on a generated data set.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="action records (1000000)")
    parser.add_argument("--agents", type=int, default=200, help="active agents (200)")
    parser.add_argument("--customers", type=int, default=50_000, help="customers (50000)")
    parser.add_argument("--requests", type=int, default=20, help="requests per case (20)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    setup_test_environment()  # the test client's host "testserver" is allowed
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        _fill(args)
        _refresh()
        _latency(args)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()
    return 0


def _step(label: str, run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.2f} s", flush=True)
    return elapsed


def _fill(args: argparse.Namespace) -> None:
    from bench.dataset import script_cursor

    agents, customers, rows = args.agents, args.customers, args.rows
    print(
        f"data: {rows} action records, {agents} agents, {customers} customers, "
        f"{rows // 20} payments, {FIRST_DAY} .. {LAST_DAY}",
        flush=True,
    )
    with script_cursor() as cursor:

        def sql(statement: str, params: list[Any] | None = None) -> Callable[[], None]:
            def run() -> None:
                cursor.execute(statement, params)

            return run

        _step(
            "  agents",
            sql(
                """
                INSERT INTO workflow_service.agents
                    (employee_id, name, email, type, team, is_active, created_at, updated_at,
                     created_by, updated_by)
                SELECT 'B' || lpad(n::text, 6, '0'), 'Bench Agent ' || lpad(n::text, 4, '0'),
                       'bench' || n || '@bank.test', 'AGENT', 'Team ' || (n %% 10), true,
                       '2025-01-01', '2025-01-01', 'bench', 'bench'
                FROM generate_series(1, %s) n
                """,
                [agents],
            ),
        )
        _step(
            "  customers and loans",
            sql(
                """
                INSERT INTO bank_sync_service.customers
                    (cif, type, name, segment, status, source_system, created_by, updated_by)
                SELECT 'C' || lpad(n::text, 9, '0'), 'INDIVIDUAL', 'Customer ' || n,
                       (ARRAY['MASS', 'SME', 'PRIORITY'])[1 + n %% 3], 'ACTIVE', 'T24',
                       'bench', 'bench'
                FROM generate_series(1, %s) n;
                INSERT INTO bank_sync_service.loans
                    (account_number, cif, product_type, original_amount, currency,
                     disbursement_date, maturity_date, interest_rate, term, payment_frequency,
                     outstanding, remaining_amount, due_amount, next_payment_date, dpd,
                     delinquency_status, status, source_system, created_by, updated_by)
                SELECT 'L' || lpad(n::text, 9, '0'), 'C' || lpad(n::text, 9, '0'),
                       'PERSONAL_LOAN', 100000000, 'VND', '2024-01-15', '2029-01-15', 12.5, 60,
                       'MONTHLY', 80000000, 80000000, 2500000, '2026-12-15', n %% 181,
                       'DPD', 'OPEN', 'T24', 'bench', 'bench'
                FROM generate_series(1, %s) n
                """,
                [customers, customers],
            ),
        )
        # Customer n belongs to call agent n % agents and field agent (n + 1) % agents.
        _step(
            "  cases (and their assignment history, by the trigger)",
            sql(
                """
                WITH a AS (SELECT array_agg(id ORDER BY employee_id) ids
                           FROM workflow_service.agents)
                INSERT INTO workflow_service.customer_cases
                    (cif, assigned_call_agent_id, assigned_field_agent_id, customer_status,
                     collateral_status, processing_state_status, lending_violation_status,
                     recovery_ability_status, created_by, updated_by)
                SELECT 'C' || lpad(n::text, 9, '0'), a.ids[1 + n %% %s],
                       a.ids[1 + (n + 1) %% %s], 'ACTIVE', 'UNSECURED', 'IN_PROCESS', 'NONE',
                       'MEDIUM', 'bench', 'bench'
                FROM generate_series(1, %s) n, a
                """,
                [agents, agents, customers],
            ),
        )
        # Actions cycle through customers (so agents) and enum values, evenly over the span.
        _step(
            "  action records",
            sql(
                """
                WITH a AS (SELECT array_agg(id ORDER BY employee_id) ids
                           FROM workflow_service.agents),
                     span AS (SELECT timestamp %s AS first,
                                     (timestamp %s + interval '1 day' - timestamp %s) AS length)
                INSERT INTO workflow_service.action_records
                    (cif, loan_account_number, agent_id, type, subtype, action_result,
                     action_date, created_by, updated_by)
                SELECT 'C' || lpad((1 + n %% %s)::text, 9, '0'),
                       'L' || lpad((1 + n %% %s)::text, 9, '0'),
                       a.ids[1 + (1 + n %% %s) %% %s],
                       (ARRAY['CALL', 'CALL', 'CALL', 'VISIT', 'SMS']::action_type[])[1 + n %% 5],
                       (ARRAY['REMINDER_CALL', 'FOLLOW_UP_CALL', 'PAYMENT_REMINDER',
                              'FIELD_VISIT', 'COURTESY_CALL']::action_subtype[])[1 + n %% 5],
                       (ARRAY['PROMISE_TO_PAY', 'PAYMENT_MADE', 'NO_CONTACT', 'REFUSED_TO_PAY',
                              'DISPUTE', 'PARTIAL_PAYMENT', 'RESCHEDULED',
                              'NO_CONTACT']::action_result[])[1 + n %% 8],
                       span.first + span.length * (n::double precision / %s),
                       'bench', 'bench'
                FROM generate_series(0, %s - 1) n, a, span
                """,
                [
                    FIRST_DAY,
                    LAST_DAY,
                    FIRST_DAY,
                    customers,
                    customers,
                    customers,
                    agents,
                    rows,
                    rows,
                ],
            ),
        )
        _step(
            "  payments",
            sql(
                """
                WITH a AS (SELECT array_agg(id ORDER BY employee_id) ids
                           FROM workflow_service.agents),
                     span AS (SELECT timestamp %s AS first,
                                     (timestamp %s + interval '1 day' - timestamp %s) AS length)
                INSERT INTO workflow_service.payments
                    (payment_id, cif, loan_account_number, amount, currency, payment_date,
                     call_agent_id, field_agent_id, raw)
                SELECT 'PAY-' || n, 'C' || lpad((1 + n %% %s)::text, 9, '0'),
                       'L' || lpad((1 + n %% %s)::text, 9, '0'),
                       round((100000 + (n * 7919) %% 5000000)::numeric, 2) + 0.25, 'VND',
                       span.first + span.length * (n::double precision / %s),
                       a.ids[1 + (1 + n %% %s) %% %s], a.ids[1 + (2 + n %% %s) %% %s], '{}'
                FROM generate_series(0, %s - 1) n, a, span
                """,
                [
                    FIRST_DAY,
                    LAST_DAY,
                    FIRST_DAY,
                    customers,
                    customers,
                    rows // 20,
                    customers,
                    agents,
                    customers,
                    agents,
                    rows // 20,
                ],
            ),
        )
        _step("  ANALYZE", sql("ANALYZE"))


def _refresh() -> None:
    from workflow import reports

    for label in ("first refresh (views built from scratch)", "second refresh (steady state)"):
        started = time.perf_counter()
        outcome = reports.refresh_reports()
        total = time.perf_counter() - started
        views = ", ".join(
            f"{view.view} {view.duration_ms / 1000:.2f} s ({view.rows} rows)"
            for view in outcome.views
        )
        print(f"{label}: {views}; total {total:.2f} s", flush=True)


def _latency(args: argparse.Namespace) -> None:
    from agents.models import Agent
    from reports import performance
    from tests.api import client_for
    from tests.factories import CrmUserFactory
    from workflow.generations import bump_agent as invalidate_agent
    from workflow.models import CrmUser

    client = client_for(cast(CrmUser, CrmUserFactory(role="SUPERVISOR")))
    agent = Agent.objects.order_by("employee_id").first()
    assert agent is not None
    # Proof that the whole-month case takes the view path.
    january = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert agent.id in performance.view_action_counts([agent], *january), "view not used"
    base = "/api/v1/collection"
    whole = "startDate=2026-01-01&endDate=2026-01-31"
    partial = "startDate=2026-01-01&endDate=2026-01-30"
    per_agent = args.rows // args.agents
    in_january = per_agent * 31 // 488  # the span is 488 days
    print(
        f"latency over {args.requests} requests (median / p95); the agent has ~{per_agent} "
        f"actions in all, ~{in_january} in January 2026",
        flush=True,
    )

    def measure(label: str, url: str, *, before: Callable[[], None] | None = None) -> None:
        timings = []
        for _ in range(args.requests):
            if before is not None:
                before()
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:500]
        timings.sort()
        p95 = timings[max(0, round(len(timings) * 0.95) - 1)]
        print(f"  {label}: {statistics.median(timings):.1f} ms / {p95:.1f} ms", flush=True)

    def bump() -> None:
        invalidate_agent(agent.id)

    for label, query in (("whole month, view", whole), ("month minus a day, live", partial)):
        url = f"{base}/agents/{agent.id}/performance?{query}"
        measure(f"GET agents/{{id}}/performance {label}, uncached", url, before=bump)
        client.get(url)  # warm the entry
        measure(f"GET agents/{{id}}/performance {label}, cached", url)
    for label, query in (("whole month, view", whole), ("month minus a day, live", partial)):
        measure(
            f"GET agents/performance ({args.agents} agents) {label}",
            f"{base}/agents/performance?{query}&pageSize=20",
        )
        measure(
            f"GET teams/{{team}}/performance ({args.agents // 10} agents) {label}",
            f"{base}/teams/Team%201/performance?{query}",
        )


if __name__ == "__main__":
    sys.exit(main())
