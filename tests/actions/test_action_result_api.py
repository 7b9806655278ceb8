"""``PUT /actions/{id}/result``: the recording agent, or a supervisor, changes a result."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actions.models import ActionRecord
from tests.actions.helpers import BASE
from tests.api import agent_client, client_for, envelope_error, envelope_ok, unlinked_client
from tests.factories import ActionRecordFactory, AgentFactory, CrmUserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)


def recorded_by(agent: Any, **fields: Any) -> ActionRecord:
    return ActionRecordFactory(
        agent=agent,
        action_result="NO_CONTACT",
        notes="No answer.",
        created_at=LONG_AGO,
        updated_at=LONG_AGO,
        **fields,
    )


def put_result(client: APIClient, action: ActionRecord | str, body: dict[str, Any]) -> Any:
    action_id = action if isinstance(action, str) else action.id
    return client.put(f"{BASE}/{action_id}/result", body, format="json")


def test_the_recording_agent_changes_the_result_and_notes() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    data = envelope_ok(
        put_result(client, action, {"actionResult": "PAYMENT_MADE", "notes": "Paid in full."})
    )

    assert data["id"] == str(action.id)
    assert data["actionResult"] == "PAYMENT_MADE"
    assert data["notes"] == "Paid in full."
    assert data["updatedBy"] == client.user.username
    assert data["createdBy"] == "tests"
    assert data["agentId"] == str(agent.id)
    assert data["actionDate"] == "2026-03-10T02:30:00Z"
    # The table's trigger stamps updated_at; the response shows the stored value.
    assert data["updatedAt"] != "2026-03-10T03:00:00Z" and data["updatedAt"].endswith("Z")
    assert data["createdAt"] == "2026-03-10T03:00:00Z"
    stored = ActionRecord.objects.get(id=action.id)
    assert (stored.action_result, stored.notes) == ("PAYMENT_MADE", "Paid in full.")
    assert stored.updated_by == client.user.username
    assert stored.updated_at > LONG_AGO


def test_omitted_notes_are_kept() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    data = envelope_ok(put_result(client, action, {"actionResult": "RESCHEDULED"}))

    assert data["notes"] == "No answer."
    assert ActionRecord.objects.get(id=action.id).notes == "No answer."


def test_null_notes_clear_them() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    data = envelope_ok(put_result(client, action, {"actionResult": "RESCHEDULED", "notes": None}))

    assert data["notes"] is None
    assert ActionRecord.objects.get(id=action.id).notes is None


def test_it_works_through_the_method_override_header() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    response = client.post(
        f"{BASE}/{action.id}/result",
        {"actionResult": "PARTIAL_PAYMENT"},
        format="json",
        HTTP_X_HTTP_METHOD_OVERRIDE="PUT",
    )

    assert envelope_ok(response)["actionResult"] == "PARTIAL_PAYMENT"
    assert ActionRecord.objects.get(id=action.id).action_result == "PARTIAL_PAYMENT"


def test_the_update_names_the_whole_partition_key() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    with CaptureQueriesContext(connection) as queries:
        envelope_ok(put_result(client, action, {"actionResult": "DISPUTE"}))

    (update,) = [
        q["sql"]
        for q in queries.captured_queries
        if "UPDATE workflow_service.action_records" in q["sql"]
    ]
    where = update.split("UPDATE workflow_service.action_records", 1)[1].split("WHERE", 1)[1]
    where = where.split("RETURNING", 1)[0]
    assert re.search(r"\bid = ", where) and re.search(r"\baction_date = ", where)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1


def test_it_updates_only_that_action() -> None:
    client, agent = agent_client()
    action = recorded_by(agent)
    sibling = recorded_by(agent, loan=action.loan)

    envelope_ok(put_result(client, action, {"actionResult": "DISPUTE", "notes": "Disputed."}))

    untouched = ActionRecord.objects.get(id=sibling.id)
    assert (untouched.action_result, untouched.notes) == ("NO_CONTACT", "No answer.")
    assert untouched.updated_by == "tests"


# --- who may change it --------------------------------------------------------------------


def test_an_agent_may_not_change_another_agents_action() -> None:
    client, _ = agent_client()
    action = recorded_by(AgentFactory())

    body = envelope_error(
        put_result(client, action, {"actionResult": "PAYMENT_MADE", "notes": "Mine now."}),
        403,
        "FORBIDDEN",
    )

    assert "recorded" in body["message"]
    stored = ActionRecord.objects.get(id=action.id)
    assert (stored.action_result, stored.notes, stored.updated_by) == (
        "NO_CONTACT",
        "No answer.",
        "tests",
    )


@pytest.mark.parametrize("role", ["SUPERVISOR", "ADMIN"])
def test_a_supervisor_or_admin_may_change_any_agents_action(role: str) -> None:
    client, _ = agent_client(role)
    action = recorded_by(AgentFactory())

    data = envelope_ok(put_result(client, action, {"actionResult": "PAYMENT_MADE"}))

    assert data["actionResult"] == "PAYMENT_MADE"
    assert data["updatedBy"] == client.user.username
    assert data["agentId"] == str(action.agent_id)  # still the recording agent's action


def test_a_supervisor_needs_no_agent_profile_to_change_a_result() -> None:
    client = unlinked_client("SUPERVISOR")
    action = recorded_by(AgentFactory())

    assert envelope_ok(put_result(client, action, {"actionResult": "DISPUTE"}))["actionResult"] == (
        "DISPUTE"
    )


def test_a_caller_without_agent_profile_and_not_supervisor_is_refused() -> None:
    client = unlinked_client("AGENT")
    action = recorded_by(AgentFactory())

    envelope_error(put_result(client, action, {"actionResult": "DISPUTE"}), 403, "AGENT_NOT_FOUND")
    assert ActionRecord.objects.get(id=action.id).action_result == "NO_CONTACT"


def test_an_inactive_agent_may_not_change_even_their_own_action() -> None:
    client, agent = agent_client(is_active=False)
    action = recorded_by(agent)

    envelope_error(put_result(client, action, {"actionResult": "DISPUTE"}), 403, "FORBIDDEN")
    assert ActionRecord.objects.get(id=action.id).action_result == "NO_CONTACT"


def test_a_role_outside_the_matrix_is_refused() -> None:
    client = client_for(CrmUserFactory(role="AUDITOR"))
    action = recorded_by(AgentFactory())

    envelope_error(put_result(client, action, {"actionResult": "DISPUTE"}), 403, "FORBIDDEN")


def test_it_requires_authentication() -> None:
    action = recorded_by(AgentFactory())

    response = put_result(APIClient(), action, {"actionResult": "DISPUTE"})

    envelope_error(response, 401, "AUTH_REQUIRED")


# --- bad input ----------------------------------------------------------------------------


def test_an_unknown_action_is_404() -> None:
    client, _ = agent_client("SUPERVISOR")

    envelope_error(
        put_result(client, str(uuid.uuid4()), {"actionResult": "DISPUTE"}), 404, "NOT_FOUND"
    )


def test_a_malformed_action_id_is_404() -> None:
    client, _ = agent_client()

    envelope_error(put_result(client, "42", {"actionResult": "DISPUTE"}), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "actionResult"),
        ({"actionResult": "MAYBE"}, "actionResult"),
        ({"actionResult": None}, "actionResult"),
        ({"actionResult": "DISPUTE", "notes": "x" * 5001}, "notes"),
    ],
)
def test_it_rejects_a_bad_body_naming_the_field(body: dict[str, Any], field: str) -> None:
    client, agent = agent_client()
    action = recorded_by(agent)

    envelope_error(put_result(client, action, body), 400, "VALIDATION_ERROR", field)
    assert ActionRecord.objects.get(id=action.id).action_result == "NO_CONTACT"
