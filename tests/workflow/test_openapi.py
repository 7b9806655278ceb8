"""The OpenAPI document covers the whole contract of API.md and validates."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

# Every (method, path) of API.md.
CONTRACT = [
    ("get", "/api/v1/collection/agents"),
    ("post", "/api/v1/collection/agents"),
    ("put", "/api/v1/collection/agents/{id}"),
    ("get", "/api/v1/collection/agents/{id}/performance"),
    ("get", "/api/v1/collection/agents/by-user/{userId}"),
    ("get", "/api/v1/collection/users/{userId}/agent"),
    ("post", "/api/v1/collection/agents/link-user"),
    ("post", "/api/v1/collection/actions"),
    ("get", "/api/v1/collection/actions/customer/{cif}"),
    ("get", "/api/v1/collection/actions/loan/{accountNumber}"),
    ("get", "/api/v1/collection/actions/agent/{agentId}"),
    ("put", "/api/v1/collection/actions/{id}/result"),
    ("get", "/api/v1/collection/assignments/agent/{agentId}"),
    ("post", "/api/v1/collection/assignments"),
    ("put", "/api/v1/collection/assignments/{id}"),
    ("get", "/api/v1/collection/assignments/history/{cif}"),
    ("get", "/api/v1/collection/cases/customer/{cif}"),
    ("post", "/api/v1/collection/cases"),
    ("get", "/api/v1/collection/cases/status/{cif}"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/token/refresh"),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/v1/collection/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _normalise(path: str) -> str:
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def test_every_endpoint_of_the_contract_is_documented(schema: dict) -> None:
    documented = {
        (method, _normalise(path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    missing = [(m, p) for m, p in CONTRACT if (m, _normalise(p)) not in documented]
    assert missing == []


def test_every_operation_documents_its_errors_and_wraps_success_in_the_envelope(
    schema: dict,
) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert success, (method, path)
            if path != "/api/v1/auth/login" and path != "/api/v1/auth/token/refresh":
                assert "401" in responses, (method, path)
            content = responses[success[0]]["content"]["application/json"]["schema"]
            ref = content["$ref"].rsplit("/", 1)[-1]
            properties = schema["components"]["schemas"][ref]["properties"]
            assert set(properties) == {"success", "data", "message", "errors"}, (method, path)
            assert operation.get("summary"), (method, path)


def test_the_schema_validates_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").stat().st_size > 10_000
