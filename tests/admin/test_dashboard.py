"""The team dashboard: figures against a hand-computed fixture, the page, access, the index link."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from agents.models import Agent
from reports.dashboard import Figures, bar_chart_svg, team_dashboard
from tests.factories import (
    TEST_PASSWORD,
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseFactory,
)
from workflow.business_time import business_today, business_zone

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/reports/team-dashboard/"
MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """A moment of the bank's day (Asia/Ho_Chi_Minh, UTC+7) in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=business_zone())


@pytest.fixture
def team_data() -> dict[str, Any]:
    """Agents, actions and cases whose figures are worked out by hand in the tests."""
    a1 = AgentFactory(name="An", employee_id="N-1", team="Team North")
    a2 = AgentFactory(name="Binh", employee_id="N-2", team="Team North")
    b1 = AgentFactory(name="Chi", employee_id="S-1", team="Team South")
    x = AgentFactory(name="Old", employee_id="S-9", team="Team South", is_active=False)
    AgentFactory(name="Gone", employee_id="S-8", team="Team South", is_active=False)
    idle = AgentFactory(name="Idle", employee_id="W-1", team="Team West")

    in_march = [
        # 00:30 on 1 March in the bank is 17:30 UTC on 28 February: inside the period.
        (a1, "PROMISE_TO_PAY", local(1, 0, 30)),
        (a1, "PAYMENT_MADE", local(5, 10)),
        (a1, "NO_CONTACT", local(6, 10)),
        (a1, "REFUSED_TO_PAY", local(7, 10)),
        (a2, "PARTIAL_PAYMENT", local(10, 9)),
        (a2, "PROMISE_TO_PAY", local(11, 9)),
        (a2, "PROMISE_TO_PAY", local(31, 23, 50)),
        (b1, "NO_CONTACT", local(12, 14)),
        (b1, "NO_CONTACT", local(13, 14)),
        (b1, "DISPUTE", local(14, 14)),
        (x, "PAYMENT_MADE", local(2, 8)),
    ]
    outside = [
        (a1, "PROMISE_TO_PAY", local(28, 23, 30, month=2)),
        # 00:10 on 1 April in the bank, still 31 March in UTC: outside the period.
        (b1, "PAYMENT_MADE", local(1, 0, 10, month=4)),
    ]
    for agent, result, moment in in_march + outside:
        ActionRecordFactory(agent=agent, action_result=result, action_date=moment)

    CustomerCaseFactory(assigned_call_agent=a1, assigned_field_agent=b1)
    CustomerCaseFactory(assigned_call_agent=a1, assigned_field_agent=a1)  # one customer for a1
    CustomerCaseFactory(assigned_call_agent=a1, assigned_field_agent=a2)  # one for Team North
    CustomerCaseFactory(assigned_call_agent=x)
    CustomerCaseFactory(assigned_field_agent=b1)
    CustomerCaseFactory()  # nobody assigned
    return {"a1": a1, "a2": a2, "b1": b1, "x": x, "idle": idle}


def figures(f: Figures) -> tuple[int, int, int, int, Decimal | None, int]:
    return (f.actions, f.promises, f.payments, f.successful, f.success_rate, f.customers)


def test_the_figures_per_agent_team_and_in_all_match_the_hand_computed_ones(
    team_data: dict[str, Agent], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(3):
        dashboard = team_dashboard(**MARCH)

    by_agent = {row.employee_id: figures(row.figures) for row in dashboard.agents}
    assert by_agent == {
        "N-1": (4, 1, 1, 2, Decimal("50.0"), 3),
        "N-2": (3, 2, 1, 3, Decimal("100.0"), 1),
        "S-1": (3, 0, 0, 0, Decimal("0.0"), 2),
        "S-9": (1, 0, 1, 1, Decimal("100.0"), 1),  # inactive, but worked in March
        "W-1": (0, 0, 0, 0, None, 0),  # active and idle; "Gone" (inactive, idle) is left out
    }
    by_team = {row.team: figures(row.figures) for row in dashboard.teams}
    assert by_team == {
        "Team North": (7, 3, 2, 5, Decimal("71.4"), 3),
        "Team South": (4, 0, 1, 1, Decimal("25.0"), 3),
        "Team West": (0, 0, 0, 0, None, 0),
    }
    assert figures(dashboard.total) == (11, 3, 3, 6, Decimal("54.5"), 5)


def test_the_page_costs_the_same_queries_for_few_or_many_agents(supervisor: Client) -> None:
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert supervisor.get(DASHBOARD).status_code == 200
        return len(queries)

    for n in range(3):
        CustomerCaseFactory(assigned_call_agent=AgentFactory(team=f"Team {n}"))
    few = queries_for_page()
    for n in range(30):
        agent = AgentFactory(team=f"Team {n % 7}")
        CustomerCaseFactory(assigned_field_agent=agent)
        ActionRecordFactory(agent=agent, action_date=dt.datetime.now(dt.UTC))
    assert queries_for_page() == few


def test_one_team_can_be_chosen(team_data: dict[str, Agent]) -> None:
    dashboard = team_dashboard(**MARCH, team="Team North")
    assert [row.team for row in dashboard.teams] == ["Team North"]
    assert [row.employee_id for row in dashboard.agents] == ["N-1", "N-2"]
    assert figures(dashboard.total) == (7, 3, 2, 5, Decimal("71.4"), 3)


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_the_page_shows_the_table_and_two_svg_charts(
    who: str, request: pytest.FixtureRequest, team_data: dict[str, Agent]
) -> None:
    client: Client = request.getfixturevalue(who)
    response = client.get(DASHBOARD, {"start_date": "2026-03-01", "end_date": "2026-03-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        body.count('class="dashboard-chart"') == 2
        and "Actions and successful actions per team" in body
    )
    assert "2026-03-01 to 2026-03-31" in body
    assert "54.5 %" in body and "71.4 %" in body
    assert "Payments received from the payment service are not available yet" in body
    assert response.context["dashboard"].total.actions == 11


def test_the_default_period_is_this_business_month(supervisor: Client) -> None:
    response = supervisor.get(DASHBOARD)
    assert response.status_code == 200
    today = business_today()
    dashboard = response.context["dashboard"]
    assert (dashboard.start, dashboard.end) == (today.replace(day=1), today)
    assert f'value="{today.replace(day=1):%Y-%m-%d}"' in response.content.decode()


def test_a_wrong_period_is_a_form_error_not_a_failure(supervisor: Client) -> None:
    backwards = supervisor.get(DASHBOARD, {"start_date": "2026-03-10", "end_date": "2026-03-01"})
    assert backwards.status_code == 200 and "dashboard" not in backwards.context
    assert "The end date is before the start date." in backwards.content.decode()
    too_long = supervisor.get(DASHBOARD, {"start_date": "2024-01-01", "end_date": "2026-01-01"})
    assert "at most 366 days" in too_long.content.decode()
    garbage = supervisor.get(DASHBOARD, {"start_date": "yesterday"})
    assert "Enter a valid date." in garbage.content.decode()


def test_only_staff_with_case_and_action_permissions_see_it() -> None:
    anonymous = Client().get(DASHBOARD)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    CrmUserFactory(username="agent.dash", role="AGENT")
    agent = Client()
    agent.post("/admin/login/", {"username": "agent.dash", "password": TEST_PASSWORD})
    refused = agent.get(DASHBOARD)
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    User.objects.create_user("bare.staff", password="x-password-1", is_staff=True)
    bare = Client()
    bare.login(username="bare.staff", password="x-password-1")
    assert bare.get(DASHBOARD).status_code == 403


def test_the_dashboard_is_linked_from_the_admin_index_and_the_cases_page(
    supervisor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DASHBOARD in supervisor.get("/admin/cases/").content.decode()
    monkeypatch.setattr(admin.site, "index_template", "admin/reports/site_index.html")
    index = supervisor.get("/admin/").content.decode()
    assert f'href="{DASHBOARD}"' in index and "Reports" in index


def test_the_chart_escapes_labels_and_scales_bars_to_the_largest_value() -> None:
    svg = str(bar_chart_svg([("<b>Team</b>", 10, 5), ("Other", 5, 0)], title="T & C"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "&lt;b&gt;Team&lt;/b&gt;" in svg and "<b>" not in svg
    assert "T &amp; C" in svg
    bars = re.findall(r'<rect x="210" y="(\d+)" width="([\d.]+)"', svg)
    # After the legend's square: actions and successful bars of each label, one scale.
    assert [float(width) for y, width in bars if y != "6"] == [490.0, 245.0, 245.0, 0.0]
