"""Bearer tokens of the CRM auth service, Redis sessions, login, logout, refresh, throttling."""

from __future__ import annotations

import base64
import json
import time
import uuid

import bcrypt
import jwt
import pytest
from django.conf import settings
from django_redis import get_redis_connection
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from tests.api import client_for, envelope_error, envelope_ok
from tests.factories import TEST_PASSWORD, CrmUserFactory
from workflow.auth import sessions
from workflow.models import Permission, Role

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
REFRESH = "/api/v1/auth/token/refresh"


def login(client: APIClient, username: str, password: str = TEST_PASSWORD, ip: str = "10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_login_returns_the_user_tokens_and_expiry_and_opens_a_session() -> None:
    role = Role.objects.create(name="SUPERVISOR")
    Permission.objects.create(role=role, resource="customer_assignment", action="all")
    user = CrmUserFactory(username="lan.pham", role="SUPERVISOR")
    data = envelope_ok(login(APIClient(), "lan.pham"))
    assert data["user"] == {
        "id": str(user.id),
        "username": "lan.pham",
        "email": user.email,
        "roles": ["SUPERVISOR"],
        "permissions": ["customer_assignment:all"],
    }
    assert data["expiresAt"].endswith("Z")
    claims = jwt.decode(data["token"], settings.JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user.id)
    assert claims["roles"] == ["SUPERVISOR"]
    session = sessions.get_session(claims["sessionId"])
    assert session is not None
    assert session["permissions"] == ["customer_assignment:all"]
    envelope_ok(bearer(data["token"]).post(LOGOUT))


def test_login_accepts_2a_bcrypt_hashes_written_by_the_node_auth_service() -> None:
    hashed = bcrypt.hashpw(b"node-password", bcrypt.gensalt(rounds=4)).decode()
    CrmUserFactory(username="node.user", password_hash="$2a$" + hashed[4:])
    envelope_ok(login(APIClient(), "node.user", "node-password"))


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive user"])
def test_login_refuses_bad_credentials_and_inactive_users_alike(case: str) -> None:
    CrmUserFactory(username="active.user")
    CrmUserFactory(username="inactive.user", is_active=False)
    username, password = {
        "wrong password": ("active.user", "not-the-password"),
        "unknown user": ("nobody", TEST_PASSWORD),
        "inactive user": ("inactive.user", TEST_PASSWORD),
    }[case]
    body = envelope_error(login(APIClient(), username, password), 401, "INVALID_CREDENTIALS")
    assert body["message"] == "Invalid username or password."


def test_login_names_a_missing_field() -> None:
    response = APIClient().post(LOGIN, {"username": "x"}, format="json")
    envelope_error(response, 400, "VALIDATION_ERROR", field="password")


def test_login_is_throttled_per_username_even_with_the_right_password(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_USER = 3
    CrmUserFactory(username="target")
    client = APIClient()
    for attempt in range(3):
        envelope_error(
            login(client, "target", "guess", ip=f"10.0.1.{attempt}"), 401, "INVALID_CREDENTIALS"
        )
    response = login(client, "target", ip="10.0.2.1")
    envelope_error(response, 429, "TOO_MANY_ATTEMPTS")
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS


def test_login_is_throttled_per_ip_across_usernames(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_IP = 2
    CrmUserFactory(username="innocent")
    client = APIClient()
    envelope_error(login(client, "a", "x", ip="10.9.9.9"), 401, "INVALID_CREDENTIALS")
    envelope_error(login(client, "b", "x", ip="10.9.9.9"), 401, "INVALID_CREDENTIALS")
    envelope_error(login(client, "innocent", ip="10.9.9.9"), 429, "TOO_MANY_ATTEMPTS")
    envelope_ok(login(client, "innocent", ip="10.9.9.10"))


def test_a_successful_login_clears_the_username_counter(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES_PER_USER = 2
    CrmUserFactory(username="forgetful")
    client = APIClient()
    envelope_error(login(client, "forgetful", "typo"), 401, "INVALID_CREDENTIALS")
    envelope_ok(login(client, "forgetful"))
    envelope_error(login(client, "forgetful", "typo"), 401, "INVALID_CREDENTIALS")
    envelope_ok(login(client, "forgetful"))


def test_a_token_minted_by_the_auth_service_itself_is_accepted() -> None:
    """The Node auth service signs with the shared secret and writes the session JSON."""
    user = CrmUserFactory(role="AGENT")
    session_id = str(uuid.uuid4())
    get_redis_connection("default").set(
        f"auth:session:{session_id}",
        json.dumps(
            {
                "userId": str(user.id),
                "username": user.username,
                "roles": ["AGENT"],
                "permissions": ["action:create"],
                "deviceInfo": {"ip": "1.2.3.4"},
            }
        ),
    )
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": str(user.id),
            "username": user.username,
            "roles": ["AGENT"],
            "sessionId": session_id,
            "iat": now,
            "exp": now + 900,
        },
        settings.JWT_SECRET,
        algorithm="HS256",
    )
    envelope_ok(bearer(token).post(LOGOUT))
    assert sessions.get_session(session_id) is None


def _token_for(user_id: str, session_id: str, **overrides: object) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id,
        "username": "u",
        "roles": ["AGENT"],
        "sessionId": session_id,
        "iat": now,
        "exp": now + 900,
        **overrides,
    }
    return jwt.encode(claims, settings.JWT_SECRET, algorithm="HS256")


def _alg_none(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "wrong secret",
        "alg none",
        "session gone",
        "refresh as access",
        "malformed",
        "no sub",
    ],
)
def test_it_rejects_bad_tokens_with_401_in_the_envelope(case: str) -> None:
    user = CrmUserFactory()
    live = client_for(user)
    session_id = live.session_id  # type: ignore[attr-defined]
    now = int(time.time())
    token = {
        "expired": lambda: _token_for(str(user.id), session_id, iat=now - 7200, exp=now - 3600),
        "wrong secret": lambda: jwt.encode(
            {"sub": str(user.id), "username": "u", "sessionId": session_id, "exp": now + 900},
            "another-secret-entirely-32-bytes-long!",
            algorithm="HS256",
        ),
        "alg none": lambda: _alg_none(
            {"sub": str(user.id), "username": "u", "sessionId": session_id, "exp": now + 900}
        ),
        "session gone": lambda: _token_for(str(user.id), "no-such-session"),
        "refresh as access": lambda: _token_for(str(user.id), session_id, type="refresh", jti="j1"),
        "malformed": lambda: "not.a.jwt",
        "no sub": lambda: _token_for("", session_id),
    }[case]()
    response = bearer(token).post(LOGOUT)
    body = response.json()
    assert response.status_code == 401, body
    assert body["success"] is False
    assert body["errors"][0]["code"] in {"INVALID_TOKEN", "SESSION_REVOKED", "AUTH_REQUIRED"}
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert sessions.get_session(session_id) is not None  # nothing was logged out


def test_no_token_or_a_non_bearer_header_is_401() -> None:
    envelope_error(APIClient().post(LOGOUT), 401, "AUTH_REQUIRED")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token abc")
    envelope_error(client.post(LOGOUT), 401, "INVALID_TOKEN")


def test_logout_revokes_every_token_of_the_session() -> None:
    client = client_for(CrmUserFactory())
    envelope_ok(client.post(LOGOUT))
    envelope_error(client.post(LOGOUT), 401, "SESSION_REVOKED")


def test_refresh_rotates_tokens_and_a_reused_refresh_token_ends_the_session() -> None:
    CrmUserFactory(username="refresher")
    first = envelope_ok(login(APIClient(), "refresher"))
    second = envelope_ok(
        APIClient().post(REFRESH, {"refreshToken": first["refreshToken"]}, format="json")
    )
    assert second["token"] != first["token"]
    assert second["refreshToken"] != first["refreshToken"]
    # The old refresh token again: treated as stolen, the session ends.
    envelope_error(
        APIClient().post(REFRESH, {"refreshToken": first["refreshToken"]}, format="json"),
        401,
        "SESSION_REVOKED",
    )
    envelope_error(bearer(second["token"]).post(LOGOUT), 401, "SESSION_REVOKED")


def test_refresh_refuses_an_access_token_and_a_missing_field() -> None:
    CrmUserFactory(username="mixup")
    tokens = envelope_ok(login(APIClient(), "mixup"))
    envelope_error(
        APIClient().post(REFRESH, {"refreshToken": tokens["token"]}, format="json"),
        401,
        "INVALID_TOKEN",
    )
    envelope_error(
        APIClient().post(REFRESH, {}, format="json"), 400, "VALIDATION_ERROR", field="refreshToken"
    )


def test_a_put_sent_as_post_with_the_override_header_is_treated_as_put() -> None:
    response = APIClient().post(LOGIN, {}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="PUT")
    envelope_error(response, 405, "METHOD_NOT_ALLOWED")


def test_unknown_api_urls_answer_404_in_the_envelope() -> None:
    response = APIClient().get("/api/v1/collection/no-such-thing")
    envelope_error(response, 404, "NOT_FOUND")


def test_malformed_json_is_a_400_not_a_500() -> None:
    response = APIClient().post(LOGIN, data="{not json", content_type="application/json")
    envelope_error(response, 400, "VALIDATION_ERROR")
