"""The handlers of every consumed topic, one module per producing service.

Importing this package registers them in :mod:`kafka_bridge.registry` (``KafkaBridgeConfig.ready``
does, in the consumer and in the Celery workers alike). Each handler validates nothing itself
(the consumer checked the schema) and calls domain services: the bridge depends on the domain,
never the reverse.
"""

from __future__ import annotations

from kafka_bridge.handlers import bank, payments, users

__all__ = ["bank", "payments", "users"]
