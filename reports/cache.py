"""The Redis cache of agents' performance reports (django-redis).

One report is kept under ``perf:v1:agent:<agent id>:<agent updated_at>:<start>:<end>``
(the agent's generation when it was computed and the selector's dict, pickled) for
``PERFORMANCE_CACHE_SECONDS`` (default 300). The generation is the agent's counter in
:mod:`workflow.generations`, bumped after every committed change of the agent's actions or
payments; an entry of another generation than the current one is not used, so a cached
report is never older than the data it was computed from.
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


def report_key(*, agent_id: uuid.UUID | str, version: str, start: dt.date, end: dt.date) -> str:
    return f"{generations.KEY_PREFIX}:{agent_id}:{version}:{start.isoformat()}:{end.isoformat()}"


def cached_report(
    *,
    agent_id: uuid.UUID,
    version: str,
    start: dt.date,
    end: dt.date,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The agent's report for ``start..end`` from the cache, or ``compute()`` stored there.

    ``version`` changes whenever the agent row changes (its ``updated_at``). The generation
    and the entry are read in one round trip (MGET); the entry counts only when it was stored
    under that generation. Redis failures are logged and answered with ``compute()``.
    """
    cache = generations.cache()
    generation_key = generations.generation_key(agent_id)
    key = report_key(agent_id=agent_id, version=version, start=start, end=end)
    try:
        found = cache.get_many([generation_key, key])
        generation = found.get(generation_key)
        if generation is None:  # the agent's first report (or an evicted generation)
            generation = generations.current(cache, agent_id)
        entry = found.get(key)
    except generations.CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, answering uncached: %s", exc)
        return compute()
    generation = int(generation)
    if entry is not None and entry[0] == generation:
        CACHE_LOOKUPS.labels(cache="performance", outcome="hit").inc()
        return dict(entry[1])
    CACHE_LOOKUPS.labels(cache="performance", outcome="miss").inc()
    report = compute()
    try:
        # Under the generation read BEFORE computing: a report computed from data older than
        # a write that bumped it is never read (workflow.generations).
        cache.set(key, (generation, report), timeout=_timeout())
    except generations.CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, report not stored: %s", exc)
    return report
