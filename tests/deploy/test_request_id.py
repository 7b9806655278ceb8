"""X-Request-ID: taken or made, returned, and on every JSON log line of the request."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from workflow.request_id import HEADER, RequestIdFilter, request_id


def test_a_well_formed_request_id_is_kept_and_returned(client: Client) -> None:
    response = client.get("/api/v1/collection/", HTTP_X_REQUEST_ID="gateway-42.a")
    assert response[HEADER] == "gateway-42.a"


@pytest.mark.parametrize("given", [None, "", "x" * 200, "bad id\n"])
def test_a_missing_or_malformed_request_id_is_replaced(client: Client, given: str | None) -> None:
    extra = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = client.get("/api/v1/collection/", **extra)
    assert len(response[HEADER]) == 32 and response[HEADER] != given


def test_every_json_log_line_of_the_request_carries_its_id(client: Client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_json_formatter())
    handler.addFilter(RequestIdFilter())
    access = logging.getLogger("workflow.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        client.get("/api/v1/collection/", HTTP_X_REQUEST_ID="req-7")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["request_id"] == "req-7" for line in lines)
    assert lines[-1]["status"] == 200 and lines[-1]["path"] == "/api/v1/collection/"


def _json_formatter() -> logging.Formatter:
    """The formatter the settings give the console handler (LOG_FORMAT=json)."""
    from pythonjsonlogger.json import JsonFormatter

    logging_config: dict[str, Any] = settings.LOGGING
    config = logging_config["formatters"]["json"]
    return JsonFormatter(config["fmt"], rename_fields=config["rename_fields"])


def test_logging_outside_a_request_has_no_id() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    assert RequestIdFilter().filter(record)
    assert not hasattr(record, "request_id")


def test_a_task_queued_in_a_request_carries_the_id_in_its_headers() -> None:
    from celery import signals

    headers: dict[str, str] = {}
    token = request_id.set("req-9")
    try:
        signals.before_task_publish.send(sender="t", headers=headers, body=None)
    finally:
        request_id.reset(token)
    assert headers["request_id"] == "req-9"


def test_celery_keeps_the_json_logging_of_the_settings() -> None:
    from collectioncrm.celery import app

    root = logging.getLogger()
    handlers = list(root.handlers)
    app.log.setup_logging_subsystem(loglevel="INFO")
    assert root.handlers == handlers
    assert app.conf.worker_hijack_root_logger is False


@pytest.mark.django_db
def test_an_event_written_during_a_request_carries_its_request_id() -> None:
    from workflow.outbox import enqueue
    from workflow.request_id import request_id

    token = request_id.set("req-outbox-1")
    try:
        row = enqueue(topic="t", key="k", payload={"n": 1})
    finally:
        request_id.reset(token)
    outside = enqueue(topic="t", key="k", payload={"n": 2})
    assert row.headers["request-id"] == "req-outbox-1"
    assert "request-id" not in outside.headers
