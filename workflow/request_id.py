"""The request id: taken from ``X-Request-ID`` (or made), returned, and put on every log line.

The id lives in a context variable for the duration of the request. :class:`RequestIdFilter`
(installed on the console handler) adds it to each log record as ``request_id``, and Celery
tasks queued during the request carry it in their headers, so the worker's log lines of that
task carry it too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_logger = logging.getLogger("workflow.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records logged while a request (or its task) is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current is not None and not hasattr(record, "request_id"):
            record.request_id = current
        return True


class RequestIdMiddleware:
    """Takes a well-formed ``X-Request-ID`` or makes one, returns it, and logs the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        current = given if _VALID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = current
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)


def connect_celery_signals() -> None:
    """Carry the request id from the code that queues a task to the worker that runs it."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def add_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        current = request_id.get()
        if current is not None and headers is not None:
            headers.setdefault("request_id", current)

    tokens: dict[str, Token[str | None]] = {}

    @signals.task_prerun.connect(weak=False)
    def restore(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
        carried = getattr(getattr(task, "request", None), "request_id", None)
        if task_id and isinstance(carried, str) and _VALID.fullmatch(carried):
            tokens[task_id] = request_id.set(carried)

    @signals.task_postrun.connect(weak=False)
    def clear(task_id: str | None = None, **kwargs: Any) -> None:
        token = tokens.pop(task_id or "", None)
        if token is not None:
            request_id.reset(token)
