"""Building blocks shared by the admin pages of read-only history tables."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """A history or a table another service owns: viewable, never added, changed or deleted.

    No facet counts (each is a COUNT over a large table) and no bulk actions unless a subclass
    names its own.
    """

    show_facets = admin.ShowFacets.NEVER
    actions: Any = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExactCifSearchAdmin(ReadOnlyAdmin):
    """Search by exact cif (as typed or upper-cased), so that the cif index serves it."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(customer_id__in={term, term.upper()}), False
