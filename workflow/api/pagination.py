"""Page-number pagination in the envelope: ``{<items key>: [...], pagination: {...}}``."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request

from workflow.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


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


def paginate(
    request: Request,
    queryset: QuerySet[Any] | Sequence[Any],
    *,
    items_key: str,
    serialize: Callable[[Sequence[Any]], Any],
    total: int | None = None,
) -> dict[str, Any]:
    """One page of ``queryset`` in the envelope's list shape (two queries: count and page).

    A page past the last one is an empty list, not an error.
    """
    page, size = page_params(request)
    total_items = (
        total
        if total is not None
        else (queryset.count() if isinstance(queryset, QuerySet) else len(queryset))
    )
    offset = (page - 1) * size
    rows = list(queryset[offset : offset + size]) if offset < total_items else []
    return {
        items_key: serialize(rows),
        "pagination": {
            "page": page,
            "pageSize": size,
            "totalPages": math.ceil(total_items / size) if total_items else 0,
            "totalItems": total_items,
        },
    }
