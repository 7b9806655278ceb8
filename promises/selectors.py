"""Reads of promises: the list filters, one promise with its appropriations, a promise type."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass

from django.db.models import Prefetch, Q, QuerySet

from promises.api.filters import PromiseFilter
from promises.models import PaymentPromise, PromiseAppropriation, PromiseType
from workflow.actors import Actor
from workflow.errors import NotFound
from workflow.permissions import Access, Capability, grant


@dataclass(frozen=True)
class PromiseFilters:
    """The list filters (None = any); dates are inclusive promised dates."""

    cif: str | None = None
    loan: str | None = None
    agent_id: uuid.UUID | None = None
    team: str | None = None
    status: str | None = None
    promised_from: dt.date | None = None
    promised_to: dt.date | None = None


def promise_type_for(*, product_type: str | None, segment: str | None) -> PromiseType | None:
    """The active promise type most specific to the loan product and customer segment:
    product and segment, then product only, then segment only, then the catch-all type."""
    candidates = PromiseType.objects.filter(is_active=True).filter(
        Q(product_type=product_type) | Q(product_type__isnull=True),
        Q(segment=segment) | Q(segment__isnull=True),
    )

    def rank(kind: PromiseType) -> tuple[int, int]:
        return (kind.product_type is None, kind.segment is None)

    return min(candidates, key=rank, default=None)


def promises_list(*, actor: Actor, filters: PromiseFilters) -> QuerySet[PaymentPromise]:
    """The promises matching ``filters``, soonest promised date first.

    Role scope: supervisors and admins (EDIT_RESULTS on every action) list everyone's
    promises; an agent lists the promises they obtained, except on one customer (``cif``
    given), where every promise of the customer is shown.
    """
    queryset = PaymentPromise.objects.select_related("agent")
    if filters.cif is None and grant(actor, Capability.EDIT_RESULTS).access is not Access.ALLOWED:
        queryset = queryset.filter(agent__user_id=actor.user_id)
    queryset = PromiseFilter(asdict(filters), queryset).qs
    return queryset.order_by("promised_date", "created_at", "id")


def promise_detail(*, promise_id: uuid.UUID) -> PaymentPromise:
    """One promise with its appropriations (reversed ones included); 404 when unknown."""
    promise = (
        PaymentPromise.objects.prefetch_related(
            Prefetch(
                "appropriations",
                queryset=PromiseAppropriation.objects.order_by("appropriated_at", "id"),
            )
        )
        .filter(id=promise_id)
        .first()
    )
    if promise is None:
        raise NotFound(f"No promise with id {promise_id}.", field="id")
    return promise


def promise_for_action(*, action_id: uuid.UUID) -> PaymentPromise | None:
    """The promise obtained by action ``action_id``, if any."""
    return PaymentPromise.objects.filter(action_id=action_id).first()
