"""Prometheus metrics: ``GET /metrics`` in the text format, for the web, worker and beat processes.

Under gunicorn (several worker processes) and Celery's prefork pool, set
``PROMETHEUS_MULTIPROC_DIR`` (the image does): every process writes its samples there and a
scrape adds them up. ``/metrics`` answers only with ``Authorization: Bearer $METRICS_TOKEN``
and is off (404) while ``METRICS_TOKEN`` is unset.

Recorded here: HTTP latency per route name, method and status; database queries per request;
Celery tasks by name and outcome, with durations; and, read from PostgreSQL at scrape time,
the outbox backlog and the age of its oldest unpublished event, and the payments passed over
for a promise because of their currency that no supervisor reviewed yet.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

# prometheus_client picks its multi-process mode when imported: the folder must exist first.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

HTTP_LATENCY = Histogram(
    "workflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name, method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_DB_QUERIES = Histogram(
    "workflow_http_request_db_queries",
    "Database queries run to answer an HTTP request, by route name.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100),
)
CELERY_TASKS = Counter(
    "workflow_celery_tasks_total",
    "Celery tasks run, by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
CELERY_TASK_DURATION = Histogram(
    "workflow_celery_task_duration_seconds",
    "Run time of Celery tasks, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300),
)


CACHE_LOOKUPS = Counter(
    "workflow_cache_lookups_total",
    "Lookups of cached answers (performance reports, list pages), by cache and outcome.",
    ["cache", "outcome"],
)

# Where the consumer process leaves its per-partition lag for the web's /metrics to read (the
# consumer serves no HTTP): one cache entry per consumer group, refreshed every 30 s.
CONSUMER_LAG_KEY = "metrics:consumer-lag:{group}"
CONSUMER_LAG_SECONDS = 120


def record_consumer_lag(group: str, lags: dict[tuple[str, int], int]) -> None:
    """Store ``{(topic, partition): lag}`` of ``group`` for :class:`ConsumerLagCollector`; a
    cache failure is logged, never raised (metrics must not stop the consumer)."""
    try:
        caches["default"].set(
            CONSUMER_LAG_KEY.format(group=group),
            [[topic, partition, lag] for (topic, partition), lag in sorted(lags.items())],
            timeout=CONSUMER_LAG_SECONDS,
        )
    except Exception as exc:
        logger.warning("consumer lag not recorded", extra={"error": str(exc)})


class ConsumerLagCollector(Collector):
    """Consumer lag per group, topic and partition, as the consumer last recorded it."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        lag = GaugeMetricFamily(
            "workflow_consumer_lag_messages",
            "Messages of a partition not yet consumed (high watermark - position).",
            labels=["group", "topic", "partition"],
        )
        try:
            cache = caches["default"]
            keys = cache.keys(CONSUMER_LAG_KEY.format(group="*"))  # type: ignore[attr-defined]
            entries = cache.get_many(keys)
        except Exception as exc:
            logger.warning("consumer lag unavailable", extra={"error": str(exc)})
            return
        prefix = CONSUMER_LAG_KEY.format(group="")
        for key, rows in sorted(entries.items()):
            for topic, partition, value in rows:
                lag.add_metric([key.removeprefix(prefix), topic, str(partition)], float(value))
        yield lag


class OutboxCollector(Collector):
    """The outbox backlog, read from PostgreSQL when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = GaugeMetricFamily(
            "workflow_outbox_unpublished_events", "Outbox events not yet published to Kafka."
        )
        oldest = GaugeMetricFamily(
            "workflow_outbox_oldest_unpublished_age_seconds",
            "Age of the oldest outbox event not yet published (0 when none).",
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*),"
                    " COALESCE(EXTRACT(EPOCH FROM LOCALTIMESTAMP - min(created_at)), 0)"
                    " FROM workflow_service.outbox_events WHERE published_at IS NULL"
                )
                count, age = cursor.fetchone()
                # Dead letters go out through the outbox to <topic>.dlq: the rows kept
                # (OUTBOX_RETENTION_DAYS) are the DLQ's recent size, per topic.
                cursor.execute(
                    "SELECT topic, count(*) FROM workflow_service.outbox_events"
                    " WHERE topic LIKE '%%.dlq' GROUP BY topic ORDER BY topic"
                )
                dead_letters = cursor.fetchall()
                cursor.execute(
                    "SELECT EXTRACT(EPOCH FROM LOCALTIMESTAMP - max(refreshed_at))"
                    " FROM workflow_service.agent_performance"
                )
                view_age = cursor.fetchone()[0]
        except DatabaseError as exc:  # the other metrics are still worth a scrape
            logger.warning("outbox metrics unavailable", extra={"error": str(exc)})
            return
        backlog.add_metric([], float(count))
        oldest.add_metric([], max(0.0, float(age)))
        yield backlog
        yield oldest
        dlq = GaugeMetricFamily(
            "workflow_dlq_events",
            "Dead letters written to <topic>.dlq within the outbox retention, by DLQ topic.",
            labels=["topic"],
        )
        for topic, dead in dead_letters:
            dlq.add_metric([topic], float(dead))
        yield dlq
        if view_age is not None:  # an empty view (no active agents) has no refresh time
            yield GaugeMetricFamily(
                "workflow_report_views_refresh_age_seconds",
                "Seconds since the reporting materialized views were last refreshed.",
                value=max(0.0, float(view_age)),
            )


class PromiseMismatchCollector(Collector):
    """Currency mismatches of promises awaiting review (``promises.mismatches``), read when
    scraped from the table by SQL: the core imports no domain app."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM workflow_service.promise_currency_mismatches"
                    " WHERE reviewed_at IS NULL"
                )
                unreviewed = cursor.fetchone()[0]
        except DatabaseError as exc:
            logger.warning("promise metrics unavailable", extra={"error": str(exc)})
            return
        yield GaugeMetricFamily(
            "workflow_promise_currency_mismatches_unreviewed",
            "Payments not applied to a pending promise because of their currency, not yet "
            "reviewed by a supervisor (admin: Promises > Currency mismatches).",
            value=float(unreviewed),
        )


class InboxCollector(Collector):
    """Consumed events recorded in the inbox and not yet applied (``kafka_bridge.inbox``), read
    when scraped: a backlog that grows or ages means the lane workers are down or behind."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*),"
                    " COALESCE(EXTRACT(EPOCH FROM LOCALTIMESTAMP - min(received_at)), 0)"
                    " FROM workflow_service.event_inbox"
                )
                count, age = cursor.fetchone()
        except DatabaseError as exc:
            logger.warning("inbox metrics unavailable", extra={"error": str(exc)})
            return
        yield GaugeMetricFamily(
            "workflow_inbox_pending_events",
            "Consumed events whose offset is committed, recorded in the inbox, not yet applied.",
            value=float(count),
        )
        yield GaugeMetricFamily(
            "workflow_inbox_oldest_pending_age_seconds",
            "Age of the oldest inbox event not yet applied (0 when none).",
            value=max(0.0, float(age)),
        )


def registry() -> CollectorRegistry:
    """What one scrape reports: every process's samples, plus the database-read gauges."""
    scrape = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(scrape)
    else:
        for metric in (
            HTTP_LATENCY,
            HTTP_DB_QUERIES,
            CELERY_TASKS,
            CELERY_TASK_DURATION,
            CACHE_LOOKUPS,
        ):
            scrape.register(metric)
    scrape.register(OutboxCollector())
    scrape.register(ConsumerLagCollector())
    scrape.register(PromiseMismatchCollector())
    scrape.register(InboxCollector())
    return scrape


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: off without ``METRICS_TOKEN``; otherwise only with that bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("metrics are disabled (METRICS_TOKEN is unset)\n", status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("a valid bearer token is required\n", status=401)
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Times each request and counts its database queries, labelled by route name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(*args)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        match = request.resolver_match
        route = (match.view_name or match.route) if match else "unmatched"
        HTTP_LATENCY.labels(route, request.method or "", str(response.status_code)).observe(
            time.perf_counter() - started
        )
        HTTP_DB_QUERIES.labels(route).observe(queries)
        return response


def connect_celery_signals() -> None:
    """Count Celery tasks and time them, and serve the worker's metrics on
    ``WORKER_METRICS_PORT`` (called by the Celery app)."""
    from celery import signals

    started: dict[str, float] = {}

    @signals.worker_ready.connect(weak=False)
    def serve(**kwargs: Any) -> None:
        if settings.WORKER_METRICS_PORT:
            from prometheus_client import start_http_server

            start_http_server(settings.WORKER_METRICS_PORT, registry=registry())

    @signals.task_prerun.connect(weak=False)
    def on_start(task_id: str | None = None, **kwargs: Any) -> None:
        if task_id:
            started[task_id] = time.perf_counter()

    @signals.task_postrun.connect(weak=False)
    def on_end(
        task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
    ) -> None:
        name = getattr(task, "name", "unknown")
        begun = started.pop(task_id or "", None)
        if begun is not None:
            CELERY_TASK_DURATION.labels(name).observe(time.perf_counter() - begun)
        outcome = {"SUCCESS": "succeeded", "RETRY": "retried"}.get(state or "", "failed")
        CELERY_TASKS.labels(name, outcome).inc()
