from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for development (``manage.py seed_demo``): it writes every app's tables, so it
    sits above them all."""

    name = "demo"
    verbose_name = "Demo data"
