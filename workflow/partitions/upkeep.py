"""Changing the layout: :func:`ensure_partitions` and its steps, under an advisory lock.

Resume, stage, switch and drain, as the package docstring describes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
from psycopg import sql

from workflow.partitions.layout import (
    DEFAULT_AHEAD,
    TABLES,
    Connection,
    TablePlan,
    UpkeepError,
    _count,
    _ident,
    _qualified,
    _scalar,
    business_today,
    django_connection,
    holding_name,
    holding_tables,
    partition_name,
    plan_table,
)

# The package's logger, as before it was split into modules.
logger = logging.getLogger("workflow.partitions")

DEFAULT_BATCH_SIZE = 5000
DEFAULT_INLINE_MOVE_LIMIT = 1000
DEFAULT_LOCK_TIMEOUT_SECONDS = 0.5
DEFAULT_LOCK_ATTEMPTS = 10
STAGE_PASSES = 3
# Session advisory-lock key: the first 8 bytes of sha256 of a name, as a signed bigint.
UPKEEP_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"workflow.partition_upkeep").digest()[:8], "big", signed=True
)

Progress = Callable[[str], None]


@dataclass
class TableResult:
    """What one run did to one table."""

    table: str
    created: list[str] = field(default_factory=list)
    catch_all: str | None = None  # the new catch-all, when one was created
    rows_moved: int = 0
    emptied: list[str] = field(default_factory=list)  # holding tables emptied and dropped
    lock_ms: float | None = None  # how long the exclusive lock of the switch was held
    seconds: float = 0.0
    interrupted: bool = False  # stopped on request; the next run finishes the move

    def as_dict(self) -> dict[str, object]:
        return {
            "table": self.table,
            "created": self.created,
            "catch_all": self.catch_all,
            "rows_moved": self.rows_moved,
            "emptied": self.emptied,
            "lock_ms": None if self.lock_ms is None else round(self.lock_ms, 1),
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


@dataclass
class UpkeepResult:
    status: Literal["done", "skipped", "dry-run"]
    plans: list[TablePlan] = field(default_factory=list)  # dry run only
    tables: list[TableResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "tables": [table.as_dict() for table in self.tables]}


# --- changing it -------------------------------------------------------------------------


@contextmanager
def advisory_lock(conn: Connection, key: int) -> Iterator[bool]:
    """Try a session advisory lock; yield whether it was taken; release it afterwards."""
    taken = bool(_scalar(conn, "SELECT pg_try_advisory_lock(%s)", [key]))
    try:
        yield taken
    finally:
        if taken and not conn.broken:
            conn.execute("SELECT pg_advisory_unlock(%s)", [key])


def _columns(conn: Connection, table: str) -> sql.Composable:
    rows = conn.execute(
        """
        SELECT attname FROM pg_attribute
        WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped ORDER BY attnum
        """,
        [_qualified(table)],
    ).fetchall()
    return sql.SQL(", ").join(sql.Identifier(row[0]) for row in rows)


def _move(conn: Connection, table: str, source: str, target: str, where: str = "true") -> int:
    """Move the rows of ``source`` matching ``where`` into ``target``, in one statement."""
    cursor = conn.execute(
        sql.SQL(
            "WITH moved AS (DELETE FROM {source} WHERE {where} RETURNING {columns}) "
            "INSERT INTO {target} ({columns}) SELECT {columns} FROM moved"
        ).format(
            source=_ident(source),
            where=sql.SQL(where),
            columns=_columns(conn, table),
            target=_ident(target),
        )
    )
    return max(cursor.rowcount, 0)


def _move_by_pages(
    conn: Connection,
    table: str,
    source: str,
    target: str,
    *,
    batch_size: int,
    progress: Progress | None,
    stop: Callable[[], bool] | None,
) -> tuple[int, bool]:
    """One pass over the heap of ``source``, moving about ``batch_size`` rows per transaction.

    Batches are ranges of heap pages (TID range scans): each costs the same however many came
    before it, unlike repeated LIMIT scans over the dead rows of the earlier ones. Returns
    (rows moved, finished); not finished when ``stop`` asked to stop between batches.
    """
    rows = _count(conn, source)
    pages = int(
        _scalar(
            conn,
            "SELECT pg_relation_size(to_regclass(%s)) / current_setting('block_size')::int",
            [_qualified(source)],
        )
    )
    step = max(1, math.ceil(batch_size * pages / rows)) if rows else pages + 1
    moved = 0
    for first in range(0, pages if rows else 0, step):
        if stop is not None and stop():
            return moved, False
        where = f"ctid >= '({first},0)'::tid AND ctid < '({first + step},0)'::tid"
        moved += _move(conn, table, source, target, where)
        if progress is not None:
            progress(f"  {source} → {target}: {moved} of {rows} rows")
    return moved, True


def _at_most(conn: Connection, table: str, limit: int) -> bool:
    """Whether ``table`` holds at most ``limit`` rows (reads at most limit + 1 of them)."""
    query = sql.SQL("SELECT count(*) <= %s FROM (SELECT FROM {} LIMIT %s) AS r")
    return bool(_scalar(conn, query.format(_ident(table)), [limit, limit + 1]))


def _create_holding(conn: Connection, table: str, name: str) -> None:
    """A plain table with the parent's columns and NOT NULLs, no keys, no indexes."""
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {} (LIKE {})").format(_ident(name), _ident(table))
    )
    conn.execute(
        sql.SQL("COMMENT ON TABLE {} IS {}").format(
            _ident(name),
            sql.Literal(
                f"Rows of {_qualified(table)} set aside by the partition upkeep while it "
                "replaced the catch-all partition; manage.py ensure_partitions puts them back."
            ),
        )
    )


def _set_lock_timeout(conn: Connection, seconds: float) -> None:
    conn.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(seconds * 1000)}ms"])


def _with_lock_retries(what: str, attempts: int, action: Callable[[], Any], *, table: str) -> Any:
    """Run ``action`` (one transaction); retry when a lock wait timed out or deadlocked."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected) as exc:
            if attempt == attempts:
                raise
            logger.warning(
                "partition upkeep could not take its locks; retrying",
                extra={"table": table, "step": what, "attempt": attempt, "error": str(exc)},
            )
            time.sleep(min(2.0 ** (attempt - 1), 10.0))
    raise AssertionError("unreachable")


@dataclass
class _Switch:
    created: list[str]
    catch_all: str
    holding: str | None  # a holding table whose rows are still to be drained
    moved: int  # rows moved into the table within the switch
    lock_ms: float


def _switch(
    conn: Connection,
    table: str,
    *,
    today: dt.date,
    ahead: int,
    inline_move_limit: int,
    lock_timeout: float,
) -> _Switch | None:
    """Step 3 of the package docstring, in one transaction; None when nothing was missing."""
    with conn.transaction():
        _set_lock_timeout(conn, lock_timeout)
        referenced = conn.execute(
            """
            SELECT DISTINCT n.nspname, c.relname
            FROM pg_constraint f
            JOIN pg_class c ON c.oid = f.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE f.conrelid = to_regclass(%s) AND f.contype = 'f' ORDER BY 1, 2
            """,
            [_qualified(table)],
        ).fetchall()
        if referenced:
            names = sql.SQL(", ").join(sql.Identifier(*name) for name in referenced)
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(names))
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(_ident(table)))
        locked_at = time.monotonic()
        plan = plan_table(conn, table, today=today, ahead=ahead, count_rows=False)
        if not plan.create:
            return None
        holding = None
        if plan.catch_all is not None:
            holding = holding_name(table, plan.catch_all)
            _create_holding(conn, table, holding)
            _move(conn, table, plan.catch_all.name, holding)
            conn.execute(sql.SQL("DROP TABLE {}").format(_ident(plan.catch_all.name)))
        created = []
        for quarter in plan.create:
            created.append(partition_name(table, quarter))
            _create_partition(conn, table, created[-1], quarter.start, quarter.end)
        catch_all = f"{table}_future"
        _create_partition(conn, table, catch_all, plan.target, None)
        moved = 0
        if holding is not None and _at_most(conn, holding, inline_move_limit):
            moved = _move(conn, table, holding, table)
            conn.execute(sql.SQL("DROP TABLE {}").format(_ident(holding)))
            holding = None
    lock_ms = (time.monotonic() - locked_at) * 1000
    return _Switch(created, catch_all, holding, moved, lock_ms)


def _create_partition(
    conn: Connection, table: str, name: str, lower: dt.date, upper: dt.date | None
) -> None:
    conn.execute(
        sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
            _ident(name),
            _ident(table),
            sql.Literal(lower.isoformat()),
            sql.SQL("MAXVALUE") if upper is None else sql.Literal(upper.isoformat()),
        )
    )


def ensure_partitions(
    conn: Connection,
    *,
    today: dt.date,
    ahead: int = DEFAULT_AHEAD,
    tables: Sequence[str] = tuple(TABLES),
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    inline_move_limit: int = DEFAULT_INLINE_MOVE_LIMIT,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    lock_attempts: int = DEFAULT_LOCK_ATTEMPTS,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> UpkeepResult:
    """Keep ``tables`` partitioned ``ahead`` quarters past ``today``'s quarter (see package doc).

    ``conn`` must be in autocommit mode, outside any transaction. A dry run only reads and
    returns the plans. Returns status "skipped" when another run holds the advisory lock.
    """
    if batch_size < 1:
        raise UpkeepError("batch_size must be at least 1")
    if dry_run:
        return UpkeepResult(
            "dry-run", plans=[plan_table(conn, t, today=today, ahead=ahead) for t in tables]
        )
    for table in tables:  # refuse a bad layout or argument before changing anything
        plan_table(conn, table, today=today, ahead=ahead, count_rows=False)
    with advisory_lock(conn, UPKEEP_LOCK_KEY) as taken:
        if not taken:
            logger.info("partition upkeep skipped: another run holds the advisory lock")
            return UpkeepResult("skipped")
        result = UpkeepResult("done")
        for table in tables:
            upkeep = _TableUpkeep(
                conn,
                table,
                today=today,
                ahead=ahead,
                batch_size=batch_size,
                inline_move_limit=inline_move_limit,
                lock_timeout=lock_timeout,
                lock_attempts=lock_attempts,
                progress=progress,
                stop=stop,
            )
            result.tables.append(upkeep.run())
            if result.tables[-1].interrupted:
                break
        return result


@dataclass
class _TableUpkeep:
    conn: Connection
    table: str
    today: dt.date
    ahead: int
    batch_size: int
    inline_move_limit: int
    lock_timeout: float
    lock_attempts: int
    progress: Progress | None
    stop: Callable[[], bool] | None
    result: TableResult = field(init=False)

    def run(self) -> TableResult:
        started = time.monotonic()
        self.result = TableResult(self.table)
        try:
            self._run()
        finally:
            self.result.seconds = time.monotonic() - started
        result = self.result
        logger.info(
            "partition upkeep finished a table",
            extra={
                "table": self.table,
                "partitions_created": result.created,
                "rows_moved": result.rows_moved,
                "holding_emptied": result.emptied,
                "lock_ms": None if result.lock_ms is None else round(result.lock_ms, 1),
                "duration_ms": round(result.seconds * 1000, 1),
                "interrupted": result.interrupted,
            },
        )
        return result

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def _run(self) -> None:
        for holding in holding_tables(self.conn, self.table):  # 1. resume
            self._say(f"{self.table}: putting back the rows held in {holding} by an earlier run")
            if not self._drain(holding):
                return
        plan = plan_table(
            self.conn, self.table, today=self.today, ahead=self.ahead, count_rows=False
        )
        if not plan.create:
            return
        catch_all = plan.catch_all
        if catch_all is not None and not _at_most(
            self.conn, catch_all.name, self.inline_move_limit
        ):  # 2. stage
            holding = holding_name(self.table, catch_all)
            self._say(f"{self.table}: setting the rows of {catch_all.name} aside in {holding}")
            _create_holding(self.conn, self.table, holding)
            for _ in range(STAGE_PASSES):  # rows may keep arriving while a pass runs
                _, finished = _move_by_pages(
                    self.conn,
                    self.table,
                    catch_all.name,
                    holding,
                    batch_size=self.batch_size,
                    progress=self.progress,
                    stop=self.stop,
                )
                if not finished:
                    self.result.interrupted = True
                    return
                if _at_most(self.conn, catch_all.name, self.inline_move_limit):
                    break
        try:  # 3. switch
            switch = _with_lock_retries(
                "switch",
                self.lock_attempts,
                lambda: _switch(
                    self.conn,
                    self.table,
                    today=self.today,
                    ahead=self.ahead,
                    inline_move_limit=self.inline_move_limit,
                    lock_timeout=self.lock_timeout,
                ),
                table=self.table,
            )
        except Exception:
            self._give_back()
            raise
        if switch is None:
            return
        self.result.created = switch.created
        self.result.catch_all = switch.catch_all
        self.result.lock_ms = switch.lock_ms
        self.result.rows_moved += switch.moved
        logger.info(
            "partition upkeep created partitions",
            extra={
                "table": self.table,
                "partitions_created": switch.created,
                "catch_all": switch.catch_all,
                "rows_moved_in_switch": switch.moved,
                "lock_ms": round(switch.lock_ms, 1),
            },
        )
        if switch.holding is not None and not self._drain(switch.holding):  # 4. drain
            return
        for name in switch.created:  # fresh statistics for the planner
            self.conn.execute(sql.SQL("ANALYZE {}").format(_ident(name)))

    def _drain(self, holding: str) -> bool:
        """Move every row of ``holding`` into the table and drop it; False if stopped."""
        moved, finished = _move_by_pages(
            self.conn,
            self.table,
            holding,
            self.table,
            batch_size=self.batch_size,
            progress=self.progress,
            stop=self.stop,
        )
        self.result.rows_moved += moved
        if not finished:
            self.result.interrupted = True
            return False

        def finish() -> int:
            with self.conn.transaction():
                _set_lock_timeout(self.conn, self.lock_timeout)
                self.conn.execute(
                    sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(_ident(holding))
                )
                rest = _move(self.conn, self.table, holding, self.table)
                self.conn.execute(sql.SQL("DROP TABLE {}").format(_ident(holding)))
                return rest

        self.result.rows_moved += _with_lock_retries(
            "drop", self.lock_attempts, finish, table=self.table
        )
        self.result.emptied.append(holding)
        return True

    def _give_back(self) -> None:
        """After a failed switch, put staged rows back in sight (the next run would anyway)."""
        try:
            for holding in holding_tables(self.conn, self.table):
                self._drain(holding)
        except Exception:
            logger.exception(
                "partition upkeep could not put staged rows back; the next run will",
                extra={"table": self.table},
            )


def run_upkeep(*, today: dt.date | None = None, **options: Any) -> UpkeepResult:
    """:func:`ensure_partitions` on Django's database, planned for the bank's current day."""
    conn = django_connection(read_only=bool(options.get("dry_run")))
    return ensure_partitions(conn, today=today or business_today(), **options)
