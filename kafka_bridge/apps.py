from __future__ import annotations

from django.apps import AppConfig


class KafkaBridgeConfig(AppConfig):
    name = "kafka_bridge"
    verbose_name = "Kafka bridge"

    def ready(self) -> None:
        # Register the handlers of every consumed topic in kafka_bridge.registry, in the
        # consumer and in the Celery workers alike.
        from kafka_bridge import handlers  # noqa: F401
