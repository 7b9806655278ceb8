"""Lists read with plain SQL: what a selector of a hot read returns instead of a QuerySet.

Building and compiling a QuerySet (filters, joins, ordering, select_related, a subquery) costs
more Python than the database takes to answer a page: on ``GET /actions/customer/{cif}`` about
a third of the 15,000 function calls of a request (bench/README.md, "Plain SQL on the hot
paths"). A :class:`SqlList` is the same list written once as SQL: the selector states its
joins, conditions and order, and :class:`workflow.api.pagination.EnvelopePagination` pages it
exactly as it pages a QuerySet (the page's total as ``COUNT(*) OVER ()`` where the view asks
for it, or counted apart), one statement per page. Rows come back as the selector's row
objects, which the API's output serializers read as they read models.

The pieces are SQL fragments with ``%s`` placeholders and their parameters in order; the
parameters are always bound, never formatted in. With server-side binding (prepared statements,
``DB_PREPARE_THRESHOLD``) PostgreSQL infers a parameter's type from its use: a fragment casts
a parameter whose use does not say (``%s::timestamp``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connection
from django.utils import timezone

from workflow.business_time import day_range_utc, naive_utc

T = TypeVar("T")


@dataclass(frozen=True)
class SqlList(Generic[T]):
    """The rows of ``table`` (named ``alias``) that meet ``conditions``, by ``order_by``.

    A page is cut first, then joined: ``SELECT <columns> FROM (SELECT <alias>.* FROM <table>
    <alias> <filter_joins> WHERE <conditions> ORDER BY <order_by> LIMIT .. OFFSET ..) <alias>
    <joins> ORDER BY <order_by>``. ``filter_joins`` serve the conditions (and are in the count);
    ``joins`` and the subqueries of ``columns`` serve the page's rows only, so they run for a
    page's ten rows rather than for the whole list (on a customer's actions, a hash join of
    every agent became ten index lookups: 1.4 ms of execution became 0.8). ``joins`` must not
    change which rows the list holds (e.g. an inner join on a non-null foreign key).
    ``order_by`` and ``columns`` name the table's columns through ``alias``. ``row`` builds one
    row object from a result tuple. ``recent = (column, span)`` reads a long list's pages from
    its rows of the last ``span`` first (:meth:`page`).
    """

    table: str
    alias: str
    columns: str
    order_by: str
    row: Callable[[Sequence[Any]], T]
    joins: str = ""
    filter_joins: str = ""
    conditions: tuple[str, ...] = ()
    params: tuple[Any, ...] = field(default=())
    recent: tuple[str, dt.timedelta] | None = None

    def __post_init__(self) -> None:
        if self.recent is not None:
            column = self.recent[0]
            assert self.order_by.startswith(f"{column} DESC"), "recent pages newest first"

    def _where(self) -> str:
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""

    def sql_with_params(
        self, offset: int = 0, limit: int | None = None, *, with_total: bool = False
    ) -> tuple[str, list[Any]]:
        """The statement of a page of rows (with the list's total as the last column when
        ``with_total``), and its parameters."""
        alias = self.alias
        params = list(self.params)
        page = (
            f"SELECT {alias}.*{', COUNT(*) OVER () AS sql_list_total' if with_total else ''}"
            f" FROM {self.table} {alias} {self.filter_joins}{self._where()}"
            f" ORDER BY {self.order_by}"
        )
        if limit is not None:
            page += " LIMIT %s"
            params.append(limit)
        if offset:
            page += " OFFSET %s"
            params.append(offset)
        total = f", {alias}.sql_list_total" if with_total else ""
        sql = (
            f"SELECT {self.columns}{total} FROM ({page}) {alias} {self.joins}"
            f" ORDER BY {self.order_by}"
        )
        return sql, params

    def count_sql_with_params(self) -> tuple[str, list[Any]]:
        return (
            f"SELECT COUNT(*) FROM {self.table} {self.alias} {self.filter_joins}{self._where()}",
            list(self.params),
        )

    def recent_sql_with_params(self, offset: int, limit: int) -> tuple[str, list[Any]]:
        """The statement of a page cut from the rows of the last ``recent`` span only (read
        first, ``OFFSET 0`` keeping PostgreSQL from walking the ordering's index instead,
        then sorted), each row with whether the list has older rows (its last column)."""
        assert self.recent is not None
        column, span = self.recent
        alias = self.alias
        cutoff = naive_utc(timezone.now() - span)
        recent = (
            f"SELECT {alias}.* FROM {self.table} {alias} {self.filter_joins}"
            f" WHERE {' AND '.join([*self.conditions, f'{column} >= %s::timestamp'])} OFFSET 0"
        )
        older = (
            f"EXISTS (SELECT 1 FROM {self.table} {alias} {self.filter_joins}"
            f" WHERE {' AND '.join([*self.conditions, f'{column} < %s::timestamp'])})"
        )
        page = f"SELECT {alias}.* FROM ({recent}) {alias} ORDER BY {self.order_by} LIMIT %s"
        params = [*self.params, cutoff, limit]
        if offset:
            page += " OFFSET %s"
            params.append(offset)
        sql = (
            f"SELECT {self.columns}, {older} FROM ({page}) {alias} {self.joins}"
            f" ORDER BY {self.order_by}"
        )
        return sql, [*self.params, cutoff, *params]  # the EXISTS comes first in the text

    def page(self, offset: int, limit: int, *, with_total: bool) -> tuple[list[T], int | None]:
        """Rows ``offset .. offset + limit`` and, ``with_total``, the list's total (None when
        the page is empty: the window has no row to ride on).

        A list with ``recent = (column, span)``, ordered newest first by ``column``, reads a
        page without its total from the rows of the last ``span`` first. Every one of those
        is newer than every older row, so when they fill the page, or the list has no older
        row, the page is the whole list's; otherwise it is read again from the whole list
        (one statement more). That serves a long list whose index does not follow its order:
        an agent's page of ten of its 2,500 actions at bench scale 1, read through the
        ``action_date`` index filtered on the agent, took 21,000 rows; its rows of the last
        month, through the agent's own index, are about 70.
        """
        if self.recent is not None and not with_total:
            sql, params = self.recent_sql_with_params(offset, limit)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                fetched = cursor.fetchall()
            if len(fetched) == limit or (fetched and not fetched[0][-1]):
                return [self.row(values[:-1]) for values in fetched], None
        sql, params = self.sql_with_params(offset, limit, with_total=with_total)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not with_total:
            return [self.row(values) for values in fetched], None
        rows = [self.row(values[:-1]) for values in fetched]
        return rows, (int(fetched[0][-1]) if fetched else None)

    def head(self, limit: int) -> list[T]:
        """The first ``limit`` rows."""
        return self.page(0, limit, with_total=False)[0]

    def count(self) -> int:
        sql, params = self.count_sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (total,) = cursor.fetchone()
        return int(total)

    def __iter__(self) -> Iterator[T]:
        """Every row, in order (as iterating a QuerySet)."""
        sql, params = self.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return iter([self.row(values) for values in fetched])


def day_range_conditions(
    column: str, start: dt.date | None, end: dt.date | None
) -> tuple[list[str], list[Any]]:
    """Conditions for a ``timestamp`` (UTC) ``column`` on the bank's business days
    ``start..end`` inclusive (None: open), and their parameters: a half-open UTC range of
    naive timestamps, as the column holds them, so that PostgreSQL prunes partitions."""
    lower, upper = day_range_utc(start, end)
    conditions, params = [], []
    if lower is not None:
        conditions.append(f"{column} >= %s::timestamp")
        params.append(naive_utc(lower))
    if upper is not None:
        conditions.append(f"{column} < %s::timestamp")
        params.append(naive_utc(upper))
    return conditions, params
