"""Tokens (OWASP API2): every forged, stale or orphaned credential is refused as documented
(README, "Authentication"): 401 ``INVALID_TOKEN`` for a token that is not a valid access token
of this secret, 401 ``SESSION_REVOKED`` when its session or its user is gone, 403
``AGENT_NOT_FOUND`` for work that needs an agent profile the user no longer has."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.api import envelope_error, login_as
from tests.factories import TEST_PASSWORD, AgentFactory, CrmUserFactory, LoanFactory
from workflow.auth import sessions
from workflow.models import CrmUser

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def _forge(header: dict[str, Any], claims: dict[str, Any], key: str | None) -> str:
    """A token with any header, signed HMAC-SHA256 with ``key`` (None: no signature)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if key is None:
        return f"{signing_input}."
    digest = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(digest)}"


def _claims(user: CrmUser, session_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": str(user.id),
        "username": user.username,
        "roles": [user.role],
        "sessionId": session_id,
        "iat": now,
        "exp": now + 900,
        **overrides,
    }


def _hs(claims: dict[str, Any], secret: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret or settings.JWT_SECRET, algorithm=algorithm)


def _tampered(user: CrmUser, session_id: str) -> str:
    header, _, signature = _hs(_claims(user, session_id)).split(".")
    payload = _b64(json.dumps(_claims(user, session_id, roles=["ADMIN"])).encode())
    return f"{header}.{payload}.{signature}"


NOW = int(time.time())
FORGED: dict[str, Callable[[CrmUser, str], str]] = {
    "expired": lambda u, s: _hs(_claims(u, s, iat=NOW - 7200, exp=NOW - 3600)),
    "not yet valid (nbf)": lambda u, s: _hs(_claims(u, s, nbf=int(time.time()) + 3600)),
    "issued in the future (iat)": lambda u, s: _hs(_claims(u, s, iat=int(time.time()) + 3600)),
    "wrong secret": lambda u, s: _hs(_claims(u, s), secret="another-secret-of-32-bytes-at-least!"),
    "alg none": lambda u, s: _forge({"alg": "none", "typ": "JWT"}, _claims(u, s), None),
    "alg HS512": lambda u, s: _hs(_claims(u, s), algorithm="HS512"),
    "alg RS256 header, HMAC body": lambda u, s: _forge(
        {"alg": "RS256", "typ": "JWT"}, _claims(u, s), settings.JWT_SECRET
    ),
    "tampered payload": _tampered,
    "missing sub": lambda u, s: _hs({k: v for k, v in _claims(u, s).items() if k != "sub"}),
    "sub of another user": lambda u, s: _hs(_claims(u, s, sub=str(CrmUserFactory().id))),
    "missing sessionId": lambda u, s: _hs(
        {k: v for k, v in _claims(u, s).items() if k != "sessionId"}
    ),
}


@pytest.mark.parametrize("case", FORGED)
def test_a_forged_or_stale_token_is_401_invalid_token(case: str) -> None:
    user = CrmUserFactory(role="SUPERVISOR")
    _, session_id = login_as(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {FORGED[case](user, session_id)}")

    response = client.get(f"{BASE}/agents")

    envelope_error(response, 401, "INVALID_TOKEN")
    assert response["WWW-Authenticate"].startswith("Bearer")


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_token_of_a_revoked_session_is_401_session_revoked() -> None:
    user = CrmUserFactory(role="SUPERVISOR")
    token, session_id = login_as(user)
    sessions.delete_session(session_id)

    envelope_error(_client(token).get(f"{BASE}/agents"), 401, "SESSION_REVOKED")


def test_a_deactivated_users_agent_can_no_longer_record_or_change_work() -> None:
    # auth-service.user.deactivated deactivates the user's agent (kafka_bridge.handlers.users);
    # the auth service, which owns the sessions, removes them (SESSION_REVOKED above).
    user = CrmUserFactory(role="AGENT")
    agent = AgentFactory(user=user)
    loan = LoanFactory()
    token, _ = login_as(user)
    CrmUser.objects.filter(id=user.id).update(is_active=False)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    action = {
        "cif": loan.customer_id,
        "loanAccountNumber": loan.account_number,
        "type": "CALL",
        "subtype": "REMINDER_CALL",
        "actionResult": "NO_CONTACT",
    }

    response = _client(token).post(f"{BASE}/actions", action, format="json")

    envelope_error(response, 403, "FORBIDDEN")


def test_a_user_who_lost_the_agent_link_cannot_record_or_read_customer_work() -> None:
    user = CrmUserFactory(role="AGENT")
    agent = AgentFactory(user=user)
    loan = LoanFactory()
    token, _ = login_as(user)
    agent.user = None
    agent.save(update_fields=["user"])
    client = _client(token)
    action = {
        "cif": loan.customer_id,
        "loanAccountNumber": loan.account_number,
        "type": "CALL",
        "subtype": "REMINDER_CALL",
        "actionResult": "NO_CONTACT",
    }

    envelope_error(client.post(f"{BASE}/actions", action, format="json"), 403, "AGENT_NOT_FOUND")
    listed = client.get(f"{BASE}/actions/customer/{loan.customer_id}")
    envelope_error(listed, 403, "AGENT_NOT_FOUND")


# --- a user deactivated in the auth service (its events, kafka_bridge.handlers.users) --------


def _apply(topic: str, event: dict[str, Any]) -> str:
    from kafka_bridge.processing import apply_event
    from tests.kafka_bridge.auth_events import auth_headers

    return apply_event(topic=topic, key=event["userId"], payload=event, headers=auth_headers(event))


@pytest.mark.parametrize("with_agent", [True, False], ids=["with agent", "without agent"])
def test_a_deactivated_users_token_is_refused_until_they_are_reactivated(
    with_agent: bool,
) -> None:
    from kafka_bridge import topics
    from tests.kafka_bridge.auth_events import at, user_deactivated, user_updated

    user = CrmUserFactory(role="SUPERVISOR")
    if with_agent:
        AgentFactory(user=user, type="SUPERVISOR")
    token, _ = login_as(user)  # the auth service has not removed the session (yet)
    client = _client(token)
    assert client.get(f"{BASE}/agents").status_code == 200

    _apply(topics.USER_DEACTIVATED, user_deactivated(user.id, timestamp=at(10)))

    body = envelope_error(client.get(f"{BASE}/agents"), 401, "SESSION_REVOKED")
    assert "deactivated" in body["message"]
    assert other_users_client().get(f"{BASE}/agents").status_code == 200

    _apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(20), isActive=True))

    assert client.get(f"{BASE}/agents").status_code == 200


def other_users_client() -> APIClient:
    return _client(login_as(CrmUserFactory(role="SUPERVISOR"))[0])


def test_user_updated_inactive_refuses_the_token_and_an_older_reactivation_does_not_undo_it() -> (
    None
):
    from kafka_bridge import topics
    from tests.kafka_bridge.auth_events import at, user_updated

    user = CrmUserFactory(role="AGENT")
    AgentFactory(user=user)
    token, _ = login_as(user)
    client = _client(token)

    _apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(20), isActive=False))
    envelope_error(client.get(f"{BASE}/agents"), 401, "SESSION_REVOKED")

    # Delivered late: older than the deactivation, so ignored (the user stays refused).
    _apply(topics.USER_UPDATED, user_updated(user.id, timestamp=at(10), isActive=True))
    envelope_error(client.get(f"{BASE}/agents"), 401, "SESSION_REVOKED")


def test_a_deactivated_user_cannot_refresh_their_tokens() -> None:
    from kafka_bridge import topics
    from tests.kafka_bridge.auth_events import at, user_deactivated
    from workflow.auth import services

    user = CrmUserFactory(role="AGENT")
    issued = services.login(username=user.username, password=TEST_PASSWORD, ip="10.0.0.9")

    _apply(topics.USER_DEACTIVATED, user_deactivated(user.id, timestamp=at(10)))

    response = APIClient().post(
        "/api/v1/auth/token/refresh", {"refreshToken": issued.refresh_token}, format="json"
    )
    envelope_error(response, 401, "SESSION_REVOKED")
