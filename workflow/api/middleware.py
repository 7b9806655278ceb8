"""``X-HTTP-Method-Override``: the CRM frontend sends every PUT as a POST with this header."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

OVERRIDABLE = frozenset({"PUT", "PATCH"})


class MethodOverrideMiddleware:
    """Treat ``POST`` + ``X-HTTP-Method-Override: PUT`` (or PATCH) as that method."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        override = request.headers.get("X-HTTP-Method-Override", "").strip().upper()
        if request.method == "POST" and override in OVERRIDABLE:
            request.method = override
        return self.get_response(request)
