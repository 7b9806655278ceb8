"""The action selectors' SQL (partition pruning) and the services called directly."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions import selectors, services
from actions.models import ActionRecord
from tests.factories import ActionRecordFactory, AgentFactory, CrmUserFactory, LoanFactory
from workflow.actors import Actor
from workflow.errors import AgentNotFound, Forbidden, NotFound, ValidationFailed
from workflow.models import Loan
from workflow.sql_list import SqlList

pytestmark = pytest.mark.django_db

PARTITION = re.compile(r"action_records_(?:\d{4}_q\d|historical|future)")


def partitions_in_plan(sql: str, params: tuple[object, ...] | list[object]) -> set[str]:
    """The ``action_records`` partitions PostgreSQL's plan for ``sql`` visits."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return set(PARTITION.findall(plan))


def planned_partitions(actions: SqlList[selectors.ActionListRow]) -> set[str]:
    sql, params = actions.sql_with_params(0, 10, with_total=True)
    return partitions_in_plan(sql, params)


@pytest.fixture
def loan() -> Loan:
    return LoanFactory(customer__cif="CIF-S1", account_number="LN-S1")


def actor_of(role: str = "AGENT", **agent_fields: object) -> tuple[Actor, object]:
    user = CrmUserFactory(role=role)
    agent = AgentFactory(user=user, type=role, **agent_fields)
    return Actor(username=user.username, user_id=user.id, roles=frozenset({role})), agent


# --- partition pruning --------------------------------------------------------------------


def test_a_one_quarter_range_plans_only_that_quarters_partition(loan: Loan) -> None:
    # Business days 2 Jan .. 31 Mar are the UTC range [1 Jan 17:00, 31 Mar 17:00): Q1 only.
    filters = selectors.ActionFilters(start_date=dt.date(2026, 1, 2), end_date=dt.date(2026, 3, 31))

    for queryset in (
        selectors.actions_for_customer(cif="CIF-S1", filters=filters),
        selectors.actions_for_loan(account_number="LN-S1", filters=filters),
        selectors.actions_for_agent(agent_id=AgentFactory().id, filters=filters),
    ):
        assert planned_partitions(queryset) == {"action_records_2026_q1"}


def test_without_dates_every_partition_is_planned(loan: Loan) -> None:
    queryset = selectors.actions_for_customer(cif="CIF-S1", filters=selectors.ActionFilters())

    planned = planned_partitions(queryset)

    assert {"action_records_2025_q4", "action_records_2026_q1", "action_records_future"} <= planned


def test_the_first_business_day_of_a_quarter_starts_in_the_previous_utc_quarter(
    loan: Loan,
) -> None:
    # 1 Jan 00:00 in Ho Chi Minh City is 31 Dec 17:00 UTC, in the 2025 Q4 partition.
    filters = selectors.ActionFilters(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31))

    planned = planned_partitions(selectors.actions_for_customer(cif="CIF-S1", filters=filters))

    assert planned == {"action_records_2025_q4", "action_records_2026_q1"}


def test_the_count_query_of_the_list_is_pruned_too(loan: Loan) -> None:
    filters = selectors.ActionFilters(start_date=dt.date(2026, 1, 2), end_date=dt.date(2026, 3, 31))
    queryset = selectors.actions_for_customer(cif="CIF-S1", filters=filters)

    with CaptureQueriesContext(connection) as queries:
        queryset.count()

    (count_sql,) = [q["sql"] for q in queries.captured_queries]
    assert partitions_in_plan(count_sql, ()) == {"action_records_2026_q1"}


def test_the_selector_filters_on_naive_utc_timestamp_literals(loan: Loan) -> None:
    filters = selectors.ActionFilters(start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 2))
    queryset = selectors.actions_for_customer(cif="CIF-S1", filters=filters)

    _, params = queryset.sql_with_params()

    assert dt.datetime(2026, 3, 1, 17, 0) in params
    assert dt.datetime(2026, 3, 2, 17, 0) in params


# --- selectors ----------------------------------------------------------------------------


def test_the_selectors_raise_not_found_for_unknown_keys() -> None:
    filters = selectors.ActionFilters()
    with pytest.raises(NotFound):
        selectors.actions_for_customer(cif="CIF-NOPE", filters=filters)
    with pytest.raises(NotFound):
        selectors.actions_for_loan(account_number="LN-NOPE", filters=filters)
    with pytest.raises(NotFound):
        selectors.actions_for_agent(agent_id=AgentFactory.build().id, filters=filters)


# --- services -----------------------------------------------------------------------------


def test_action_record_stores_the_row_with_the_actor_in_the_audit_columns(loan: Loan) -> None:
    actor, agent = actor_of()

    record = services.action_record(
        actor=actor,
        cif="CIF-S1",
        loan_account_number="LN-S1",
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PROMISE_TO_PAY",
        action_date=dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC),
        visit_location=services.VisitLocation(
            latitude=Decimal("21.0285"), longitude=Decimal("105.8542"), address="Ha Noi"
        ),
    )

    stored = ActionRecord.objects.get(id=record.id)
    assert stored.agent_id == agent.id
    assert (stored.created_by, stored.updated_by) == (actor.username, actor.username)
    assert stored.visit_latitude == Decimal("21.0285")
    assert stored.visit_address == "Ha Noi"


def test_trailing_zeros_beyond_eight_places_are_not_extra_precision(loan: Loan) -> None:
    actor, _ = actor_of()

    record = services.action_record(
        actor=actor,
        cif="CIF-S1",
        loan_account_number="LN-S1",
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PROMISE_TO_PAY",
        visit_location=services.VisitLocation(
            latitude=Decimal("21.1234567800"), longitude=Decimal("105.00000000000")
        ),
    )

    assert ActionRecord.objects.get(id=record.id).visit_latitude == Decimal("21.12345678")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "PHONE"}, "type"),
        ({"subtype": "nope"}, "subtype"),
        ({"action_result": "MAYBE"}, "actionResult"),
        ({"action_date": dt.datetime(2026, 2, 1, 9, 0)}, "actionDate"),
        (
            {"visit_location": services.VisitLocation(Decimal("1.123456789"), Decimal("1"))},
            "visitLocation.latitude",
        ),
        (
            {"visit_location": services.VisitLocation(Decimal("1"), Decimal("NaN"))},
            "visitLocation.longitude",
        ),
    ],
)
def test_action_record_validates_without_the_api(
    loan: Loan, overrides: dict[str, object], field: str
) -> None:
    actor, _ = actor_of()
    arguments: dict[str, object] = {
        "cif": "CIF-S1",
        "loan_account_number": "LN-S1",
        "type": "CALL",
        "subtype": "REMINDER_CALL",
        "action_result": "NO_CONTACT",
        **overrides,
    }

    with pytest.raises(ValidationFailed) as error:
        services.action_record(actor=actor, **arguments)  # type: ignore[arg-type]

    assert error.value.field == field
    assert not ActionRecord.objects.exists()


def test_action_record_needs_an_agent_profile(loan: Loan) -> None:
    user = CrmUserFactory()
    actor = Actor(username=user.username, user_id=user.id, roles=frozenset({"AGENT"}))

    with pytest.raises(AgentNotFound):
        services.action_record(
            actor=actor,
            cif="CIF-S1",
            loan_account_number="LN-S1",
            type="CALL",
            subtype="REMINDER_CALL",
            action_result="NO_CONTACT",
        )


def test_action_update_result_keeps_notes_unless_given() -> None:
    actor, agent = actor_of()
    action = ActionRecordFactory(agent=agent, notes="Keep me.")

    updated = services.action_update_result(
        actor=actor, action_id=action.id, action_result="RESCHEDULED"
    )
    assert (updated.action_result, updated.notes) == ("RESCHEDULED", "Keep me.")

    updated = services.action_update_result(
        actor=actor, action_id=action.id, action_result="DISPUTE", notes="Replaced."
    )
    assert (updated.action_result, updated.notes) == ("DISPUTE", "Replaced.")
    assert updated.agent.name == agent.name


def test_action_update_result_refuses_another_agents_action() -> None:
    actor, _ = actor_of()
    action = ActionRecordFactory(action_result="NO_CONTACT")

    with pytest.raises(Forbidden):
        services.action_update_result(actor=actor, action_id=action.id, action_result="DISPUTE")

    assert ActionRecord.objects.get(id=action.id).action_result == "NO_CONTACT"
