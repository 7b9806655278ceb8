"""The promise pages of the admin: lists, the supervisors' views, the bulk cancel, reversals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from payments.models import Payment, PaymentReversal
from promises.models import (
    BusinessHoliday,
    PaymentPromise,
    PromiseCurrencyMismatch,
    PromiseStatus,
)
from promises.resolution import promises_resolve_due
from promises.terms import next_business_day
from tests.factories import ActionRecordFactory, AgentFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local
from workflow.models import OutboxEvent

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


# --- making a promise in the admin -------------------------------------------------------------


@pytest.fixture
def supervisor() -> Client:
    from tests.admin.conftest import crm_signed_in

    return crm_signed_in("sup.promises", "SUPERVISOR")


def make_form(loan: Any, agent: Any, **fields: Any) -> dict[str, Any]:
    return {
        "cif": loan.customer_id,
        "loan_account_number": loan.account_number,
        "obtained_by": str(agent.id),
        "promised_amount": "2500000",
        "promise_date": day(5).isoformat(),
        **fields,
    }


def test_a_supervisor_makes_a_promise_with_the_terms_of_its_type(supervisor: Client) -> None:
    loan = LoanFactory(currency="VND", product_type="CARD")
    agent = AgentFactory()
    helpers.promise_type(name="Cards", product_type="CARD", grace_days=7, tolerance_percent=2)
    assert supervisor.get(f"{URL}add/").status_code == 200

    response = supervisor.post(f"{URL}add/", make_form(loan, agent))

    assert response.status_code == 302, response.content.decode()[:3000]
    made = PaymentPromise.objects.get()
    assert (made.customer_id, made.loan_id, made.agent_id, made.action_id) == (
        loan.customer_id,
        loan.account_number,
        agent.id,
        None,
    )
    assert (made.amount, made.currency, made.promised_date) == (
        Decimal("2500000"),
        "VND",
        day(5),
    )
    assert (made.grace_days, made.tolerance_percent, made.status) == (
        7,
        Decimal("2.00"),
        PromiseStatus.PENDING,
    )
    assert made.created_by == "sup.promises"
    event = OutboxEvent.objects.get(topic="workflow-service.promise.made")
    assert event.payload["promiseId"] == str(made.id)
    assert event.payload["madeBy"]["username"] == "sup.promises"


def test_a_promise_made_in_the_admin_supersedes_the_pending_one_of_the_loan(
    supervisor: Client,
) -> None:
    loan = LoanFactory(currency="VND")
    agent = AgentFactory()
    old = helpers.promise(
        agent=agent, cif=loan.customer_id, loan=loan.account_number, amount="1000"
    )

    response = supervisor.post(f"{URL}add/", make_form(loan, agent))

    assert response.status_code == 302
    new = PaymentPromise.objects.exclude(id=old.id).get()
    old.refresh_from_db()
    assert (old.status, old.superseded_by_id) == (PromiseStatus.CANCELLED, new.id)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"promised_amount": "0"}, "promised_amount", "promiseAmount must be more than 0."),
        (
            {"promised_amount": "10.5"},
            "promised_amount",
            "promiseAmount may have at most 0 decimal places in VND.",
        ),
        ({"promise_date": "2000-01-01"}, "promise_date", "promiseDate must not be before"),
        ({"promise_date": "2100-01-01"}, "promise_date", "promiseDate must be at most"),
        ({"cif": "CIF-OTHER"}, "loan_account_number", "does not belong to customer CIF-OTHER"),
        ({"loan_account_number": "LN-NONE"}, "loan_account_number", "No loan with account"),
    ],
)
def test_the_admin_refuses_bad_terms_like_the_api(
    supervisor: Client, fields: dict[str, Any], field: str, message: str
) -> None:
    loan = LoanFactory(currency="VND")

    response = supervisor.post(f"{URL}add/", make_form(loan, AgentFactory(), **fields))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not PaymentPromise.objects.exists()
    assert not OutboxEvent.objects.filter(topic__startswith="workflow-service.promise").exists()


def test_a_promise_stays_read_only_once_made(supervisor: Client) -> None:
    loan = LoanFactory()
    made = helpers.promise(
        agent=AgentFactory(), cif=loan.customer_id, loan=loan.account_number, amount="1000"
    )

    page = supervisor.get(f"{URL}{made.id}/change/")
    assert page.status_code == 200
    supervisor.post(f"{URL}{made.id}/change/", {"amount": "1"})
    made.refresh_from_db()
    assert made.amount == Decimal("1000")


# --- holidays and currency mismatches ----------------------------------------------------------


def test_a_supervisor_keeps_the_holiday_calendar(supervisor: Client) -> None:
    response = supervisor.post(
        "/admin/promises/businessholiday/add/",
        {"holiday_date": "2027-01-01", "name": "New Year"},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    holiday = BusinessHoliday.objects.get()
    assert (holiday.name, holiday.created_by) == ("New Year", "sup.promises")
    assert next_business_day(dt.date(2026, 12, 31)) == dt.date(2027, 1, 4)


def test_a_supervisor_reviews_currency_mismatches(supervisor: Client) -> None:
    loan = LoanFactory(currency="VND")
    helpers.promise(
        agent=AgentFactory(), cif=loan.customer_id, loan=loan.account_number, amount="1000"
    )
    helpers.pay(cif=loan.customer_id, loan=loan.account_number, amount="1000", currency="USD")
    mismatch = PromiseCurrencyMismatch.objects.get()
    page = "/admin/promises/promisecurrencymismatch/"

    listed = supervisor.get(page, {"reviewed": "no"})
    assert [row.id for row in listed.context["cl"].result_list] == [mismatch.id]
    supervisor.post(page, {"action": "mark_reviewed", "_selected_action": [str(mismatch.id)]})

    mismatch.refresh_from_db()
    assert mismatch.reviewed_by == "sup.promises" and mismatch.reviewed_at is not None
    assert list(supervisor.get(page, {"reviewed": "no"}).context["cl"].result_list) == []
