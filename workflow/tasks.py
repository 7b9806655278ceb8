"""Periodic housekeeping tasks of the workflow core (scheduled in ``workflow.schedule``)."""

from __future__ import annotations

import logging

import psycopg
from celery import shared_task
from django.db import OperationalError

from workflow import partitions, reports

logger = logging.getLogger(__name__)


@shared_task(name="workflow.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Prove the beat → broker → worker path works; logs one line per run."""
    logger.info("celery heartbeat")
    return "ok"


# Lock timeouts (after the upkeep's own quick retries) and lost connections are transient:
# retry within the day rather than wait for tomorrow's run. A bad layout (UpkeepError) is not.
@shared_task(
    name="workflow.tasks.ensure_partitions",
    ignore_result=True,
    autoretry_for=(psycopg.OperationalError, OperationalError),
    max_retries=6,
    retry_backoff=300,
    retry_backoff_max=3600,
    retry_jitter=True,
)
def ensure_partitions(*, ahead: int = partitions.DEFAULT_AHEAD) -> dict[str, object]:
    """Keep the quarterly partitions ``ahead`` quarters ahead; move rows out of catch-alls."""
    return partitions.run_upkeep(ahead=ahead).as_dict()


# No retries: the next beat tick (every few minutes) is the retry, and a refresh that fails
# usually fails the same way until someone fixes the view.
@shared_task(name="workflow.tasks.refresh_reports", ignore_result=True)
def refresh_reports() -> dict[str, object]:
    """Refresh the reporting materialized views; "skipped" when another refresh runs."""
    return reports.refresh_reports().as_dict()
