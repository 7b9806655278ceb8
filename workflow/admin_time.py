"""Admin pages read and write dates and times in the bank's time zone.

Timestamps are stored in UTC; a supervisor thinks in the bank's day. With this middleware the
whole admin (lists, forms, the date bar, the dashboard) renders and parses datetimes in
``BUSINESS_TIME_ZONE``; the API keeps serving UTC.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from workflow.business_time import business_zone


class AdminBusinessTimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        # Template responses are rendered inside get_response, so the zone covers rendering.
        with timezone.override(business_zone()):
            return self.get_response(request)
