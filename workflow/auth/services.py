"""Login, logout and token refresh against ``auth_service.users`` and the Redis sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import bcrypt
from django.conf import settings

from workflow.actors import Actor
from workflow.auth import sessions, throttle, tokens
from workflow.errors import Unauthenticated
from workflow.models import CrmUser, Permission

# Checked when the username is unknown, so both paths cost one bcrypt verification.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=10))


@dataclass(frozen=True)
class IssuedTokens:
    token: str
    refresh_token: str
    expires_at: dt.datetime
    user: dict[str, Any]


def password_matches(password: str, password_hash: str) -> bool:
    """bcrypt check of a ``$2a$``/``$2b$``/``$2y$`` hash; a malformed hash never matches."""
    try:
        return bcrypt.checkpw(password.encode("utf-8")[:72], password_hash.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def permissions_of_role(role: str) -> list[str]:
    """``resource:action`` strings granted to a role in ``auth_service.permissions``."""
    rows = Permission.objects.filter(role__name=role).values_list("resource", "action")
    return sorted(f"{resource}:{action}" for resource, action in rows)


def authenticate_crm_user(*, username: str, password: str) -> CrmUser | None:
    """The active CRM user with these credentials, or None (timing does not reveal which)."""
    user = CrmUser.objects.filter(username=username).first()
    if user is None:
        bcrypt.checkpw(b"x", _DUMMY_HASH)
        return None
    if not password_matches(password, user.password_hash) or not user.is_active:
        return None
    return user


def _issue(
    user_id: str, username: str, roles: list[str], session_id: str
) -> tuple[str, str, str, int]:
    access, expires = tokens.mint_access(
        user_id=user_id, username=username, roles=roles, session_id=session_id
    )
    refresh, jti = tokens.mint_refresh(user_id=user_id, session_id=session_id)
    return access, refresh, jti, expires


def login(*, username: str, password: str, ip: str) -> IssuedTokens:
    """Check credentials (throttled per username and IP), open a session, issue tokens."""
    throttle.check(username, ip)
    user = authenticate_crm_user(username=username, password=password)
    if user is None:
        throttle.record_failure(username, ip)
        raise Unauthenticated("Invalid username or password.", code="INVALID_CREDENTIALS")
    throttle.record_success(username)
    roles = [user.role.upper()]
    permissions = permissions_of_role(user.role)
    now = dt.datetime.now(dt.UTC)
    session_data: dict[str, Any] = {
        "userId": str(user.id),
        "username": user.username,
        "email": user.email,
        "roles": roles,
        "permissions": permissions,
        "createdAt": now.isoformat(),
        "lastActivityAt": now.isoformat(),
        "ipAddress": ip,
    }
    session_id = sessions.create_session(
        session_data, ttl_seconds=settings.JWT_REFRESH_EXPIRES_SECONDS
    )
    access, refresh, jti, expires = _issue(str(user.id), user.username, roles, session_id)
    sessions.save_session(
        session_id,
        {**session_data, "refreshJti": jti},
        ttl_seconds=settings.JWT_REFRESH_EXPIRES_SECONDS,
    )
    return IssuedTokens(
        token=access,
        refresh_token=refresh,
        expires_at=dt.datetime.fromtimestamp(expires, dt.UTC),
        user={
            "id": str(user.id),
            "username": user.username,
            "email": user.email,
            "roles": roles,
            "permissions": permissions,
        },
    )


def logout(*, actor: Actor) -> None:
    """End the caller's session: every token of that session stops working."""
    if actor.session_id:
        sessions.delete_session(actor.session_id)


def refresh(*, refresh_token: str) -> IssuedTokens:
    """New access and refresh tokens for a live session; each refresh token works once."""
    claims = tokens.decode(refresh_token, refresh=True)
    session_id = str(claims["sessionId"])
    session, deactivated = sessions.get_session_of_user(session_id, str(claims["sub"]))
    if session is None or str(session.get("userId")) != str(claims["sub"]):
        raise Unauthenticated("The session has ended; log in again.", code="SESSION_REVOKED")
    if deactivated:
        raise Unauthenticated(
            "The user has been deactivated; the session has ended.", code="SESSION_REVOKED"
        )
    if session.get("refreshJti") != claims["jti"]:
        # A refresh token used twice may have been stolen: end the session.
        sessions.delete_session(session_id)
        raise Unauthenticated(
            "This refresh token was already used; log in again.", code="SESSION_REVOKED"
        )
    roles = [str(role) for role in session.get("roles") or []]
    access, new_refresh, jti, expires = _issue(
        str(claims["sub"]), str(session["username"]), roles, session_id
    )
    sessions.save_session(
        session_id,
        {**session, "refreshJti": jti, "lastActivityAt": dt.datetime.now(dt.UTC).isoformat()},
        ttl_seconds=settings.JWT_REFRESH_EXPIRES_SECONDS,
    )
    return IssuedTokens(
        token=access,
        refresh_token=new_refresh,
        expires_at=dt.datetime.fromtimestamp(expires, dt.UTC),
        user={},
    )
