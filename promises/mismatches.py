"""Payments passed over for a promise because of their currency: reported, then reviewed.

A payment is only applied to promises in its own currency (:mod:`promises.services`). When a
pending promise of the customer that the payment would otherwise count for is in another
currency (or the payment's currency is unknown), the payment is not applied to it and the pair
is stored in ``promise_currency_mismatches``: supervisors see the unreviewed ones in the admin
(Promises > Currency mismatches) and ``/metrics`` reports their number
(``workflow_promise_currency_mismatches_unreviewed``). Reviewing one records who looked at it
and why; it never applies the payment (the bank corrects the payment or the promise).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from promises.models import PaymentPromise, PromiseCurrencyMismatch
from workflow.actors import Actor
from workflow.errors import ValidationFailed

logger = logging.getLogger("promises.services")


def mismatches_record(
    *,
    payment_id: str,
    cif: str,
    amount: Decimal,
    currency: str | None,
    promises: Iterable[PaymentPromise],
) -> int:
    """Report payment ``payment_id`` as not applied to ``promises`` for its currency; return
    how many pairs were new (a redelivered payment reports nothing again)."""
    rows = [
        PromiseCurrencyMismatch(
            id=uuid.uuid4(),
            payment_id=payment_id,
            promise_id=promise.id,
            cif=cif,
            payment_amount=amount,
            payment_currency=currency.upper() if currency else None,
            promise_currency=promise.currency,
        )
        for promise in promises
    ]
    if not rows:
        return 0
    created = PromiseCurrencyMismatch.objects.bulk_create(rows, ignore_conflicts=True)
    logger.warning(
        "payment %s (%s) not applied to promise(s) in another currency: %s",
        payment_id,
        currency or "no currency",
        ", ".join(str(row.promise_id) for row in rows),
        extra={"payment_id": payment_id, "cif": cif},
    )
    return len(created)


@transaction.atomic
def mismatches_review(*, actor: Actor, mismatch_ids: Iterable[uuid.UUID], note: str) -> int:
    """Mark the unreviewed mismatches ``mismatch_ids`` as reviewed by ``actor`` with ``note``;
    return how many changed (already reviewed ones are left as they were)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("A review note is required.", field="review_note")
    return PromiseCurrencyMismatch.objects.filter(
        id__in=list(mismatch_ids), reviewed_at__isnull=True
    ).update(reviewed_at=timezone.now(), reviewed_by=actor.username, review_note=note[:1000])


def mismatches_unreviewed_count() -> int:
    """How many reported mismatches nobody reviewed yet (served by a partial index)."""
    return PromiseCurrencyMismatch.objects.filter(reviewed_at__isnull=True).count()
