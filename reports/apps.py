from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reporting above the domain apps: agent and team performance, the collection status."""

    name = "reports"
