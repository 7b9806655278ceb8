"""Reads of promises: the list filters, one promise with its appropriations, a promise type."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass

from django.db.models import Prefetch, Q, QuerySet

from agents.scope import AgentScope
from promises.api.filters import PromiseFilter
from promises.models import PaymentPromise, PromiseAppropriation, PromiseType
from workflow.errors import Forbidden, NotFound


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


def promises_list(
    *, filters: PromiseFilters, scope: AgentScope | None = None
) -> QuerySet[PaymentPromise]:
    """The promises matching ``filters`` within ``scope``, soonest promised date first.

    Role scope, as on the action lists (READ_CUSTOMER_WORK, ``workflow.permissions``):
    supervisors and admins list every promise (``scope`` None); an agent (OWN_WORK) lists the
    promises of the customers currently assigned to it and the promises it obtained itself.
    """
    queryset = PaymentPromise.objects.select_related("agent")
    if scope is not None:
        queryset = queryset.filter(scope.work())
    queryset = PromiseFilter.apply(asdict(filters), queryset)
    return queryset.order_by("promised_date", "created_at", "id")


def promise_detail(*, promise_id: uuid.UUID, scope: AgentScope | None = None) -> PaymentPromise:
    """One promise with its appropriations (reversed ones included); 404 when unknown, 403
    when outside ``scope`` (an agent's customers and own promises, as on the lists)."""
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
    if (
        scope is not None
        and not PaymentPromise.objects.filter(scope.work(), id=promise_id).exists()
    ):
        raise Forbidden(
            "This promise is not on one of your customers nor obtained by you.", field="id"
        )
    return promise


def promise_for_action(*, action_id: uuid.UUID) -> PaymentPromise | None:
    """The promise obtained by action ``action_id``, if any."""
    return PaymentPromise.objects.filter(action_id=action_id).first()
