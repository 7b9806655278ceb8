"""Database queries per request, counted in-process (Django's test client), outside timing."""

from __future__ import annotations

import json

from bench.load import Request


def count(request: Request) -> tuple[int, int]:
    """Send ``request`` through the whole Django stack here; return (status, queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {request.header: request.value} if request.header else {}
    body = json.dumps(request.body) if request.body is not None else ""
    with CaptureQueriesContext(connection) as captured:
        response = client.generic(
            request.method,
            request.path,
            data=body,
            content_type="application/json",
            headers=headers,
        )
    return response.status_code, len(captured.captured_queries)
