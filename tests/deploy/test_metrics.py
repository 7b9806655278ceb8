"""``GET /metrics``: Prometheus text, behind a token, with latency, queries and the outbox."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from pytest_django.fixtures import Settings as SettingsWrapper

TOKEN = "metrics-token-for-tests"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return _samples(response.content.decode())


@pytest.fixture
def token(settings: SettingsWrapper) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_metrics_are_off_without_a_token_setting(client: Client, settings: SettingsWrapper) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client: Client, token: str) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


@pytest.mark.django_db
def test_request_latency_and_queries_are_recorded_per_route_and_status(
    client: Client, token: str
) -> None:
    labels = (("method", "GET"), ("route", "api-root"), ("status", "200"))
    before = _scrape(client).get(("workflow_http_request_duration_seconds_count", labels), 0)
    assert client.get("/api/v1/collection/").status_code == 200
    assert client.get("/api/v1/collection/agents").status_code == 401
    samples = _scrape(client)
    assert samples[("workflow_http_request_duration_seconds_count", labels)] == before + 1
    unauthorized = [
        key
        for key in samples
        if key[0] == "workflow_http_request_duration_seconds_count" and ("status", "401") in key[1]
    ]
    assert unauthorized
    assert any(key[0] == "workflow_http_request_db_queries_count" for key in samples)


@pytest.mark.django_db
def test_the_outbox_backlog_and_its_oldest_age_are_reported(client: Client, token: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.outbox_events"
            " (event_id, topic, message_key, payload, headers, created_at, attempts)"
            " VALUES (gen_random_uuid(), 't', 'k', '{}', '{}',"
            " LOCALTIMESTAMP - interval '120 seconds', 0)"
        )
    samples = _scrape(client)
    assert samples[("workflow_outbox_unpublished_events", ())] >= 1
    assert samples[("workflow_outbox_oldest_unpublished_age_seconds", ())] >= 119


@pytest.mark.django_db
def test_the_inbox_backlog_and_its_oldest_age_are_reported(client: Client, token: str) -> None:
    from django.db import connection

    assert _scrape(client)[("workflow_inbox_pending_events", ())] == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.event_inbox"
            " (event_id, topic, ordering_key, payload, received_at)"
            " VALUES (gen_random_uuid(), 't', 'k', '{}', LOCALTIMESTAMP - interval '90 seconds')"
        )
    samples = _scrape(client)
    assert samples[("workflow_inbox_pending_events", ())] == 1
    assert samples[("workflow_inbox_oldest_pending_age_seconds", ())] >= 89


@pytest.mark.django_db
def test_unreviewed_currency_mismatches_of_promises_are_counted(client: Client, token: str) -> None:
    from promises.mismatches import mismatches_review
    from promises.models import PromiseCurrencyMismatch
    from tests.factories import AgentFactory, LoanFactory
    from tests.promises import helpers

    key = ("workflow_promise_currency_mismatches_unreviewed", ())
    assert _scrape(client)[key] == 0
    loan = LoanFactory(currency="VND")
    helpers.promise(
        agent=AgentFactory(), cif=loan.customer_id, loan=loan.account_number, amount="5"
    )
    helpers.pay(cif=loan.customer_id, loan=loan.account_number, amount="5", currency="EUR")
    assert _scrape(client)[key] == 1
    mismatches_review(
        actor=helpers.ACTOR,
        mismatch_ids=PromiseCurrencyMismatch.objects.values_list("id", flat=True),
        note="Checked",
    )
    assert _scrape(client)[key] == 0


def test_celery_tasks_are_counted_by_name_and_outcome(client: Client, token: str) -> None:
    from workflow.tasks import heartbeat

    key = ("workflow_celery_tasks_total", (("outcome", "succeeded"), ("task", heartbeat.name)))
    # The outbox gauges need the database; count tasks from the registry text instead.
    from prometheus_client import generate_latest

    from workflow.metrics import CELERY_TASKS

    def count() -> float:
        text = generate_latest(_only(CELERY_TASKS)).decode()
        return _samples(text).get(key, 0.0)

    before = count()
    heartbeat.delay()  # eager in tests: runs here, through Celery's signals
    assert count() == before + 1
    assert re.search(r"workflow_celery_task_duration_seconds", generate_latest(_only()).decode())


def _only(*metrics: object) -> object:
    from prometheus_client import CollectorRegistry

    from workflow.metrics import CELERY_TASK_DURATION, CELERY_TASKS

    registry = CollectorRegistry()
    for metric in metrics or (CELERY_TASKS, CELERY_TASK_DURATION):
        registry.register(metric)  # type: ignore[arg-type]
    return registry


@pytest.mark.django_db
def test_dead_letters_and_the_report_views_refresh_age_are_reported(
    client: Client, token: str
) -> None:
    from django.db import connection

    from workflow.outbox import enqueue

    enqueue(topic="payment-service.payment.received.dlq", key="k", payload={"n": 1})
    enqueue(topic="payment-service.payment.received.dlq", key="k", payload={"n": 2})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflow_service.agent_performance")
        (view_rows,) = cursor.fetchone()
    samples = _scrape(client)
    dlq = ("workflow_dlq_events", (("topic", "payment-service.payment.received.dlq"),))
    assert samples[dlq] == 2
    if view_rows:  # an empty view has no refresh time to report
        assert samples[("workflow_report_views_refresh_age_seconds", ())] >= 0


@pytest.mark.django_db
def test_the_consumer_lag_recorded_by_the_consumer_is_reported(client: Client, token: str) -> None:
    from workflow.metrics import record_consumer_lag

    record_consumer_lag("workflow-service-payment-events", {("payments", 0): 7, ("payments", 1): 0})
    samples = _scrape(client)
    key = "workflow_consumer_lag_messages"
    group = ("group", "workflow-service-payment-events")
    assert samples[(key, (group, ("partition", "0"), ("topic", "payments")))] == 7
    assert samples[(key, (group, ("partition", "1"), ("topic", "payments")))] == 0


@pytest.mark.django_db
def test_performance_cache_hits_and_misses_are_counted(client: Client, token: str) -> None:
    import datetime as dt

    from reports.cache import cached_report

    def count(outcome: str) -> float:
        labels = (("cache", "performance"), ("outcome", outcome))
        return _scrape(client).get(("workflow_cache_lookups_total", labels), 0)

    hits, misses = count("hit"), count("miss")
    day = dt.date(2026, 3, 1)
    agent_id = uuid.uuid4()
    for _ in range(2):
        cached_report(agent_id=agent_id, version="v", start=day, end=day, compute=lambda: {"a": 1})
    assert count("miss") == misses + 1
    assert count("hit") == hits + 1
