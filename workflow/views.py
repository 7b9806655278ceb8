"""Health endpoints and the API root."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from workflow.health import OPTIONAL_CHECKS, run_checks


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No authentication, no envelope."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 503 naming what failed when PostgreSQL or Redis is unreachable; 200 otherwise,
    with status "degraded" naming Kafka when only the broker is down (writes go to the outbox).
    """
    checks = run_checks()
    down = [name for name, result in checks.items() if result != "ok"]
    failed = [name for name in down if name not in OPTIONAL_CHECKS]
    degraded = [name for name in down if name in OPTIONAL_CHECKS]
    status = "unavailable" if failed else "degraded" if degraded else "ok"
    body = {"status": status, "checks": checks, "failed": failed, "degraded": degraded}
    return JsonResponse(body, status=503 if failed else 200)


@require_GET
def api_root(request: HttpRequest) -> JsonResponse:
    """Entry point of the collection API: where its documentation lives."""
    return JsonResponse(
        {
            "success": True,
            "data": {
                "name": "CollectionCRM workflow API",
                "version": "v1",
                "schema": request.build_absolute_uri("schema/"),
                "docs": request.build_absolute_uri("docs/"),
            },
            "message": "CollectionCRM workflow API",
            "errors": [],
        }
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Unknown URLs answer in the envelope (the API's clients read JSON, not HTML)."""
    return JsonResponse(
        {
            "success": False,
            "data": None,
            "message": f"No endpoint at {request.path}.",
            "errors": [{"code": "NOT_FOUND", "message": f"No endpoint at {request.path}."}],
        },
        status=404,
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "success": False,
            "data": None,
            "message": "An unexpected error occurred.",
            "errors": [{"code": "INTERNAL_ERROR", "message": "An unexpected error occurred."}],
        },
        status=500,
    )
