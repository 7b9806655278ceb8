"""Per-agent generation counters in the cache: invalidating everything derived from an agent's
work is one INCR.

Reports computed from an agent's actions and payments (the ``reports`` app) are cached under
keys that contain the agent's generation. Writers (actions, case imports, payments) bump the
generation after their transaction committed (:func:`bump_agents_on_commit`); every entry of
the agent then has a key nobody reads any more and expires by itself, while other agents'
entries are untouched. A reader takes the generation BEFORE it computes, so a report computed
from data older than a write is always stored under an outdated generation. A missing
generation starts at the current time in nanoseconds, never a value an earlier generation of
the agent had, so entries of an evicted generation cannot come back.

Key: ``perf:v1:agent:<agent id>:gen``, an integer without expiry, in the cache
``PERFORMANCE_CACHE_ALIAS`` (default ``"default"``). A failing Redis is logged, never raised:
cached entries then expire by their timeout.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX = "perf:v1:agent"

# What a failing Redis raises through django-redis (it re-raises the redis-py error unless
# DJANGO_REDIS_IGNORE_EXCEPTIONS is on); OSError covers sockets failing outside redis-py.
CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)


def cache() -> BaseCache:
    """The cache holding the generations and the entries keyed by them."""
    return caches[getattr(settings, "PERFORMANCE_CACHE_ALIAS", "default")]


def generation_key(agent_id: uuid.UUID | str) -> str:
    return f"{KEY_PREFIX}:{agent_id}:gen"


# The generation of KEYS[1], started at ARGV[1] (nanoseconds) when missing.
_CURRENT_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if not value then
    redis.call('SET', KEYS[1], ARGV[1])
    value = ARGV[1]
end
return value
"""


def current(store: BaseCache, agent_id: uuid.UUID | str) -> int:
    """The agent's generation, started when missing (one round trip with Redis). Raises
    ``CACHE_ERRORS`` when the cache fails: the caller decides how to answer without it."""
    key = generation_key(agent_id)
    if isinstance(store, RedisCache):
        client = store.client.get_client(write=True)
        return int(client.eval(_CURRENT_SCRIPT, 1, store.make_key(key), time.time_ns()))
    value = store.get(key)
    if value is None:
        fresh = time.time_ns()
        store.add(key, fresh, timeout=None)  # SET NX: a concurrent reader may win
        value = store.get(key)
        if value is None:  # a cache that stores nothing (DummyCache): entries go unread
            value = fresh
    return int(value)


# Each key (a generation): INCR when it exists, else start it at ARGV[1] (nanoseconds).
_BUMP_SCRIPT = """
for _, key in ipairs(KEYS) do
    if redis.call('EXISTS', key) == 1 then
        redis.call('INCR', key)
    else
        redis.call('SET', key, ARGV[1])
    end
end
return #KEYS
"""

_deferred = threading.local()


def bump_agent(agent_id: uuid.UUID | str | None) -> None:
    """Orphan every cached entry of the agent; None does nothing (:func:`bump_agents`)."""
    bump_agents(agent_id)


def bump_agents(*agent_ids: uuid.UUID | str | None) -> None:
    """Orphan every cached entry of each distinct agent given (None ignored): one round trip
    to Redis for all of them. Inside :func:`bumps_deferred`, only collect them.

    Call it after commit (:func:`bump_agents_on_commit`) of a change of the agents' work.
    """
    ids = [str(agent_id) for agent_id in agent_ids if agent_id is not None]
    collected: dict[str, None] | None = getattr(_deferred, "ids", None)
    if collected is not None:
        collected.update(dict.fromkeys(ids))
        return
    _bump(list(dict.fromkeys(ids)))


def _bump(ids: list[str]) -> None:
    if not ids:
        return
    store = cache()
    try:
        if isinstance(store, RedisCache):
            keys = [store.make_key(generation_key(agent_id)) for agent_id in ids]
            client = store.client.get_client(write=True)
            client.eval(_BUMP_SCRIPT, len(keys), *keys, time.time_ns())
            return
        for agent_id in ids:  # another cache backend: a command or two per agent
            key = generation_key(agent_id)
            try:
                store.incr(key)
            except ValueError:  # no generation yet (or evicted): start a new one
                if not store.add(key, time.time_ns(), timeout=None):
                    store.incr(key)
    except CACHE_ERRORS as exc:
        logger.warning(
            "cache unavailable, agents %s not invalidated (entries expire by themselves): %s",
            ", ".join(ids),
            exc,
        )


@contextmanager
def bumps_deferred() -> Iterator[None]:
    """Collect the agents bumped in the block and bump each once, in one round trip, on
    leaving it (also when it raises: what was collected had committed).

    For one transaction of many writes (a Kafka batch): its ``on_commit`` callbacks run at
    its commit, inside the block, and would each cost a round trip. A nested block leaves the
    bumps to the outer one. Per thread, like Django's connections.
    """
    if getattr(_deferred, "ids", None) is not None:
        yield
        return
    _deferred.ids = {}
    try:
        yield
    finally:
        ids, _deferred.ids = _deferred.ids, None
        _bump(list(ids))


def bump_agents_on_commit(*agent_ids: uuid.UUID | str | None) -> None:
    """:func:`bump_agents` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: bump_agents(*agent_ids))
