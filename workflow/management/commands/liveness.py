"""``manage.py liveness NAME``: the health check of a loop that serves no HTTP."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow import liveness


class Command(BaseCommand):
    help = (
        "Exit 0 when the process NAME (consumer, relay, beat) marked itself alive within "
        "--max-age seconds, 1 otherwise. For container health checks and exec probes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["consumer", "relay", "beat"])
        parser.add_argument("--max-age", type=float, default=120.0, help="seconds (default 120)")
        parser.add_argument(
            "--fail-on-missing-topics",
            action="store_true",
            help="consumer: also fail while a subscribed topic does not exist",
        )

    def handle(
        self, *args: Any, name: str, max_age: float, fail_on_missing_topics: bool, **options: Any
    ) -> None:
        age = liveness.age(name)
        if age is None:
            raise CommandError(f"{name}: no liveness file at {liveness.path(name)}")
        if age > max_age:
            raise CommandError(f"{name}: last alive {age:.0f} s ago (more than {max_age:.0f} s)")
        missing = liveness.details(name).get("missing_topics") or []
        if missing:
            message = f"{name}: subscribed topics missing in Kafka: {', '.join(missing)}"
            if fail_on_missing_topics:
                raise CommandError(message + " (run manage.py ensure_topics)")
            self.stderr.write(message)
        self.stdout.write(f"{name}: alive {age:.0f} s ago")
