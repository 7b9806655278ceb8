"""Promise terms come from the most specific promise type, copied when the promise is made."""

from __future__ import annotations

from decimal import Decimal

import pytest

from promises.models import PaymentPromise
from tests.factories import AgentFactory, CustomerFactory, LoanFactory
from tests.promises import helpers

pytestmark = pytest.mark.django_db


def made_on(product: str, segment: str) -> PaymentPromise:
    customer = CustomerFactory(segment=segment)
    loan = LoanFactory(customer=customer, product_type=product).account_number
    return helpers.promise(agent=AgentFactory(), cif=customer.cif, loan=loan, amount="1000")


def test_the_most_specific_active_type_gives_the_terms() -> None:
    helpers.promise_type(name="Any", grace_days=1)
    helpers.promise_type(name="Mass", segment="MASS", grace_days=2)
    helpers.promise_type(name="Card", product_type="CARD", grace_days=3)
    helpers.promise_type(
        name="Card mass",
        product_type="CARD",
        segment="MASS",
        grace_days=4,
        tolerance_percent=Decimal("5.00"),
    )
    helpers.promise_type(name="Old", product_type="AUTO", grace_days=9, is_active=False)

    assert (made_on("CARD", "MASS").grace_days, made_on("CARD", "MASS").tolerance_percent) == (
        4,
        Decimal("5.00"),
    )
    assert made_on("CARD", "SME").grace_days == 3
    assert made_on("AUTO", "MASS").grace_days == 2
    assert made_on("AUTO", "SME").grace_days == 1


def test_without_a_type_the_settings_give_the_terms(settings: object) -> None:
    settings.PROMISE_DEFAULT_GRACE_DAYS = 5  # type: ignore[attr-defined]
    promise = made_on("AUTO", "SME")
    assert (promise.grace_days, promise.promise_type_id) == (5, None)


def test_a_later_edit_of_the_type_leaves_made_promises_alone() -> None:
    kind = helpers.promise_type(name="Any", grace_days=1)
    promise = made_on("AUTO", "SME")
    kind.grace_days = 7
    kind.save()
    assert PaymentPromise.objects.get(id=promise.id).grace_days == 1
