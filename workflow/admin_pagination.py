"""A paginator for admin lists over big tables: no full-table ``COUNT(*)``.

Counting every row of ``action_records`` (millions of rows, many partitions) costs a scan of
the whole table on each list page. When the list is not filtered, the planner's estimate is
good enough to number the pages: ``pg_class.reltuples`` of the table, or summed over its
leaf partitions when it is partitioned, kept current by autovacuum's ANALYZE.
A filtered list (a list filter, a search, the admin's date bar) is counted exactly, because
the filter bounds the work and an estimate would be wrong. Estimates below
``exact_count_below`` rows are also replaced by an exact count, which is cheap there and right
for tables that were never analysed.

Use it with ``show_full_result_count = False`` (the admin's second, unfiltered count)::

    class ActionRecordAdmin(admin.ModelAdmin):
        paginator = EstimatedCountPaginator
        show_full_result_count = False

The admin templates can tell the estimate apart with ``cl.paginator.count_is_estimated``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property


def table_row_estimate(model: type[Model], *, using: str = "default") -> int:
    """The planner's row estimate of ``model``'s table, summed over its leaf partitions.

    Partitions that were never analysed report ``-1`` and count as empty.
    """
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(c.reltuples) FILTER (WHERE c.reltuples > 0), 0)::bigint
            FROM pg_class AS c
            WHERE c.relkind = 'r' AND (
                c.oid = %s::regclass
                -- no rows for a table that is not partitioned
                OR c.oid IN (SELECT relid FROM pg_partition_tree(%s::regclass) WHERE isleaf)
            )
            """,
            [table, table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def is_unfiltered(queryset: QuerySet[Any]) -> bool:
    """Whether ``queryset`` would return every row of its table (joins and order aside)."""
    query = queryset.query
    return not (
        query.where
        or query.combinator
        or query.distinct
        or query.is_sliced
        or query.group_by
        or query.extra
    )


class EstimatedCountPaginator(Paginator):
    """Counts with the planner's estimate when the list is unfiltered (see the module doc)."""

    # Below this estimate an exact count is cheap, and right for never-analysed tables.
    exact_count_below = 10_000
    count_is_estimated = False

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet) and is_unfiltered(object_list):
            estimate = table_row_estimate(object_list.model, using=object_list.db)
            if estimate >= self.exact_count_below:
                self.count_is_estimated = True
                return estimate
        return super().count
