"""Filters of the case lists, applied by ``cases.selectors``: a customer's case actions and
the collection status report.

The values come validated (``DateRangeInput``, ``reports.api.serializers.
CollectionStatusFilters``); ``None`` means any. Dates are inclusive business days of the
bank, turned into a half-open UTC range.
"""

from __future__ import annotations

import datetime as dt
import uuid

import django_filters
from django.db.models import Q, QuerySet

from cases.models import CustomerCaseAction, CustomerCollectionStatus
from workflow.business_time import day_range_utc
from workflow.enums import CustomerStatus
from workflow.filtering import FilterSet


class CaseActionFilter(FilterSet):
    start_date = django_filters.DateFilter(method="filter_start_date")
    end_date = django_filters.DateFilter(method="filter_end_date")

    class Meta:
        model = CustomerCaseAction
        fields = ("start_date", "end_date")

    def filter_start_date(
        self, queryset: QuerySet[CustomerCaseAction], name: str, value: dt.date
    ) -> QuerySet[CustomerCaseAction]:
        lower, _ = day_range_utc(value, None)
        return queryset.filter(action_date__gte=lower)

    def filter_end_date(
        self, queryset: QuerySet[CustomerCaseAction], name: str, value: dt.date
    ) -> QuerySet[CustomerCaseAction]:
        _, upper = day_range_utc(None, value)
        return queryset.filter(action_date__lt=upper)


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
