"""Performance reports with payments: an agent, the ranked list, a team; view path == live path.

The fixture's expectations are computed by hand in the docstrings (Hanoi, UTC+7).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from agents.models import Agent
from payments.models import Payment
from payments.services import payment_reverse
from reports import figures, performance
from reports.figures import ActionCounts
from tests.api import envelope_error, envelope_ok, unlinked_client
from tests.factories import ActionRecordFactory, AgentFactory, LoanFactory
from workflow import reports
from workflow.actors import system_actor
from workflow.business_time import business_today

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"
# Agents changed long before any refresh, so that the view may answer for them.
LONG_AGO = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def agent(name: str, team: str = "North", **fields: Any) -> Agent:
    return AgentFactory(name=name, team=team, updated_at=LONG_AGO, **fields)


def act(who: Agent, at: str, type: str, result: str, loan: object = None) -> None:
    ActionRecordFactory(
        agent=who,
        loan=loan or LoanFactory(),
        action_date=utc(at),
        type=type,
        action_result=result,
    )


def pay(at: str, amount: str, *, call: Agent | None = None, field: Agent | None = None) -> Payment:
    return Payment.objects.create(
        payment_id=f"P-{uuid.uuid4().hex[:12]}",
        amount=Decimal(amount),
        payment_date=utc(at),
        call_agent=call,
        field_agent=field,
        cif="C00000001",
        raw={},
    )


def get(path: str) -> Any:
    return envelope_ok(unlinked_client("AGENT").get(f"{BASE}/{path}"))


@pytest.fixture
def north() -> dict[str, Agent]:
    """Team North (Anh, Binh) and Team South (Chi), around the new year in Hanoi time.

    Anh's actions (UTC -> Hanoi day):
      2025-12-30T16:59:00 CALL NO_CONTACT       -> 12-30
      2025-12-31T03:00:00 CALL PROMISE_TO_PAY   -> 12-31   (partition 2025_q4)
      2025-12-31T16:59:59 VISIT NO_CONTACT      -> 12-31   (2025_q4)
      2025-12-31T17:00:00 CALL PAYMENT_MADE     -> 01-01   (2025_q4, business January)
      2026-01-01T17:30:00 VISIT PARTIAL_PAYMENT -> 01-02   (2026_q1)
      2026-01-31T16:00:00 SMS REFUSED_TO_PAY    -> 01-31
      2026-01-31T18:00:00 CALL PROMISE_TO_PAY   -> 02-01   (UTC January, business February)
      2026-01-31T18:30:00 EMAIL DISPUTE         -> 02-01
    Binh: 2026-01-10T02:00:00 CALL PROMISE_TO_PAY, 2026-01-11T02:00:00 CALL NO_CONTACT.
    Chi:  2026-01-12T02:00:00 VISIT PAYMENT_MADE.

    Payments (UTC -> Hanoi day; attributed to):
      P1 2025-12-31T17:30:00 -> 01-01  1,500,000.50  call Anh, field Binh
      P2 2025-12-31T10:00:00 -> 12-31  2,000,000.00  call Anh
      P3 2026-01-01T17:30:00 -> 01-02    250,000.25  call Anh, field Anh (counts once)
      P4 2026-01-15T03:00:00 -> 01-15        999.99  call Chi, field Binh
      P5 2026-01-31T18:00:00 -> 02-01        100.00  call Anh
      P6 2026-01-05T03:00:00 -> 01-05         50.00  nobody
    """
    anh, binh, chi = agent("Anh"), agent("Binh"), agent("Chi", team="South")
    act(anh, "2025-12-30T16:59:00", "CALL", "NO_CONTACT")
    act(anh, "2025-12-31T03:00:00", "CALL", "PROMISE_TO_PAY")
    act(anh, "2025-12-31T16:59:59", "VISIT", "NO_CONTACT")
    act(anh, "2025-12-31T17:00:00", "CALL", "PAYMENT_MADE")
    act(anh, "2026-01-01T17:30:00", "VISIT", "PARTIAL_PAYMENT")
    act(anh, "2026-01-31T16:00:00", "SMS", "REFUSED_TO_PAY")
    act(anh, "2026-01-31T18:00:00", "CALL", "PROMISE_TO_PAY")
    act(anh, "2026-01-31T18:30:00", "EMAIL", "DISPUTE")
    act(binh, "2026-01-10T02:00:00", "CALL", "PROMISE_TO_PAY")
    act(binh, "2026-01-11T02:00:00", "CALL", "NO_CONTACT")
    act(chi, "2026-01-12T02:00:00", "VISIT", "PAYMENT_MADE")
    pay("2025-12-31T17:30:00", "1500000.50", call=anh, field=binh)
    pay("2025-12-31T10:00:00", "2000000.00", call=anh)
    pay("2026-01-01T17:30:00", "250000.25", call=anh, field=anh)
    pay("2026-01-15T03:00:00", "999.99", call=chi, field=binh)
    pay("2026-01-31T18:00:00", "100.00", call=anh)
    pay("2026-01-05T03:00:00", "50.00")
    return {"anh": anh, "binh": binh, "chi": chi}


# No promise with terms in these data sets: the promise figures are zeros (issue 15).
NO_PROMISES = {
    "made": 0,
    "kept": 0,
    "partiallyKept": 0,
    "broken": 0,
    "cancelled": 0,
    "pending": 0,
    "keptRateByCount": None,
    "keptRateByAmount": None,
    "medianDaysToNextContact": None,
}


def metrics(**values: Any) -> dict[str, Any]:
    base = {
        "totalActions": 0,
        "successfulActions": 0,
        "callsPlaced": 0,
        "callsConnected": 0,
        "visitsCompleted": 0,
        "paymentsCollected": 0,
        "totalAmountCollected": 0.0,
        "averageCallDuration": None,
        "successRate": None,
        "promises": NO_PROMISES,
    }
    return base | values


# --- one agent ------------------------------------------------------------------------------


def test_it_computes_an_agents_figures_with_payments_across_the_partition_boundary(
    north: dict[str, Agent],
) -> None:
    anh = north["anh"]

    data = get(f"agents/{anh.id}/performance?startDate=2025-12-31&endDate=2026-01-01")

    # 12-31: CALL PTP, VISIT NO_CONTACT; 01-01: CALL PAYMENT_MADE (17:00Z on 12-31).
    # Payments: P2 on 12-31, P1 on 01-01 (P3 is 01-02 in Hanoi).
    assert data == {
        "agentId": str(anh.id),
        "agentName": "Anh",
        "period": {"startDate": "2025-12-31", "endDate": "2026-01-01"},
        "metrics": metrics(
            totalActions=3,
            successfulActions=2,
            callsPlaced=2,
            callsConnected=2,
            visitsCompleted=0,
            paymentsCollected=2,
            totalAmountCollected=3500000.5,
            successRate=66.67,
        ),
        "trends": {
            "daily": [
                {"date": "2025-12-31", "actions": 2, "amountCollected": 2000000.0},
                {"date": "2026-01-01", "actions": 1, "amountCollected": 1500000.5},
            ],
            # 2025-12-31 (Wednesday) and 2026-01-01 are in ISO week 1 of 2026.
            "weekly": [{"week": "2026-W01", "actions": 3, "amountCollected": 3500000.5}],
        },
    }


def test_a_payment_counts_for_its_field_agent_on_a_day_without_actions(
    north: dict[str, Agent],
) -> None:
    data = get(f"agents/{north['binh'].id}/performance?startDate=2025-12-31&endDate=2026-01-01")

    assert data["metrics"] == metrics(paymentsCollected=1, totalAmountCollected=1500000.5)
    assert data["trends"] == {
        "daily": [{"date": "2026-01-01", "actions": 0, "amountCollected": 1500000.5}],
        "weekly": [{"week": "2026-W01", "actions": 0, "amountCollected": 1500000.5}],
    }


def test_a_payment_whose_call_and_field_agent_are_the_same_counts_once(
    north: dict[str, Agent],
) -> None:
    data = get(f"agents/{north['anh'].id}/performance?startDate=2026-01-02&endDate=2026-01-02")

    assert data["metrics"]["paymentsCollected"] == 1
    assert data["metrics"]["totalAmountCollected"] == 250000.25


def test_payments_after_17_utc_belong_to_the_next_business_day(north: dict[str, Agent]) -> None:
    anh = north["anh"]

    data = get(f"agents/{anh.id}/performance?startDate=2026-02-01&endDate=2026-02-01")

    # 18:00Z and 18:30Z on 01-31 are 02-01 in Hanoi; so is P5.
    assert data["metrics"] == metrics(
        totalActions=2,
        successfulActions=1,
        callsPlaced=1,
        callsConnected=1,
        paymentsCollected=1,
        totalAmountCollected=100.0,
        successRate=50.0,
    )


def test_amounts_are_json_numbers_with_two_decimals(north: dict[str, Agent]) -> None:
    response = unlinked_client("AGENT").get(
        f"{BASE}/agents/{north['anh'].id}/performance?startDate=2025-12-31&endDate=2026-01-02"
    )

    assert b'"totalAmountCollected":3750000.75' in response.content
    assert b'"amountCollected":0.0' not in response.content  # every day here had a payment


# --- whole months: the view and the live computation agree ---------------------------------


JANUARY = "startDate=2026-01-01&endDate=2026-01-31"

# Anh in business January: CALL PAYMENT_MADE (01-01), VISIT PARTIAL_PAYMENT (01-02), SMS
# REFUSED_TO_PAY (01-31); not the two actions of 01-31 18:00Z / 18:30Z (February in Hanoi,
# January in UTC: a view cut by UTC months would count 4). Payments: P1 + P3.
ANH_JANUARY = metrics(
    totalActions=3,
    successfulActions=2,
    callsPlaced=1,
    callsConnected=1,
    visitsCompleted=1,
    paymentsCollected=2,
    totalAmountCollected=1750000.75,
    successRate=66.67,
)


def no_view(*args: object, **kwargs: object) -> dict[uuid.UUID, ActionCounts]:
    return {}


def test_the_view_groups_actions_by_business_month(north: dict[str, Agent]) -> None:
    reports.refresh_reports()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT year, month, total_actions, successful_actions, calls_placed, "
            "calls_connected, visits_completed, payment_promises, payments_received, "
            "business_time_zone FROM workflow_service.agent_performance "
            "WHERE agent_id = %s ORDER BY year, month",
            [north["anh"].id],
        )
        rows = cursor.fetchall()

    assert rows == [
        (2025, 12, 3, 1, 2, 1, 0, 1, 0, "Asia/Ho_Chi_Minh"),
        (2026, 1, 3, 2, 1, 1, 1, 0, 1, "Asia/Ho_Chi_Minh"),
        (2026, 2, 2, 1, 1, 1, 0, 1, 0, "Asia/Ho_Chi_Minh"),
    ]


def test_a_whole_month_is_served_from_the_view_with_the_live_numbers(
    north: dict[str, Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    anh = north["anh"]
    reports.refresh_reports()

    assert figures.view_action_counts([anh], dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == {
        anh.id: ActionCounts(
            total=3, successful=2, calls_placed=1, calls_connected=1, visits_completed=1
        )
    }
    from_view = get(f"agents/{anh.id}/performance?{JANUARY}")
    monkeypatch.setattr(performance, "view_action_counts", no_view)
    live = get(f"agents/{anh.id}/performance?{JANUARY}")

    assert from_view == live
    assert from_view["metrics"] == ANH_JANUARY
    assert [day["date"] for day in from_view["trends"]["daily"]] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-31",
    ]


def test_several_whole_months_add_up_the_views_months(
    north: dict[str, Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    anh = north["anh"]
    reports.refresh_reports()
    query = f"agents/{anh.id}/performance?startDate=2025-12-01&endDate=2026-02-28"

    assert figures.view_action_counts([anh], dt.date(2025, 12, 1), dt.date(2026, 2, 28))
    from_view = get(query)
    monkeypatch.setattr(performance, "view_action_counts", no_view)

    assert from_view == get(query)
    assert from_view["metrics"]["totalActions"] == 8


def test_the_view_answers_as_of_its_refresh(north: dict[str, Agent]) -> None:
    anh = north["anh"]
    reports.refresh_reports()
    act(anh, "2026-01-20T03:00:00", "CALL", "PROMISE_TO_PAY")  # back-dated after the refresh

    counts = figures.view_action_counts([anh], dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert counts[anh.id].total == 3

    reports.refresh_reports()
    counts = figures.view_action_counts([anh], dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert counts[anh.id].total == 4


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 30)),  # not up to the month's last day
        (dt.date(2026, 1, 2), dt.date(2026, 1, 31)),  # not from the 1st
    ],
)
def test_a_period_of_partial_months_never_reads_the_view(
    north: dict[str, Agent],
    start: dt.date,
    end: dt.date,
    django_assert_num_queries: Any,
) -> None:
    reports.refresh_reports()

    with django_assert_num_queries(0):
        assert figures.view_action_counts([north["anh"]], start, end) == {}


def test_a_month_not_over_at_the_refresh_is_computed_live(north: dict[str, Agent]) -> None:
    today = business_today()
    month_start = today.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    reports.refresh_reports()

    assert figures.view_action_counts([north["anh"]], month_start, month_end) == {}


def test_an_agent_changed_since_the_refresh_is_computed_live(north: dict[str, Agent]) -> None:
    anh, binh = north["anh"], north["binh"]
    reports.refresh_reports()
    Agent.objects.filter(id=binh.id).update(name="Binh Tran")  # the trigger stamps updated_at
    binh.refresh_from_db()

    counts = figures.view_action_counts([anh, binh], dt.date(2026, 1, 1), dt.date(2026, 1, 31))

    assert set(counts) == {anh.id}


def test_inactive_agents_are_always_computed_live(
    north: dict[str, Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    anh = north["anh"]
    Agent.objects.filter(id=anh.id).update(is_active=False, updated_at=LONG_AGO)
    reports.refresh_reports()
    anh.refresh_from_db()

    assert figures.view_action_counts([anh], dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == {}
    assert get(f"agents/{anh.id}/performance?{JANUARY}")["metrics"] == ANH_JANUARY


def test_a_view_cut_in_another_time_zone_is_not_used(
    north: dict[str, Agent], settings: Any
) -> None:
    reports.refresh_reports()
    settings.BUSINESS_TIME_ZONE = "Asia/Bangkok"  # also UTC+7, but not the zone of the view

    counts = figures.view_action_counts([north["anh"]], dt.date(2026, 1, 1), dt.date(2026, 1, 31))

    assert counts == {}


def test_an_agent_without_actions_in_the_month_gets_zeros_from_the_view(
    north: dict[str, Agent],
) -> None:
    idle = agent("Idle")
    reports.refresh_reports()

    counts = figures.view_action_counts([idle], dt.date(2026, 1, 1), dt.date(2026, 1, 31))

    assert counts == {idle.id: ActionCounts()}


# --- the ranked list ------------------------------------------------------------------------


def test_the_ranked_list_orders_by_successful_then_total_actions_then_name(
    north: dict[str, Agent],
) -> None:
    data = get(f"agents/performance?{JANUARY}")

    # Anh 2 successful / 3; Binh 1 / 2 and Chi 1 / 1 (Binh first: more actions).
    assert data["period"] == {"startDate": "2026-01-01", "endDate": "2026-01-31"}
    assert [(row["agentName"], row["rank"]) for row in data["agents"]] == [
        ("Anh", 1),
        ("Binh", 2),
        ("Chi", 3),
    ]
    assert data["agents"][0] == {
        "agentId": str(north["anh"].id),
        "agentName": "Anh",
        "team": "North",
        "rank": 1,
        "metrics": ANH_JANUARY,
    }
    # Binh: P1 (01-01, field) and P4 (01-15, field).
    assert data["agents"][1]["metrics"] == metrics(
        totalActions=2,
        successfulActions=1,
        callsPlaced=2,
        callsConnected=1,
        paymentsCollected=2,
        totalAmountCollected=1501000.49,
        successRate=50.0,
    )
    assert data["agents"][2]["metrics"]["paymentsCollected"] == 1  # P4 as call agent
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 3}


def test_equal_agents_share_a_rank_and_the_next_rank_skips() -> None:
    loan = LoanFactory()
    first, second, third, fourth = (agent(name) for name in ["Dung", "Em", "Giang", "Ha"])
    for who in (first, second, third):
        act(who, "2026-03-10T03:00:00", "CALL", "PROMISE_TO_PAY", loan)
    act(first, "2026-03-10T04:00:00", "CALL", "NO_CONTACT", loan)
    act(fourth, "2026-03-10T04:00:00", "CALL", "NO_CONTACT", loan)

    data = get("agents/performance?startDate=2026-03-10&endDate=2026-03-10")

    assert [(row["agentName"], row["rank"]) for row in data["agents"]] == [
        ("Dung", 1),
        ("Em", 2),
        ("Giang", 2),
        ("Ha", 4),
    ]


def test_the_ranked_list_filters_by_team_and_leaves_inactive_agents_out(
    north: dict[str, Agent],
) -> None:
    agent("Retired", is_active=False)

    data = get(f"agents/performance?team=North&{JANUARY}")

    assert [row["agentName"] for row in data["agents"]] == ["Anh", "Binh"]
    assert get(f"agents/performance?team=Nobody&{JANUARY}")["agents"] == []


def test_the_ranked_list_is_the_same_from_the_view_and_live(
    north: dict[str, Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    reports.refresh_reports()

    from_view = get(f"agents/performance?{JANUARY}")
    monkeypatch.setattr(performance, "view_action_counts", no_view)

    assert from_view == get(f"agents/performance?{JANUARY}")


def test_the_ranked_list_paginates_in_constant_queries(django_assert_num_queries: Any) -> None:
    loan = LoanFactory()
    for n in range(30):
        who = agent(f"Agent {n:02d}")
        act(who, "2026-03-10T03:00:00", "CALL", "PROMISE_TO_PAY", loan)
        pay("2026-03-10T03:00:00", "10.00", call=who)
    client = unlinked_client("AGENT")
    query = f"{BASE}/agents/performance?startDate=2026-03-01&endDate=2026-03-10"

    # The agents, their action counts, their payments, their promise figures.
    with django_assert_num_queries(4):
        small = envelope_ok(client.get(f"{query}&pageSize=1"))
    with django_assert_num_queries(4):
        large = envelope_ok(client.get(f"{query}&pageSize=50"))

    assert len(small["agents"]) == 1 and len(large["agents"]) == 30
    assert large["agents"][0]["metrics"]["paymentsCollected"] == 1
    past_end = envelope_ok(client.get(f"{query}&page=4&pageSize=10"))
    assert past_end["agents"] == []
    assert past_end["pagination"] == {
        "page": 4,
        "pageSize": 10,
        "totalPages": 3,
        "totalItems": 30,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pageSize=101", "pageSize"),
        ("page=0", "page"),
        ("startDate=2026-03-10&endDate=2026-03-09", "endDate"),
        ("startDate=2025-01-01&endDate=2026-01-02", "endDate"),
        ("team=" + "x" * 31, "team"),
    ],
)
def test_the_ranked_list_rejects_bad_input(query: str, field: str) -> None:
    response = unlinked_client("AGENT").get(f"{BASE}/agents/performance?{query}")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


# --- a team ---------------------------------------------------------------------------------


def test_a_teams_totals_count_a_shared_payment_once(north: dict[str, Agent]) -> None:
    data = get(f"teams/North/performance?{JANUARY}")

    # Anh 3 + Binh 2 actions; payments P1 (Anh and Binh: once), P3, P4 (Binh).
    assert data == {
        "team": "North",
        "period": {"startDate": "2026-01-01", "endDate": "2026-01-31"},
        "agentCount": 2,
        "metrics": metrics(
            totalActions=5,
            successfulActions=3,
            callsPlaced=3,
            callsConnected=2,
            visitsCompleted=1,
            paymentsCollected=3,
            totalAmountCollected=1751000.74,
            successRate=60.0,
        ),
        "trends": {
            "daily": [
                {"date": "2026-01-01", "actions": 1, "amountCollected": 1500000.5},
                {"date": "2026-01-02", "actions": 1, "amountCollected": 250000.25},
                {"date": "2026-01-10", "actions": 1, "amountCollected": 0.0},
                {"date": "2026-01-11", "actions": 1, "amountCollected": 0.0},
                {"date": "2026-01-15", "actions": 0, "amountCollected": 999.99},
                {"date": "2026-01-31", "actions": 1, "amountCollected": 0.0},
            ],
            "weekly": [
                {"week": "2026-W01", "actions": 2, "amountCollected": 1750000.75},
                {"week": "2026-W02", "actions": 2, "amountCollected": 0.0},
                {"week": "2026-W03", "actions": 0, "amountCollected": 999.99},
                {"week": "2026-W05", "actions": 1, "amountCollected": 0.0},
            ],
        },
    }


def test_a_teams_totals_are_the_same_from_the_view_and_live(
    north: dict[str, Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    reports.refresh_reports()
    assert figures.view_action_counts(
        list(north.values()), dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    )

    from_view = get(f"teams/North/performance?{JANUARY}")
    monkeypatch.setattr(performance, "view_action_counts", no_view)

    assert from_view == get(f"teams/North/performance?{JANUARY}")


def test_a_team_name_with_a_space_is_url_encoded() -> None:
    agent("Khanh", team="Team A")

    assert get("teams/Team%20A/performance")["agentCount"] == 1


@pytest.mark.parametrize("path", ["teams/North%2FEast/performance", "teams/North/East/performance"])
def test_a_team_name_may_hold_a_slash(path: str) -> None:
    agent("Minh", team="North/East")

    data = get(path)

    assert data["team"] == "North/East"
    assert data["agentCount"] == 1


@pytest.mark.parametrize("team", ["Nobody", "Retired"])
def test_a_team_without_active_agents_answers_404(team: str) -> None:
    agent("Long", team="Retired", is_active=False)

    response = unlinked_client("AGENT").get(f"{BASE}/teams/{team}/performance")

    envelope_error(response, 404, "NOT_FOUND", field="team")


def test_the_team_endpoint_rejects_a_bad_period(north: dict[str, Agent]) -> None:
    response = unlinked_client("AGENT").get(f"{BASE}/teams/North/performance?startDate=2026-13-01")

    envelope_error(response, 400, "VALIDATION_ERROR", field="startDate")


@pytest.mark.parametrize(
    "path",
    [
        "agents/performance",
        "teams/North/performance",
        f"agents/{uuid.uuid4()}/performance",
    ],
)
def test_performance_endpoints_need_authentication(path: str) -> None:
    from rest_framework.test import APIClient

    envelope_error(APIClient().get(f"{BASE}/{path}"), 401, "AUTH_REQUIRED")


@pytest.mark.parametrize("role", ["AGENT", "SUPERVISOR", "ADMIN"])
def test_every_role_may_read_the_ranked_list_and_team_totals(
    role: str, north: dict[str, Agent]
) -> None:
    client = unlinked_client(role)

    envelope_ok(client.get(f"{BASE}/agents/performance"))
    envelope_ok(client.get(f"{BASE}/teams/North/performance"))


# --- migration 0008 -------------------------------------------------------------------------


def _view_definition() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT definition FROM pg_matviews "
            "WHERE schemaname = 'workflow_service' AND matviewname = 'agent_performance'"
        )
        return str(cursor.fetchone()[0])


def _run(name: str) -> None:
    from workflow.schema import read_sql

    with connection.cursor() as cursor:
        cursor.execute(read_sql(name))


def _reader_may_select() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('perf_report_reader', "
            "'workflow_service.agent_performance', 'SELECT')"
        )
        return bool(cursor.fetchone()[0])


def test_migration_0008_is_idempotent_and_reverses_keeping_indexes_and_grants() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE perf_report_reader NOLOGIN")  # rolled back with the test
        cursor.execute("GRANT SELECT ON workflow_service.agent_performance TO perf_report_reader")
    assert _reader_may_select()
    business = _view_definition()
    assert "business_time_zone" in business

    _run("0008_agent_performance_business_month.sql")
    assert _view_definition() == business

    _run("0008_agent_performance_business_month_reverse.sql")
    baseline = _view_definition()
    assert "business_time_zone" not in baseline
    assert _reader_may_select()
    _run("0008_agent_performance_business_month_reverse.sql")
    assert _view_definition() == baseline

    _run("0008_agent_performance_business_month.sql")
    assert _view_definition() == business
    assert _reader_may_select()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'workflow_service' "
            "AND tablename IN ('agent_performance', 'customer_collection_status') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "idx_customer_collection_status_max_dpd",
            "uq_agent_performance_agent_year_month",
            "uq_customer_collection_status_cif",
        ]
    reports.refresh_reports()  # CONCURRENTLY still works: the unique index is back


# --- reversed payments ----------------------------------------------------------------------


def test_a_reversed_payment_is_no_longer_collected_anywhere(
    north: dict[str, Agent], django_capture_on_commit_callbacks: Any
) -> None:
    """P1 (1,500,000.50 on 01-01, call Anh, field Binh) reversed: gone from both agents'
    figures and trends (their cached answers dropped), from the ranked list and from the
    team's totals."""
    anh, binh = north["anh"], north["binh"]
    p1 = Payment.objects.get(amount=Decimal("1500000.50"))
    before = {
        "anh": get(f"agents/{anh.id}/performance?{JANUARY}")["metrics"],
        "team": get(f"teams/North/performance?{JANUARY}")["metrics"],
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert payment_reverse(payment_id=p1.payment_id, actor=system_actor("payment-service"))

    agent_data = get(f"agents/{anh.id}/performance?{JANUARY}")
    assert agent_data["metrics"]["paymentsCollected"] == before["anh"]["paymentsCollected"] - 1
    assert agent_data["metrics"]["totalAmountCollected"] == pytest.approx(
        before["anh"]["totalAmountCollected"] - 1500000.5
    )
    assert "2026-01-01" not in {
        day["date"] for day in agent_data["trends"]["daily"] if day["amountCollected"]
    }
    ranked = {
        row["agentName"]: row["metrics"] for row in get(f"agents/performance?{JANUARY}")["agents"]
    }
    assert ranked["Binh"]["paymentsCollected"] == 1  # P4 only
    assert ranked["Binh"]["totalAmountCollected"] == 999.99
    assert ranked["Anh"] == agent_data["metrics"]
    team = get(f"teams/North/performance?{JANUARY}")["metrics"]
    assert team["paymentsCollected"] == before["team"]["paymentsCollected"] - 1
    assert team["totalAmountCollected"] == pytest.approx(
        before["team"]["totalAmountCollected"] - 1500000.5
    )
    assert get(f"agents/{binh.id}/performance?{JANUARY}")["metrics"] == ranked["Binh"]
