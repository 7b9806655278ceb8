"""The action records admin: read-only, filters and exact search, date-bounded, no full count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from actions.models import ActionRecord
from agents.admin_filters import AgentFilter
from agents.models import Agent
from tests.factories import ActionRecordFactory, AgentFactory, CustomerFactory, LoanFactory
from workflow.admin_pagination import (
    EstimatedCountPaginator,
    is_unfiltered,
    table_row_estimate,
)
from workflow.business_time import business_today, business_zone

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/actions/actionrecord/"


def at_noon(day: dt.date) -> dt.datetime:
    """Noon of the bank's ``day``, as an aware instant."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=business_zone()).astimezone(dt.UTC)


def days_ago(days: int) -> dt.datetime:
    return at_noon(business_today() - dt.timedelta(days=days))


def listed(client: Client, **params: str) -> set[str]:
    """The notes of the actions the list shows (each test action has distinct notes)."""
    page = client.get(CHANGELIST, params)
    assert page.status_code == 200, page.content.decode()[:500]
    return {action.notes for action in page.context["cl"].result_list}


@pytest.fixture
def actions() -> dict[str, ActionRecord]:
    north = AgentFactory(name="Lan Pham", employee_id="E-N1", team="Team North")
    south = AgentFactory(name="Minh Vo", employee_id="E-S1", team="Team South")
    loan = LoanFactory(account_number="L50000001", customer=CustomerFactory(cif="C50000001"))
    other_loan = LoanFactory(account_number="L50000002", customer=CustomerFactory(cif="C50000002"))
    specs = {
        "recent-call": (loan, north, "CALL", "PROMISE_TO_PAY", days_ago(1)),
        "recent-visit": (other_loan, south, "VISIT", "NO_CONTACT", days_ago(3)),
        "forty-days": (loan, south, "SMS", "PAYMENT_MADE", days_ago(40)),
        "old": (other_loan, north, "CALL", "REFUSED_TO_PAY", days_ago(200)),
    }
    return {
        notes: ActionRecordFactory(
            loan=loan, agent=agent, type=type_, action_result=result, action_date=when, notes=notes
        )
        for notes, (loan, agent, type_, result, when) in specs.items()
    }


# --- read-only -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "crm_admin"])
def test_the_list_and_the_record_can_be_viewed_but_never_added_changed_or_deleted(
    who: str, request: pytest.FixtureRequest, actions: dict[str, ActionRecord]
) -> None:
    client: Client = request.getfixturevalue(who)
    record = actions["recent-call"]
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lan Pham (E-N1)" in body and "L50000001" in body
    assert 'name="_selected_action"' not in body  # no bulk actions, not even delete

    view = client.get(f"{CHANGELIST}{record.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}add/", {"notes": "x"}).status_code == 403
    assert client.post(f"{CHANGELIST}{record.pk}/change/", {"notes": "x"}).status_code == 403
    assert client.get(f"{CHANGELIST}{record.pk}/delete/").status_code == 403
    assert client.post(f"{CHANGELIST}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.notes == "recent-call"


# --- the default period --------------------------------------------------------------------


def test_without_a_date_the_list_shows_the_last_30_days_and_says_how_to_widen_it(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    page = supervisor.get(CHANGELIST)
    body = page.content.decode()
    first = business_today() - dt.timedelta(days=29)
    assert f"Showing actions from {first:%Y-%m-%d} (the last 30 days, the default" in body
    assert {a.notes for a in page.context["cl"].result_list} == {"recent-call", "recent-visit"}

    assert listed(supervisor, period="90d") == {"recent-call", "recent-visit", "forty-days"}
    assert listed(supervisor, period="all") == set(actions)
    assert "reads every partition" in supervisor.get(CHANGELIST, {"period": "all"}).content.decode()


def test_the_default_period_bounds_the_queries_on_the_partition_key(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        supervisor.get(CHANGELIST)
    on_actions = [q["sql"] for q in queries if '"action_records"' in q["sql"]]
    page_query = next(sql for sql in on_actions if "INNER JOIN" in sql)
    assert '"action_records"."action_date" >= ' in page_query
    # Only the two index probes of the date bar read the table without a bound.
    unbounded = [sql for sql in on_actions if '"action_date" >=' not in sql]
    assert all(re.search(r"\bMIN\(.*\bMAX\(", sql) for sql in unbounded), unbounded
    assert not any("DISTINCT" in sql or "DATE_TRUNC" in sql.upper() for sql in on_actions)


def test_the_date_bar_replaces_the_default_period_and_uses_the_banks_days(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    # 18:30 UTC on the 9th is 01:30 on the 10th in Asia/Ho_Chi_Minh.
    ActionRecordFactory(action_date=dt.datetime(2025, 3, 9, 18, 30, tzinfo=dt.UTC), notes="late")
    ActionRecordFactory(action_date=dt.datetime(2025, 3, 9, 16, 30, tzinfo=dt.UTC), notes="early")
    bar = "action_date__"

    assert listed(supervisor, **{f"{bar}year": "2025"}) >= {"late", "early"}
    march = {f"{bar}year": "2025", f"{bar}month": "3"}
    assert listed(supervisor, **march, **{f"{bar}day": "10"}) == {"late"}
    assert listed(supervisor, **march, **{f"{bar}day": "9"}) == {"early"}

    page = supervisor.get(CHANGELIST, {**march}).content.decode()
    assert "The dates chosen in the date bar" in page and "Showing actions from" not in page
    # The calendar lists every day of the month.
    assert "March 31" in page and "March 1<" in page


def test_an_unknown_period_falls_back_to_the_default(supervisor: Client) -> None:
    response = supervisor.get(CHANGELIST, {"period": "forever"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


# --- filters and search --------------------------------------------------------------------


def test_the_list_filters_on_type_result_agent_and_team(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    north = Agent.objects.get(employee_id="E-N1")
    everything = {"period": "all"}
    assert listed(supervisor, type__exact="CALL", **everything) == {"recent-call", "old"}
    assert listed(supervisor, action_result__exact="PAYMENT_MADE", **everything) == {"forty-days"}
    assert listed(supervisor, agent__id__exact=str(north.pk), **everything) == {
        "recent-call",
        "old",
    }
    assert listed(supervisor, team="Team South", **everything) == {"recent-visit", "forty-days"}
    assert listed(supervisor, team="Team South") == {"recent-visit"}


def test_the_search_matches_an_exact_cif_or_loan_account_only(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    everything = {"period": "all"}
    assert listed(supervisor, q="C50000001", **everything) == {"recent-call", "forty-days"}
    assert listed(supervisor, q="l50000002", **everything) == {"recent-visit", "old"}
    assert listed(supervisor, q="5000000", **everything) == set()
    page = supervisor.get(CHANGELIST).content.decode()
    assert "An exact cif or loan account number" in page


# --- counting ------------------------------------------------------------------------------


def counts_on_actions(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"] and '"action_records"' in q["sql"]]


def test_the_list_never_counts_the_whole_table(
    supervisor: Client, actions: dict[str, ActionRecord], settings: Any
) -> None:
    with CaptureQueriesContext(connection) as default_period:
        supervisor.get(CHANGELIST)
    counts = counts_on_actions(default_period)
    assert counts and all('"action_date" >=' in sql for sql in counts), counts
    assert all("LIMIT 10001" in sql for sql in counts), counts

    # All dates: the planner's estimate (the test table is tiny, so lower the cap).
    settings.ADMIN_EXACT_COUNT_UP_TO = 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_service.action_records")
    with CaptureQueriesContext(connection) as all_dates:
        page = supervisor.get(CHANGELIST, {"period": "all"})
    assert counts_on_actions(all_dates) == []
    assert page.context["cl"].paginator.count_is_estimated
    assert "about 4 action records" in page.content.decode()


def test_the_estimate_sums_the_partitions_and_only_unfiltered_lists_use_it(
    actions: dict[str, ActionRecord],
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE workflow_service.action_records")
    # Four rows in three partitions (the current quarter, one or two quarters back).
    assert table_row_estimate(ActionRecord) == 4
    assert is_unfiltered(ActionRecord.objects.select_related("agent").order_by("-action_date"))
    assert not is_unfiltered(ActionRecord.objects.filter(type="CALL"))
    assert not is_unfiltered(ActionRecord.objects.distinct())
    paginator = EstimatedCountPaginator(ActionRecord.objects.order_by("id"), 2)
    assert (paginator.count, paginator.count_is_estimated) == (4, False)  # below the threshold


def test_the_list_sorts_by_date_only_even_when_asked_for_another_column(
    supervisor: Client, actions: dict[str, ActionRecord]
) -> None:
    by_type = supervisor.get(CHANGELIST, {"o": "4", "period": "all"})  # column 4 is "type"
    assert [a.notes for a in by_type.context["cl"].result_list] == [
        "recent-call",
        "recent-visit",
        "forty-days",
        "old",
    ]
    oldest_first = supervisor.get(CHANGELIST, {"o": "0", "period": "all"})
    assert oldest_first.context["cl"].result_list[0].notes == "old"


# --- the agent filter ----------------------------------------------------------------------


def agent_choices(page: Any) -> list[str]:
    [spec] = [spec for spec in page.context["cl"].filter_specs if spec.title == "agent"]
    return [choice["display"] for choice in spec.choices(page.context["cl"])][1:]  # no "All"


def test_the_agent_filter_lists_the_chosen_teams_agents_and_asks_for_a_team_when_too_many(
    supervisor: Client, actions: dict[str, ActionRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert agent_choices(supervisor.get(CHANGELIST)) == ["Lan Pham (E-N1)", "Minh Vo (E-S1)"]
    assert agent_choices(supervisor.get(CHANGELIST, {"team": "Team South"})) == ["Minh Vo (E-S1)"]

    monkeypatch.setattr(AgentFilter, "LISTED_WITHOUT_TEAM", 1)
    AgentFactory(name="Mai Tran", employee_id="E-N2", team="Team North")
    AgentFactory(name="Nam Do", employee_id="E-N3", team="Team North")
    assert agent_choices(supervisor.get(CHANGELIST)) == ["Choose a team to list its agents"]
    # A team's agents are all listed, however many.
    assert agent_choices(supervisor.get(CHANGELIST, {"team": "Team North"})) == [
        "Lan Pham (E-N1)",
        "Mai Tran (E-N2)",
        "Nam Do (E-N3)",
    ]
    north = Agent.objects.get(employee_id="E-N1")
    chosen = supervisor.get(CHANGELIST, {"agent__id__exact": str(north.pk), "period": "all"})
    assert agent_choices(chosen) == ["The chosen agent"]
    assert {action.notes for action in chosen.context["cl"].result_list} == {"recent-call", "old"}
