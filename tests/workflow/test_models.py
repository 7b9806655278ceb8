"""Every model reads and writes its real table (unmanaged, built by the SQL migrations)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from actions.models import ActionRecord
from agents.models import Agent, AgentPerformance
from assignments.models import CustomerAgent
from cases.models import CustomerCase, CustomerCaseAction, CustomerCollectionStatus
from tests.factories import (
    ActionRecordFactory,
    AgentFactory,
    CrmUserFactory,
    CustomerCaseActionFactory,
    CustomerCaseFactory,
    LoanFactory,
)
from workflow.models import CrmUser, Customer, Loan, Permission, Role, UserSession

pytestmark = pytest.mark.django_db


def partition_of(table: str, row_id: uuid.UUID) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM workflow_service.{table} WHERE id = %s",
            [row_id],
        )
        return str(cursor.fetchone()[0])


def raw_timestamp(table: str, column: str, row_id: uuid.UUID) -> dt.datetime:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}::text FROM workflow_service.{table} WHERE id = %s", [row_id]
        )
        return dt.datetime.fromisoformat(cursor.fetchone()[0])


def test_read_only_models_map_the_auth_and_bank_sync_tables() -> None:
    role = Role.objects.create(name="AUDITOR")
    Permission.objects.create(role=role, resource="report", action="read")
    user = CrmUserFactory(first_name="Lan", last_name="Pham")
    UserSession.objects.create(
        user=user, token="tok-1", expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )
    loan = LoanFactory(customer__cif="CIF-M1")

    assert CrmUser.objects.get(pk=user.pk).full_name == "Lan Pham"
    assert [str(p) for p in Role.objects.get(name="AUDITOR").permissions.all()] == ["report:read"]
    assert UserSession.objects.get(token="tok-1").user_id == user.id
    assert Loan.objects.get(account_number=loan.account_number).customer.cif == "CIF-M1"
    assert Customer.objects.get(cif="CIF-M1").loans.count() == 1


def test_agent_round_trips_with_its_user_link_and_the_database_default_id() -> None:
    user = CrmUserFactory()
    agent = AgentFactory(user=user, type="SUPERVISOR")
    loaded = Agent.objects.select_related("user").get(pk=agent.pk)
    assert loaded.user == user
    assert loaded.type == "SUPERVISOR"
    assert user.agent == loaded
    # A row inserted by another service gets its id and timestamps from the column defaults.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.agents (employee_id, name, email, type, team) "
            "VALUES ('EXT1', 'External', 'ext@bank.test', 'AGENT', 'T') RETURNING id"
        )
        external_id = cursor.fetchone()[0]
    assert Agent.objects.get(pk=external_id).is_active is True


def test_the_updated_at_trigger_stamps_updates() -> None:
    agent = AgentFactory()
    agent.updated_at = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    agent.name = "Renamed"
    agent.save()
    assert Agent.objects.get(pk=agent.pk).updated_at.year >= 2026


@pytest.mark.parametrize(
    ("when", "partition"),
    [
        (dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC), "action_records_historical"),
        (dt.datetime(2025, 5, 5, 12, tzinfo=dt.UTC), "action_records_2025_q2"),
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC), "action_records_2026_q4"),
        (dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), "action_records_future"),
    ],
)
def test_action_records_land_in_the_partition_of_their_date(
    when: dt.datetime, partition: str
) -> None:
    record = ActionRecordFactory(action_date=when)
    assert partition_of("action_records", record.id) == f"workflow_service.{partition}"
    loaded = ActionRecord.objects.get(pk=record.pk)
    assert loaded.action_date == when


def test_timestamps_are_stored_as_naive_utc_and_read_back_aware() -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    record = ActionRecordFactory(action_date=dt.datetime(2026, 1, 1, 6, 30, tzinfo=hanoi))
    # 06:30 in Hanoi is 23:30 UTC the day before: the column holds the UTC wall time.
    assert raw_timestamp("action_records", "action_date", record.id) == dt.datetime(
        2025, 12, 31, 23, 30
    )
    loaded = ActionRecord.objects.get(pk=record.pk)
    assert loaded.action_date.tzinfo is not None
    assert loaded.action_date == dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert partition_of("action_records", record.id).endswith("action_records_2025_q4")


def test_the_partitioned_primary_key_is_id_plus_date_and_the_model_keys_on_id() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT array_agg(a.attname ORDER BY array_position(i.indkey, a.attnum))
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = ANY(ARRAY['workflow_service.action_records'::regclass,
                                         'workflow_service.customer_agents'::regclass])
              AND i.indisprimary
            GROUP BY i.indrelid ORDER BY i.indrelid::regclass::text
            """
        )
        keys = [row[0] for row in cursor.fetchall()]
    assert keys == [["id", "action_date"], ["id", "start_date"]]
    record = ActionRecordFactory()
    record.action_result = "PAYMENT_MADE"
    record.save(update_fields=["action_result"])
    assert ActionRecord.objects.get(pk=record.pk).action_result == "PAYMENT_MADE"


def test_bulk_create_writes_enum_and_decimal_columns() -> None:
    loan = LoanFactory()
    agent = AgentFactory()
    records = [
        ActionRecord(
            customer_id=loan.customer_id,
            loan_id=loan.account_number,
            agent=agent,
            type=kind,
            subtype="FIELD_VISIT" if kind == "VISIT" else "REMINDER_CALL",
            action_result="NO_CONTACT",
            action_date=dt.datetime(2025, 2 + n, 1, tzinfo=dt.UTC),
            visit_latitude=Decimal("21.02851100") if kind == "VISIT" else None,
            visit_longitude=Decimal("105.85420000") if kind == "VISIT" else None,
            created_by="tests",
            updated_by="tests",
        )
        for n, kind in enumerate(["CALL", "VISIT", "SMS"])
    ]
    ActionRecord.objects.bulk_create(records)
    stored = ActionRecord.objects.filter(loan_id=loan.account_number).order_by("action_date")
    assert [r.type for r in stored] == ["CALL", "VISIT", "SMS"]
    assert stored[1].visit_latitude == Decimal("21.02851100")


def test_customer_case_and_case_actions_round_trip() -> None:
    call_agent = AgentFactory()
    case = CustomerCaseFactory(assigned_call_agent=call_agent)
    case_action = CustomerCaseActionFactory(customer=case.customer, recovery_ability_status="LOW")
    loaded = CustomerCase.objects.select_related("customer", "assigned_call_agent").get(pk=case.pk)
    assert loaded.assigned_call_agent == call_agent
    assert loaded.customer.case == loaded
    assert CustomerCaseAction.objects.get(pk=case_action.pk).recovery_ability_status == "LOW"


def test_inserting_a_case_opens_the_current_assignment_in_the_start_date_partition() -> None:
    case = CustomerCaseFactory(assigned_call_agent=AgentFactory())
    history = CustomerAgent.objects.get(customer_id=case.customer_id)
    assert history.is_current is True
    assert history.assigned_call_agent_id == case.assigned_call_agent_id
    year, quarter = history.start_date.year, (history.start_date.month - 1) // 3 + 1
    expected = (
        f"customer_agents_{year}_q{quarter}" if year in (2025, 2026) else "customer_agents_future"
    )
    assert partition_of("customer_agents", history.id) == f"workflow_service.{expected}"


def test_the_materialized_views_are_readable_after_a_concurrent_refresh() -> None:
    agent = AgentFactory()
    loan = LoanFactory(dpd=45)
    CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
    for result in ["PROMISE_TO_PAY", "PAYMENT_MADE", "NO_CONTACT"]:
        ActionRecordFactory(
            agent=agent,
            loan=loan,
            action_result=result,
            action_date=dt.datetime(2026, 2, 10, tzinfo=dt.UTC),
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT workflow_service.refresh_workflow_materialized_views()")
    performance = AgentPerformance.objects.get(agent=agent, year=2026, month=2)
    assert (performance.total_actions, performance.payment_promises) == (3, 1)
    assert performance.payments_received == 1
    assert performance.pk == (agent.id, 2026, 2)
    status = CustomerCollectionStatus.objects.get(cif=loan.customer_id)
    assert (status.total_loans, status.max_dpd, status.total_actions) == (1, 45, 3)
    assert status.assigned_call_agent_id == agent.id
