"""Reads of payments."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from payments.models import Payment, PaymentReversal
from workflow.business_time import day_range_utc


def counted_payments() -> QuerySet[Payment]:
    """The payments that count as collected: every stored payment except the reversed ones
    (``payment_reversals``: a bounced transfer, a chargeback, a supervisor's reversal)."""
    reversed_ = PaymentReversal.objects.filter(payment_id=OuterRef("payment_id"))
    return Payment.objects.exclude(Exists(reversed_))


def payments_for_agent(
    *, agent_id: uuid.UUID | str, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Payment]:
    """Payments attributed to the agent as call OR field agent, paid on the business days
    ``start..end`` (inclusive; None = open), oldest first; reversed ones left out."""
    lower, upper = day_range_utc(start, end)
    queryset = counted_payments().filter(Q(call_agent_id=agent_id) | Q(field_agent_id=agent_id))
    if lower is not None:
        queryset = queryset.filter(payment_date__gte=lower)
    if upper is not None:
        queryset = queryset.filter(payment_date__lt=upper)
    return queryset.order_by("payment_date", "id")
