from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KafkaBridgeConfig(AppConfig):
    name = "kafka_bridge"
    verbose_name = "Kafka bridge"

    def ready(self) -> None:
        # Register every app's Kafka handlers (``<app>/handlers.py``) in kafka_bridge.registry,
        # in the consumer and in the Celery workers alike.
        autodiscover_modules("handlers")
