"""Middleware of the API: ``X-HTTP-Method-Override`` (the CRM frontend sends every PUT as a
POST with this header), the refusal of NUL bytes in paths and query strings, and Django's
messages kept to the pages that show them."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from workflow.api.envelope import error_body

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


def _nul_parameter(request: HttpRequest) -> str | None:
    """The name of the path or query parameter holding a NUL byte, if any (a path that matches
    no route is left to answer 404)."""
    if "\x00" in request.path_info:
        try:
            kwargs = resolve(request.path_info).kwargs
        except Resolver404:
            return None
        return next((k for k, v in kwargs.items() if "\x00" in str(v)), "path")
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "\\x00")
    return None


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith((f"/{settings.API_PREFIX}", "/api/"))


class MessagesOutsideApiMiddleware(MessageMiddleware):
    """Django's messages (the admin's "was changed successfully"), not set up for API requests.

    No API response shows a message, yet the stock middleware builds a cookie-and-session store
    for every request: about 3 % of a cached API read's processor time."""

    def process_request(self, request: HttpRequest) -> None:
        if not is_api_path(request):
            super().process_request(request)


class NulByteMiddleware:
    """A NUL byte in an API request's path or query string is a 400 naming the parameter.

    PostgreSQL text cannot hold NUL, so no row could match one; passed on, the query would fail
    inside the database driver. (JSON bodies are checked by their serializers' fields.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request):
            name = _nul_parameter(request)
            if name is not None:
                message = f"{name}: Must not contain NUL bytes."
                error = {"code": "VALIDATION_ERROR", "message": message, "field": name}
                return HttpResponse(
                    json.dumps(error_body(message, [error]), separators=(",", ":")),
                    status=400,
                    content_type="application/json",
                )
        return self.get_response(request)
