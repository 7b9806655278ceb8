"""HS256 JWTs exactly as the CRM auth service issues them, through simplejwt's TokenBackend.

Access token claims: ``sub`` (user uuid), ``username``, ``roles``, ``sessionId``, ``iat``,
``exp``. Refresh tokens minted here add ``type: "refresh"`` and a ``jti`` that the session
remembers, so a refresh token works once (rotation) and never as an access token.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, cast

from django.conf import settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError

from workflow.errors import Unauthenticated

ALGORITHM = "HS256"
REFRESH = "refresh"


def _backend() -> TokenBackend:
    return TokenBackend(ALGORITHM, signing_key=settings.JWT_SECRET, leeway=5)


def mint_access(
    *, user_id: str, username: str, roles: list[str], session_id: str
) -> tuple[str, int]:
    """A signed access token and its expiry (unix seconds)."""
    now = int(time.time())
    expires = now + settings.JWT_EXPIRES_SECONDS
    claims = {
        "sub": user_id,
        "username": username,
        "roles": roles,
        "sessionId": session_id,
        "iat": now,
        "exp": expires,
        "jti": secrets.token_urlsafe(16),  # two tokens minted in one second still differ
    }
    return _backend().encode(claims), expires


def mint_refresh(*, user_id: str, session_id: str) -> tuple[str, str]:
    """A signed refresh token and its ``jti``."""
    now = int(time.time())
    jti = secrets.token_urlsafe(16)
    claims = {
        "sub": user_id,
        "sessionId": session_id,
        "type": REFRESH,
        "jti": jti,
        "iat": now,
        "exp": now + settings.JWT_REFRESH_EXPIRES_SECONDS,
    }
    return _backend().encode(claims), jti


def decode(token: str, *, refresh: bool = False) -> dict[str, Any]:
    """Verified claims of an access (or refresh) token; ``Unauthenticated`` otherwise.

    The signature must be HS256 with ``JWT_SECRET`` (``alg: none`` and other algorithms are
    refused by the backend), ``exp`` must be in the future, and the claims we rely on present.
    """
    try:
        claims: dict[str, Any] = _backend().decode(cast(Any, token), verify=True)
    except TokenBackendError as exc:
        raise Unauthenticated(f"Invalid token: {exc}.", code="INVALID_TOKEN") from exc
    is_refresh = claims.get("type") == REFRESH
    if is_refresh != refresh:
        kind = "a refresh" if is_refresh else "an access"
        raise Unauthenticated(
            f"This is {kind} token; it cannot be used here.", code="INVALID_TOKEN"
        )
    required = ("sub", "sessionId", "exp") + (("jti",) if refresh else ("username",))
    missing = [name for name in required if not claims.get(name)]
    if missing:
        raise Unauthenticated(
            f"Invalid token: missing claim(s) {', '.join(missing)}.", code="INVALID_TOKEN"
        )
    return claims
