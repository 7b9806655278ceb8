"""``manage.py consume_events``: the Kafka consumer process."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import Consumer, KafkaError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kafka_bridge.runloop import StopFlag
from kafka_bridge.topics import CONSUMER_GROUPS

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Consume the user, bank and payment topics (DESIGN.md §5). Offsets are committed only "
        "after a message has been handed off; until the handlers exist (Kafka bridge issue) "
        "messages are logged and left uncommitted, so nothing is lost. Stops on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--group",
            choices=[*CONSUMER_GROUPS, "all"],
            default="all",
            help="which consumer group to run (default: all)",
        )
        parser.add_argument(
            "--poll-timeout", type=float, default=1.0, help="seconds per poll (default 1.0)"
        )

    def handle(self, *args: Any, group: str, poll_timeout: float, **options: Any) -> None:
        stop = StopFlag().install()
        names = list(CONSUMER_GROUPS) if group == "all" else [group]
        consumers: list[Consumer] = []
        for name in names:
            group_id, topics = CONSUMER_GROUPS[name]
            consumer = Consumer(
                {
                    "bootstrap.servers": settings.KAFKA_BROKERS,
                    "client.id": settings.KAFKA_CLIENT_ID,
                    "group.id": group_id,
                    "enable.auto.commit": False,
                    "auto.offset.reset": "earliest",
                    "session.timeout.ms": 6000,
                    "heartbeat.interval.ms": 500,
                    "allow.auto.create.topics": True,
                }
            )
            consumer.subscribe(list(topics))
            consumers.append(consumer)
            logger.info("consumer started", extra={"group": group_id, "topics": list(topics)})
        self.stdout.write(f"consuming groups: {', '.join(names)} (Ctrl-C to stop)")
        try:
            while not stop.stopping:
                for consumer in consumers:
                    message = consumer.poll(poll_timeout / len(consumers))
                    if message is None:
                        continue
                    error = message.error()
                    if error is not None:
                        if error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                            # Normal until the producing service has published once.
                            logger.debug("topic not created yet", extra={"error": str(error)})
                        elif error.code() != KafkaError._PARTITION_EOF:
                            logger.warning("kafka error", extra={"error": str(error)})
                        continue
                    logger.info(
                        "event received; no handler registered yet, offset left uncommitted",
                        extra={
                            "topic": message.topic(),
                            "partition": message.partition(),
                            "offset": message.offset(),
                        },
                    )
        finally:
            for consumer in consumers:
                consumer.close()
            logger.info("consumer stopped")
