"""Partition upkeep of ``action_records`` and ``customer_agents`` (DESIGN.md §3 item 6).

Both tables are range-partitioned by a date (``action_date`` timestamp, ``start_date`` date)
into ``<table>_historical`` (MINVALUE → 2025-01-01), quarters ``<table>_YYYY_qN`` and a
catch-all ``<table>_future`` (end of the last quarter → MAXVALUE). The upkeep keeps the
quarters at least ``ahead`` quarters past the bank's current quarter (default 4). A new
quarter overlaps the catch-all, so the catch-all is replaced by a narrower one and its rows
are moved into their quarters. Per table:

1. **Resume.** A holding table ``<table>_holding_YYYYMMDD`` left by an interrupted run is
   first emptied back into the table (its rows route to whatever partition covers them now).
2. **Stage**, only when the catch-all holds more than ``inline_move_limit`` rows (1000: the
   upkeep has not run for about ``ahead`` quarters): move its rows in batches into a plain
   holding table made ``LIKE`` the parent.
3. **Switch**: one transaction, the only exclusive lock, catalog work plus at most
   ``inline_move_limit`` rows (milliseconds). With ``lock_timeout`` (0.5 s), lock the tables
   the foreign keys point at in SHARE ROW EXCLUSIVE mode (creating a partition clones the
   foreign keys and needs it; it holds off their writers, not their readers), then the parent
   in ACCESS EXCLUSIVE mode, the most disruptive lock last so that it is never held while
   waiting; re-read the layout; move what is left in the catch-all to the holding table;
   DROP the catch-all; ``CREATE TABLE … PARTITION OF`` each missing quarter and a new
   ``<table>_future`` FROM (end of the last quarter) TO (MAXVALUE), which inherit the
   parent's indexes, foreign keys and triggers; when the holding table is small, move its
   rows into the parent and drop it. A lock wait that times out rolls the switch back; it
   is retried with backoff, so the upkeep never queues long in front of the application
   (and, waiting less than PostgreSQL's ``deadlock_timeout``, it is normally the one to give
   up in a lock cycle). A switch that finally fails gives staged rows back first.
4. **Drain** a larger holding table into the parent in batches, drop it, ANALYZE the new
   partitions.

Every move is one statement, ``WITH moved AS (DELETE FROM src WHERE ctid in a page range
RETURNING …) INSERT INTO dst SELECT … FROM moved``, committed whole or not at all, so no row is
ever lost or doubled and a run that stops anywhere is finished by the next one. Writers are
never refused: at every commit each date has exactly one partition. A session advisory lock
keeps two runs from overlapping; the second one returns "skipped".

Why not DETACH the catch-all: a detached partition turns the inherited foreign keys into its
own, which adds triggers on customers, loans and agents, and dropping it later takes ACCESS
EXCLUSIVE locks on those three tables (tried: it deadlocked with concurrent inserts). DROP of
an attached partition locks only the parent. DETACH … CONCURRENTLY cannot run in a
transaction block either, so the catch-all's range would have no partition between its two
transactions.

The price of the staged path: rows in the holding table are out of sight through the parent
(reads miss them, an UPDATE of one matches nothing) and not covered by foreign keys until their
batch is drained. It only happens to a catch-all the upkeep has neglected for a year;
``partition_report`` flags a catch-all holding rows long before that.

Why a range catch-all and not a DEFAULT partition: a range keeps plan-time pruning exact;
creating a partition next to a DEFAULT one scans the default under an exclusive lock and
fails if it holds rows of the new range; a DEFAULT partition forbids DETACH CONCURRENTLY and
would also swallow rows of accidental gaps. The historical side needs nothing: it is bounded
by MINVALUE.

The functions take a psycopg connection in autocommit mode and the day to plan for
(``today``), so they run on any database; :func:`run_upkeep` and :func:`report` run them on
Django's connection with the bank's business day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)

SCHEMA = "workflow_service"
# Each partitioned table and the column it is partitioned by.
TABLES: dict[str, str] = {"action_records": "action_date", "customer_agents": "start_date"}
DEFAULT_AHEAD = 4
MAX_AHEAD = 40
DEFAULT_BATCH_SIZE = 5000
DEFAULT_INLINE_MOVE_LIMIT = 1000
DEFAULT_LOCK_TIMEOUT_SECONDS = 0.5
DEFAULT_LOCK_ATTEMPTS = 10
STAGE_PASSES = 3
# Session advisory-lock key: the first 8 bytes of sha256 of a name, as a signed bigint.
UPKEEP_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"workflow.partition_upkeep").digest()[:8], "big", signed=True
)

Connection = psycopg.Connection[Any]
Progress = Callable[[str], None]


class UpkeepError(Exception):
    """The partition layout is not one the upkeep can extend safely; nothing was changed."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.shifted(1).start

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"


@dataclass(frozen=True)
class Partition:
    """One partition: ``lower`` None is MINVALUE, ``upper`` None is MAXVALUE."""

    name: str
    lower: dt.date | None
    upper: dt.date | None

    @property
    def kind(self) -> Literal["historical", "catch-all", "quarter", "range"]:
        if self.lower is None:
            return "historical"
        if self.upper is None:
            return "catch-all"
        quarter = Quarter.of(self.lower)
        if (quarter.start, quarter.end) == (self.lower, self.upper):
            return "quarter"
        return "range"


@dataclass(frozen=True)
class TablePlan:
    """What the upkeep would do to one table, from a read of the catalogs."""

    table: str
    as_of: dt.date
    ahead: int
    partitions: tuple[Partition, ...]
    catch_all: Partition | None
    covered_until: dt.date  # the bounded partitions cover dates before this day
    target: dt.date  # they must cover dates before this day
    create: tuple[Quarter, ...]
    holding: tuple[str, ...]  # holding tables an interrupted run left behind
    # Rows that would move: (destination partition, rows), and rows per holding table.
    moves: tuple[tuple[str, int], ...] = ()
    holding_rows: tuple[tuple[str, int], ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not self.create and not self.holding


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


# --- reading the layout ------------------------------------------------------------------

_BOUNDS = re.compile(r"FOR VALUES FROM \((?P<lower>[^)]*)\) TO \((?P<upper>[^)]*)\)")
_DATE = re.compile(r"'(\d{4}-\d{2}-\d{2})(?: 00:00:00)?'")


def _bound(text: str, infinite: str, where: str) -> dt.date | None:
    if text == infinite:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise UpkeepError(f"{where}: bound {text} is not a day at midnight")
    return dt.date.fromisoformat(match.group(1))


def _qualified(table: str) -> str:
    return f"{SCHEMA}.{table}"


def _ident(table: str) -> sql.Identifier:
    return sql.Identifier(SCHEMA, table)


def _scalar(conn: Connection, query: str | sql.Composed, params: Sequence[object] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def read_partitions(conn: Connection, table: str) -> tuple[Partition, ...]:
    """The partitions of ``workflow_service.<table>``, ordered by lower bound."""
    if table not in TABLES:
        raise UpkeepError(f"{table} is not a partitioned table the upkeep manages")
    kind = _scalar(
        conn,
        "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)",
        [_qualified(table)],
    )
    if kind != "p":
        raise UpkeepError(f"{_qualified(table)} is missing or not partitioned")
    rows = conn.execute(
        """
        SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass(%s)
        """,
        [_qualified(table)],
    ).fetchall()
    partitions = []
    for name, bound in rows:
        match = _BOUNDS.fullmatch(bound)
        if match is None:
            raise UpkeepError(
                f"{name}: partition bound {bound!r} is not a range; a DEFAULT partition or a "
                "multi-column bound is not part of the layout this upkeep manages"
            )
        partitions.append(
            Partition(
                name,
                _bound(match["lower"], "MINVALUE", name),
                _bound(match["upper"], "MAXVALUE", name),
            )
        )
    return tuple(sorted(partitions, key=lambda p: (p.lower is not None, p.lower or dt.date.min)))


def holding_tables(conn: Connection, table: str) -> tuple[str, ...]:
    """Holding tables of ``table``: rows set aside by a run that did not finish."""
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'r' AND NOT c.relispartition
          AND starts_with(c.relname, %s)
        ORDER BY c.relname
        """,
        [SCHEMA, f"{table}_holding_"],
    ).fetchall()
    return tuple(row[0] for row in rows)


def _count(conn: Connection, table: str) -> int:
    return int(_scalar(conn, sql.SQL("SELECT count(*) FROM {}").format(_ident(table))))


def plan_table(
    conn: Connection, table: str, *, today: dt.date, ahead: int, count_rows: bool = True
) -> TablePlan:
    """Read the layout of ``table`` and decide what keeps it ``ahead`` quarters ahead of today.

    With ``count_rows``, also count the rows that would move (a scan of the catch-all).
    """
    if not 1 <= ahead <= MAX_AHEAD:
        raise UpkeepError(f"ahead must be between 1 and {MAX_AHEAD} quarters, not {ahead}")
    partitions = read_partitions(conn, table)
    catch_all = next((p for p in partitions if p.kind == "catch-all"), None)
    uppers = [p.upper for p in partitions if p.upper is not None]
    if catch_all is not None:
        covered_until = catch_all.lower
    elif uppers:
        covered_until = max(uppers)
    else:
        raise UpkeepError(f"{_qualified(table)} has no bounded partition to extend")
    assert covered_until is not None
    target = Quarter.of(today).shifted(ahead + 1).start
    create: list[Quarter] = []
    if covered_until < target:
        quarter = Quarter.of(covered_until)
        if quarter.start != covered_until:
            raise UpkeepError(
                f"{_qualified(table)}: the quarters end at {covered_until}, which is not the "
                "first day of a quarter; fix the layout by hand"
            )
        while quarter.start < target:
            create.append(quarter)
            quarter = quarter.shifted(1)
    taken = [
        name
        for name in [partition_name(table, q) for q in create]
        if _scalar(conn, "SELECT to_regclass(%s) IS NOT NULL", [_qualified(name)])
    ]
    if taken:
        raise UpkeepError(
            f"{_qualified(table)}: cannot create {', '.join(taken)}: a relation of that name "
            "exists outside the partitioned range; rename or drop it first"
        )
    holding = holding_tables(conn, table)
    moves: tuple[tuple[str, int], ...] = ()
    if count_rows and create and catch_all is not None:
        rows = conn.execute(
            sql.SQL(
                "SELECT CASE WHEN {col} < %s THEN date_trunc('quarter', {col})::date END, "
                "count(*) FROM {table} GROUP BY 1 ORDER BY 1 NULLS LAST"
            ).format(col=sql.Identifier(TABLES[table]), table=_ident(catch_all.name)),
            [target],
        ).fetchall()
        moves = tuple(
            (
                partition_name(table, Quarter.of(start)) if start else f"{table}_future",
                int(count),
            )
            for start, count in rows
        )
    holding_rows = tuple((name, _count(conn, name)) for name in holding) if count_rows else ()
    return TablePlan(
        table=table,
        as_of=today,
        ahead=ahead,
        partitions=partitions,
        catch_all=catch_all,
        covered_until=covered_until,
        target=target,
        create=tuple(create),
        holding=holding,
        moves=moves,
        holding_rows=holding_rows,
    )


def partition_name(table: str, quarter: Quarter) -> str:
    return f"{table}_{quarter.year}_q{quarter.number}"


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
    """Step 3 of the module docstring, in one transaction; None when nothing was missing."""
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


def holding_name(table: str, catch_all: Partition) -> str:
    assert catch_all.lower is not None
    return f"{table}_holding_{catch_all.lower:%Y%m%d}"


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
    """Keep ``tables`` partitioned ``ahead`` quarters past ``today``'s quarter (see module doc).

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


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    partition: str
    kind: str  # historical, quarter, range, catch-all, holding (rows set aside by a run)
    lower: dt.date | None
    upper: dt.date | None
    rows: int | None  # None: an estimate was asked for and the partition was never analysed
    estimated: bool  # rows is pg_class.reltuples (last ANALYZE/VACUUM), not a count
    first: dt.date | dt.datetime | None = None  # oldest and newest date (catch-alls only)
    last: dt.date | dt.datetime | None = None
    attention: str | None = None


@dataclass(frozen=True)
class TableReport:
    table: str
    column: str
    as_of: dt.date
    covered_through: Quarter  # the last quarter the bounded partitions cover
    quarters_ahead: int  # of the current quarter
    wanted_ahead: int
    partitions: tuple[ReportRow, ...]

    @property
    def attention(self) -> list[str]:
        notes = [f"{row.partition}: {row.attention}" for row in self.partitions if row.attention]
        if self.quarters_ahead < self.wanted_ahead:
            notes.insert(
                0,
                f"partitions reach {self.covered_through}, {self.quarters_ahead} quarter(s) past "
                f"{Quarter.of(self.as_of)}; the upkeep keeps {self.wanted_ahead}",
            )
        return notes


def table_report(
    conn: Connection, table: str, *, today: dt.date, ahead: int, estimate: bool = False
) -> TableReport:
    """Every partition of ``table`` (and any holding table), with row counts.

    Counts are exact ``count(*)`` per partition; with ``estimate``, quarter and historical
    partitions report ``pg_class.reltuples`` instead (flagged ``estimated``). Catch-alls are
    always counted exactly, with the oldest and newest date they hold.
    """
    plan = plan_table(conn, table, today=today, ahead=ahead, count_rows=False)
    column = sql.Identifier(TABLES[table])
    rows = []
    parts: list[tuple[Partition, str]] = [(p, p.kind) for p in plan.partitions]
    parts += [(Partition(name, None, None), "holding") for name in plan.holding]
    for partition, kind in parts:
        exact = not estimate or kind in ("catch-all", "holding")
        first = last = None
        attention = None
        if exact:
            count, first, last = conn.execute(
                sql.SQL("SELECT count(*), min({col}), max({col}) FROM {table}").format(
                    col=column, table=_ident(partition.name)
                )
            ).fetchone() or (0, None, None)
        else:
            count = _scalar(
                conn,
                "SELECT nullif(reltuples, -1)::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [_qualified(partition.name)],
            )
        if kind == "catch-all" and count:
            attention = (
                f"{count} row(s) in the catch-all, dated {_day(first)} to {_day(last)}; "
                "ensure_partitions moves those of quarters up to its horizon, later ones are "
                "probably mis-dated"
            )
        if kind == "holding":
            attention = (
                f"{count} row(s) set aside by an interrupted upkeep, out of sight in the "
                "table until moved back: run manage.py ensure_partitions"
            )
        rows.append(
            ReportRow(
                partition=partition.name,
                kind=kind,
                lower=partition.lower,
                upper=partition.upper,
                rows=None if count is None else int(count),
                estimated=not exact,
                first=first if kind in ("catch-all", "holding") else None,
                last=last if kind in ("catch-all", "holding") else None,
                attention=attention,
            )
        )
    covered_through = Quarter.of(plan.covered_until - dt.timedelta(days=1))
    current = Quarter.of(today)
    quarters_ahead = (covered_through.year - current.year) * 4 + (
        covered_through.number - current.number
    )
    return TableReport(
        table=table,
        column=TABLES[table],
        as_of=today,
        covered_through=covered_through,
        quarters_ahead=quarters_ahead,
        wanted_ahead=ahead,
        partitions=tuple(rows),
    )


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()


# --- on Django's connection --------------------------------------------------------------


def django_connection(*, read_only: bool = False) -> Connection:
    """The psycopg connection under Django's default connection.

    The upkeep commits step by step, so it refuses to run inside ``transaction.atomic()``;
    read-only uses (dry run, report) may.
    """
    from django.db import connection

    if connection.in_atomic_block and not read_only:
        raise UpkeepError(
            "partition upkeep runs its own short transactions; call it outside transaction.atomic()"
        )
    connection.ensure_connection()
    raw: Connection = connection.connection
    return raw


def business_today() -> dt.date:
    from workflow.business_time import business_today as today

    return today()


def run_upkeep(*, today: dt.date | None = None, **options: Any) -> UpkeepResult:
    """:func:`ensure_partitions` on Django's database, planned for the bank's current day."""
    conn = django_connection(read_only=bool(options.get("dry_run")))
    return ensure_partitions(conn, today=today or business_today(), **options)


def report(
    *,
    tables: Sequence[str] = tuple(TABLES),
    today: dt.date | None = None,
    ahead: int = DEFAULT_AHEAD,
    estimate: bool = False,
) -> list[TableReport]:
    """:func:`table_report` of each table on Django's database."""
    conn = django_connection(read_only=True)
    day = today or business_today()
    return [table_report(conn, t, today=day, ahead=ahead, estimate=estimate) for t in tables]
