"""The reporting materialized views are refreshed concurrently, one refresh at a time."""

from __future__ import annotations

import importlib
import io
import logging
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tests.factories import ActionRecordFactory
from workflow import reports, schedule, tasks

pytestmark = pytest.mark.django_db


def other_connection() -> psycopg.Connection[Any]:
    """A second session on the test database, as another process would have."""
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


def view_rows(query: str, params: list[object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def test_it_refreshes_both_views_so_new_actions_appear() -> None:
    action = ActionRecordFactory(action_result="PAYMENT_MADE")
    performance = (
        "SELECT year, month, total_actions, payments_received "
        "FROM workflow_service.agent_performance WHERE agent_id = %s"
    )
    status = (
        "SELECT total_actions, total_loans FROM workflow_service.customer_collection_status "
        "WHERE cif = %s"
    )
    assert view_rows(performance, [action.agent_id]) == []
    assert view_rows(status, [action.customer_id]) == []

    outcome = reports.refresh_reports()

    assert outcome.status == "refreshed"
    assert [view.view for view in outcome.views] == list(reports.VIEWS)
    assert all(view.rows is not None and view.rows >= 1 for view in outcome.views)
    assert view_rows(performance, [action.agent_id]) == [(2026, 3, 1, 1)]
    assert view_rows(status, [action.customer_id]) == [(1, 1)]


def test_it_logs_each_views_duration_and_row_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="workflow.reports")

    reports.refresh_reports()

    refreshed = [r for r in caplog.records if r.getMessage() == "materialized view refreshed"]
    assert [r.__dict__["view"] for r in refreshed] == list(reports.VIEWS)
    assert all(r.__dict__["rows"] >= 0 and r.__dict__["duration_ms"] >= 0 for r in refreshed)


def test_it_skips_while_another_process_is_refreshing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="workflow.reports")
    ActionRecordFactory()
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [reports.REFRESH_LOCK_KEY])

        outcome = reports.refresh_reports()

        assert outcome.status == "skipped"
        assert outcome.views == []
        assert "report refresh skipped: another refresh holds the advisory lock" in caplog.text
        out = io.StringIO()
        call_command("refresh_reports", stdout=out)
        assert "Skipped: another refresh is running" in out.getvalue()
        other.execute("SELECT pg_advisory_unlock(%s)", [reports.REFRESH_LOCK_KEY])
        assert reports.refresh_reports().status == "refreshed"


def test_a_refresh_releases_its_lock_for_the_next_one() -> None:
    reports.refresh_reports()
    with other_connection() as other:
        taken = other.execute(
            "SELECT pg_try_advisory_lock(%s)", [reports.REFRESH_LOCK_KEY]
        ).fetchone()
        assert taken == (True,)


def test_refresh_concurrently_is_allowed_inside_a_transaction_block() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY workflow_service.agent_performance")


def test_a_failed_view_does_not_stop_the_other_and_the_command_exits_non_zero() -> None:
    ActionRecordFactory()
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DROP INDEX workflow_service.uq_agent_performance_agent_year_month")

    with pytest.raises(reports.ReportRefreshError) as failure:
        reports.refresh_reports()

    outcome = failure.value.outcome
    assert outcome.status == "failed"
    assert [(v.view, v.error is None) for v in outcome.views] == [
        ("agent_performance", False),
        ("customer_collection_status", True),
    ]
    assert "cannot refresh materialized view" in str(failure.value)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="agent_performance"):
        call_command("refresh_reports", stdout=out, stderr=err)
    assert "agent_performance: FAILED" in err.getvalue()
    assert "customer_collection_status: 1 rows, refreshed in" in out.getvalue()


def test_the_command_prints_durations_and_row_counts() -> None:
    ActionRecordFactory()
    out = io.StringIO()

    call_command("refresh_reports", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(reports.VIEWS)
    assert all(" rows, refreshed in " in line and line.endswith(" ms") for line in lines)


def test_the_celery_task_refreshes_the_views() -> None:
    outcome = tasks.refresh_reports.delay().get()
    assert outcome["status"] == "refreshed"
    assert [view["view"] for view in outcome["views"]] == list(reports.VIEWS)


def test_the_beat_refreshes_every_configured_number_of_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = schedule.BEAT_SCHEDULE["workflow-refresh-reports"]
    assert (entry["task"], entry["schedule"]) == ("workflow.tasks.refresh_reports", 15 * 60)
    try:
        monkeypatch.setenv("REPORTS_REFRESH_MINUTES", "5")
        entry = importlib.reload(schedule).BEAT_SCHEDULE["workflow-refresh-reports"]
        assert (entry["schedule"], entry["options"]) == (300, {"expires": 300})
    finally:
        monkeypatch.delenv("REPORTS_REFRESH_MINUTES")
        importlib.reload(schedule)
