"""``manage.py partition_report``: the partitions of the partitioned tables, with row counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workflow import partitions
from workflow.management.commands.ensure_partitions import ahead_argument
from workflow.schedule import PARTITIONS_AHEAD_QUARTERS


def _bound(value: dt.date | None, infinite: str) -> str:
    return infinite if value is None else value.isoformat()


def _moment(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class Command(BaseCommand):
    help = (
        "List every partition of workflow_service.action_records and customer_agents with its "
        "bounds and row count (exact count(*); --estimate uses the planner's statistics for "
        "the quarter and historical partitions), how far ahead the quarters reach, and what "
        "needs attention: rows sitting in a catch-all, or an old catch-all left by an "
        "interrupted ensure_partitions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--table", choices=[*partitions.TABLES, "all"], default="all", help="default all"
        )
        parser.add_argument(
            "--estimate",
            action="store_true",
            help="estimated row counts (pg_class.reltuples, marked ~) instead of count(*)",
        )
        parser.add_argument(
            "--ahead",
            type=ahead_argument,
            default=PARTITIONS_AHEAD_QUARTERS,
            metavar="N",
            help=f"quarters ahead to expect (default {PARTITIONS_AHEAD_QUARTERS})",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="judge coverage for this day instead of today in BUSINESS_TIME_ZONE",
        )

    def handle(
        self,
        *args: Any,
        format: str,
        table: str,
        estimate: bool,
        ahead: int,
        as_of: dt.date | None,
        **options: Any,
    ) -> None:
        reports = partitions.report(
            tables=tuple(partitions.TABLES) if table == "all" else (table,),
            today=as_of,
            ahead=ahead,
            estimate=estimate,
        )
        if format == "json":
            self.stdout.write(json.dumps([self.as_json(report) for report in reports], indent=2))
            return
        for report in reports:
            self.write_table(report)

    def as_json(self, report: partitions.TableReport) -> dict[str, object]:
        return {
            "table": f"{partitions.SCHEMA}.{report.table}",
            "column": report.column,
            "as_of": report.as_of.isoformat(),
            "covered_through": str(report.covered_through),
            "quarters_ahead": report.quarters_ahead,
            "wanted_ahead": report.wanted_ahead,
            "attention": report.attention,
            "partitions": [
                {
                    "name": row.partition,
                    "kind": row.kind,
                    "from": _bound(row.lower, "MINVALUE") if row.kind != "holding" else None,
                    "to": _bound(row.upper, "MAXVALUE") if row.kind != "holding" else None,
                    "rows": row.rows,
                    "estimated": row.estimated,
                    "first": _moment(row.first),
                    "last": _moment(row.last),
                    "attention": row.attention,
                }
                for row in report.partitions
            ],
        }

    def write_table(self, report: partitions.TableReport) -> None:
        current = partitions.Quarter.of(report.as_of)
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"{partitions.SCHEMA}.{report.table} (by {report.column}): quarters through "
                f"{report.covered_through}, {report.quarters_ahead} ahead of {current} "
                f"(as of {report.as_of}; upkeep keeps {report.wanted_ahead})"
            )
        )
        width = max(len(row.partition) for row in report.partitions)
        self.stdout.write(
            f"  {'partition':<{width}}  {'kind':<10}  {'from':<10}  {'to':<10}  {'rows':>12}"
        )
        for row in report.partitions:
            holding = row.kind == "holding"
            rows = "unknown" if row.rows is None else f"{'~' if row.estimated else ''}{row.rows:,}"
            line = (
                f"  {row.partition:<{width}}  {row.kind:<10}  "
                f"{'' if holding else _bound(row.lower, 'MINVALUE'):<10}  "
                f"{'' if holding else _bound(row.upper, 'MAXVALUE'):<10}  {rows:>12}"
            )
            self.stdout.write(self.style.WARNING(line + "  !") if row.attention else line)
        counts = [row.rows for row in report.partitions]
        estimated = any(row.estimated for row in report.partitions)
        total = (
            "unknown"
            if None in counts
            else ("~" if estimated else "") + f"{sum(c for c in counts if c is not None):,}"
        )
        self.stdout.write(f"  {'total':<{width}}  {'':<10}  {'':<10}  {'':<10}  {total:>12}")
        for note in report.attention:
            self.stdout.write(self.style.WARNING(f"  ! {note}"))
        self.stdout.write("")
