"""The health probes and /metrics, answered before host validation and the HTTPS redirect.

Kubernetes and Docker probe a container by its IP address (``Host: 10.1.2.3:3003``), which no
``ALLOWED_HOSTS`` lists, and over plain HTTP. These paths read nothing from the request, so
they are answered first, whatever the host; every other path goes through the full stack.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from workflow import views
from workflow.metrics import metrics_view

PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    # Prometheus scrapes each pod by its address too; the view checks METRICS_TOKEN.
    "/metrics": metrics_view,
}


class ProbeMiddleware:
    """First in ``MIDDLEWARE``: serves :data:`PROBES` without the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
