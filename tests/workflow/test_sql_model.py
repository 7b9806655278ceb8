"""``workflow.sql_model``: plain-SQL reads and inserts give the instances and rows the ORM does."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from actions.models import ActionRecord
from agents.models import Agent
from tests.factories import AgentFactory, CrmUserFactory, LoanFactory
from workflow.models import OutboxEvent
from workflow.sql_model import SqlModel

pytestmark = pytest.mark.django_db


def field_values(instance: models.Model) -> dict[str, Any]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_one_builds_the_instance_the_orm_builds() -> None:
    user = CrmUserFactory()
    agent = AgentFactory(user=user, phone=None, type="SUPERVISOR")
    reader = SqlModel(Agent, alias="a")

    read = reader.one(
        f"SELECT {reader.columns} FROM workflow_service.agents a WHERE a.user_id = %s", [user.id]
    )

    assert read is not None
    orm = Agent.objects.get(id=agent.id)
    assert field_values(read) == field_values(orm)
    assert read.created_at.tzinfo is not None  # through UTCDateTimeField.from_db_value
    assert read.type == "SUPERVISOR" and read.phone is None
    assert not read._state.adding and read._state.db == "default"


def test_one_is_none_without_a_row() -> None:
    reader = SqlModel(Agent, alias="a")
    sql = f"SELECT {reader.columns} FROM workflow_service.agents a WHERE a.id = %s"
    assert reader.one(sql, [uuid.uuid4()]) is None


def test_insert_writes_every_field_as_save_would() -> None:
    agent = AgentFactory()
    loan = LoanFactory()
    when = timezone.now().replace(microsecond=123456)
    record = ActionRecord(
        customer_id=loan.customer_id,
        loan_id=loan.account_number,
        agent=agent,
        type="VISIT",
        subtype="FIELD_VISIT",
        action_result="PROMISE_TO_PAY",
        action_date=when,
        notes="At the door.",
        visit_latitude=Decimal("10.12345678"),
        visit_longitude=Decimal("106.12345678"),
        created_by="someone",
        updated_by="someone",
    )

    saved = SqlModel(ActionRecord, alias="r").insert(record)

    assert saved is record and not record._state.adding
    stored = ActionRecord.objects.get(id=record.id)
    assert field_values(stored) == field_values(record)
    assert stored.action_date == when  # aware in, naive UTC stored, aware out


def test_insert_reads_back_a_generated_key() -> None:
    writer = SqlModel(OutboxEvent, alias="o")
    first = writer.insert(
        OutboxEvent(event_id=uuid.uuid4(), topic="t", message_key="k", payload={"a": [1, "b"]})
    )
    second = writer.insert(OutboxEvent(event_id=uuid.uuid4(), topic="t", payload={}))

    assert isinstance(first.id, int) and second.id > first.id
    stored = OutboxEvent.objects.get(id=first.id)
    assert stored.payload == {"a": [1, "b"]} and stored.headers == {}
    assert stored.published_at is None and stored.attempts == 0
    assert abs(stored.created_at - timezone.now()) < dt.timedelta(minutes=1)
