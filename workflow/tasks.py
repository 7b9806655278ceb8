"""Periodic housekeeping tasks of the workflow core."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="workflow.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Prove the beat → broker → worker path works; logs one line per run."""
    logger.info("celery heartbeat")
    return "ok"
