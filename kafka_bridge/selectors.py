"""Reads of the Kafka bridge's data: payments and the assignment a payment is attributed to."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

from assignments.models import CustomerAgent
from kafka_bridge.models import Payment
from workflow.business_time import day_range_utc


def assignment_on(*, cif: str, day: dt.date) -> CustomerAgent | None:
    """The version of ``cif``'s assignment history in force on the bank's business ``day``.

    Rule: a version applies on the days ``start_date <= day < end_date`` (``end_date`` NULL =
    still open). The assignment trigger closes the old version with ``end_date`` = the day of the
    change and opens the new one with ``start_date`` = that same day, so on a reassignment day
    the NEW version applies. A version opened and closed on the same day (several changes that
    day) never applies: the last change of the day wins. Should the history overlap anyway, the
    latest ``start_date`` (then the latest created) wins.
    """
    return (
        CustomerAgent.objects.filter(customer_id=cif, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .order_by("-start_date", "-created_at")
        .first()
    )


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
