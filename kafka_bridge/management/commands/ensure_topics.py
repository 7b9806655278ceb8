"""``manage.py ensure_topics``: create the Kafka topics this service consumes and produces."""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kafka_bridge import topics

PRODUCED = (
    topics.AGENT_CREATED,
    topics.AGENT_UPDATED,
    topics.ACTION_RECORDED,
    topics.ASSIGNMENT_CREATED,
)


def service_topics() -> list[str]:
    """The consumed topics (under their configured names), their dead-letter topics and the
    topics this service publishes, in a stable order."""
    consumed = [getattr(settings, name, topic) for topic, name in topics.TOPIC_SETTINGS.items()]
    return [*consumed, *(topics.dlq_topic(topic) for topic in consumed), *PRODUCED]


class Command(BaseCommand):
    help = (
        "Create the topics this service consumes and produces, and the dead-letter topics, "
        "with KAFKA_TOPIC_PARTITIONS partitions and KAFKA_TOPIC_REPLICATION_FACTOR replicas. "
        "Topics that exist are left as they are (idempotent). Run by the migrate step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list what is missing")
        parser.add_argument("--partitions", type=int, default=None)
        parser.add_argument("--replication-factor", type=int, default=None)
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")

    def handle(
        self,
        *args: Any,
        dry_run: bool,
        partitions: int | None,
        replication_factor: int | None,
        timeout: float,
        **options: Any,
    ) -> None:
        partitions = partitions or settings.KAFKA_TOPIC_PARTITIONS
        replicas = replication_factor or settings.KAFKA_TOPIC_REPLICATION_FACTOR
        if partitions < 1 or replicas < 1:
            raise CommandError("--partitions and --replication-factor must be >= 1")
        admin = AdminClient(
            {
                "bootstrap.servers": settings.KAFKA_BROKERS,
                "client.id": f"{settings.KAFKA_CLIENT_ID}-admin",
            }
        )
        try:
            existing = admin.list_topics(timeout=timeout).topics
        except KafkaException as exc:
            raise CommandError(f"Kafka at {settings.KAFKA_BROKERS} is unreachable: {exc}") from exc
        wanted = service_topics()
        missing = [name for name in wanted if name not in existing]
        for name in wanted:
            if name in existing:
                count = len(existing[name].partitions)
                self.stdout.write(f"exists   {name} ({count} partitions)")
        if dry_run:
            for name in missing:
                self.stdout.write(f"missing  {name} (would create: {partitions} x{replicas})")
            return
        if not missing:
            self.stdout.write("all topics exist")
            return
        futures = admin.create_topics(
            [
                NewTopic(name, num_partitions=partitions, replication_factor=replicas)
                for name in missing
            ],
            request_timeout=timeout,
        )
        errors = []
        for name, future in futures.items():
            try:
                future.result(timeout)
            except KafkaException as exc:
                error = exc.args[0]
                if (
                    isinstance(error, KafkaError)
                    and error.code() == KafkaError.TOPIC_ALREADY_EXISTS
                ):
                    self.stdout.write(f"exists   {name} (created meanwhile)")
                    continue
                errors.append(f"{name}: {exc}")
            else:
                self.stdout.write(f"created  {name} ({partitions} partitions x{replicas})")
        if errors:
            raise CommandError("could not create " + "; ".join(errors))
