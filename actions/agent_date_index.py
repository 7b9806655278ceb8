"""The optional ``(agent_id, action_date)`` index of ``action_records``, built without
blocking writes (``manage.py agent_date_index``; docs/operations.md, "An agent's actions").

``action_records`` is the bank's table, so the migrations add no index to it: building one on
hundreds of millions of rows belongs in a maintenance window the DBA chooses, not in a deploy.
Without it an agent's action list pages through the ``action_date`` index of the newest
partition, filtered on the agent (at bench scale, about 20,000 rows read for a page of ten),
and the live performance figures read every action of the agent through ``agent_id``.

A partitioned index cannot be built ``CONCURRENTLY``. So, as PostgreSQL's documentation
describes for partitioned tables: the parent's index is created ``ON ONLY`` the parent
(instant, invalid until every partition has one), then each partition gets its index with
``CREATE INDEX CONCURRENTLY`` (writes go on) and it is attached to the parent's; once the
last is attached PostgreSQL marks the parent's index valid, and partitions created later
(``ensure_partitions``) get it by themselves. A run that stops anywhere is finished by the
next: an index left invalid by an interrupted concurrent build is dropped and built again,
an attached one is left alone. Two runs never overlap (a session advisory lock). Once valid,
the queries use it with no change to the service.

The functions take a cursor in autocommit mode (``CREATE INDEX CONCURRENTLY`` cannot run in a
transaction block).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCHEMA = "workflow_service"
TABLE = "action_records"
INDEX = "idx_action_records_agent_id_action_date"
COLUMNS = "(agent_id, action_date)"
# A partition's index: <partition>_agent_date_idx (at most 63 characters).
SUFFIX = "_agent_date_idx"
# pg_try_advisory_lock(class, key): this command's runs.
_LOCK = (19266, 4_210_001)


@dataclass(frozen=True)
class PartitionState:
    """One partition and its ``(agent_id, action_date)`` index."""

    partition: str
    index: str | None  # attached to the parent's index, or a leftover of our name
    attached: bool
    valid: bool

    @property
    def done(self) -> bool:
        return self.attached and self.valid


@dataclass(frozen=True)
class IndexState:
    """The parent's index (None: absent) and every partition's."""

    parent_valid: bool | None
    partitions: list[PartitionState]

    @property
    def complete(self) -> bool:
        return bool(self.parent_valid) and all(state.done for state in self.partitions)


def partition_index_name(partition: str) -> str:
    return f"{partition}{SUFFIX}"


def state(cursor: Any) -> IndexState:
    """Where the build stands (two catalog reads)."""
    cursor.execute(
        """
        SELECT x.indisvalid FROM pg_class i JOIN pg_index x ON x.indexrelid = i.oid
        JOIN pg_namespace n ON n.oid = i.relnamespace
        WHERE n.nspname = %s::text AND i.relname = %s::text
        """,
        [SCHEMA, INDEX],
    )
    row = cursor.fetchone()
    parent_valid = None if row is None else bool(row[0])
    cursor.execute(
        """
        SELECT p.relname, attached.relname, attached.indisvalid, own.relname, own.indisvalid
        FROM pg_inherits pi
        JOIN pg_class p ON p.oid = pi.inhrelid
        LEFT JOIN LATERAL (
            SELECT ci.relname, x.indisvalid
            FROM pg_inherits ii
            JOIN pg_class ci ON ci.oid = ii.inhrelid
            JOIN pg_index x ON x.indexrelid = ci.oid AND x.indrelid = p.oid
            JOIN pg_class parent_index ON parent_index.oid = ii.inhparent
            JOIN pg_namespace n ON n.oid = parent_index.relnamespace
            WHERE n.nspname = %s::text AND parent_index.relname = %s::text
        ) attached ON true
        LEFT JOIN LATERAL (
            SELECT ci.relname, x.indisvalid
            FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
            WHERE x.indrelid = p.oid AND ci.relname = p.relname || %s::text
        ) own ON true
        WHERE pi.inhparent = (%s::text || '.' || %s::text)::regclass
        ORDER BY p.relname
        """,
        [SCHEMA, INDEX, SUFFIX, SCHEMA, TABLE],
    )
    partitions = []
    for partition, attached, attached_valid, own, own_valid in cursor.fetchall():
        if attached is not None:
            partitions.append(PartitionState(partition, attached, True, bool(attached_valid)))
        else:
            partitions.append(PartitionState(partition, own, False, bool(own_valid)))
    return IndexState(parent_valid=parent_valid, partitions=partitions)


def _quoted(name: str) -> str:
    return f'{SCHEMA}."{name}"'


def build(
    cursor: Any,
    *,
    lock_timeout: float = 5.0,
    echo: Callable[[str], None] = print,
) -> IndexState | None:
    """Build what is missing (module docstring); the final state, or None when another run
    holds the lock. ``lock_timeout`` bounds the waits of the catalog steps (creating the
    parent's index, attaching), which take brief locks writers would queue behind."""
    cursor.execute("SELECT pg_try_advisory_lock(%s::integer, %s::integer)", list(_LOCK))
    if not cursor.fetchone()[0]:
        return None
    try:
        cursor.execute(f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON ONLY {SCHEMA}.{TABLE} {COLUMNS}")
        for partition in state(cursor).partitions:
            if partition.done:
                continue
            name = partition_index_name(partition.partition)
            if partition.attached:  # PostgreSQL attaches valid indexes only
                raise RuntimeError(
                    f"index {partition.index} of {partition.partition} is attached but "
                    "invalid: REINDEX it (CONCURRENTLY), then run this again"
                )
            if partition.index is not None and not partition.valid:
                echo(f"{partition.partition}: dropping {name}, left invalid by a stopped build")
                cursor.execute("SET lock_timeout = 0")
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {_quoted(name)}")
            if partition.index is None or not partition.valid:
                started = time.monotonic()
                cursor.execute("SET lock_timeout = 0")  # the build waits for older writers
                cursor.execute(
                    f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" '
                    f"ON {_quoted(partition.partition)} {COLUMNS}"
                )
                echo(f"{partition.partition}: built {name} in {time.monotonic() - started:.1f} s")
            cursor.execute(f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'")
            cursor.execute(f"ALTER INDEX {SCHEMA}.{INDEX} ATTACH PARTITION {_quoted(name)}")
            echo(f"{partition.partition}: attached {name}")
        return state(cursor)
    finally:
        cursor.execute("RESET lock_timeout")
        cursor.execute("SELECT pg_advisory_unlock(%s::integer, %s::integer)", list(_LOCK))


def drop(cursor: Any, *, lock_timeout: float = 5.0) -> None:
    """Drop the parent's index (and with it every attached one) and any leftover partition
    index of ours. Takes an exclusive lock on the table for the drop: reads and writes wait
    for it, at most ``lock_timeout`` seconds before it gives up."""
    cursor.execute(f"SET lock_timeout = '{int(lock_timeout * 1000)}ms'")
    try:
        cursor.execute(f"DROP INDEX IF EXISTS {SCHEMA}.{INDEX}")
        for partition in state(cursor).partitions:
            if partition.index is not None:
                cursor.execute(f"DROP INDEX IF EXISTS {_quoted(partition.index)}")
    finally:
        cursor.execute("RESET lock_timeout")
