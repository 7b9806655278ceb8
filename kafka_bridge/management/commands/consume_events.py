"""``manage.py consume_events``: the Kafka consumer process."""

from __future__ import annotations

import logging
import time
from typing import Any

from confluent_kafka import KafkaException
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from kafka_bridge import conf, lanes, registry
from kafka_bridge.clients import make_producer
from kafka_bridge.consumer import EventConsumer
from kafka_bridge.topics import CONSUMER_GROUPS
from workflow import liveness, metrics
from workflow.runloop import StopFlag

logger = logging.getLogger(__name__)

TOPIC_CHECK_SECONDS = 30.0


def _missing_topics(consumers: list[EventConsumer]) -> list[str]:
    """Subscribed topics the broker does not have (empty when the broker cannot be asked)."""
    try:
        existing = consumers[0].consumer.list_topics(timeout=5).topics
    except KafkaException:
        return []
    return sorted({t for c in consumers for t in c.topic_names if t not in existing})


def _record_lag(consumers: list[EventConsumer]) -> None:
    """Each group's lag per assigned partition (high watermark - position), for ``/metrics``."""
    for consumer in consumers:
        lags: dict[tuple[str, int], int] = {}
        try:
            assigned = consumer.consumer.assignment()
            for position in consumer.consumer.position(assigned):
                _, high = consumer.consumer.get_watermark_offsets(position, timeout=5)
                if high >= 0 and position.offset >= 0:
                    lags[(position.topic, position.partition)] = max(0, high - position.offset)
        except KafkaException:
            continue  # the broker cannot be asked now; the next check tries again
        metrics.record_consumer_lag(consumer.group_id, lags)


class Command(BaseCommand):
    help = (
        "Consume the user, bank and payment topics (DESIGN.md §5), one consumer group each. "
        "Every message is parsed and validated against its topic's schema. Valid ones are "
        "recorded in the inbox (workflow_service.event_inbox), one INSERT per batch read, and "
        "each lane queue (kafka-events-N, by key) gets one kafka_bridge.tasks.handle_events "
        "Celery task naming its rows. Invalid ones go to <topic>.dlq with a dlq-error header. "
        "Event types a handler does not take are skipped. An offset is committed only after "
        "its message was handed off, dead-lettered or skipped. If PostgreSQL, Redis or Kafka "
        "is unavailable, the message is read again after a pause. Inbox rows older than "
        "KAFKA_INBOX_REDISPATCH_SECONDS (a task lost with a killed worker) are sent again. "
        "Topics without a registered handler are not subscribed, so "
        "their messages wait in Kafka. SIGTERM/SIGINT: finish the message in hand, commit, "
        "leave the group. Lane queues need workers that run one task at a time, e.g.: "
        f"{lanes.worker_command()}"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--group",
            choices=[*CONSUMER_GROUPS, "all"],
            default="all",
            help="which consumer group to run: user, bank, payment, or all of them (default)",
        )
        parser.add_argument(
            "--poll-timeout",
            type=float,
            default=1.0,
            help="seconds to wait for messages per poll (default 1.0); also the longest delay "
            "before a stop request is noticed",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="messages read per poll and committed together (default 500)",
        )

    def handle(
        self, *args: Any, group: str, poll_timeout: float, batch_size: int, **options: Any
    ) -> None:
        if poll_timeout <= 0 or batch_size < 1:
            raise CommandError("--poll-timeout must be > 0 and --batch-size >= 1")
        stop = StopFlag().install()
        names = list(CONSUMER_GROUPS) if group == "all" else [group]
        plan: list[tuple[str, list[str]]] = []
        for name in names:
            group_id, logical_topics = CONSUMER_GROUPS[name]
            topic_names = registry.handled_topic_names(logical_topics)
            missing = [t for t in logical_topics if not registry.has_handler(t)]
            if not topic_names:
                logger.warning(
                    "group %s skipped: no handler registered for %s", name, ", ".join(missing)
                )
                continue
            if missing:
                logger.warning("group %s: no handler yet for %s", name, ", ".join(missing))
            plan.append((conf.group_id(group_id), topic_names))
        if not plan:
            raise CommandError(f"no handler is registered for the topics of group(s) {names}")

        dlq_producer = make_producer()
        consumers = [
            EventConsumer(
                group_id=group_id,
                topic_names=topic_names,
                dlq_producer=dlq_producer,
                stop=stop,
                batch_size=batch_size,
            )
            for group_id, topic_names in plan
        ]
        for consumer in consumers:
            consumer.start()
        self.stdout.write(
            "consuming " + "; ".join(f"{g}: {', '.join(t)}" for g, t in plan) + " (Ctrl-C to stop)"
        )
        try:
            next_topic_check = 0.0
            while not stop.stopping:
                if time.monotonic() >= next_topic_check:  # for `manage.py liveness consumer`
                    liveness.record("consumer", {"missing_topics": _missing_topics(consumers)})
                    _record_lag(consumers)
                    next_topic_check = time.monotonic() + TOPIC_CHECK_SECONDS
                liveness.touch("consumer")
                for consumer in consumers:
                    close_old_connections()
                    consumer.step(poll_timeout / len(consumers))
                    if stop.stopping:
                        break
        finally:
            for consumer in consumers:
                consumer.close()
            dlq_producer.flush(10)
