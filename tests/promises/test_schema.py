"""The promises SQL is a no-op when run again, and its reverse undoes it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

import payments
import promises
from workflow.schema import read_sql

PROMISES_SQL = Path(promises.__file__).parent / "sql"
PAYMENTS_SQL = Path(payments.__file__).parent / "sql"

pytestmark = pytest.mark.django_db

SIGNATURE = """
    SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' '
           || is_nullable || ' ' || coalesce(column_default, '')
    FROM information_schema.columns
    WHERE table_schema = 'workflow_service'
      AND table_name IN ('promise_types', 'payment_promises', 'promise_appropriations',
                         'payment_reversals', 'business_holidays',
                         'promise_currency_mismatches')
    UNION ALL
    SELECT 'index', indexdef FROM pg_indexes
    WHERE schemaname = 'workflow_service'
      AND tablename IN ('promise_types', 'payment_promises', 'promise_appropriations',
                        'payment_reversals', 'business_holidays', 'promise_currency_mismatches')
    UNION ALL
    SELECT 'constraint', conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid::regclass::text IN ('workflow_service.promise_types',
        'workflow_service.payment_promises', 'workflow_service.promise_appropriations',
        'workflow_service.payment_reversals', 'workflow_service.business_holidays',
        'workflow_service.promise_currency_mismatches')
    ORDER BY 1, 2
"""


def signature() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(SIGNATURE)
        return list(cursor.fetchall())


def run(directory: Path, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(read_sql(name, directory=directory))


def test_running_the_sql_again_changes_nothing_and_the_reverse_undoes_it() -> None:
    built = signature()
    assert len(built) > 40

    run(PROMISES_SQL, "0001_payment_promises.sql")
    run(PAYMENTS_SQL, "0002_payment_reversals.sql")
    run(PROMISES_SQL, "0002_holidays_and_mismatches.sql")
    assert signature() == built

    run(PROMISES_SQL, "0002_holidays_and_mismatches_reverse.sql")
    run(PAYMENTS_SQL, "0002_payment_reversals_reverse.sql")
    run(PROMISES_SQL, "0001_payment_promises_reverse.sql")
    run(PROMISES_SQL, "0001_payment_promises_reverse.sql")  # a second reverse is a no-op
    assert signature() == []

    run(PROMISES_SQL, "0001_payment_promises.sql")
    run(PAYMENTS_SQL, "0002_payment_reversals.sql")
    run(PROMISES_SQL, "0002_holidays_and_mismatches.sql")
    assert signature() == built
