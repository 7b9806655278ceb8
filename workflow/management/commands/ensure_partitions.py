"""``manage.py ensure_partitions``: quarterly partitions kept ahead, catch-alls emptied."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow import partitions
from workflow.runloop import StopFlag
from workflow.schedule import PARTITIONS_AHEAD_QUARTERS


def ahead_argument(value: str) -> int:
    number = int(value)
    if not 1 <= number <= partitions.MAX_AHEAD:
        raise argparse.ArgumentTypeError(f"must be between 1 and {partitions.MAX_AHEAD}")
    return number


class Command(BaseCommand):
    help = (
        "Keep the quarterly partitions of workflow_service.action_records and customer_agents "
        "at least N quarters ahead of the bank's current quarter, moving the rows that landed "
        "in a <table>_future catch-all into their quarter partitions (exclusive lock: "
        "milliseconds; rows are moved in batches, never lost or doubled). Safe to run at any "
        "time and to run again: an interrupted run is finished by the next one, and a run "
        "that finds another one in progress does nothing. Celery beat runs it daily "
        "(workflow.tasks.ensure_partitions). Start with --dry-run to see the plan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ahead",
            type=ahead_argument,
            default=PARTITIONS_AHEAD_QUARTERS,
            metavar="N",
            help="quarters to keep past the current one "
            f"(default {PARTITIONS_AHEAD_QUARTERS}, from PARTITIONS_AHEAD_QUARTERS)",
        )
        parser.add_argument(
            "--table",
            choices=[*partitions.TABLES, "all"],
            default="all",
            help="which table (default all)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be done; change nothing"
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="plan for this day instead of today in BUSINESS_TIME_ZONE",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=partitions.DEFAULT_BATCH_SIZE,
            metavar="ROWS",
            help=f"rows moved per transaction (default {partitions.DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=partitions.DEFAULT_LOCK_TIMEOUT_SECONDS,
            metavar="SECONDS",
            help="longest wait for a table lock before backing off and retrying "
            f"(default {partitions.DEFAULT_LOCK_TIMEOUT_SECONDS:g})",
        )

    def handle(
        self,
        *args: Any,
        ahead: int,
        table: str,
        dry_run: bool,
        as_of: dt.date | None,
        batch_size: int,
        lock_timeout: float,
        verbosity: int,
        **options: Any,
    ) -> None:
        today = as_of or partitions.business_today()
        current = partitions.Quarter.of(today)
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}as of {today} (quarter {current}), keeping "
            f"partitions through {current.shifted(ahead)} ({ahead} quarters ahead)"
        )
        stop = StopFlag().install()
        try:
            result = partitions.run_upkeep(
                today=today,
                ahead=ahead,
                tables=tuple(partitions.TABLES) if table == "all" else (table,),
                dry_run=dry_run,
                batch_size=batch_size,
                lock_timeout=lock_timeout,
                progress=self.stdout.write if verbosity >= 2 else None,
                stop=lambda: stop.stopping,
            )
        except partitions.UpkeepError as exc:
            raise CommandError(str(exc)) from exc
        if result.status == "skipped":
            self.stdout.write(
                self.style.WARNING(
                    "Skipped: another partition upkeep is running (advisory lock held)."
                )
            )
        for plan in result.plans:
            self.write_plan(plan)
        for outcome in result.tables:
            self.write_result(outcome)
        if any(outcome.interrupted for outcome in result.tables):
            raise CommandError("Stopped on request; run the command again to finish the move.")

    def write_plan(self, plan: partitions.TablePlan) -> None:
        reach = partitions.Quarter.of(plan.covered_until - dt.timedelta(days=1))
        if plan.nothing_to_do:
            self.stdout.write(f"{plan.table}: nothing to do (partitions reach {reach})")
            return
        self.stdout.write(f"{plan.table}: partitions reach {reach}")
        for name, rows in plan.holding_rows:
            self.stdout.write(
                f"  would put back the {rows} row(s) an interrupted run set aside in {name}"
            )
        if plan.create:
            names = [partitions.partition_name(plan.table, q) for q in plan.create]
            self.stdout.write(f"  would create {', '.join(names)}")
            old = (
                f"the catch-all {plan.catch_all.name} [{plan.catch_all.lower}, MAXVALUE)"
                if plan.catch_all
                else "no catch-all"
            )
            self.stdout.write(
                f"  would replace {old} by {plan.table}_future [{plan.target}, MAXVALUE)"
            )
            if not plan.moves:
                self.stdout.write("  no row to move (the catch-all is empty)")
        for name, rows in plan.moves:
            self.stdout.write(f"  would move {rows} row(s) from the catch-all to {name}")

    def write_result(self, result: partitions.TableResult) -> None:
        if not result.created and not result.emptied and not result.interrupted:
            self.stdout.write(f"{result.table}: nothing to do")
            return
        lines = []
        if result.created:
            lines.append(
                f"created {', '.join(result.created)} and a new catch-all {result.catch_all} "
                f"(exclusive lock held {result.lock_ms:.0f} ms)"
            )
        if result.emptied:
            lines.append(f"emptied and dropped the holding table {', '.join(result.emptied)}")
        lines.append(f"moved {result.rows_moved} row(s) in {result.seconds:.1f} s")
        if result.interrupted:
            lines.append("stopped before the move was finished")
        self.stdout.write(self.style.SUCCESS(f"{result.table}: " + "; ".join(lines)))
