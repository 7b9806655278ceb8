"""Configuration: one settings module read from the environment, documented in the README."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from collectioncrm import env
from tests.deploy.config_table import code_variables, readme_variables
from tests.deploy.helpers import django_json, run_django

SHOW_SETTINGS = """
import json
from django.conf import settings
names = [
    "DATABASES", "CACHES", "API_PREFIX", "ALLOWED_HOSTS", "KAFKA_SESSION_TIMEOUT_MS",
    "KAFKA_HEARTBEAT_INTERVAL_MS", "KAFKA_AUTO_CREATE_TOPICS", "KAFKA_METADATA_REFRESH_MS",
    "KAFKA_DELIVERY_TIMEOUT_MS", "KAFKA_USER_CREATED_TOPIC", "KAFKA_HANDLER_RETRY_SECONDS",
]
print(json.dumps({name: getattr(settings, name) for name in names}, default=str))
"""


def test_every_variable_the_code_reads_is_in_the_readme_table_and_back() -> None:
    code, readme = code_variables(), readme_variables()
    assert code - readme == set(), "read by the code but missing from README's table"
    assert readme - code == set(), "in README's table but read by no code"


def test_the_plans_db_and_redis_variables_build_the_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "DB_PORT", "REDIS_PASSWORD", "REDIS_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DB_HOST", "postgres")
    monkeypatch.setenv("DB_USERNAME", "postgres")
    monkeypatch.setenv("DB_PASSWORD", "p@ss/word")
    monkeypatch.setenv("DB_DATABASE", "collectioncrm")
    monkeypatch.setenv("REDIS_HOST", "redis")
    monkeypatch.setenv("REDIS_PORT", "6379")
    assert env.service_urls_from_parts() == {
        "DATABASE_URL": "postgres://postgres:p%40ss%2Fword@postgres:5432/collectioncrm",
        "REDIS_URL": "redis://redis:6379/0",
    }


def test_the_urls_win_over_the_separate_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/x")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/1")
    monkeypatch.setenv("DB_HOST", "postgres")
    monkeypatch.setenv("REDIS_HOST", "redis")
    assert env.service_urls_from_parts() == {}


def test_a_db_part_without_its_host_is_an_error_naming_db_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DB_HOST", raising=False)
    monkeypatch.setenv("DB_PORT", "5432")
    with pytest.raises(ImproperlyConfigured, match="DB_HOST"):
        env.service_urls_from_parts()
    monkeypatch.setenv("DB_HOST", "postgres")
    monkeypatch.setenv("DB_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="DB_PORT"):
        env.service_urls_from_parts()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/api/v1/collection", "api/v1/collection/"),
        ("/api/v1/collection/", "api/v1/collection/"),
        ("/workflow", "workflow/"),
    ],
)
def test_it_reads_an_api_prefix(monkeypatch: pytest.MonkeyPatch, raw: str, expected: str) -> None:
    monkeypatch.setenv("X_PREFIX", raw)
    assert env.env_url_prefix("X_PREFIX", "/unused") == expected


@pytest.mark.parametrize("raw", ["api/v1", "/", "//api", "/api//v1", "/api v1", "/api/*", "/a?b"])
def test_it_rejects_a_malformed_api_prefix(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("X_PREFIX", raw)
    with pytest.raises(ImproperlyConfigured, match="X_PREFIX"):
        env.env_url_prefix("X_PREFIX", "/unused")


def test_a_malformed_api_prefix_stops_the_process_naming_the_variable() -> None:
    result = run_django("print('started')", API_PREFIX="api/v1/collection")
    assert result.returncode != 0
    assert "API_PREFIX" in result.stderr


def test_the_compose_files_variables_configure_database_and_redis() -> None:
    shown = django_json(
        SHOW_SETTINGS,
        DATABASE_URL="",
        REDIS_URL="",
        DB_HOST="postgres",
        DB_PORT="5432",
        DB_USERNAME="postgres",
        DB_PASSWORD="admin_password",
        DB_DATABASE="collectioncrm",
        REDIS_HOST="redis",
        REDIS_PORT="6379",
    )
    database = shown["DATABASES"]["default"]
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "postgres",
        5432,
        "collectioncrm",
    )
    assert (database["USER"], database["PASSWORD"]) == ("postgres", "admin_password")
    assert shown["CACHES"]["default"]["LOCATION"] == "redis://redis:6379/0"


def test_kafka_timeouts_default_to_real_cluster_values_outside_the_dev_stack() -> None:
    shown = django_json(SHOW_SETTINGS)
    assert shown["KAFKA_SESSION_TIMEOUT_MS"] == 45_000
    assert shown["KAFKA_HEARTBEAT_INTERVAL_MS"] == 3_000
    assert shown["KAFKA_AUTO_CREATE_TOPICS"] is False
    assert shown["KAFKA_METADATA_REFRESH_MS"] == 10_000


def test_kafka_settings_are_read_from_the_environment() -> None:
    shown = django_json(
        SHOW_SETTINGS,
        KAFKA_SESSION_TIMEOUT_MS="30000",
        KAFKA_USER_CREATED_TOPIC="users.created",
        KAFKA_HANDLER_RETRY_SECONDS="1.5",
        KAFKA_DELIVERY_TIMEOUT_MS="60000",
    )
    assert shown["KAFKA_SESSION_TIMEOUT_MS"] == 30_000
    assert shown["KAFKA_USER_CREATED_TOPIC"] == "users.created"
    assert shown["KAFKA_HANDLER_RETRY_SECONDS"] == 1.5
    assert shown["KAFKA_DELIVERY_TIMEOUT_MS"] == 60_000


def test_a_bad_kafka_value_stops_the_process_naming_the_variable() -> None:
    result = run_django("print('started')", KAFKA_SESSION_TIMEOUT_MS="6s")
    assert result.returncode != 0
    assert "KAFKA_SESSION_TIMEOUT_MS" in result.stderr


def test_the_embedded_broker_gets_tansu_tuned_consumer_settings() -> None:
    from django.conf import settings

    # The test run uses the dev stack's broker unless KAFKA_BROKERS points elsewhere.
    from collectioncrm.settings import EMBEDDED

    if "kafka" not in EMBEDDED:
        pytest.skip("KAFKA_BROKERS points at a real broker")
    assert settings.KAFKA_SESSION_TIMEOUT_MS == 6_000
    assert settings.KAFKA_HEARTBEAT_INTERVAL_MS == 500
    assert settings.KAFKA_AUTO_CREATE_TOPICS is True


def test_every_api_route_the_schema_and_the_docs_move_with_the_api_prefix() -> None:
    shown = django_json(
        """
import json
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
schema = SchemaGenerator().get_schema(request=None, public=True)
print(json.dumps({
    "root": reverse("api-root"), "schema": reverse("api-schema"), "docs": reverse("api-docs"),
    "paths": sorted(schema["paths"]),
}))
""",
        API_PREFIX="/crm/workflow",
    )
    assert shown["root"] == "/crm/workflow/"
    assert shown["schema"] == "/crm/workflow/schema/"
    assert shown["docs"] == "/crm/workflow/docs/"
    collection = [path for path in shown["paths"] if not path.startswith("/api/v1/auth/")]
    assert collection, shown["paths"]
    assert all(path.startswith("/crm/workflow/") for path in collection), collection
    assert "/crm/workflow/agents" in " ".join(collection)


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_sentry_is_off_by_default_and_on_with_a_dsn() -> None:
    show = "import json, sentry_sdk\nprint(json.dumps(sentry_sdk.get_client().is_active()))"
    assert django_json(show) is False
    assert django_json(show, SENTRY_DSN="http://public@127.0.0.1:9/1") is True
