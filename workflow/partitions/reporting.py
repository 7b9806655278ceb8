"""The partition report: every partition with its rows, and what needs attention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from workflow.partitions.layout import (
    DEFAULT_AHEAD,
    TABLES,
    Connection,
    Partition,
    Quarter,
    _ident,
    _qualified,
    _scalar,
    business_today,
    django_connection,
    plan_table,
)


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
