"""``manage.py agent_date_index``: the optional (agent_id, action_date) index of
action_records, built partition by partition without blocking writes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from actions import agent_date_index


class Command(BaseCommand):
    help = (
        "Build the optional index on workflow_service.action_records (agent_id, action_date), "
        "which serves an agent's action list and the live performance figures, without "
        "blocking writes: the parent's index ON ONLY, then each partition's with CREATE INDEX "
        "CONCURRENTLY, attached one by one. The table is the bank's: build it when the DBA "
        'agrees (docs/operations.md, "An agent\'s actions"). Safe to stop and run again: the '
        "next run finishes the build; a run that finds another in progress does nothing. "
        "--check only reports (exit status 1 while incomplete); --drop removes it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check", action="store_true", help="report each partition's index; change nothing"
        )
        mode.add_argument(
            "--drop",
            action="store_true",
            help="drop the index (an exclusive lock on the table, as long as the drop takes)",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="longest wait for the brief table locks of the catalog steps (default 5)",
        )

    def handle(
        self, *args: Any, check: bool, drop: bool, lock_timeout: float, **options: Any
    ) -> None:
        connection.ensure_connection()
        if not connection.get_autocommit():
            raise CommandError("run outside a transaction: CREATE INDEX CONCURRENTLY needs it")
        with connection.cursor() as cursor:
            if drop:
                agent_date_index.drop(cursor, lock_timeout=lock_timeout)
                self.stdout.write(f"dropped {agent_date_index.INDEX}")
                return
            if check:
                state = agent_date_index.state(cursor)
            else:
                built = agent_date_index.build(
                    cursor, lock_timeout=lock_timeout, echo=self.stdout.write
                )
                if built is None:
                    self.stdout.write("skipped: another run is building the index")
                    return
                state = built
        self._report(state)
        if check and not state.complete:
            raise CommandError("the index is not complete: run manage.py agent_date_index")

    def _report(self, state: agent_date_index.IndexState) -> None:
        parent = {None: "absent", True: "valid", False: "invalid (being built)"}[state.parent_valid]
        self.stdout.write(f"{agent_date_index.INDEX}: {parent}")
        for partition in state.partitions:
            if partition.done:
                what = f"{partition.index}, attached"
            elif partition.index is None:
                what = "no index"
            else:
                what = (
                    f"{partition.index}, {'valid' if partition.valid else 'INVALID'}, not attached"
                )
            self.stdout.write(f"  {partition.partition}: {what}")
