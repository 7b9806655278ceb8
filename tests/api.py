"""Helpers for API tests: real tokens and real Redis sessions, as the auth service makes them."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from rest_framework.test import APIClient

from agents.models import Agent
from tests.factories import AgentFactory, CrmUserFactory
from workflow.auth import sessions, tokens
from workflow.models import CrmUser


def login_as(
    user: CrmUser, *, roles: list[str] | None = None, permissions: list[str] | None = None
) -> tuple[str, str]:
    """A live Redis session of ``user`` and a valid access token of it: ``(token, sessionId)``."""
    roles = roles or [user.role]
    session_id = sessions.create_session(
        {
            "userId": str(user.id),
            "username": user.username,
            "roles": roles,
            "permissions": permissions or [],
        },
        ttl_seconds=settings.JWT_REFRESH_EXPIRES_SECONDS,
    )
    token, _ = tokens.mint_access(
        user_id=str(user.id), username=user.username, roles=roles, session_id=session_id
    )
    return token, session_id


def bearer_for(user: CrmUser, **kwargs: Any) -> str:
    """An ``Authorization`` header value for ``user`` (a new live session)."""
    token, _ = login_as(user, **kwargs)
    return f"Bearer {token}"


def client_for(
    user: CrmUser, *, roles: list[str] | None = None, permissions: list[str] | None = None
) -> APIClient:
    """An API client holding a valid access token of ``user`` with a live session."""
    token, session_id = login_as(user, roles=roles, permissions=permissions)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.session_id = session_id  # type: ignore[attr-defined]
    client.user = user  # type: ignore[attr-defined]
    return client


def agent_client(role: str = "AGENT", **agent_fields: Any) -> tuple[APIClient, Agent]:
    """A client for a new user with ``role`` and a linked agent profile."""
    user = CrmUserFactory(role=role)
    agent = AgentFactory(user=user, type=role, **agent_fields)
    return client_for(user), agent


def unlinked_client(role: str = "AGENT") -> APIClient:
    """A client for a user who has no agent profile."""
    return client_for(CrmUserFactory(role=role))


def envelope_ok(response: Any, status: int = 200) -> Any:
    """Assert a success envelope with ``status``; return its ``data``."""
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is True and body["errors"] == [], body
    return body["data"]


def envelope_error(
    response: Any, status: int, code: str, field: str | None = None
) -> dict[str, Any]:
    """Assert a failure envelope with ``status`` and an error ``code`` (on ``field``)."""
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and body["data"] is None, body
    matches = [e for e in body["errors"] if e["code"] == code]
    assert matches, body
    if field is not None:
        assert any(e.get("field") == field for e in matches), body
    return body


def random_uuid() -> str:
    return str(uuid.uuid4())
