"""Time the daily promise resolution on 1,000,000 promises and the payment path with promise
appropriation (issue 15).

    .venv/bin/python scripts/bench_promises.py [--promises 1000000] [--customers 200000]
        [--payments 5000] [--batch 50000]

It builds a throw-away database (made by the migrations, dropped at the end) on the server of
``DATABASE_URL`` (the embedded PostgreSQL when unset) and fills it with SQL
``generate_series``: 200 agents, ``--customers`` customers with one loan and a case each
(call agent assigned), and ``--promises`` PENDING promises spread over those customers, each
on its own loan number, all due before today; one in three has something paid. Then it

1. records ``--payments`` payments (``payments.services.payment_record``, as the Kafka
   handler does, one transaction each) on customers holding promises due in the future and
   prints payments/s: storing, attributing and appropriating, without Kafka;
2. runs ``promises.resolution.promises_resolve_due`` once and prints its time, the promises
   resolved, the batches (one statement each) and the ``promise.broken`` outbox rows written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collectioncrm.settings_test")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench_promises.py", description=__doc__)
    parser.add_argument("--promises", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--payments", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=50_000)
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

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        _fill(args)
        _payments(args)
        _resolve(args)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()
    return 0


def _timed(label: str, run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return seconds


def _fill(args: argparse.Namespace) -> None:
    from bench.dataset import script_cursor
    from workflow.business_time import business_today

    today = business_today()
    print(
        f"data: {args.promises} pending promises due before {today}, {args.customers} "
        "customers with a case",
        flush=True,
    )

    def fill() -> None:
        with script_cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO workflow_service.agents
                    (employee_id, name, email, type, team, is_active, created_by, updated_by)
                SELECT 'B' || lpad(n::text, 6, '0'), 'Bench Agent ' || n,
                       'bench' || n || '@bank.test', 'AGENT', 'Team ' || (n %% 10), true,
                       'bench', 'bench'
                FROM generate_series(1, 200) n;
                INSERT INTO bank_sync_service.customers
                    (cif, type, name, segment, status, source_system, created_by, updated_by)
                SELECT 'C' || lpad(n::text, 9, '0'), 'INDIVIDUAL', 'Customer ' || n, 'MASS',
                       'ACTIVE', 'T24', 'bench', 'bench'
                FROM generate_series(1, %(customers)s) n;
                INSERT INTO bank_sync_service.loans
                    (account_number, cif, product_type, original_amount, currency,
                     disbursement_date, maturity_date, interest_rate, term, payment_frequency,
                     outstanding, remaining_amount, due_amount, next_payment_date, dpd,
                     delinquency_status, status, source_system, created_by, updated_by)
                SELECT 'L' || lpad(n::text, 9, '0'), 'C' || lpad(n::text, 9, '0'),
                       'PERSONAL_LOAN', 100000000, 'VND', '2024-01-15', '2029-01-15', 12.5, 60,
                       'MONTHLY', 80000000, 80000000, 2500000, '2026-12-15', 30, 'DPD', 'OPEN',
                       'T24', 'bench', 'bench'
                FROM generate_series(1, %(customers)s) n;
                WITH a AS (SELECT array_agg(id ORDER BY employee_id) ids
                           FROM workflow_service.agents)
                INSERT INTO workflow_service.customer_cases
                    (cif, assigned_call_agent_id, customer_status, collateral_status,
                     processing_state_status, lending_violation_status, recovery_ability_status,
                     created_by, updated_by)
                SELECT 'C' || lpad(n::text, 9, '0'), a.ids[1 + n %% 200], 'ACTIVE',
                       'UNSECURED', 'IN_PROCESS', 'NONE', 'MEDIUM', 'bench', 'bench'
                FROM generate_series(1, %(customers)s) n, a;
                WITH a AS (SELECT array_agg(id ORDER BY employee_id) ids
                           FROM workflow_service.agents)
                INSERT INTO workflow_service.payment_promises
                    (cif, loan_account_number, agent_id, amount, currency, promised_date,
                     grace_days, tolerance_percent, paid_amount, created_at, created_by,
                     updated_by)
                SELECT 'C' || lpad((1 + n %% %(customers)s)::text, 9, '0'),
                       'P' || lpad(n::text, 12, '0'), a.ids[1 + n %% 200], 1000000, 'VND',
                       %(today)s::date - 10 - (n %% 20), 3, 0,
                       CASE WHEN n %% 3 = 0 THEN 250000 ELSE 0 END,
                       now() AT TIME ZONE 'UTC' - interval '40 days', 'bench', 'bench'
                FROM generate_series(1, %(promises)s) n, a;
                ANALYZE workflow_service.payment_promises;
                ANALYZE workflow_service.customer_cases;
                """,
                {"customers": args.customers, "promises": args.promises, "today": today},
            )

    _timed("  fill", fill)


def _payments(args: argparse.Namespace) -> None:
    from django.db import connection

    from payments.services import payment_record
    from workflow.business_time import business_today

    # Customers 1..payments get a promise due in the future on their real loan, to keep.
    today = business_today()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO workflow_service.payment_promises
                (cif, loan_account_number, agent_id, amount, currency, promised_date,
                 grace_days, tolerance_percent, created_by, updated_by)
            SELECT 'C' || lpad(n::text, 9, '0'), 'L' || lpad(n::text, 9, '0'),
                   (SELECT id FROM workflow_service.agents LIMIT 1), 600000, 'VND',
                   %(today)s::date + 5, 3, 0, 'bench', 'bench'
            FROM generate_series(1, %(payments)s) n
            """,
            {"payments": args.payments, "today": today},
        )
    now = dt.datetime.now(dt.UTC)

    def pay() -> None:
        for n in range(1, args.payments + 1):
            payment_record(
                payment_id=f"BENCH-{n}",
                amount=Decimal("1000000.00"),
                payment_date=now,
                cif=f"C{n:09d}",
                loan_account_number=f"L{n:09d}",
                currency="VND",
                raw={},
            )

    seconds = _timed(f"payment path ({args.payments} payments, appropriation included)", pay)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM workflow_service.payment_promises "
            "WHERE status = 'KEPT' AND loan_account_number LIKE 'L%%'"
        )
        kept = cursor.fetchone()[0]
    print(f"  {args.payments / seconds:.0f} payments/s; {kept} promises kept", flush=True)


def _resolve(args: argparse.Namespace) -> None:
    from django.db import connection

    from promises.resolution import promises_resolve_due

    result = {}

    def resolve() -> None:
        result.update(promises_resolve_due(batch=args.batch).as_dict())

    seconds = _timed(f"resolution job ({args.promises} due promises)", resolve)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM workflow_service.outbox_events "
            "WHERE topic = 'workflow-service.promise.broken'"
        )
        events = cursor.fetchone()[0]
    print(
        f"  {result}; {events} promise.broken outbox rows; "
        f"{args.promises / seconds:.0f} promises/s ({seconds / 60:.1f} min)",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
