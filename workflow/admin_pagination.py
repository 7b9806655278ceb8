"""A paginator for admin lists over big tables: never an exact ``COUNT(*)`` of millions of rows.

Supervisors open lists of ``action_records`` (millions of rows, many partitions), customer
cases and case actions; counting every row of such a list scans it, on each page. So a list is
counted exactly only up to ``settings.ADMIN_EXACT_COUNT_UP_TO`` rows (10,000 by default)::

    SELECT count(*) FROM (<the list's query> LIMIT 10001) AS capped

which reads at most 10,001 rows however long the list is. Beyond that the page shows "about N",
N being the planner's estimate: ``pg_class.reltuples`` of the table (summed over its leaf
partitions) when the list is unfiltered, otherwise the row estimate of ``EXPLAIN`` of the
filtered query (never less than the cap, which the capped count proved). Both are read from the
statistics autovacuum's ANALYZE keeps, in about a millisecond.

Use it with ``show_full_result_count = False`` (the admin's second, unfiltered count)::

    class ActionRecordAdmin(admin.ModelAdmin):
        paginator = EstimatedCountPaginator
        show_full_result_count = False

Templates tell the estimate apart with ``cl.paginator.count_is_estimated`` and show
``cl.paginator.count_text`` ("about 4,990,000" or "9,874"); the changelist templates under
``workflow/templates/admin/workflow/`` do.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
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


def query_row_estimate(queryset: QuerySet[Any]) -> int:
    """The planner's estimate of the rows ``queryset`` returns (``EXPLAIN``, nothing is run)."""
    # The rows only: no joins of select_related, no order (neither changes the row count).
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        row = cursor.fetchone()
    plan = row[0] if row else [{"Plan": {"Plan Rows": 0}}]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(queryset: QuerySet[Any], cap: int) -> int:
    """``queryset``'s row count if it is at most ``cap``, otherwise ``cap + 1``.

    ``SELECT count(*) FROM (... LIMIT cap + 1)``: reads at most ``cap + 1`` rows.
    """
    return queryset.order_by()[: cap + 1].count()


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


def about(count: int) -> str:
    """An estimate as people read it: three significant digits, thousands grouped."""
    digits = len(str(count))
    rounded = round(count, -(digits - 3)) if digits > 3 else count
    return f"about {rounded:,}"


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``ADMIN_EXACT_COUNT_UP_TO`` rows, estimates beyond (module doc)."""

    count_is_estimated = False

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet):
            return super().count
        cap: int = settings.ADMIN_EXACT_COUNT_UP_TO
        if is_unfiltered(object_list):
            # One catalogue read; a table this big is not counted even up to the cap.
            estimate = table_row_estimate(object_list.model, using=object_list.db)
            if estimate > cap:
                self.count_is_estimated = True
                return estimate
        exact = capped_count(object_list, cap)
        if exact <= cap:
            return exact
        self.count_is_estimated = True
        return max(query_row_estimate(object_list), cap + 1)

    @property
    def count_text(self) -> str:
        """The count as the page shows it: "about 4,990,000" or "9,874"."""
        count = self.count
        return about(count) if self.count_is_estimated else f"{count:,}"
