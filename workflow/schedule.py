"""Celery beat entries of the workflow core, merged into ``CELERY_BEAT_SCHEDULE`` by settings.

| variable | default | meaning |
|---|---|---|
| `PARTITIONS_AHEAD_QUARTERS` | `4` | quarters of partitions kept past the current one |
| `REPORTS_REFRESH_MINUTES` | `15` | period of the materialized-view refresh |
"""

from __future__ import annotations

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from collectioncrm.env import env_int
from workflow.partitions import DEFAULT_AHEAD, MAX_AHEAD

PARTITIONS_AHEAD_QUARTERS = env_int("PARTITIONS_AHEAD_QUARTERS", DEFAULT_AHEAD, minimum=1)
if PARTITIONS_AHEAD_QUARTERS > MAX_AHEAD:
    raise ImproperlyConfigured(
        f"Environment variable PARTITIONS_AHEAD_QUARTERS={PARTITIONS_AHEAD_QUARTERS} must be "
        f"<= {MAX_AHEAD}."
    )
REPORTS_REFRESH_MINUTES = env_int("REPORTS_REFRESH_MINUTES", 15, minimum=1)

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Daily at 19:15 UTC = 02:15 in Vietnam, the bank's quietest hour. A task waiting in the
    # queue for more than a few hours is dropped: the next day's run does the same work.
    "workflow-ensure-partitions": {
        "task": "workflow.tasks.ensure_partitions",
        "schedule": crontab(hour=19, minute=15),
        "kwargs": {"ahead": PARTITIONS_AHEAD_QUARTERS},
        "options": {"expires": 6 * 3600},
    },
    # Expires after one period so that a backlog (workers down) never runs refreshes in a row.
    "workflow-refresh-reports": {
        "task": "workflow.tasks.refresh_reports",
        "schedule": REPORTS_REFRESH_MINUTES * 60,
        "options": {"expires": REPORTS_REFRESH_MINUTES * 60},
    },
}
