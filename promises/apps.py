from __future__ import annotations

from django.apps import AppConfig


class PromisesConfig(AppConfig):
    name = "promises"
    verbose_name = "Promises to pay"
