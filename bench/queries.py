"""Database queries per request, counted in-process (Django's test client), outside timing."""

from __future__ import annotations

import json
from typing import Any

from bench.load import Request


def send(client: Any, request: Request) -> int:
    """Send ``request`` through the whole Django stack with the test ``client``; its status."""
    headers = {request.header: request.value} if request.header else {}
    body = json.dumps(request.body) if request.body is not None else ""
    response = client.generic(
        request.method, request.path, data=body, content_type="application/json", headers=headers
    )
    return int(response.status_code)


def count(request: Request) -> tuple[int, int]:
    """Send ``request`` through the whole Django stack here; return (status, queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        status = send(Client(), request)
    return status, len(captured.captured_queries)
