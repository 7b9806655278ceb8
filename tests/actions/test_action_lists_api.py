"""The action lists: by customer (cif), by loan (accountNumber) and by agent (agentId)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.actions.helpers import BASE
from tests.api import agent_client, client_for, envelope_error, envelope_ok
from tests.factories import ActionRecordFactory, AgentFactory, CrmUserFactory, LoanFactory
from workflow.models import Loan

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def reader() -> APIClient:
    # A supervisor reads every customer's work; an agent's own scope: tests/security.
    client, _ = agent_client("SUPERVISOR")
    return client


@pytest.fixture
def loan() -> Loan:
    return LoanFactory(customer__cif="CIF-L1", account_number="LN-L1")


def listed(client: APIClient, url: str, **params: Any) -> Any:
    return envelope_ok(client.get(url, params))


def ids(data: dict[str, Any]) -> list[str]:
    return [item["id"] for item in data["actions"]]


# --- the three lists ----------------------------------------------------------------------


def test_it_lists_a_customers_actions_across_their_loans(reader: APIClient, loan: Loan) -> None:
    other_loan = LoanFactory(customer=loan.customer)
    mine = [ActionRecordFactory(loan=loan), ActionRecordFactory(loan=other_loan)]
    ActionRecordFactory()  # another customer's

    data = listed(reader, f"{BASE}/customer/CIF-L1")

    assert sorted(ids(data)) == sorted(str(a.id) for a in mine)
    assert data["pagination"] == {"page": 1, "pageSize": 10, "totalPages": 1, "totalItems": 2}


def test_it_lists_a_loans_actions(reader: APIClient, loan: Loan) -> None:
    mine = ActionRecordFactory(loan=loan)
    ActionRecordFactory(loan=LoanFactory(customer=loan.customer))  # same customer, other loan

    data = listed(reader, f"{BASE}/loan/LN-L1")

    assert ids(data) == [str(mine.id)]


def test_it_lists_an_agents_actions(reader: APIClient) -> None:
    agent = AgentFactory()
    mine = ActionRecordFactory.create_batch(2, agent=agent)
    ActionRecordFactory()  # another agent's

    data = listed(reader, f"{BASE}/agent/{agent.id}")

    assert sorted(ids(data)) == sorted(str(a.id) for a in mine)


def test_each_item_has_the_full_action_shape_with_the_agent_name(
    reader: APIClient, loan: Loan
) -> None:
    agent = AgentFactory(name="Tran Thi Binh")
    action = ActionRecordFactory(
        loan=loan,
        agent=agent,
        type="VISIT",
        subtype="FIELD_VISIT",
        notes="Met the customer at home.",
        visit_latitude="10.77689200",
        visit_longitude="106.70080900",
        visit_address="District 1",
    )

    (item,) = listed(reader, f"{BASE}/loan/LN-L1")["actions"]

    assert item == {
        "id": str(action.id),
        "cif": "CIF-L1",
        "loanAccountNumber": "LN-L1",
        "agentId": str(agent.id),
        "agentName": "Tran Thi Binh",
        "type": "VISIT",
        "subtype": "FIELD_VISIT",
        "actionResult": "PROMISE_TO_PAY",
        "actionDate": "2026-03-10T02:30:00Z",
        "notes": "Met the customer at home.",
        "callTraceId": None,
        "visitLocation": {"latitude": 10.776892, "longitude": 106.700809, "address": "District 1"},
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
        "createdBy": "tests",
        "updatedBy": "tests",
        "promiseStatus": None,  # the action obtained no tracked promise
    }
    assert item["createdAt"].endswith("Z") and item["updatedAt"].endswith("Z")


def test_it_lists_newest_first_then_by_id(reader: APIClient, loan: Loan) -> None:
    old = ActionRecordFactory(loan=loan, action_date=at("2025-12-01T08:00:00+00:00"))
    new = ActionRecordFactory(loan=loan, action_date=at("2026-03-05T08:00:00+00:00"))
    middle = ActionRecordFactory.create_batch(
        3, loan=loan, action_date=at("2026-02-01T08:00:00+00:00")
    )

    data = listed(reader, f"{BASE}/loan/LN-L1")

    tied = sorted(str(a.id) for a in middle)
    assert ids(data) == [str(new.id), *tied, str(old.id)]


@pytest.mark.parametrize(
    "url",
    [f"{BASE}/customer/CIF-NOPE", f"{BASE}/loan/LN-NOPE", f"{BASE}/agent/{uuid.uuid4()}"],
)
def test_it_answers_404_for_an_unknown_customer_loan_or_agent(reader: APIClient, url: str) -> None:
    envelope_error(reader.get(url), 404, "NOT_FOUND")


def test_the_404_names_the_path_field(reader: APIClient) -> None:
    envelope_error(reader.get(f"{BASE}/customer/CIF-NOPE"), 404, "NOT_FOUND", "cif")
    envelope_error(reader.get(f"{BASE}/loan/LN-NOPE"), 404, "NOT_FOUND", "accountNumber")
    envelope_error(reader.get(f"{BASE}/agent/{uuid.uuid4()}"), 404, "NOT_FOUND", "agentId")


def test_a_known_customer_without_actions_is_an_empty_list(reader: APIClient, loan: Loan) -> None:
    data = listed(reader, f"{BASE}/customer/CIF-L1")

    assert data == {
        "actions": [],
        "pagination": {"page": 1, "pageSize": 10, "totalPages": 0, "totalItems": 0},
    }


def test_a_malformed_agent_id_is_404(reader: APIClient) -> None:
    envelope_error(reader.get(f"{BASE}/agent/not-a-uuid"), 404, "NOT_FOUND")


# --- filters ------------------------------------------------------------------------------


def test_it_filters_by_type_subtype_and_result(reader: APIClient, loan: Loan) -> None:
    call = ActionRecordFactory(loan=loan, type="CALL", subtype="REMINDER_CALL")
    visit = ActionRecordFactory(
        loan=loan, type="VISIT", subtype="FIELD_VISIT", action_result="PAYMENT_MADE"
    )
    sms = ActionRecordFactory(
        loan=loan, type="SMS", subtype="PAYMENT_REMINDER", action_result="NO_CONTACT"
    )
    url = f"{BASE}/customer/CIF-L1"

    assert ids(listed(reader, url, type="CALL")) == [str(call.id)]
    assert ids(listed(reader, url, subtype="FIELD_VISIT")) == [str(visit.id)]
    assert ids(listed(reader, url, actionResult="NO_CONTACT")) == [str(sms.id)]
    assert ids(listed(reader, url, type="SMS", actionResult="PAYMENT_MADE")) == []
    assert len(ids(listed(reader, url))) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "PHONE"}, "type"),
        ({"subtype": "SOCIAL_CALL"}, "subtype"),
        ({"actionResult": "MAYBE"}, "actionResult"),
        ({"startDate": "2026-13-01"}, "startDate"),
        ({"endDate": "01/03/2026"}, "endDate"),
        ({"startDate": "2026-03-02", "endDate": "2026-03-01"}, "endDate"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"pageSize": "101"}, "pageSize"),
        ({"pageSize": "0"}, "pageSize"),
    ],
)
def test_it_rejects_a_bad_query_parameter_naming_it(
    reader: APIClient, loan: Loan, params: dict[str, str], field: str
) -> None:
    for url in (f"{BASE}/customer/CIF-L1", f"{BASE}/loan/LN-L1"):
        envelope_error(reader.get(url, params), 400, "VALIDATION_ERROR", field)


def test_date_filters_are_inclusive_business_days(reader: APIClient, loan: Loan) -> None:
    # 17:30 UTC on 1 March is 00:30 on 2 March in Ho Chi Minh City.
    late = ActionRecordFactory(loan=loan, action_date=at("2026-03-01T17:30:00+00:00"))
    # 16:59 UTC on 1 March is 23:59 on 1 March there.
    early = ActionRecordFactory(loan=loan, action_date=at("2026-03-01T16:59:00+00:00"))
    url = f"{BASE}/customer/CIF-L1"

    assert ids(listed(reader, url, startDate="2026-03-02", endDate="2026-03-02")) == [str(late.id)]
    assert ids(listed(reader, url, startDate="2026-03-01", endDate="2026-03-01")) == [str(early.id)]
    assert ids(listed(reader, url, startDate="2026-03-02")) == [str(late.id)]
    assert ids(listed(reader, url, endDate="2026-03-01")) == [str(early.id)]
    assert len(ids(listed(reader, url, startDate="2026-03-01", endDate="2026-03-02"))) == 2


def test_the_end_date_includes_the_whole_last_business_day(reader: APIClient, loan: Loan) -> None:
    last_minute = ActionRecordFactory(loan=loan, action_date=at("2026-03-02T16:59:59+00:00"))
    next_day = ActionRecordFactory(loan=loan, action_date=at("2026-03-02T17:00:00+00:00"))
    url = f"{BASE}/loan/LN-L1"

    assert ids(listed(reader, url, endDate="2026-03-02")) == [str(last_minute.id)]
    assert ids(listed(reader, url, startDate="2026-03-03")) == [str(next_day.id)]


def test_filters_apply_to_the_agent_list(reader: APIClient) -> None:
    agent = AgentFactory()
    kept = ActionRecordFactory(agent=agent, type="EMAIL", action_date=at("2026-02-10T03:00+00:00"))
    ActionRecordFactory(agent=agent, type="EMAIL", action_date=at("2026-01-10T03:00+00:00"))
    ActionRecordFactory(agent=agent, type="CALL", action_date=at("2026-02-10T03:00+00:00"))

    data = listed(
        reader,
        f"{BASE}/agent/{agent.id}",
        type="EMAIL",
        startDate="2026-02-01",
        endDate="2026-02-28",
    )

    assert ids(data) == [str(kept.id)]


# --- pagination ---------------------------------------------------------------------------


def test_it_pages_through_the_actions(reader: APIClient, loan: Loan) -> None:
    actions = [
        ActionRecordFactory(loan=loan, action_date=at(f"2026-02-{day:02d}T03:00:00+00:00"))
        for day in range(1, 6)
    ]
    newest_first = [str(a.id) for a in reversed(actions)]
    url = f"{BASE}/loan/LN-L1"

    first = listed(reader, url, pageSize=2)
    last = listed(reader, url, pageSize=2, page=3)

    assert ids(first) == newest_first[:2]
    assert first["pagination"] == {"page": 1, "pageSize": 2, "totalPages": 3, "totalItems": 5}
    assert ids(last) == newest_first[4:]
    assert last["pagination"] == {"page": 3, "pageSize": 2, "totalPages": 3, "totalItems": 5}


def test_a_page_past_the_end_is_empty_with_the_totals(reader: APIClient, loan: Loan) -> None:
    ActionRecordFactory.create_batch(3, loan=loan)

    data = listed(reader, f"{BASE}/loan/LN-L1", page=5, pageSize=2)

    assert data == {
        "actions": [],
        "pagination": {"page": 5, "pageSize": 2, "totalPages": 2, "totalItems": 3},
    }


def test_it_accepts_the_largest_page_size(reader: APIClient, loan: Loan) -> None:
    ActionRecordFactory.create_batch(3, loan=loan)

    assert listed(reader, f"{BASE}/loan/LN-L1", pageSize=100)["pagination"]["pageSize"] == 100


@pytest.mark.parametrize(
    "url_of",
    [
        lambda loan, agent: f"{BASE}/customer/{loan.customer_id}",
        lambda loan, agent: f"{BASE}/loan/{loan.account_number}",
        lambda loan, agent: f"{BASE}/agent/{agent.id}",
    ],
    ids=["customer", "loan", "agent"],
)
def test_the_lists_answer_in_a_constant_number_of_queries(
    reader: APIClient, loan: Loan, url_of: Any, django_assert_max_num_queries: Any
) -> None:
    agent = AgentFactory()
    # Every row with its own agent, so that a per-row agent lookup would show.
    for n in range(60):
        ActionRecordFactory(
            loan=loan,
            agent=agent if n % 2 else AgentFactory(),
            action_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n),
        )
    url = url_of(loan, agent)
    # An agent's page is read from its recent actions first; these are older, so it is read
    # again from the whole list: one statement more, whatever the number of rows.
    most = 4 if "agent" in url else 3

    with django_assert_max_num_queries(most):
        small = listed(reader, url, pageSize=1)
    with django_assert_max_num_queries(most):
        big = listed(reader, url, pageSize=50)

    assert len(small["actions"]) == 1
    assert len(big["actions"]) == (50 if "agent" not in url else 30)
    assert all(item["agentName"] for item in big["actions"])


# --- who may read -------------------------------------------------------------------------


def test_supervisors_and_admins_read_without_an_agent_profile(loan: Loan) -> None:
    ActionRecordFactory(loan=loan)
    for role in ("SUPERVISOR", "ADMIN"):
        client = client_for(CrmUserFactory(role=role))
        assert len(listed(client, f"{BASE}/customer/CIF-L1")["actions"]) == 1


def test_an_agent_without_an_agent_profile_has_no_work_to_read(loan: Loan) -> None:
    ActionRecordFactory(loan=loan)
    client = client_for(CrmUserFactory(role="AGENT"))

    envelope_error(client.get(f"{BASE}/customer/CIF-L1"), 403, "AGENT_NOT_FOUND")


def test_a_role_outside_the_matrix_may_not_read(loan: Loan) -> None:
    client = client_for(CrmUserFactory(role="AUDITOR"))

    envelope_error(client.get(f"{BASE}/customer/CIF-L1"), 403, "FORBIDDEN")


@pytest.mark.parametrize("path", ["customer/CIF-L1", "loan/LN-L1", f"agent/{uuid.uuid4()}"])
def test_the_lists_require_authentication(loan: Loan, path: str) -> None:
    envelope_error(APIClient().get(f"{BASE}/{path}"), 401, "AUTH_REQUIRED")


# --- an agent's list: its recent actions first (workflow.sql_list.SqlList.recent) ------------


def _agent_with_actions(*, recent: int, old: int) -> tuple[Any, list[str]]:
    """An agent with ``recent`` actions of the last days and ``old`` ones of a year ago; its
    action ids newest first."""
    agent = AgentFactory()
    now = dt.datetime.now(dt.UTC)
    days = [now - dt.timedelta(days=n + 1) for n in range(recent)]
    days += [now - dt.timedelta(days=365 + n) for n in range(old)]
    records = [ActionRecordFactory(agent=agent, action_date=day) for day in days]
    return agent, [str(record.id) for record in records]


@pytest.mark.parametrize(("recent", "old"), [(12, 0), (12, 7), (3, 7), (0, 7), (4, 0)])
def test_every_page_of_an_agents_list_is_the_whole_lists_page(
    reader: APIClient, recent: int, old: int
) -> None:
    agent, newest_first = _agent_with_actions(recent=recent, old=old)
    pages = []
    for page in (1, 2, 3, 4):
        data = listed(reader, f"{BASE}/agent/{agent.id}", pageSize=5, page=page)
        assert data["pagination"]["totalItems"] == recent + old
        pages += ids(data)
    assert pages == newest_first


@pytest.mark.parametrize(
    ("recent", "old", "statements"),
    [
        # A page filled by recent actions reads no older ones: the caller's agent, the count,
        # the recent page.
        pytest.param(12, 30, 3, id="page-filled-by-recent-actions"),
        # Recent actions that end the list need no second read.
        pytest.param(4, 0, 3, id="recent-actions-end-the-list"),
        # A short recent page with older actions behind it reads the whole list: one more.
        pytest.param(3, 5, 4, id="short-recent-page-with-older-actions"),
    ],
)
def test_an_agents_page_reads_the_whole_list_only_when_recent_actions_do_not_fill_it(
    reader: APIClient, django_assert_num_queries: Any, recent: int, old: int, statements: int
) -> None:
    agent, newest_first = _agent_with_actions(recent=recent, old=old)
    with django_assert_num_queries(statements):
        data = listed(reader, f"{BASE}/agent/{agent.id}", pageSize=10)
    assert ids(data) == newest_first[:10]
