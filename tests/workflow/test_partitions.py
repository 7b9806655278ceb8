"""Partition upkeep: quarters kept ahead, catch-all rows moved, nothing lost, nothing doubled.

Most tests run the upkeep on a scratch database built from the same SQL files as the
migrations (cloned from a template per test), with a fixed "today", so they can reshape
partitions freely. The command and task tests run on the test database and put its
partitions back as they found them.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tests.factories import ActionRecordFactory
from workflow import partitions, schedule, tasks
from workflow.management.commands.ensure_partitions import Command as EnsurePartitionsCommand
from workflow.partitions import UPKEEP_LOCK_KEY, UpkeepError, ensure_partitions, table_report
from workflow.schema import SQL_DIR, read_sql

TODAY = dt.date(2026, 11, 25)  # 2026 Q4: four quarters ahead means through 2027 Q4
STEPS = sorted(path.name for path in SQL_DIR.glob("0*.sql") if "_reverse" not in path.name)
AGENT = "00000000-0000-0000-0000-0000000000a1"
REFERENCE_ROWS = f"""
INSERT INTO bank_sync_service.customers
    (cif, type, name, segment, status, source_system, created_by, updated_by)
VALUES ('C1', 'INDIVIDUAL', 'Customer', 'MASS', 'ACTIVE', 'T24', 'tests', 'tests');
INSERT INTO bank_sync_service.loans
    (account_number, cif, product_type, original_amount, currency, disbursement_date,
     maturity_date, interest_rate, term, payment_frequency, outstanding, remaining_amount,
     due_amount, next_payment_date, dpd, delinquency_status, status, source_system,
     created_by, updated_by)
VALUES ('L1', 'C1', 'PERSONAL_LOAN', 1000, 'VND', '2024-01-01', '2030-01-01', 10, 72,
        'MONTHLY', 900, 900, 50, '2026-12-01', 30, 'DPD_30', 'OPEN', 'T24', 'tests', 'tests');
INSERT INTO workflow_service.agents (id, employee_id, name, email, type, team)
VALUES ('{AGENT}', 'E1', 'Agent One', 'agent1@bank.test', 'AGENT', 'Team A');
"""
INSERT_ACTION = f"""
INSERT INTO workflow_service.action_records
    (cif, loan_account_number, agent_id, type, subtype, action_result, action_date,
     created_by, updated_by)
VALUES ('C1', 'L1', '{AGENT}', 'CALL', 'REMINDER_CALL', 'NO_CONTACT', %s, 'tests', 'tests')
"""


def admin_params() -> dict[str, Any]:
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


@pytest.fixture(scope="module")
def template(django_db_setup: None) -> Iterator[str]:
    """A database built by the SQL of every migration, plus one customer, loan and agent."""
    params = admin_params()
    name = f"scratch_tpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(**{**params, "dbname": name}, autocommit=True) as conn:
            for step in STEPS:
                with conn.transaction():
                    conn.execute(read_sql(step))
            conn.execute(REFERENCE_ROWS)
        yield name
    finally:
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_name(template: str) -> Iterator[str]:
    params = admin_params()
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield name
    finally:
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def connect(name: str) -> psycopg.Connection[Any]:
    return psycopg.connect(**{**admin_params(), "dbname": name}, autocommit=True)


@pytest.fixture
def db(scratch_name: str) -> Iterator[psycopg.Connection[Any]]:
    with connect(scratch_name) as conn:
        yield conn


def add_actions(conn: psycopg.Connection[Any], *moments: str) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(INSERT_ACTION, [(moment,) for moment in moments])


def add_many_actions(conn: psycopg.Connection[Any], start: str, end: str, count: int) -> None:
    """``count`` actions spread evenly over [start, end)."""
    conn.execute(
        f"""
        INSERT INTO workflow_service.action_records
            (cif, loan_account_number, agent_id, type, subtype, action_result, action_date,
             created_by, updated_by)
        SELECT 'C1', 'L1', '{AGENT}', 'CALL', 'REMINDER_CALL', 'NO_CONTACT',
               %s::timestamp + (%s::timestamp - %s::timestamp) * (g::float8 / %s),
               'tests', 'tests'
        FROM generate_series(0, %s - 1) AS g
        """,
        [start, end, start, count, count],
    )


def add_assignments(conn: psycopg.Connection[Any], *days: str) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO workflow_service.customer_agents (cif, assigned_call_agent_id, "
            f"start_date) VALUES ('C1', '{AGENT}', %s)",
            [(day,) for day in days],
        )


def keys(conn: psycopg.Connection[Any], table: str) -> list[tuple[object, object]]:
    column = partitions.TABLES[table]
    return sorted(conn.execute(f"SELECT id, {column} FROM workflow_service.{table}").fetchall())


def placement(conn: psycopg.Connection[Any], table: str) -> Counter[str]:
    """Rows per partition, checking that each row's date lies within its partition's bounds."""
    bounds = {p.name: p for p in partitions.read_partitions(conn, table)}
    column = partitions.TABLES[table]
    counts: Counter[str] = Counter()
    for name, value in conn.execute(
        f"SELECT tableoid::regclass::text, {column} FROM workflow_service.{table}"
    ).fetchall():
        part = bounds[name.removeprefix("workflow_service.")]
        day = value.date() if isinstance(value, dt.datetime) else value
        assert part.lower is None or part.lower <= day, (name, value)
        assert part.upper is None or day < part.upper, (name, value)
        counts[part.name] += 1
    return counts


def layout(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """Every partition, holding table and index of the two tables, for before/after checks."""
    return sorted(
        conn.execute(
            """
            SELECT c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), c.relkind::text)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'workflow_service'
              AND (starts_with(c.relname, 'action_records')
                   OR starts_with(c.relname, 'customer_agents'))
            """
        ).fetchall()
    )


def test_it_moves_catch_all_rows_into_their_new_quarter_partitions(
    db: psycopg.Connection[Any],
) -> None:
    add_actions(
        db,
        "2024-06-01 08:00",  # historical
        "2026-11-20 03:00",  # the current quarter
        "2027-02-10 09:30",  # catch-all → 2027 Q1
        "2027-08-20 14:00",  # catch-all → 2027 Q3
        "2031-05-05 10:00",  # beyond the horizon: stays in a catch-all
    )
    add_assignments(db, "2026-10-01", "2027-03-01", "2027-12-31")
    before = {table: keys(db, table) for table in partitions.TABLES}

    result = ensure_partitions(db, today=TODAY)

    assert result.status == "done"
    for table in partitions.TABLES:
        assert keys(db, table) == before[table]
        assert [p.name for p in partitions.read_partitions(db, table)][-5:] == [
            f"{table}_2027_q1",
            f"{table}_2027_q2",
            f"{table}_2027_q3",
            f"{table}_2027_q4",
            f"{table}_future",
        ]
        catch_all = partitions.read_partitions(db, table)[-1]
        assert (catch_all.lower, catch_all.upper) == (dt.date(2028, 1, 1), None)
        assert partitions.holding_tables(db, table) == ()
    assert placement(db, "action_records") == {
        "action_records_historical": 1,
        "action_records_2026_q4": 1,
        "action_records_2027_q1": 1,
        "action_records_2027_q3": 1,
        "action_records_future": 1,
    }
    assert placement(db, "customer_agents") == {
        "customer_agents_2026_q4": 1,
        "customer_agents_2027_q1": 1,
        "customer_agents_2027_q4": 1,
    }
    historical = partitions.read_partitions(db, "action_records")[0]
    assert (historical.name, historical.lower, historical.upper) == (
        "action_records_historical",
        None,
        dt.date(2025, 1, 1),
    )
    first = result.tables[0]
    assert first.created == [f"action_records_2027_q{n}" for n in range(1, 5)]
    assert (first.catch_all, first.rows_moved) == ("action_records_future", 3)
    assert first.lock_ms is not None


def test_a_second_run_finds_nothing_to_do(db: psycopg.Connection[Any]) -> None:
    add_actions(db, "2027-02-10 09:30")
    ensure_partitions(db, today=TODAY)
    after_first = layout(db)

    plans = ensure_partitions(db, today=TODAY, dry_run=True).plans
    assert [plan.nothing_to_do for plan in plans] == [True, True]
    again = ensure_partitions(db, today=TODAY)
    assert [(t.created, t.rows_moved, t.emptied) for t in again.tables] == [([], 0, [])] * 2
    assert layout(db) == after_first


def test_a_dry_run_shows_the_plan_and_changes_nothing(db: psycopg.Connection[Any]) -> None:
    add_actions(db, "2027-02-10 09:30", "2027-02-11 09:30", "2027-08-20 14:00", "2030-01-01")
    before = layout(db)
    rows = keys(db, "action_records")

    plan = ensure_partitions(db, today=TODAY, dry_run=True).plans[0]

    assert plan.table == "action_records"
    assert [str(q) for q in plan.create] == ["2027 Q1", "2027 Q2", "2027 Q3", "2027 Q4"]
    assert plan.target == dt.date(2028, 1, 1)
    assert plan.moves == (
        ("action_records_2027_q1", 2),
        ("action_records_2027_q3", 1),
        ("action_records_future", 1),
    )
    assert layout(db) == before
    assert keys(db, "action_records") == rows


def test_the_new_partitions_have_the_parents_indexes_foreign_keys_and_triggers(
    db: psycopg.Connection[Any],
) -> None:
    ensure_partitions(db, today=TODAY)

    for table in partitions.TABLES:
        parent_indexes = {
            row[0]
            for row in db.execute(
                "SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass",
                [f"workflow_service.{table}"],
            ).fetchall()
        }
        parent_fks = {
            row[0]
            for row in db.execute(
                "SELECT oid FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [f"workflow_service.{table}"],
            ).fetchall()
        }
        assert parent_indexes and parent_fks
        for name in [f"{table}_2027_q{n}" for n in range(1, 5)] + [f"{table}_future"]:
            attached = {
                row[0]
                for row in db.execute(
                    """
                    SELECT i.inhparent FROM pg_index x
                    JOIN pg_inherits i ON i.inhrelid = x.indexrelid
                    WHERE x.indrelid = %s::regclass
                    """,
                    [f"workflow_service.{name}"],
                ).fetchall()
            }
            assert attached == parent_indexes, name
            cloned = {
                row[0]
                for row in db.execute(
                    "SELECT conparentid FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [f"workflow_service.{name}"],
                ).fetchall()
            }
            assert cloned == parent_fks, name
            triggers = db.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgname LIKE 'update\\_%%\\_updated\\_at'",
                [f"workflow_service.{name}"],
            ).fetchone()
            assert triggers == (1,), name

    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute(INSERT_ACTION.replace(AGENT, str(uuid.uuid4())), ["2027-05-05 10:00"])


def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_rows_inserted_while_the_upkeep_runs_are_all_kept(
    db: psycopg.Connection[Any], scratch_name: str
) -> None:
    add_many_actions(db, "2027-01-01", "2028-06-01", 20_000)
    before = keys(db, "action_records")
    stop = threading.Event()
    inserted: list[float] = []
    errors: list[BaseException] = []
    moments = ["2026-12-01 01:00", "2027-02-15 02:00", "2027-09-01 03:00", "2029-03-03 04:00"]

    def writer() -> None:
        try:
            with connect(scratch_name) as conn:
                while not stop.is_set():
                    add_actions(conn, moments[len(inserted) % len(moments)])
                    inserted.append(time.monotonic())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_until(lambda: len(inserted) >= 20 or bool(errors))
        started = time.monotonic()
        result = ensure_partitions(
            db, today=TODAY, batch_size=500, inline_move_limit=100, tables=["action_records"]
        )
        finished = time.monotonic()
        wait_until(lambda: sum(t > finished for t in inserted) >= 20 or bool(errors))
    finally:
        stop.set()
        thread.join(timeout=30)

    assert errors == []
    assert result.tables[0].emptied == ["action_records_holding_20270101"]
    assert any(started < moment < finished for moment in inserted), "no insert overlapped"
    after = keys(db, "action_records")
    assert len(after) == len(before) + len(inserted)
    assert set(before) <= set(after)
    assert len({row_id for row_id, _ in after}) == len(after)
    assert sum(placement(db, "action_records").values()) == len(after)
    assert partitions.holding_tables(db, "action_records") == ()


@pytest.mark.parametrize("stop_after", [2, 9], ids=["while-setting-aside", "while-moving-back"])
def test_an_interrupted_run_is_finished_by_the_next_one(
    db: psycopg.Connection[Any], stop_after: int
) -> None:
    add_many_actions(db, "2027-01-01", "2027-12-01", 3000)
    before = keys(db, "action_records")
    batches: list[str] = []

    result = ensure_partitions(
        db,
        today=TODAY,
        tables=["action_records"],
        batch_size=500,
        inline_move_limit=100,
        progress=batches.append,
        stop=lambda: len([b for b in batches if b.startswith("  ")]) >= stop_after,
    )

    assert result.tables[0].interrupted
    switched = stop_after == 9  # the new partitions exist; the rows are on their way back
    assert bool(result.tables[0].created) == switched
    assert (
        partitions.read_partitions(db, "action_records")[-1].lower
        == TODAY.replace(year=2028, month=1, day=1)
    ) == switched
    holding = "action_records_holding_20270101"
    assert partitions.holding_tables(db, "action_records") == (holding,)
    held = db.execute(f"SELECT count(*) FROM workflow_service.{holding}").fetchone()
    assert held is not None and held[0] > 0
    assert len(keys(db, "action_records")) + held[0] == len(before)
    report = table_report(db, "action_records", today=TODAY, ahead=4)
    assert [(row.partition, row.rows) for row in report.partitions if row.kind == "holding"] == [
        (holding, held[0])
    ]
    assert any("interrupted upkeep" in note for note in report.attention)
    plan = ensure_partitions(db, today=TODAY, dry_run=True).plans[0]
    assert plan.holding_rows == ((holding, held[0]),)

    again = ensure_partitions(db, today=TODAY, tables=["action_records"])

    assert not again.tables[0].interrupted
    assert holding in again.tables[0].emptied
    assert keys(db, "action_records") == before
    assert sum(placement(db, "action_records").values()) == len(before)
    assert partitions.holding_tables(db, "action_records") == ()
    assert ensure_partitions(db, today=TODAY, dry_run=True).plans[0].nothing_to_do


def test_a_switch_that_cannot_get_its_locks_puts_staged_rows_back(
    db: psycopg.Connection[Any], scratch_name: str
) -> None:
    add_many_actions(db, "2027-01-01", "2027-12-01", 3000)
    before = keys(db, "action_records")
    layout_before = layout(db)
    with connect(scratch_name) as other, other.transaction():
        other.execute("SELECT count(*) FROM workflow_service.action_records_2026_q1")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            ensure_partitions(
                db,
                today=TODAY,
                batch_size=500,
                inline_move_limit=100,
                lock_timeout=0.05,
                lock_attempts=2,
            )
    assert keys(db, "action_records") == before
    assert layout(db) == layout_before


def test_two_runs_never_overlap(db: psycopg.Connection[Any], scratch_name: str) -> None:
    before = layout(db)
    with connect(scratch_name) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [UPKEEP_LOCK_KEY])
        result = ensure_partitions(db, today=TODAY)
    assert result.status == "skipped"
    assert layout(db) == before


def test_it_gives_up_rather_than_queue_behind_a_long_transaction(
    db: psycopg.Connection[Any], scratch_name: str
) -> None:
    before = layout(db)
    with connect(scratch_name) as other, other.transaction():
        other.execute("SELECT count(*) FROM workflow_service.action_records")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            ensure_partitions(db, today=TODAY, lock_timeout=0.05, lock_attempts=2)
    assert layout(db) == before
    assert ensure_partitions(db, today=TODAY).status == "done"


def test_a_long_neglected_table_gets_every_missing_quarter(db: psycopg.Connection[Any]) -> None:
    add_many_actions(db, "2026-12-01", "2028-06-01", 3000)
    before = keys(db, "action_records")

    result = ensure_partitions(db, today=dt.date(2028, 5, 10), tables=["action_records"])

    created = result.tables[0].created
    assert created[0] == "action_records_2027_q1" and created[-1] == "action_records_2029_q2"
    assert len(created) == 10
    assert keys(db, "action_records") == before
    counts = placement(db, "action_records")
    assert counts["action_records_future"] == 0
    assert sum(counts.values()) == len(before)


def test_it_refuses_a_layout_it_cannot_extend(db: psycopg.Connection[Any]) -> None:
    db.execute("DROP TABLE workflow_service.action_records_future")
    db.execute(
        "CREATE TABLE workflow_service.action_records_future PARTITION OF "
        "workflow_service.action_records FOR VALUES FROM ('2027-02-01') TO (MAXVALUE)"
    )
    before = layout(db)
    with pytest.raises(UpkeepError, match="not the first day of a quarter"):
        ensure_partitions(db, today=TODAY)
    assert layout(db) == before


# --- on the test database: the command, the report, the task -----------------------------


def django_layout() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.inhparent::regclass::text, c.relname, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent IN ('workflow_service.action_records'::regclass,
                                  'workflow_service.customer_agents'::regclass)
            """
        )
        return sorted(cursor.fetchall())


@pytest.fixture
def restore_partitions() -> Iterator[None]:
    """Put the test database's partitions back as they were (other tests share it)."""
    before = django_layout()
    yield
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE workflow_service.action_records, workflow_service.customer_agents")
        for table in partitions.TABLES:
            for name in partitions.holding_tables(connection.connection, table):
                cursor.execute(f"DROP TABLE workflow_service.{name}")
        for _, name, _ in set(django_layout()) - set(before):
            cursor.execute(f"DROP TABLE workflow_service.{name}")
        for parent, name, bound in set(before) - set(django_layout()):
            cursor.execute(f"CREATE TABLE workflow_service.{name} PARTITION OF {parent} {bound}")
    assert django_layout() == before


@pytest.mark.django_db(transaction=True)
def test_the_command_creates_the_quarters_and_moves_the_rows(restore_partitions: None) -> None:
    early = ActionRecordFactory(action_date=dt.datetime(2027, 2, 10, 9, 30, tzinfo=dt.UTC))
    late = ActionRecordFactory(action_date=dt.datetime(2027, 8, 20, 14, 0, tzinfo=dt.UTC))
    out = io.StringIO()

    call_command("ensure_partitions", "--as-of", "2026-11-25", stdout=out)

    text = out.getvalue()
    assert "as of 2026-11-25 (quarter 2026 Q4)" in text
    assert "action_records: created action_records_2027_q1" in text
    assert "moved 2 row(s)" in text
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM workflow_service.action_records")
        assert dict(cursor.fetchall()) == {
            early.id: "workflow_service.action_records_2027_q1",
            late.id: "workflow_service.action_records_2027_q3",
        }

    report = io.StringIO()
    call_command("partition_report", "--as-of", "2026-11-25", "--format", "json", stdout=report)
    tables = json.loads(report.getvalue())
    assert [(t["covered_through"], t["quarters_ahead"], t["attention"]) for t in tables] == [
        ("2027 Q4", 4, []),
        ("2027 Q4", 4, []),
    ]

    again = io.StringIO()
    call_command("ensure_partitions", "--as-of", "2026-11-25", "--dry-run", stdout=again)
    assert "action_records: nothing to do" in again.getvalue()


@pytest.mark.django_db
def test_the_command_dry_run_prints_the_plan_and_changes_nothing() -> None:
    ActionRecordFactory(action_date=dt.datetime(2027, 2, 10, 9, 30, tzinfo=dt.UTC))
    before = django_layout()
    out = io.StringIO()

    call_command(
        "ensure_partitions", "--dry-run", "--as-of", "2026-11-25", "--ahead", "2", stdout=out
    )

    assert out.getvalue().splitlines() == [
        "Dry run: as of 2026-11-25 (quarter 2026 Q4), keeping partitions through 2027 Q2 "
        "(2 quarters ahead)",
        "action_records: partitions reach 2026 Q4",
        "  would create action_records_2027_q1, action_records_2027_q2",
        "  would replace the catch-all action_records_future [2027-01-01, MAXVALUE) by "
        "action_records_future [2027-07-01, MAXVALUE)",
        "  would move 1 row(s) from the catch-all to action_records_2027_q1",
        "customer_agents: partitions reach 2026 Q4",
        "  would create customer_agents_2027_q1, customer_agents_2027_q2",
        "  would replace the catch-all customer_agents_future [2027-01-01, MAXVALUE) by "
        "customer_agents_future [2027-07-01, MAXVALUE)",
        "  no row to move (the catch-all is empty)",
    ]
    assert django_layout() == before


@pytest.mark.django_db
def test_the_report_lists_every_partition_and_flags_rows_in_the_catch_all() -> None:
    ActionRecordFactory(action_date=dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC))
    ActionRecordFactory(action_date=dt.datetime(2027, 2, 10, 9, 30, tzinfo=dt.UTC))
    out = io.StringIO()

    call_command(
        "partition_report", "--as-of", "2026-11-25", "--table", "action_records", stdout=out
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "workflow_service.action_records (by action_date): quarters through 2026 Q4, "
        "0 ahead of 2026 Q4 (as of 2026-11-25; upkeep keeps 4)"
    )
    assert lines[1].split() == ["partition", "kind", "from", "to", "rows"]
    assert lines[2].split() == [
        "action_records_historical",
        "historical",
        "MINVALUE",
        "2025-01-01",
        "0",
    ]
    assert lines[7].split() == [
        "action_records_2026_q1",
        "quarter",
        "2026-01-01",
        "2026-04-01",
        "1",
    ]
    assert lines[11].split() == [
        "action_records_future",
        "catch-all",
        "2027-01-01",
        "MAXVALUE",
        "1",
        "!",
    ]
    assert lines[12].split() == ["total", "2"]
    assert "partitions reach 2026 Q4, 0 quarter(s) past 2026 Q4; the upkeep keeps 4" in lines[13]
    assert (
        "action_records_future: 1 row(s) in the catch-all, dated 2027-02-10 09:30:00" in (lines[14])
    )


@pytest.mark.django_db
def test_the_report_can_use_estimates_for_big_partitions() -> None:
    out = io.StringIO()
    call_command("partition_report", "--estimate", "--format", "json", stdout=out)
    rows = {p["name"]: p for table in json.loads(out.getvalue()) for p in table["partitions"]}
    assert rows["action_records_2026_q1"]["estimated"] is True
    assert rows["action_records_future"]["estimated"] is False


def test_the_command_help_explains_itself_to_an_operator() -> None:
    text = EnsurePartitionsCommand().create_parser("manage.py", "ensure_partitions").format_help()
    for fragment in (
        "--ahead N",
        "--dry-run",
        "--table {action_records,customer_agents,all}",
        "--as-of YYYY-MM-DD",
        "interrupted run is finished by the next one",
    ):
        assert fragment in " ".join(text.split()), fragment


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_keeps_the_partitions_ahead(restore_partitions: None) -> None:
    outcome = tasks.ensure_partitions.delay(ahead=1).get()

    assert outcome["status"] == "done"
    assert partitions.run_upkeep(ahead=1, dry_run=True).plans[0].nothing_to_do


def test_the_beat_runs_the_upkeep_daily_with_the_configured_horizon(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = schedule.BEAT_SCHEDULE["workflow-ensure-partitions"]
    assert entry["task"] == "workflow.tasks.ensure_partitions"
    try:
        monkeypatch.setenv("PARTITIONS_AHEAD_QUARTERS", "6")
        assert importlib.reload(schedule).BEAT_SCHEDULE["workflow-ensure-partitions"]["kwargs"] == {
            "ahead": 6
        }
        monkeypatch.setenv("PARTITIONS_AHEAD_QUARTERS", "41")
        with pytest.raises(ImproperlyConfigured, match="PARTITIONS_AHEAD_QUARTERS"):
            importlib.reload(schedule)
    finally:
        monkeypatch.delenv("PARTITIONS_AHEAD_QUARTERS")
        importlib.reload(schedule)
