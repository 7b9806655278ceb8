"""Celery beat entries of the Kafka bridge, for the lead to merge into ``CELERY_BEAT_SCHEDULE``::

    from kafka_bridge.schedule import BEAT_SCHEDULE as KAFKA_BRIDGE_BEAT_SCHEDULE
    CELERY_BEAT_SCHEDULE.update(KAFKA_BRIDGE_BEAT_SCHEDULE)

The relay sweep complements ``manage.py relay_outbox`` (both may run: rows are claimed with
``SKIP LOCKED``); it expires when a worker could not start it in time, so sweeps never pile up.
Crontab hours are UTC (``CELERY_TIMEZONE``): 20:xx UTC is the small hours in Vietnam.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "kafka-bridge-relay-outbox": {
        "task": "kafka_bridge.tasks.relay_outbox",
        "schedule": 5.0,
        "options": {"expires": 5.0},
    },
    "kafka-bridge-purge-processed-events": {
        "task": "kafka_bridge.tasks.purge_processed_events",
        "schedule": crontab(hour=20, minute=17),
    },
    "kafka-bridge-purge-published-outbox": {
        "task": "kafka_bridge.tasks.purge_published_outbox",
        "schedule": crontab(hour=20, minute=47),
    },
}
