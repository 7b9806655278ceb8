"""``manage.py refresh_reports``: refresh the reporting materialized views now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workflow import reports


class Command(BaseCommand):
    help = (
        "Refresh the materialized views agent_performance and customer_collection_status "
        "CONCURRENTLY (readers are never blocked) and print each one's duration and row "
        "count. Does nothing when another refresh is running. Exits non-zero when a view "
        "could not be refreshed. Celery beat runs it every REPORTS_REFRESH_MINUTES minutes "
        "(workflow.tasks.refresh_reports)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = reports.refresh_reports()
        except reports.ReportRefreshError as exc:
            self.write_views(exc.outcome)
            raise CommandError(str(exc)) from exc
        if outcome.status == "skipped":
            self.stdout.write(
                self.style.WARNING("Skipped: another refresh is running (advisory lock held).")
            )
            return
        self.write_views(outcome)

    def write_views(self, outcome: reports.RefreshOutcome) -> None:
        for view in outcome.views:
            if view.error is None:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{view.view}: {view.rows} rows, refreshed in {view.duration_ms:.0f} ms"
                    )
                )
            else:
                self.stderr.write(
                    f"{view.view}: FAILED after {view.duration_ms:.0f} ms: {view.error}"
                )
