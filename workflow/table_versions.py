"""Pages cached under the version of the table they come from: exact invalidation.

A trigger (``workflow/sql/0012_table_versions.sql``, ``0013``) gives a watched table a new version
in every transaction that writes to it, whoever writes (API, admin, Kafka handlers, raw SQL);
versions come from a sequence, so one is never used twice. :func:`cached` reads the version
(one indexed statement, without the ORM), then the entry stored under it; on a miss it
computes the value and stores it. A write makes every entry of the table unreachable at once
(they expire by their timeout), so an answer is never older than the last committed write.
A reader that read the version before a write committed may store a newer page under the older
version: only readers that also read the older version can get it, and it is newer, not staler.

The key holds the database's name, so test and benchmark databases sharing a Redis never read
each other's entries. A failing cache is logged and bypassed (the value is computed), never
raised: the cache must not turn a working read into an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection

from workflow.generations import CACHE_ERRORS, cache
from workflow.metrics import CACHE_LOOKUPS

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_PREFIX = "page:v1"
DEFAULT_TIMEOUT_SECONDS = 300


def version(table: str) -> int | None:
    """The current version of ``table`` (None when it is not watched).

    The trigger bumps a table's version once per transaction (its first write,
    ``workflow/sql/0013_table_versions_once_per_transaction.sql``); reading the version clears
    that mark, so that a write after this read, in the same transaction, bumps it again and a
    page cached under the version read never misses it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version, set_config('workflow_service.bumped_' || %s::text, '', true) "
            "FROM workflow_service.table_versions WHERE table_name = %s",
            [table, table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def bump_at_end() -> None:
    """From now on in this transaction, a write to a watched table only marks the table, and
    takes no lock (``workflow/sql/0014_table_versions_bump_at_end.sql``); the caller MUST call
    :func:`bump_marked` right before it commits. For long transactions of many writes (a Kafka
    batch), which would otherwise hold the version's row lock from their first write on."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('workflow_service.bump_at_end', txid_current()::text, true)"
        )


def bump_marked() -> None:
    """Give every table marked since :func:`bump_at_end` a new version (one statement, the row
    locks held only until the commit that follows), and bump as usual again afterwards."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH done AS (SELECT set_config('workflow_service.bump_at_end', '', true))
            UPDATE workflow_service.table_versions
            SET version = nextval('workflow_service.table_version_seq')
            FROM done
            WHERE current_setting('workflow_service.dirty_' || table_name, true)
                  = txid_current()::text
            """
        )


def cached(
    table: str,
    parts: Any,
    compute: Callable[[], T],
    *,
    timeout: int = DEFAULT_TIMEOUT_SECONDS,
) -> T:
    """``compute()``, or what it returned for the same ``parts`` at the table's version."""
    current = version(table)
    if current is None:  # not watched (a migration missing): never cache
        return compute()
    digest = hashlib.sha1(
        json.dumps(parts, default=str, sort_keys=True).encode(), usedforsecurity=False
    ).hexdigest()
    key = f"{KEY_PREFIX}:{connection.settings_dict['NAME']}:{table}:{current}:{digest}"
    store = cache()
    try:
        hit = store.get(key)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: %s page computed without it", table, exc_info=True)
        return compute()
    if hit is not None:
        CACHE_LOOKUPS.labels(cache=f"{table}_page", outcome="hit").inc()
        return hit  # type: ignore[no-any-return]
    CACHE_LOOKUPS.labels(cache=f"{table}_page", outcome="miss").inc()
    value = compute()
    try:
        store.set(key, value, timeout=timeout)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: %s page not stored", table, exc_info=True)
    return value
