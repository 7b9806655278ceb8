"""Filters of ``GET /promises``, applied by :func:`promises.selectors.promises_list`.

The values come validated (``promises.api.serializers.PromiseListQuery``); ``None`` means any.
"""

from __future__ import annotations

import django_filters

from promises.models import PaymentPromise, PromiseStatus
from workflow.filtering import FilterSet


class PromiseFilter(FilterSet):
    cif = django_filters.CharFilter(field_name="customer_id")
    loan = django_filters.CharFilter(field_name="loan_id")
    agent_id = django_filters.UUIDFilter(field_name="agent_id")
    team = django_filters.CharFilter(field_name="agent__team")
    status = django_filters.ChoiceFilter(choices=PromiseStatus.choices)
    promised_from = django_filters.DateFilter(field_name="promised_date", lookup_expr="gte")
    promised_to = django_filters.DateFilter(field_name="promised_date", lookup_expr="lte")

    class Meta:
        model = PaymentPromise
        fields = ("cif", "loan", "agent_id", "team", "status", "promised_from", "promised_to")
