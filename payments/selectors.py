"""Reads of payments."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

from payments.models import Payment
from workflow.business_time import day_range_utc


def payments_for_agent(
    *, agent_id: uuid.UUID | str, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Payment]:
    """Payments attributed to the agent as call OR field agent, paid on the business days
    ``start..end`` (inclusive; None = open), oldest first."""
    lower, upper = day_range_utc(start, end)
    queryset = Payment.objects.filter(Q(call_agent_id=agent_id) | Q(field_agent_id=agent_id))
    if lower is not None:
        queryset = queryset.filter(payment_date__gte=lower)
    if upper is not None:
        queryset = queryset.filter(payment_date__lt=upper)
    return queryset.order_by("payment_date", "id")
