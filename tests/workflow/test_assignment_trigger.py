"""The fixed assignment trigger writes exactly one history version per change."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from assignments.models import CustomerAgent
from cases.models import CustomerCase
from tests.factories import AgentFactory, CustomerCaseFactory

pytestmark = pytest.mark.django_db


def versions(cif: str) -> list[tuple[object, object, bool]]:
    """(call agent, field agent, is_current) per version; current last, the rest sorted.

    Inside one test transaction now() does not move, so the versions cannot be ordered by time.
    """
    rows = CustomerAgent.objects.filter(customer_id=cif).values_list(
        "assigned_call_agent_id", "assigned_field_agent_id", "is_current"
    )
    return sorted(rows, key=lambda row: (row[2], repr(row[:2])))


def reassign(case: CustomerCase, **agents: object) -> None:
    for field, agent in agents.items():
        setattr(case, field, agent)
    case.save(update_fields=list(agents))


def test_each_change_including_from_and_to_null_writes_exactly_one_version() -> None:
    x, y, z = AgentFactory(), AgentFactory(), AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=x)
    cif = case.customer_id
    assert len(versions(cif)) == 1

    reassign(case, assigned_call_agent=None)  # X -> NULL (missed by the shipped trigger)
    reassign(case, assigned_call_agent=y)  # NULL -> Y
    reassign(case, assigned_field_agent=z)  # field NULL -> Z
    reassign(case, assigned_call_agent=y)  # no change: no version

    history = versions(cif)
    assert len(history) == 4
    assert [current for *_, current in history] == [False, False, False, True]
    assert history[-1][:2] == (y.id, z.id)
    assert sorted(map(repr, (row[:2] for row in history[:-1]))) == sorted(
        map(repr, [(x.id, None), (None, None), (y.id, None)])
    )
    assert CustomerAgent.objects.filter(customer_id=cif, is_current=True).count() == 1
    closed = CustomerAgent.objects.filter(customer_id=cif, is_current=False)
    assert all(row.end_date is not None for row in closed)


def test_an_update_of_other_columns_writes_no_version() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    case.customer_status = "DISPUTED"
    case.save(update_fields=["customer_status"])
    assert len(versions(case.customer_id)) == 1


def test_history_dates_are_the_banks_business_day() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    reassign(case, assigned_call_agent=AgentFactory())
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('workflow.business_time_zone')")
        zone = cursor.fetchone()[0]
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0]
    business_day = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    closed, current = CustomerAgent.objects.filter(customer_id=case.customer_id).order_by(
        "is_current"
    )
    assert zone == "Asia/Ho_Chi_Minh"
    assert current.start_date == business_day
    assert closed.end_date == business_day


def test_the_business_day_follows_the_session_setting() -> None:
    case = CustomerCaseFactory(assigned_call_agent=None)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL workflow.business_time_zone = 'Pacific/Kiritimati'")  # UTC+14
        cursor.execute("SELECT (now() AT TIME ZONE 'Pacific/Kiritimati')::date")
        expected: dt.date = cursor.fetchone()[0]
    reassign(case, assigned_call_agent=AgentFactory())
    current = CustomerAgent.objects.get(customer_id=case.customer_id, is_current=True)
    assert current.start_date == expected
