from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from workflow.admin_time import AdminBusinessTimeMiddleware


def zone_seen_by_view(path: str) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    AdminBusinessTimeMiddleware(view)(RequestFactory().get(path))
    return seen[0]


def test_admin_pages_run_in_the_banks_time_zone_and_the_api_in_utc() -> None:
    assert zone_seen_by_view("/admin/actions/actionrecord/") == "Asia/Ho_Chi_Minh"
    assert zone_seen_by_view("/api/v1/collection/agents") == "UTC"
    assert timezone.get_current_timezone_name() == "UTC"
