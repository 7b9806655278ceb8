"""Mass assignment (OWASP API3): fields the server decides are never taken from a request body.

Generated from the serializers through the OpenAPI document: for every write operation, the
server-owned fields are those its answer has and its request does not (``id``, ``agentId``
where the caller's agent is taken, ``createdBy``, ``updatedBy``, ``createdAt``, ``updatedAt``,
``isCurrent``, ``userId`` on an update, ``startDate``, ...). Each is sent with a hostile value
beside an otherwise valid body; the write must succeed as if they were absent (unknown fields
are ignored), and the stored row, as the answer and the database show it, holds what the
server decided.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.security.surface import (
    Operation,
    Param,
    World,
    build_world,
    openapi_document,
    operations,
)

pytestmark = pytest.mark.django_db

WRITES = [op for op in operations(openapi_document()) if op.is_write and op.has_body]
HOSTILE_TIME = "2001-02-03T04:05:06Z"
HOSTILE_TEXT = "mass-assignment"


def server_owned(op: Operation) -> list[Param]:
    sent = {field.name.split(".")[0] for field in op.body_fields}
    return [field for field in op.answer_fields if field.name not in sent]


def _hostile(field: Param, world: World) -> Any:
    """A value of the field's type that the server would never decide by itself."""
    if field.name in ("agentId", "assignedCallAgentId", "assignedFieldAgentId"):
        return str(world.other_agent.id)  # a real agent: taking it would be a real takeover
    if field.name == "userId":
        return str(world.free_user.id)
    if field.kind == "uuid":
        return str(uuid.uuid4())
    if field.kind == "date-time":
        return HOSTILE_TIME
    if field.kind == "date":
        return "2001-02-03"
    if field.kind == "boolean":
        return False
    if field.kind in ("integer", "number"):
        return 987654321
    if field.kind in ("string", "enum"):
        return HOSTILE_TEXT
    return None  # objects and lists: not sent


def test_the_generation_finds_the_server_owned_fields() -> None:
    owned = {op.operation_id: {f.name for f in server_owned(op)} for op in WRITES}

    assert {"id", "agentId", "createdBy", "updatedBy", "createdAt"} <= owned["actions_record"]
    assert {"id", "userId", "createdAt", "updatedAt"} <= owned["agents_update"]
    assert {"id", "isActive", "createdAt"} <= owned["agents_create"]
    assert {"id", "isCurrent", "startDate", "endDate"} <= owned["assignments_update"]
    assert {"id", "agentId", "createdBy"} <= owned["cases_create"]


def _stored(table: str, row_id: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [row_id])
        columns = [c.name for c in cursor.description]
        row = cursor.fetchone()
    assert row is not None, (table, row_id)
    return dict(zip(columns, row, strict=True))


# Where each operation stores the row its answer describes (to read the stored audit columns).
TABLES = {
    "actions_record": "workflow_service.action_records",
    "actions_update_result": "workflow_service.action_records",
    "agents_create": "workflow_service.agents",
    "agents_update": "workflow_service.agents",
    "agents_link_user_create": "workflow_service.agents",
    "cases_create": "workflow_service.customer_case_actions",
    "assignments_create": "workflow_service.customer_agents",
    "assignments_update": "workflow_service.customer_agents",
}


@pytest.mark.parametrize("op", WRITES, ids=lambda op: op.operation_id)
def test_server_owned_fields_in_a_body_are_ignored(op: Operation) -> None:
    world = build_world()
    client = Client(HTTP_AUTHORIZATION=world.authorization)
    hostile = {
        field.name: value
        for field in server_owned(op)
        if (value := _hostile(field, world)) is not None
    }
    body = {**hostile, **world.body(op)}

    response = client.generic(
        op.method, world.url(op), json.dumps(body), content_type="application/json"
    )

    accepted = (200, 201, 422) if op.operation_id == "contact_attempts_reserve" else (200, 201)
    assert response.status_code in accepted, response.content[:500]
    data = json.loads(response.content)["data"]
    if not isinstance(data, dict):
        return
    for name, value in hostile.items():
        if name in data:
            assert data[name] != value, f"{op.operation_id}: {name} taken from the body"
    if "agentId" in hostile and "agentId" in data:
        assert data["agentId"] == str(world.agent.id)  # the caller's agent, not the body's
    if "updatedBy" in data:
        assert data["updatedBy"] == world.caller.username  # the caller, whoever the body names
    table = TABLES.get(op.operation_id)
    if table and "id" in data:
        row = _stored(table, data["id"])
        for column in ("created_by", "updated_by"):
            if column in row:
                assert row[column] != HOSTILE_TEXT, (op.operation_id, column)
        if "user_id" in row and op.operation_id != "agents_link_user_create":
            assert str(row["user_id"]) != str(world.free_user.id), op.operation_id
        if "agent_id" in row:
            assert row["agent_id"] == world.agent.id, op.operation_id
        if "is_current" in row:
            assert row["is_current"] is True, op.operation_id
        for column in ("created_at", "updated_at"):
            if column in row and row[column] is not None:
                assert row[column].year != 2001, (op.operation_id, column)
