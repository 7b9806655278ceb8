"""The OpenAPI document, frozen: ``GET /api/v1/collection/schema/?format=json``.

``golden/openapi.json`` holds the document pretty-printed with sorted keys and is compared
exactly. ``OPERATIONS`` lists every (method, path, operationId) so that a renamed operation id,
a moved path or a lost operation fails with a short, readable diff. ``UPDATE_GOLDEN=1``
rewrites ``openapi.json`` (and fails, see ``tests/contract/golden.py``); ``OPERATIONS`` is
edited by hand.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.contract import golden

SCHEMA_URL = "/api/v1/collection/schema/?format=json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

OPERATIONS = [
    ("POST", "/api/v1/auth/login", "login_create"),
    ("POST", "/api/v1/auth/logout", "logout_create"),
    ("POST", "/api/v1/auth/token/refresh", "token_refresh_create"),
    ("POST", "/api/v1/collection/actions", "actions_record"),
    ("GET", "/api/v1/collection/actions/agent/{agentId}", "actions_for_agent"),
    ("GET", "/api/v1/collection/actions/customer/{cif}", "actions_for_customer"),
    ("GET", "/api/v1/collection/actions/loan/{accountNumber}", "actions_for_loan"),
    ("PUT", "/api/v1/collection/actions/{id}/result", "actions_update_result"),
    ("GET", "/api/v1/collection/agents", "agents_list"),
    ("POST", "/api/v1/collection/agents", "agents_create"),
    ("GET", "/api/v1/collection/agents/by-user/{user_id}", "agents_by_user_retrieve"),
    ("POST", "/api/v1/collection/agents/link-user", "agents_link_user_create"),
    ("GET", "/api/v1/collection/agents/performance", "agents_performance_ranking"),
    ("PUT", "/api/v1/collection/agents/{agent_id}", "agents_update"),
    ("GET", "/api/v1/collection/agents/{agent_id}/performance", "agents_performance_retrieve"),
    ("POST", "/api/v1/collection/assignments", "assignments_create"),
    ("GET", "/api/v1/collection/assignments/agent/{agent_id}", "assignments_agent_retrieve"),
    ("GET", "/api/v1/collection/assignments/history/{cif}", "assignments_history_retrieve"),
    (
        "GET",
        "/api/v1/collection/assignments/pending-reassignment",
        "assignments_pending_reassignment_retrieve",
    ),
    ("PUT", "/api/v1/collection/assignments/{assignment_id}", "assignments_update"),
    ("POST", "/api/v1/collection/cases", "cases_create"),
    ("GET", "/api/v1/collection/cases/customer/{cif}", "cases_customer_retrieve"),
    ("GET", "/api/v1/collection/cases/status/{cif}", "cases_status_retrieve"),
    ("POST", "/api/v1/collection/contact-attempts", "contact_attempts_reserve"),
    ("POST", "/api/v1/collection/contact-attempts/override", "contact_attempts_override"),
    ("POST", "/api/v1/collection/contact-attempts/{id}/release", "contact_attempts_release"),
    ("GET", "/api/v1/collection/contact-policy/check", "contact_policy_check"),
    ("GET", "/api/v1/collection/promises", "promises_list"),
    ("GET", "/api/v1/collection/promises/{id}", "promises_read"),
    ("POST", "/api/v1/collection/promises/{id}/cancel", "promises_cancel"),
    (
        "GET",
        "/api/v1/collection/reports/customer-collection-status",
        "reports_customer_collection_status_retrieve",
    ),
    ("GET", "/api/v1/collection/teams/{team}/performance", "teams_performance_retrieve"),
    ("GET", "/api/v1/collection/users/{user_id}/agent", "users_agent_retrieve"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_the_openapi_document_is_unchanged(schema: dict[str, Any]) -> None:
    text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    path = golden.path_of("openapi")
    if golden.UPDATE:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            pytest.fail("golden file openapi.json rewritten (UPDATE_GOLDEN=1): review git diff")
        return
    assert text.splitlines() == path.read_text(encoding="utf-8").splitlines()
    assert text == path.read_text(encoding="utf-8")


def test_every_operation_keeps_its_method_path_and_operation_id(schema: dict[str, Any]) -> None:
    operations = sorted(
        (method.upper(), path, operation["operationId"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    )
    assert operations == sorted(OPERATIONS)
