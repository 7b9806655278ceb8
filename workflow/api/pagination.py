"""Page-number pagination in the envelope: ``{<items key>: [...], pagination: {...}}``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from workflow.api.envelope import ok
from workflow.errors import ValidationFailed
from workflow.sql_list import SqlList

if TYPE_CHECKING:  # (importing DRF's generics here would import this module from DRF's settings)
    from rest_framework.generics import GenericAPIView

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_SQL_OFFSET = 2**63 - 1  # PostgreSQL's OFFSET and LIMIT are bigints
TOTAL = "page_total_items"  # the annotation carrying the list's total on each row


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number, got {raw!r}.", field=name) from None
    if value < 1:
        raise ValidationFailed(f"{name} must be at least 1.", field=name)
    if maximum is not None and value > maximum:
        raise ValidationFailed(f"{name} must be at most {maximum}.", field=name)
    return value


def page_params(request: Request) -> tuple[int, int]:
    """``(page, pageSize)`` from the query string, validated (400 naming the field)."""
    page = _positive_int(request, "page", 1)
    size = _positive_int(request, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    return page, size


class EnvelopePagination(BasePagination):
    """The pagination of every list (``DEFAULT_PAGINATION_CLASS``).

    ``page`` (from 1) and ``pageSize`` (default 10, at most 100) are validated strictly: a bad
    value is a 400 naming the field, never silently clamped. A page past the last one is an
    empty list, not an error. Two queries per page: the count and the page's rows, each served by
    an index (the page stops after its rows). A list whose rows are few by nature (one
    customer's or one loan's, named by the view's ``count_in_page_actions``) is one query: the
    page's rows carry the exact total as ``COUNT(*) OVER ()``. That reads every row of the list
    before the first is returned, so it is never used where a list can be long (an agent's
    actions at scale 1: p50 388 ms at 8 clients, against 59 ms with the count apart).

    A list action pages its queryset, serializes the rows with one serializer and hands the
    items under their key::

        rows = self.paginate_queryset(queryset)
        return self.get_paginated_response({"agents": represent_many(AgentOutput, rows)})

    The response's ``data`` is that dict (its keys in their order) followed by ``pagination``.
    """

    page = 1
    page_size = DEFAULT_PAGE_SIZE
    total_items = 0

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | SqlList[Any] | Sequence[Any],
        request: Request,
        view: Any = None,
    ) -> list[Any]:
        self.page, self.page_size = page_params(request)
        offset = (self.page - 1) * self.page_size
        short = getattr(view, "action", None) in getattr(view, "count_in_page_actions", ())
        if isinstance(queryset, SqlList):
            return self._paginate(queryset.page, queryset.count, offset, short=short)
        if not isinstance(queryset, QuerySet):
            self.total_items = len(queryset)
            return list(queryset[offset : offset + self.page_size])
        query = queryset.query
        # (A window over DISTINCT, UNION or GROUP BY rows would count the wrong thing.)
        windowable = not (query.distinct or query.combinator or query.group_by)
        return self._paginate(
            partial(_queryset_page, queryset), queryset.count, offset, short=short and windowable
        )

    def _paginate(
        self,
        page_of: Callable[..., tuple[list[Any], int | None]],
        count: Callable[[], int],
        offset: int,
        *,
        short: bool,
    ) -> list[Any]:
        """The page at ``offset`` of a list: ``page_of(offset, limit, with_total=...)`` gives
        its rows (and, ``with_total``, the list's total, None on an empty page), ``count()``
        the list's total. A short list's page carries its total; a long one is counted apart."""
        if offset + self.page_size > MAX_SQL_OFFSET:
            # Past any table's end (and beyond SQL's bigint OFFSET): an empty page, counted.
            self.total_items = count()
            return []
        if not short:
            self.total_items = count()
            if offset >= self.total_items:
                return []
            return page_of(offset, self.page_size, with_total=False)[0]
        rows, total = page_of(offset, self.page_size, with_total=True)
        if total is not None:
            self.total_items = total
        else:
            self.total_items = count() if offset else 0
        return rows

    def get_pagination(self) -> dict[str, int]:
        """The ``pagination`` object of the page last paged."""
        return {
            "page": self.page,
            "pageSize": self.page_size,
            "totalPages": math.ceil(self.total_items / self.page_size) if self.total_items else 0,
            "totalItems": self.total_items,
        }

    def get_paginated_response(self, data: dict[str, Any]) -> Response:
        return ok({**data, "pagination": self.get_pagination()})


def _queryset_page(
    queryset: QuerySet[Any], offset: int, limit: int, *, with_total: bool
) -> tuple[list[Any], int | None]:
    """``SqlList.page`` for a QuerySet: the total rides on each row as ``COUNT(*) OVER ()``."""
    if not with_total:
        return list(queryset[offset : offset + limit]), None
    rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[offset : offset + limit])
    if not rows:
        return rows, None
    first = rows[0]
    return rows, int(first[TOTAL] if isinstance(first, dict) else getattr(first, TOTAL))


def paginate(view: GenericAPIView[Any], rows: QuerySet[Any] | SqlList[Any]) -> list[Any]:
    """``view.paginate_queryset(rows)``, typed for the plain-SQL lists too (DRF's stub knows
    QuerySets and sequences only): the page of ``rows`` by the view's ``EnvelopePagination``."""
    paginator = view.paginator
    assert isinstance(paginator, EnvelopePagination)
    return paginator.paginate_queryset(rows, view.request, view=view)
