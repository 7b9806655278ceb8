"""Plain regression tests for what the API fuzzing (test_fuzz_api.py) found."""

from __future__ import annotations

from typing import Any

import pytest

from agents.models import Agent
from tests.api import client_for, envelope_error
from tests.factories import CrmUserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"
AGENT = {
    "employeeId": "E-FUZZ",
    "name": "Fuzz",
    "email": "fuzz@bank.test",
    "type": "AGENT",
    "team": "Team A",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [("team", 0), ("name", ["x"]), ("employeeId", {"a": 1}), ("email", True), ("type", 1)],
)
def test_a_body_field_of_the_wrong_json_type_is_refused_not_coerced(field: str, value: Any) -> None:
    # Found by schemathesis: {"team": 0} created an agent of team "0".
    client = client_for(CrmUserFactory(role="ADMIN"))

    response = client.post(f"{BASE}/agents", {**AGENT, field: value}, format="json")

    envelope_error(response, 400, "VALIDATION_ERROR", field=field)
    assert not Agent.objects.filter(employee_id="E-FUZZ").exists()


def test_a_boolean_given_as_a_string_is_refused() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))
    agent = client.post(f"{BASE}/agents", AGENT, format="json").json()["data"]

    response = client.put(f"{BASE}/agents/{agent['id']}", {"isActive": "false"}, format="json")

    envelope_error(response, 400, "VALIDATION_ERROR", field="isActive")


def test_the_schema_documents_the_page_bounds() -> None:
    client = client_for(CrmUserFactory(role="ADMIN"))
    schema = client.get(f"{BASE}/schema/?format=json").json()

    parameters = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/collection/agents"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["pageSize"] == {"type": "integer", "minimum": 1, "maximum": 100}
