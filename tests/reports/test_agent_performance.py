"""``GET agents/{id}/performance``: figures computed from action records, by business day."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from agents.models import Agent
from reports import figures
from tests.api import envelope_error, envelope_ok, unlinked_client
from tests.factories import ActionRecordFactory, AgentFactory, LoanFactory
from workflow.business_time import business_today, day_range_utc, day_start_utc

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

pytestmark = pytest.mark.django_db


def url(agent_id: object, query: str = "") -> str:
    return f"/api/v1/collection/agents/{agent_id}/performance" + (f"?{query}" if query else "")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def record(agent: Agent, loan: object, at: str, type: str, result: str) -> object:
    return ActionRecordFactory(
        agent=agent, loan=loan, action_date=utc(at), type=type, action_result=result
    )


@pytest.fixture
def march_agent() -> Agent:
    """An agent with known actions around March 2026 (Hanoi, UTC+7).

    In 2026-03-01..2026-03-31 (Hanoi) it has 7 actions:
    day 03-01: CALL NO_CONTACT; day 03-02: CALL PROMISE_TO_PAY (17:30Z on 03-01),
    VISIT PAYMENT_MADE, VISIT NO_CONTACT; day 03-09: SMS PARTIAL_PAYMENT, CALL REFUSED_TO_PAY;
    day 03-31: EMAIL DISPUTE. Just outside: 02-28 23:59:59 and 04-01 00:00 Hanoi.
    """
    agent = AgentFactory(name="March Agent")
    loan = LoanFactory()
    record(agent, loan, "2026-02-28T16:59:59", "CALL", "PAYMENT_MADE")  # Hanoi 02-28 23:59:59
    record(agent, loan, "2026-03-01T16:59:00", "CALL", "NO_CONTACT")  # Hanoi 03-01 23:59
    record(agent, loan, "2026-03-01T17:30:00", "CALL", "PROMISE_TO_PAY")  # Hanoi 03-02 00:30
    record(agent, loan, "2026-03-02T03:00:00", "VISIT", "PAYMENT_MADE")
    record(agent, loan, "2026-03-02T10:00:00", "VISIT", "NO_CONTACT")  # Hanoi 03-02 17:00
    record(agent, loan, "2026-03-09T02:00:00", "SMS", "PARTIAL_PAYMENT")
    record(agent, loan, "2026-03-09T05:00:00", "CALL", "REFUSED_TO_PAY")
    record(agent, loan, "2026-03-31T16:59:59", "EMAIL", "DISPUTE")  # Hanoi 03-31 23:59:59
    record(agent, loan, "2026-03-31T17:00:00", "CALL", "PAYMENT_MADE")  # Hanoi 04-01 00:00
    # Another agent's work on the same days never counts.
    record(AgentFactory(), loan, "2026-03-02T03:00:00", "CALL", "PAYMENT_MADE")
    return agent


def test_it_computes_an_agents_figures_by_business_day(march_agent: Agent) -> None:
    data = envelope_ok(
        unlinked_client("AGENT").get(url(march_agent.id, "startDate=2026-03-01&endDate=2026-03-31"))
    )

    assert data == {
        "agentId": str(march_agent.id),
        "agentName": "March Agent",
        "period": {"startDate": "2026-03-01", "endDate": "2026-03-31"},
        "metrics": {
            "totalActions": 7,
            "successfulActions": 3,
            "callsPlaced": 3,
            "callsConnected": 2,
            "visitsCompleted": 1,
            "paymentsCollected": 0,
            "totalAmountCollected": 0.0,
            "averageCallDuration": None,
            "successRate": 42.86,  # 3 / 7 = 42.857...
            "promises": NO_PROMISES,
        },
        "trends": {
            "daily": [
                {"date": "2026-03-01", "actions": 1, "amountCollected": 0.0},
                {"date": "2026-03-02", "actions": 3, "amountCollected": 0.0},
                {"date": "2026-03-09", "actions": 2, "amountCollected": 0.0},
                {"date": "2026-03-31", "actions": 1, "amountCollected": 0.0},
            ],
            "weekly": [
                {"week": "2026-W09", "actions": 1, "amountCollected": 0.0},
                {"week": "2026-W10", "actions": 3, "amountCollected": 0.0},
                {"week": "2026-W11", "actions": 2, "amountCollected": 0.0},
                {"week": "2026-W14", "actions": 1, "amountCollected": 0.0},
            ],
        },
    }


def test_an_action_after_utc_midnight_belongs_to_the_next_business_day(
    march_agent: Agent,
) -> None:
    data = envelope_ok(
        unlinked_client("AGENT").get(url(march_agent.id, "startDate=2026-03-02&endDate=2026-03-02"))
    )

    # 17:30Z on 03-01 is 00:30 on 03-02 in Hanoi: it counts on 03-02, the 16:59Z call does not.
    assert data["metrics"]["totalActions"] == 3
    assert data["metrics"]["callsPlaced"] == 1
    assert data["metrics"]["successfulActions"] == 2
    assert data["metrics"]["successRate"] == 66.67
    assert data["trends"]["daily"] == [{"date": "2026-03-02", "actions": 3, "amountCollected": 0.0}]


def test_it_counts_business_days_across_a_partition_boundary() -> None:
    agent = AgentFactory()
    loan = LoanFactory()
    record(agent, loan, "2025-12-30T16:59:00", "CALL", "NO_CONTACT")  # Hanoi 12-30: outside
    last_of_year = record(agent, loan, "2025-12-31T16:59:00", "CALL", "PROMISE_TO_PAY")
    new_year_local = record(agent, loan, "2025-12-31T17:00:00", "VISIT", "PAYMENT_MADE")
    new_year_utc = record(agent, loan, "2026-01-01T03:00:00", "CALL", "NO_CONTACT")
    record(agent, loan, "2026-01-01T17:00:00", "CALL", "PAYMENT_MADE")  # Hanoi 01-02: outside
    partitions = _partitions_of([last_of_year, new_year_local, new_year_utc])
    assert partitions == [
        "action_records_2025_q4",
        "action_records_2025_q4",
        "action_records_2026_q1",
    ]

    data = envelope_ok(
        unlinked_client("AGENT").get(url(agent.id, "startDate=2025-12-31&endDate=2026-01-01"))
    )

    assert data["metrics"]["totalActions"] == 3
    assert data["metrics"]["successfulActions"] == 2
    assert data["metrics"]["callsPlaced"] == 2
    assert data["metrics"]["callsConnected"] == 1
    assert data["metrics"]["visitsCompleted"] == 1
    assert data["metrics"]["successRate"] == 66.67
    assert data["trends"]["daily"] == [
        {"date": "2025-12-31", "actions": 1, "amountCollected": 0.0},
        {"date": "2026-01-01", "actions": 2, "amountCollected": 0.0},
    ]
    # 2025-12-31 is a Wednesday of ISO week 1 of 2026.
    assert data["trends"]["weekly"] == [{"week": "2026-W01", "actions": 3, "amountCollected": 0.0}]


def _partitions_of(actions: list[object]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tableoid::regclass::text FROM workflow_service.action_records"
            " WHERE id = ANY(%s)",
            [[a.id for a in actions]],  # type: ignore[attr-defined]
        )
        where = {row[0]: row[1].split(".")[-1] for row in cursor.fetchall()}
    return [where[a.id] for a in actions]  # type: ignore[attr-defined]


def test_the_success_rate_rounds_half_up_to_two_decimals() -> None:
    agent = AgentFactory()
    loan = LoanFactory()
    record(agent, loan, "2026-03-10T02:00:00", "CALL", "PAYMENT_MADE")
    for minute in range(31):
        record(agent, loan, f"2026-03-10T03:{minute:02d}:00", "CALL", "NO_CONTACT")

    data = envelope_ok(
        unlinked_client("AGENT").get(url(agent.id, "startDate=2026-03-10&endDate=2026-03-10"))
    )

    # 1 / 32 = 3.125 %: half-up gives 3.13 (binary rounding of the float would give 3.12).
    assert data["metrics"]["totalActions"] == 32
    assert data["metrics"]["callsConnected"] == 1
    assert data["metrics"]["successRate"] == 3.13


def test_a_period_without_actions_has_zero_counts_and_no_success_rate(
    march_agent: Agent,
) -> None:
    data = envelope_ok(
        unlinked_client("AGENT").get(url(march_agent.id, "startDate=2026-05-01&endDate=2026-05-31"))
    )

    assert data["metrics"] == {
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
    assert data["trends"] == {"daily": [], "weekly": []}


def test_the_period_defaults_to_the_current_business_month_up_to_today() -> None:
    agent = AgentFactory()
    loan = LoanFactory()
    today = business_today()
    month_start = today.replace(day=1)
    ActionRecordFactory(agent=agent, loan=loan, action_date=day_start_utc(month_start))
    ActionRecordFactory(
        agent=agent, loan=loan, action_date=day_start_utc(month_start) - dt.timedelta(seconds=1)
    )
    ActionRecordFactory(
        agent=agent, loan=loan, action_date=day_start_utc(today + dt.timedelta(days=1))
    )

    data = envelope_ok(unlinked_client("AGENT").get(url(agent.id)))

    assert data["period"] == {"startDate": month_start.isoformat(), "endDate": today.isoformat()}
    assert data["metrics"]["totalActions"] == 1
    assert data["trends"]["daily"][0]["date"] == month_start.isoformat()


def test_only_an_end_date_reports_that_dates_month_up_to_it(march_agent: Agent) -> None:
    data = envelope_ok(unlinked_client("AGENT").get(url(march_agent.id, "endDate=2026-03-02")))

    assert data["period"] == {"startDate": "2026-03-01", "endDate": "2026-03-02"}
    assert data["metrics"]["totalActions"] == 4


def test_it_accepts_a_period_of_366_days() -> None:
    agent = AgentFactory()

    data = envelope_ok(
        unlinked_client("AGENT").get(url(agent.id, "startDate=2025-01-01&endDate=2026-01-01"))
    )

    assert data["period"] == {"startDate": "2025-01-01", "endDate": "2026-01-01"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("startDate=2025-01-01&endDate=2026-01-02", "endDate"),  # 367 days
        ("startDate=2026-03-10&endDate=2026-03-09", "endDate"),
        ("startDate=2026-13-01", "startDate"),
        ("startDate=01/03/2026", "startDate"),
        ("endDate=2026-03-01T00:00:00", "endDate"),
        ("startDate=2999-01-01", "startDate"),  # after the default endDate (today)
    ],
)
def test_it_rejects_an_invalid_period(query: str, field: str) -> None:
    agent = AgentFactory()

    response = unlinked_client("AGENT").get(url(agent.id, query))

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)


@pytest.mark.parametrize("agent_id", [uuid.uuid4(), "not-a-uuid"])
def test_it_answers_404_for_an_unknown_agent(agent_id: object) -> None:
    envelope_error(unlinked_client("AGENT").get(url(agent_id)), 404, "NOT_FOUND")


@pytest.mark.parametrize("role", ["AGENT", "SUPERVISOR", "ADMIN"])
def test_every_role_may_read_performance(role: str, march_agent: Agent) -> None:
    envelope_ok(unlinked_client(role).get(url(march_agent.id)))


def test_it_answers_in_five_queries(march_agent: Agent, django_assert_num_queries: object) -> None:
    client = unlinked_client("AGENT")

    # The agent, the monthly view (a whole month), the daily action counts, daily payments,
    # the promise figures.
    with django_assert_num_queries(5):  # type: ignore[operator]
        envelope_ok(client.get(url(march_agent.id, "startDate=2026-03-01&endDate=2026-03-31")))
    # Served from the cache: the agent only.
    with django_assert_num_queries(1):  # type: ignore[operator]
        envelope_ok(client.get(url(march_agent.id, "startDate=2026-03-01&endDate=2026-03-31")))
    # Not a whole month: no view.
    with django_assert_num_queries(4):  # type: ignore[operator]
        envelope_ok(client.get(url(march_agent.id, "startDate=2026-03-01&endDate=2026-03-30")))


@pytest.mark.parametrize(
    ("start", "end", "scanned", "skipped"),
    [
        (
            dt.date(2026, 3, 1),
            dt.date(2026, 3, 31),
            {"action_records_2026_q1"},
            {"action_records_2025_q4", "action_records_2026_q2", "action_records_future"},
        ),
        (
            dt.date(2025, 12, 31),
            dt.date(2026, 1, 1),
            {"action_records_2025_q4", "action_records_2026_q1"},
            {"action_records_2025_q3", "action_records_2026_q2", "action_records_historical"},
        ),
    ],
)
def test_the_period_query_scans_only_the_partitions_it_needs(
    start: dt.date, end: dt.date, scanned: set[str], skipped: set[str]
) -> None:
    agent = AgentFactory()
    lower, upper = day_range_utc(start, end)
    assert lower is not None and upper is not None

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + figures.DAILY_ACTIONS_SQL,
            {
                "agents": [agent.id],
                "lower": lower.astimezone(dt.UTC).replace(tzinfo=None),
                "upper": upper.astimezone(dt.UTC).replace(tzinfo=None),
                "zone": "Asia/Ho_Chi_Minh",
            },
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert all(name in plan for name in scanned), plan
    assert not any(name in plan for name in skipped), plan
