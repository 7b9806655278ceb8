from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper


def test_healthz_answers_without_touching_any_backing_service(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_200_when_database_redis_and_kafka_are_reachable(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "kafka": "ok"}


@pytest.mark.django_db
def test_readyz_stays_200_and_reports_kafka_degraded_when_the_broker_is_unreachable(
    client: Client, settings: SettingsWrapper, unused_tcp_port: int
) -> None:
    # API writes go through the outbox: a broker outage must not pull web pods out of service.
    settings.KAFKA_BROKERS = f"127.0.0.1:{unused_tcp_port}"
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["failed"] == []
    assert body["degraded"] == ["kafka"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["kafka"].startswith("error")


@pytest.mark.django_db
def test_readyz_is_503_and_names_redis_when_redis_is_unreachable(
    client: Client, settings: SettingsWrapper, unused_tcp_port: int
) -> None:
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{unused_tcp_port}/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["failed"] == ["redis"]


def test_probes_answer_whatever_the_host_header(client: Client) -> None:
    # Kubernetes probes and Docker health checks use the pod's IP address as the host.
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:3003").status_code == 200
    assert client.get("/api/v1/collection/", HTTP_HOST="10.1.2.3:3003").status_code == 400


def test_the_api_root_and_its_openapi_docs_answer_without_a_token(client: Client) -> None:
    root = client.get("/api/v1/collection/")
    assert root.status_code == 200
    assert root.json()["success"] is True
    schema = client.get("/api/v1/collection/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert client.get("/api/v1/collection/docs/").status_code == 200
