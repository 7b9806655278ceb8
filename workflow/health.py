"""Readiness checks of the backing services: PostgreSQL, Redis and Kafka.

The web process needs PostgreSQL and Redis to answer; Kafka it does not (API writes put their
events in the outbox, which the relay publishes when the broker is back), so a broker outage
makes it *degraded*, never unready. The consumer and the relay watch Kafka themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from confluent_kafka.admin import AdminClient
from django.conf import settings
from django.db import connection
from django_redis import get_redis_connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM workflow_service.agents LIMIT 1")


def check_redis() -> None:
    get_redis_connection("default").ping()


def check_kafka() -> None:
    admin = AdminClient(
        {
            "bootstrap.servers": settings.KAFKA_BROKERS,
            "client.id": f"{settings.KAFKA_CLIENT_ID}-readyz",
            "socket.timeout.ms": int(CHECK_TIMEOUT_SECONDS * 1000),
            # The failure is reported in the check result; librdkafka need not repeat it.
            "log_level": 0,
        }
    )
    metadata = admin.list_topics(timeout=CHECK_TIMEOUT_SECONDS)
    if not metadata.brokers:
        raise ConnectionError("no broker in the cluster metadata")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "kafka": check_kafka,
}


# Checks whose failure leaves the web process able to serve (it is reported as degraded).
OPTIONAL_CHECKS = frozenset({"kafka"})


def run_checks() -> dict[str, str]:
    """Run every check; return ``{name: "ok" | "error: <reason>"}``."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # a readiness probe reports every failure, whatever its kind
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
            results[name] = f"error: {type(exc).__name__}: {exc}"
        else:
            results[name] = "ok"
    return results
