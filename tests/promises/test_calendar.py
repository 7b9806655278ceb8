"""Business days: the follow-up of a promise not kept is the next day that is neither a weekend
day (``BUSINESS_WEEKEND_DAYS``) nor one of the bank's holidays (``business_holidays``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper

from promises.models import BusinessHoliday, PaymentPromise, PromiseStatus
from promises.resolution import promises_resolve_due
from promises.terms import HOLIDAY_LOOKAHEAD_DAYS, next_business_day
from tests.factories import AgentFactory, CustomerCaseFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day

pytestmark = pytest.mark.django_db


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def holidays(*days: str) -> None:
    for text in days:
        BusinessHoliday.objects.create(
            holiday_date=d(text), name=f"Holiday {text}", created_by="t", updated_by="t"
        )


# (case, the day, holidays, the next business day); 2027-01-01 is a Friday.
CASES = [
    ("Friday to Monday", "2027-01-01", [], "2027-01-04"),
    ("Sunday to Monday", "2027-01-03", [], "2027-01-04"),
    ("Thursday before a Friday holiday", "2026-12-31", ["2027-01-01"], "2027-01-04"),
    ("Friday before a Monday holiday", "2027-01-08", ["2027-01-11"], "2027-01-12"),
    ("Saturday before a Monday holiday", "2027-01-09", ["2027-01-11"], "2027-01-12"),
    ("a holiday itself is no obstacle", "2027-01-06", ["2027-01-06"], "2027-01-07"),
    ("the day before a holiday", "2027-01-05", ["2027-01-06"], "2027-01-07"),
    (
        "a week of holidays across a weekend",
        "2027-02-04",
        ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
        "2027-02-15",
    ),
    ("a holiday on a weekend changes nothing", "2027-01-08", ["2027-01-09"], "2027-01-11"),
    ("a holiday of another year does not count", "2027-01-08", ["2026-01-11"], "2027-01-11"),
]


@pytest.mark.parametrize(
    ("case", "on", "closed", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_next_business_day(case: str, on: str, closed: list[str], expected: str) -> None:
    holidays(*closed)

    with CaptureQueriesContext(connection) as queries:
        assert next_business_day(d(on)) == d(expected)
    assert len(queries) == 1


def test_a_run_of_holidays_longer_than_one_read_is_skipped_whole() -> None:
    start = d("2027-03-01")
    run = [start + dt.timedelta(days=n) for n in range(1, HOLIDAY_LOOKAHEAD_DAYS + 10)]
    holidays(*(day.isoformat() for day in run))
    after = run[-1] + dt.timedelta(days=1)
    while after.isoweekday() > 5:
        after += dt.timedelta(days=1)

    assert next_business_day(start) == after


def test_the_weekend_days_are_a_setting(settings: SettingsWrapper) -> None:
    settings.BUSINESS_WEEKEND_DAYS = [7]  # a six-day week
    holidays("2027-01-11")

    assert next_business_day(d("2027-01-08")) == d("2027-01-09")  # Friday to Saturday
    assert next_business_day(d("2027-01-09")) == d("2027-01-12")  # Sunday, Monday holiday


def test_the_resolution_job_gives_the_follow_up_after_the_holidays() -> None:
    agent = AgentFactory()
    customer = CustomerFactory()
    CustomerCaseFactory(customer=customer, assigned_call_agent=agent)
    loan = LoanFactory(customer=customer).account_number
    made = helpers.promise(
        agent=agent, cif=customer.cif, loan=loan, amount="1000", promised=-5, made=-7, grace=1
    )
    friday = day(0) + dt.timedelta(days=(5 - day(0).isoweekday()) % 7)
    monday = friday + dt.timedelta(days=3)
    holidays(monday.isoformat())

    promises_resolve_due(today=friday)

    stored = PaymentPromise.objects.get(id=made.id)
    assert stored.status == PromiseStatus.BROKEN
    assert stored.follow_up_date == monday + dt.timedelta(days=1)
