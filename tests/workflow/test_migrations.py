"""The SQL migrations build the bank's schema, are no-ops when re-run, and reverse cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from pytest_django.fixtures import Settings as SettingsWrapper

from workflow.schema import read_sql

STEPS = (
    "0001_baseline",
    "0002_agents_user_id",
    "0003_fix_assignment_trigger",
    "0004_mv_unique_indexes",
    "0015_agents_email_upper_index",
    "0016_agents_name_index",
)

# Every object the migrations own, described by catalog rows (excluding extension members).
SIGNATURE_QUERIES = {
    "columns": """
        SELECT table_schema, table_name, column_name, data_type, udt_name,
               character_maximum_length, numeric_precision, numeric_scale, is_nullable,
               column_default
        FROM information_schema.columns
        WHERE table_schema IN ('auth_service', 'bank_sync_service', 'workflow_service')""",
    "matview_columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relkind = 'm' AND a.attnum > 0 AND NOT a.attisdropped""",
    "indexes": """
        SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname IN ('auth_service', 'bank_sync_service', 'workflow_service')""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace::regnamespace::text IN
              ('auth_service', 'bank_sync_service', 'workflow_service')""",
    "partitions": """
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c
        WHERE c.relispartition""",
    "functions": """
        SELECT n.nspname, p.proname, md5(p.prosrc) FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('public', 'workflow_service')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger
        WHERE NOT tgisinternal""",
    "enums": """
        SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e
        JOIN pg_type t ON t.oid = e.enumtypid""",
    "matviews": "SELECT schemaname, matviewname, md5(definition) FROM pg_matviews",
    "schemas": """
        SELECT nspname FROM pg_namespace
        WHERE nspname IN ('auth_service', 'bank_sync_service', 'workflow_service')""",
}


def signature(conn: psycopg.Connection) -> dict[str, list[tuple[object, ...]]]:
    with conn.cursor() as cursor:
        result = {}
        for name, query in SIGNATURE_QUERIES.items():
            cursor.execute(query)
            result[name] = sorted(cursor.fetchall(), key=repr)
        return result


def run(conn: psycopg.Connection, name: str) -> None:
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(read_sql(f"{name}.sql"))


@pytest.fixture
def scratch() -> Iterator[psycopg.Connection]:
    """An empty database on the same server, dropped afterwards."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(**{**params, "dbname": name}, autocommit=True) as conn:
            yield conn
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_the_baseline_builds_an_empty_database_and_is_a_no_op_the_second_time(
    scratch: psycopg.Connection,
) -> None:
    run(scratch, "0001_baseline")
    built = signature(scratch)
    assert len(built["schemas"]) == 3
    assert {row[0] for row in built["partitions"]} >= {
        "action_records_historical",
        "action_records_2025_q1",
        "action_records_2026_q4",
        "action_records_future",
        "customer_agents_historical",
        "customer_agents_future",
    }
    assert {row[1] for row in built["matviews"]} == {
        "agent_performance",
        "customer_collection_status",
    }
    run(scratch, "0001_baseline")
    assert signature(scratch) == built


@pytest.mark.django_db
def test_every_step_is_idempotent_and_reverses_to_the_state_before_it(
    scratch: psycopg.Connection,
) -> None:
    states = [signature(scratch)]
    for step in STEPS:
        run(scratch, step)
        after = signature(scratch)
        run(scratch, step)
        assert signature(scratch) == after, f"{step} is not a no-op when re-run"
        states.append(after)
    assert states[-1] != states[-2]
    for index, step in reversed(list(enumerate(STEPS))):
        run(scratch, f"{step}_reverse")
        assert signature(scratch) == states[index], f"{step}_reverse did not restore the state"
    for step in STEPS:
        run(scratch, step)
    assert signature(scratch) == states[-1]


@pytest.mark.django_db
def test_the_baseline_is_a_no_op_on_a_database_that_already_has_the_schema() -> None:
    connection.ensure_connection()
    conn = connection.connection
    before = signature(conn)
    with connection.cursor() as cursor:
        cursor.execute(read_sql("0001_baseline.sql"))
    assert signature(conn) == before


@pytest.mark.django_db(transaction=True)
def test_django_reverses_and_reapplies_every_migration(settings: SettingsWrapper) -> None:
    settings.ALLOW_SCHEMA_DROP = True
    connection.ensure_connection()
    before = signature(connection.connection)
    try:
        call_command("migrate", "workflow", "zero", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_namespace WHERE nspname = ANY(%s)",
                [["auth_service", "bank_sync_service", "workflow_service"]],
            )
            assert cursor.fetchone()[0] == 0
    finally:
        call_command("migrate", verbosity=0)
    assert signature(connection.connection) == before


@pytest.mark.django_db(transaction=True)
def test_reversing_the_baseline_refuses_unless_schema_drop_is_allowed(
    settings: SettingsWrapper,
) -> None:
    settings.ALLOW_SCHEMA_DROP = False
    try:
        with pytest.raises(IrreversibleError, match="ALLOW_SCHEMA_DROP"):
            call_command("migrate", "workflow", "zero", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('workflow_service.action_records') IS NOT NULL")
            assert cursor.fetchone()[0] is True
    finally:
        call_command("migrate", verbosity=0)
