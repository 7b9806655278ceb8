"""The promise pages of the admin: lists, the supervisors' views, the bulk cancel, reversals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from payments.models import Payment, PaymentReversal
from promises.models import PaymentPromise, PromiseStatus
from promises.resolution import promises_resolve_due
from tests.factories import ActionRecordFactory, AgentFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local

pytestmark = pytest.mark.django_db

URL = "/admin/promises/paymentpromise/"


@pytest.fixture
def admin(admin_client: Client) -> Client:
    return admin_client


def promised(**kwargs: Any) -> PaymentPromise:
    customer = CustomerFactory()
    loan = LoanFactory(customer=customer).account_number
    return helpers.promise(agent=AgentFactory(), cif=customer.cif, loan=loan, **kwargs)


def test_the_supervisor_views_list_broken_not_followed_up_and_due_today(admin: Client) -> None:
    quiet = promised(amount="1000", promised=-5, made=-7, grace=1)
    called = promised(amount="1000", promised=-5, made=-7, grace=1)
    due_today = promised(amount="1000", promised=0)
    promises_resolve_due(today=day(0))
    PaymentPromise.objects.filter(id__in=[quiet.id, called.id]).update(resolved_at=local(day(-2)))
    ActionRecordFactory(
        customer_id=called.customer_id,
        loan_id=called.loan_id,
        agent=called.agent,
        action_date=local(day(-1)),
    )

    broken = admin.get(URL, {"view": "broken_not_followed"})
    today = admin.get(URL, {"view": "due_today"})

    assert broken.status_code == today.status_code == 200
    assert list(broken.context["cl"].result_list) == [PaymentPromise.objects.get(id=quiet.id)]
    assert [p.id for p in today.context["cl"].result_list] == [due_today.id]
    assert admin.get(f"{URL}{quiet.id}/change/").status_code == 200


def test_the_bulk_action_cancels_pending_promises(admin: Client) -> None:
    promise = promised(amount="1000")

    admin.post(URL, {"action": "cancel_promises", "_selected_action": [str(promise.id)]})

    assert PaymentPromise.objects.get(id=promise.id).status == PromiseStatus.CANCELLED


def test_a_supervisor_reverses_a_payment(admin: Client) -> None:
    promise = promised(amount="1000")
    payment = helpers.pay(cif=promise.customer_id, loan=promise.loan_id, amount="1000")
    stored = Payment.objects.get(payment_id=payment)
    admin.post(
        "/admin/payments/payment/",
        {"action": "reverse_payments", "_selected_action": [str(stored.id)]},
    )

    assert PaymentReversal.objects.filter(payment_id=payment).exists()
    assert PaymentPromise.objects.get(id=promise.id).status == PromiseStatus.PENDING
    assert admin.get("/admin/promises/promisetype/add/").status_code == 200
