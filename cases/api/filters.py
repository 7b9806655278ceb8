"""Filters of the collection status report, applied by ``cases.selectors``.

The values come validated (``reports.api.serializers.CollectionStatusFilters``); ``None``
means any.
"""

from __future__ import annotations

import uuid

import django_filters
from django.db.models import Q, QuerySet

from cases.models import CustomerCollectionStatus
from workflow.enums import CustomerStatus
from workflow.filtering import FilterSet


class CollectionStatusFilter(FilterSet):
    """A dpd bound leaves out customers without loans (null max_dpd)."""

    segment = django_filters.CharFilter(strip=False)
    customer_status = django_filters.ChoiceFilter(choices=CustomerStatus.choices)
    call_agent_id = django_filters.UUIDFilter(field_name="assigned_call_agent_id")
    field_agent_id = django_filters.UUIDFilter(field_name="assigned_field_agent_id")
    agent_id = django_filters.UUIDFilter(method="filter_agent_id")
    min_dpd = django_filters.NumberFilter(field_name="max_dpd", lookup_expr="gte")
    max_dpd = django_filters.NumberFilter(field_name="max_dpd", lookup_expr="lte")

    class Meta:
        model = CustomerCollectionStatus
        fields = (
            "segment",
            "customer_status",
            "call_agent_id",
            "field_agent_id",
            "agent_id",
            "min_dpd",
            "max_dpd",
        )

    def filter_agent_id(
        self, queryset: QuerySet[CustomerCollectionStatus], name: str, value: uuid.UUID
    ) -> QuerySet[CustomerCollectionStatus]:
        """The call or the field agent."""
        return queryset.filter(Q(assigned_call_agent_id=value) | Q(assigned_field_agent_id=value))
