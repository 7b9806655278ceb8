"""``manage.py relay_outbox``: the outbox relay process."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import Producer
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kafka_bridge.runloop import StopFlag

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish committed outbox rows to Kafka. The outbox table arrives with the Kafka "
        "bridge issue; until then the relay connects to the broker, keeps its producer "
        "alive and idles. Stops on SIGTERM/SIGINT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between sweeps (default 1.0)"
        )

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        stop = StopFlag().install()
        producer = Producer(
            {
                "bootstrap.servers": settings.KAFKA_BROKERS,
                "client.id": settings.KAFKA_CLIENT_ID,
                "enable.idempotence": True,
                "acks": "all",
                "retries": 8,
                "retry.backoff.ms": 100,
            }
        )
        self.stdout.write("outbox relay running (Ctrl-C to stop)")
        logger.info("outbox relay started")
        try:
            while not stop.wait(interval):
                close_old_connections()
                producer.poll(0)
        finally:
            producer.flush(10)
            logger.info("outbox relay stopped")
