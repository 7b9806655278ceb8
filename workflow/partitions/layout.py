"""The partition layout: names, quarter bounds, the catalog read, the upkeep's plan.

Shared by :mod:`~workflow.partitions.upkeep` and :mod:`~workflow.partitions.reporting`, as are
the psycopg connection under Django's and the bank's business day at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql

SCHEMA = "workflow_service"
# Each partitioned table and the column it is partitioned by.
TABLES: dict[str, str] = {"action_records": "action_date", "customer_agents": "start_date"}
DEFAULT_AHEAD = 4
MAX_AHEAD = 40

Connection = psycopg.Connection[Any]


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


def holding_name(table: str, catch_all: Partition) -> str:
    assert catch_all.lower is not None
    return f"{table}_holding_{catch_all.lower:%Y%m%d}"


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
