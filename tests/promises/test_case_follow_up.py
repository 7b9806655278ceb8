"""The follow-up of a promise not kept appears in the customer's case status
(``GET cases/status/{cif}``: ``followUpDate``, ``followUpAgentId``, ``followUpPromiseId``)
until an action is recorded on the customer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promises.models import BusinessHoliday, PromiseStatus
from promises.resolution import promises_resolve_due
from tests.api import agent_client, envelope_ok
from tests.factories import ActionRecordFactory, CustomerCaseFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/collection/cases/status/{cif}"


def test_a_broken_promise_puts_its_follow_up_on_the_case_until_someone_acts() -> None:
    client, agent = agent_client()
    customer = CustomerFactory()
    CustomerCaseFactory(customer=customer, assigned_call_agent=agent)
    loan = LoanFactory(customer=customer).account_number
    url = STATUS.format(cif=customer.cif)
    kept = helpers.promise(
        agent=agent, cif=customer.cif, loan=loan, amount="1000", promised=-4, made=-6
    )
    helpers.pay(cif=customer.cif, loan=loan, amount="1000", at=local(day(-5)))
    kept.refresh_from_db()
    assert kept.status == PromiseStatus.KEPT
    none_yet = envelope_ok(client.get(url))
    assert (none_yet["followUpDate"], none_yet["followUpPromiseId"]) == (None, None)

    broken = helpers.promise(
        agent=agent, cif=customer.cif, loan=loan, amount="5000", promised=-3, made=-5, grace=1
    )
    friday = day(0) + dt.timedelta(days=(5 - day(0).isoweekday()) % 7)
    BusinessHoliday.objects.create(
        holiday_date=friday + dt.timedelta(days=3),
        name="Monday off",
        created_by="t",
        updated_by="t",
    )
    promises_resolve_due(today=friday)

    with CaptureQueriesContext(connection) as queries:
        data = envelope_ok(client.get(url))
    assert data["followUpDate"] == (friday + dt.timedelta(days=4)).isoformat()  # Tuesday
    assert data["followUpAgentId"] == str(agent.id)
    assert data["followUpPromiseId"] == str(broken.id) != str(kept.id)
    assert data["customerStatus"] is not None  # the existing fields are still there
    case_queries = [q for q in queries.captured_queries if "payment_promises" in q["sql"]]
    assert len(case_queries) == 1  # read with the customer, not apart

    ActionRecordFactory(
        customer=customer, loan_id=loan, agent=agent, action_date=dt.datetime.now(dt.UTC)
    )
    followed = envelope_ok(client.get(url))
    assert (followed["followUpDate"], followed["followUpAgentId"]) == (None, None)


def test_a_customer_without_a_case_has_no_follow_up() -> None:
    client, _ = agent_client()
    customer = CustomerFactory()

    data = envelope_ok(client.get(STATUS.format(cif=customer.cif)))

    assert (data["followUpDate"], data["followUpAgentId"], data["followUpPromiseId"]) == (
        None,
        None,
        None,
    )
