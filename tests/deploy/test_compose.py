"""docker-compose.yml checked against what the application reads (no Docker engine runs here)."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
from celery import Celery
from django.core.management import get_commands

from kafka_bridge.lanes import lane_queues
from tests.deploy import compose
from tests.deploy.config_table import code_variables
from tests.deploy.helpers import PRODUCTION_ENV, django_json

APP_SERVICES = ("workflow-service", "worker", "events", "beat", "consumer", "relay")
BACKING = {"postgres": "postgres:15", "redis": "redis:7", "kafka": "apache/kafka:"}
# DESIGN.md §6: the plan's environment block, taken unchanged.
PLAN_ENVIRONMENT = {
    "PORT": "3003",
    "API_PREFIX": "/api/v1/collection",
    "DB_HOST": "postgres",
    "DB_PORT": "5432",
    "DB_USERNAME": "postgres",
    "DB_PASSWORD": "admin_password",
    "DB_DATABASE": "collectioncrm",
    "KAFKA_BROKERS": "kafka:9092",
    "REDIS_HOST": "redis",
    "REDIS_PORT": "6379",
    "AUTH_SERVICE_URL": "http://auth-service:3000",
}
# Set by the plan's block but never read: tokens are checked here with JWT_SECRET and the
# session in Redis, without calling the auth service.
SET_BUT_UNUSED = {"AUTH_SERVICE_URL"}


@pytest.fixture(scope="module")
def env_file() -> dict[str, str]:
    values = compose.dotenv(compose.ROOT / ".env.example")
    return {**values, "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "JWT_SECRET": "j" * 40}


@pytest.fixture(scope="module")
def services(env_file: dict[str, str]) -> dict[str, Any]:
    return compose.load(env_file)["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in service["environment"].items()}


def _command_line(command: list[str] | str) -> list[list[str]]:
    """The commands of a compose ``command``/healthcheck (``sh -c "a && b"`` split)."""
    parts = shlex.split(command) if isinstance(command, str) else list(command)
    if parts[:1] == ["CMD-SHELL"]:
        parts = ["sh", "-c", parts[1]]
    elif parts[:1] == ["CMD"]:
        parts = parts[1:]
    if parts[:2] == ["sh", "-c"]:
        return [shlex.split(step) for step in parts[2].split("&&")]
    return [parts]


def _assert_runs(argv: list[str], port: str) -> None:
    """``argv`` is something the image can run: a manage.py command, the Celery app, ..."""
    manage_commands = get_commands()
    if argv[:2] == ["python", "manage.py"]:
        assert argv[2] in manage_commands, f"no manage.py command {argv[2]}"
        if argv[2] == "liveness":
            assert argv[3] in ("consumer", "relay", "beat")
    elif argv[:1] == ["celery"]:
        assert argv[1:3] == ["-A", "collectioncrm"]
        from collectioncrm.celery import app

        assert isinstance(app, Celery)
        assert argv[3] in ("worker", "beat", "inspect")
        if "-Q" in argv:
            queues = argv[argv.index("-Q") + 1].split(",")
            assert set(queues) <= {"celery", *lane_queues()}, queues
    elif argv[:2] == ["python", "-c"]:
        urls = re.findall(r"http://127\.0\.0\.1:(\d+)(/\w+)", argv[2])
        assert urls == [(port, "/healthz")], argv[2]
    elif argv[:1] == ["gunicorn"]:
        assert argv[1] == "collectioncrm.wsgi"
    else:
        raise AssertionError(f"unknown command {argv}")


def test_the_web_service_is_the_plans_workflow_service_on_3003(services: dict[str, Any]) -> None:
    web = services["workflow-service"]
    assert web["ports"] == ["3003:3003"]
    environment = _environment(web)
    assert {name: environment[name] for name in PLAN_ENVIRONMENT} == PLAN_ENVIRONMENT
    assert "command" not in web  # the image's gunicorn, bound to $PORT by gunicorn.conf.py


def test_every_variable_set_is_read_by_the_application(services: dict[str, Any]) -> None:
    read = code_variables()
    for name in APP_SERVICES:
        unread = set(_environment(services[name])) - read - SET_BUT_UNUSED
        assert unread == set(), f"{name} sets variables nothing reads: {unread}"


def test_the_compose_environment_configures_the_settings_completely(
    services: dict[str, Any],
) -> None:
    environment = {**_environment(services["workflow-service"]), "EMBEDDED_SERVICES": ""}
    shown = django_json(
        "import json\nfrom django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps([db['HOST'], db['PORT'], settings.REDIS_URL, settings.KAFKA_BROKERS,"
        " settings.EMBEDDED, settings.API_PREFIX, settings.KAFKA_TOPIC_REPLICATION_FACTOR]))",
        DATABASE_URL="",
        REDIS_URL="",
        **environment,
    )
    assert shown == [
        "postgres",
        5432,
        "redis://redis:6379/0",
        "kafka:9092",
        [],
        "api/v1/collection/",
        1,
    ]


def test_every_required_secret_has_a_line_in_env_example() -> None:
    example = compose.dotenv(compose.ROOT / ".env.example")
    assert compose.required_variables() <= set(example)
    with pytest.raises(KeyError, match="SECRET_KEY"):
        compose.load({})


def test_every_command_and_health_check_exists(services: dict[str, Any]) -> None:
    port = _environment(services["workflow-service"])["PORT"]
    for name in (*APP_SERVICES, "migrate"):
        service = services[name]
        for argv in _command_line(service.get("command", ["gunicorn", "collectioncrm.wsgi"])):
            _assert_runs(argv, port)
        if name != "migrate":
            for argv in _command_line(service["healthcheck"]["test"]):
                _assert_runs(argv, port)


def test_the_migrate_step_migrates_then_creates_topics(services: dict[str, Any]) -> None:
    steps = _command_line(services["migrate"]["command"])
    assert [step[2] for step in steps] == ["migrate", "ensure_topics"]
    assert services["migrate"]["restart"] == "no"


def test_app_services_wait_for_migrate_and_restart_and_are_health_checked(
    services: dict[str, Any],
) -> None:
    for name in APP_SERVICES:
        service = services[name]
        condition = service["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
    for name, image in BACKING.items():
        assert services[name]["image"].startswith(image), name
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name


def test_the_lane_worker_serves_every_lane_queue(services: dict[str, Any]) -> None:
    argv = _command_line(services["events"]["command"])[0]
    assert argv[argv.index("-Q") + 1].split(",") == lane_queues()
    assert argv[argv.index("--pool") + 1] == "solo"
