from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reporting above the domain apps: agent and team performance, the collection status, the
    team dashboard, the performance cache."""

    name = "reports"
    verbose_name = "Reports"
