"""The Redis cache of agents' performance reports (django-redis).

One report is kept under
``perf:v1:agent:<agent id>:<generation>:<agent updated_at>:<start>:<end>`` (the selector's
dict, pickled) for ``PERFORMANCE_CACHE_SECONDS`` (default 300). The generation is the agent's
counter in :mod:`workflow.generations`, bumped after every committed change of the agent's
actions or payments, so a cached report is never older than the data it was computed from.
The agent's ``updated_at`` in the key makes an edit of the agent (name, active flag) show at
once without any invalidation call.

The cache only ever saves time: when Redis fails (down, timeout, out of memory) the report is
computed and served uncached, and the failure is logged as a warning.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings

from workflow import generations
from workflow.metrics import CACHE_LOOKUPS

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 300


def _timeout() -> int:
    return int(getattr(settings, "PERFORMANCE_CACHE_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def report_key(
    *, agent_id: uuid.UUID | str, generation: int, version: str, start: dt.date, end: dt.date
) -> str:
    return (
        f"{generations.KEY_PREFIX}:{agent_id}:{generation}:{version}:"
        f"{start.isoformat()}:{end.isoformat()}"
    )


def cached_report(
    *,
    agent_id: uuid.UUID,
    version: str,
    start: dt.date,
    end: dt.date,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The agent's report for ``start..end`` from the cache, or ``compute()`` stored there.

    ``version`` changes whenever the agent row changes (its ``updated_at``). Redis failures
    are logged and answered with ``compute()``.
    """
    cache = generations.cache()
    try:
        generation = generations.current(cache, agent_id)
        key = report_key(
            agent_id=agent_id, generation=generation, version=version, start=start, end=end
        )
        report = cache.get(key)
    except generations.CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, answering uncached: %s", exc)
        return compute()
    if report is not None:
        CACHE_LOOKUPS.labels(cache="performance", outcome="hit").inc()
        return dict(report)
    CACHE_LOOKUPS.labels(cache="performance", outcome="miss").inc()
    report = compute()
    try:
        cache.set(key, report, timeout=_timeout())
    except generations.CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, report not stored: %s", exc)
    return report
