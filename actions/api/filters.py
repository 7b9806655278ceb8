"""Filters of the action lists, applied by the selectors of ``actions.selectors``.

The values come validated (``actions.api.serializers.ActionListQuery``); ``None`` means any.
Dates are inclusive business days of the bank, turned into a half-open UTC range on the
partition key (naive timestamp literals, see ``workflow.fields.UTCDateTimeField``) so that
PostgreSQL prunes partitions at plan time.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet

from actions.models import ActionRecord
from workflow.business_time import day_range_utc
from workflow.enums import ActionResult, ActionSubtype, ActionType
from workflow.filtering import FilterSet


class ActionFilter(FilterSet):
    type = django_filters.ChoiceFilter(choices=ActionType.choices)
    subtype = django_filters.ChoiceFilter(choices=ActionSubtype.choices)
    action_result = django_filters.ChoiceFilter(choices=ActionResult.choices)
    start_date = django_filters.DateFilter(method="filter_start_date")
    end_date = django_filters.DateFilter(method="filter_end_date")

    class Meta:
        model = ActionRecord
        fields = ("type", "subtype", "action_result", "start_date", "end_date")

    def filter_start_date(
        self, queryset: QuerySet[ActionRecord], name: str, value: dt.date
    ) -> QuerySet[ActionRecord]:
        lower, _ = day_range_utc(value, None)
        return queryset.filter(action_date__gte=lower)

    def filter_end_date(
        self, queryset: QuerySet[ActionRecord], name: str, value: dt.date
    ) -> QuerySet[ActionRecord]:
        _, upper = day_range_utc(None, value)
        return queryset.filter(action_date__lt=upper)
