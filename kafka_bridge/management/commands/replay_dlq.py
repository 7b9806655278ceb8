"""``manage.py replay_dlq <topic>``: put dead letters back on their topic."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kafka_bridge import conf
from kafka_bridge.clients import make_consumer, make_producer
from kafka_bridge.dlq import replay
from kafka_bridge.topics import DLQ_REPLAY_GROUP, DLQ_SUFFIX


class Command(BaseCommand):
    help = (
        "Re-publish the dead letters of <topic> (read from <topic>.dlq) to <topic>, with their "
        "original key, value and headers; the dlq-* headers are removed. Use it once the cause "
        "is fixed: the handler was corrected, or the producer re-sent valid data and the letter "
        "is now obsolete (replay it with --limit, or not at all). The consumer group "
        f"{DLQ_REPLAY_GROUP} remembers what was replayed, so a second run only replays letters "
        "that arrived since. A run stops at the end of the DLQ as it was when the run started: "
        "a letter that fails again is not replayed twice by one run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("topic", help=f"the original topic (not the {DLQ_SUFFIX} topic)")
        parser.add_argument(
            "--limit", type=int, default=None, help="replay at most this many dead letters"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list the dead letters that would be replayed (offset, key, error); publish "
            "and commit nothing",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=30.0,
            help="seconds to wait for the broker (default 30)",
        )

    def handle(
        self,
        *args: Any,
        topic: str,
        limit: int | None,
        dry_run: bool,
        timeout: float,
        **options: Any,
    ) -> None:
        if topic.endswith(DLQ_SUFFIX):
            raise CommandError(f"give the original topic, e.g. {topic.removesuffix(DLQ_SUFFIX)}")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be >= 1")
        consumer = make_consumer(conf.group_id(DLQ_REPLAY_GROUP))
        producer = None if dry_run else make_producer()
        try:
            result = replay(
                topic,
                consumer=consumer,
                producer=producer,
                limit=limit,
                dry_run=dry_run,
                out=self.stdout,
                timeout=timeout,
            )
        finally:
            consumer.close()
        verb = "would replay" if dry_run else "replayed"
        self.stdout.write(
            f"{verb} {result.replayed} dead letter(s) of {topic}; {result.remaining} left"
        )
