"""The Redis cache of agents' performance reports (django-redis).

Keys (under the cache's KEY_PREFIX and version):

- ``perf:v1:agent:<agent id>:gen`` — the agent's generation, an integer without expiry;
- ``perf:v1:agent:<agent id>:<generation>:<agent updated_at>:<start>:<end>`` — one report
  (the selector's dict, pickled), kept ``PERFORMANCE_CACHE_SECONDS`` (default 300).

Invalidating an agent is one INCR of its generation: every entry of the agent then has a key
nobody reads any more and expires by itself; other agents' entries are untouched. A reader
takes the generation BEFORE it computes, and writers bump it only after their transaction
committed, so a report computed from data older than a write is always stored under an
outdated generation. The agent's ``updated_at`` in the key makes an edit of the agent (name,
active flag) show at once without any invalidation call. A missing generation starts at the
current time in nanoseconds, never a value an earlier generation of the agent had, so entries
of an evicted generation cannot come back.

The cache only ever saves time: when Redis fails (down, timeout, out of memory) the report is
computed and served uncached, and the failure is logged as a warning. Settings (both read
with defaults): ``PERFORMANCE_CACHE_SECONDS`` (300) and ``PERFORMANCE_CACHE_ALIAS``
(``"default"``, the entry of ``CACHES`` to use).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX = "perf:v1:agent"
DEFAULT_TIMEOUT_SECONDS = 300

# What a failing Redis raises through django-redis (it re-raises the redis-py error unless
# DJANGO_REDIS_IGNORE_EXCEPTIONS is on); OSError covers sockets failing outside redis-py.
CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)


def _cache() -> BaseCache:
    return caches[getattr(settings, "PERFORMANCE_CACHE_ALIAS", "default")]


def _timeout() -> int:
    return int(getattr(settings, "PERFORMANCE_CACHE_SECONDS", DEFAULT_TIMEOUT_SECONDS))


def generation_key(agent_id: uuid.UUID | str) -> str:
    return f"{KEY_PREFIX}:{agent_id}:gen"


def report_key(
    *, agent_id: uuid.UUID | str, generation: int, version: str, start: dt.date, end: dt.date
) -> str:
    return f"{KEY_PREFIX}:{agent_id}:{generation}:{version}:{start.isoformat()}:{end.isoformat()}"


def _generation(cache: BaseCache, agent_id: uuid.UUID | str) -> int:
    key = generation_key(agent_id)
    value = cache.get(key)
    if value is None:
        fresh = time.time_ns()
        cache.add(key, fresh, timeout=None)  # SET NX: a concurrent reader may win
        value = cache.get(key)
        if value is None:  # a cache that stores nothing (DummyCache): entries go unread
            value = fresh
    return int(value)


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
    cache = _cache()
    try:
        generation = _generation(cache, agent_id)
        key = report_key(
            agent_id=agent_id, generation=generation, version=version, start=start, end=end
        )
        report = cache.get(key)
    except CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, answering uncached: %s", exc)
        return compute()
    if report is not None:
        return dict(report)
    report = compute()
    try:
        cache.set(key, report, timeout=_timeout())
    except CACHE_ERRORS as exc:
        logger.warning("performance cache unavailable, report not stored: %s", exc)
    return report


def invalidate_agent(agent_id: uuid.UUID | str | None) -> None:
    """Orphan every cached report of the agent (one INCR); None does nothing.

    Call it from ``transaction.on_commit`` after a change of the agent's actions or payments.
    A Redis failure is logged, never raised: the entries then expire by their timeout.
    """
    if agent_id is None:
        return
    cache = _cache()
    key = generation_key(agent_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no generation yet (or evicted): start a new one
            if not cache.add(key, time.time_ns(), timeout=None):
                cache.incr(key)
    except CACHE_ERRORS as exc:
        logger.warning(
            "performance cache unavailable, agent %s not invalidated (entries expire in %s s): %s",
            agent_id,
            _timeout(),
            exc,
        )


def invalidate_agents(*agent_ids: uuid.UUID | str | None) -> None:
    """:func:`invalidate_agent` for each distinct id given (None ignored)."""
    for agent_id in dict.fromkeys(agent_id for agent_id in agent_ids if agent_id is not None):
        invalidate_agent(agent_id)
