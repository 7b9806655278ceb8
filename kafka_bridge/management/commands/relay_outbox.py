"""``manage.py relay_outbox``: the outbox relay process."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from kafka_bridge import conf
from kafka_bridge.clients import make_producer
from kafka_bridge.relay import ProducerFatalError, relay_once
from workflow import liveness
from workflow.runloop import StopFlag

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish committed outbox rows (workflow_service.outbox_events) to Kafka with an "
        "idempotent producer (acks=all), in id order per message key. A row is marked "
        "published only once the broker has acknowledged it. If the broker is down, rows stay "
        "unpublished, with attempts and last_error recorded, and the next sweep retries them. "
        "Safe to run next to the kafka_bridge.tasks.relay_outbox beat sweep and next to other "
        "relays, because rows are claimed with FOR UPDATE SKIP LOCKED. "
        "Stops on SIGTERM/SIGINT after the sweep in progress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="sweep until nothing is left to publish, then exit (for cron or a manual run)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between sweeps when the outbox is empty (default 1.0); a full batch "
            "is followed by the next sweep at once",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help=f"rows claimed per sweep (default OUTBOX_RELAY_BATCH, {conf.relay_batch()})",
        )

    def handle(
        self, *args: Any, once: bool, interval: float, batch: int | None, **options: Any
    ) -> None:
        size = batch if batch is not None else conf.relay_batch()
        if size < 1 or interval < 0:
            raise CommandError("--batch must be >= 1 and --interval >= 0")
        stop = StopFlag().install()
        producer = make_producer()
        total = 0
        failures = 0
        if not once:
            self.stdout.write("outbox relay running (Ctrl-C to stop)")
        logger.info("outbox relay started")
        try:
            while not stop.stopping:
                liveness.touch("relay")
                close_old_connections()
                try:
                    count = relay_once(producer, batch=size)
                    failures = 0
                except ProducerFatalError as exc:
                    logger.error("outbox relay: fatal producer error (%s); new producer", exc)
                    producer = make_producer()
                    count = 0
                except DatabaseError:
                    failures += 1
                    logger.exception("outbox relay: database error; retrying")
                    count = 0
                    if once:
                        raise
                total += count
                if count >= size:
                    continue  # a full batch: more may be waiting
                if once:
                    break
                stop.wait(interval if not failures else min(interval * 2**failures, 30.0))
        finally:
            producer.flush(10)
            logger.info("outbox relay stopped", extra={"published": total})
        if once:
            self.stdout.write(f"published {total} event(s)")
