"""HS256 JWTs exactly as the CRM auth service issues them, through simplejwt's TokenBackend.

Access token claims: ``sub`` (user uuid), ``username``, ``roles``, ``sessionId``, ``iat``,
``exp``. Refresh tokens minted here add ``type: "refresh"`` and a ``jti`` that the session
remembers, so a refresh token works once (rotation) and never as an access token.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, cast

from django.conf import settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError

from workflow.errors import Unauthenticated

ALGORITHM = "HS256"
REFRESH = "refresh"


LEEWAY = 5  # seconds of clock skew accepted on exp


def _backend() -> TokenBackend:
    return TokenBackend(ALGORITHM, signing_key=settings.JWT_SECRET, leeway=LEEWAY)


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


# Access tokens this process verified, with their claims: every request of a session sends the
# same token for up to JWT_EXPIRES_SECONDS, and checking its signature again (PyJWT prepares
# the HMAC key and parses the token each time) was a tenth of the CPU of the cheapest
# authenticated request. An entry is the exact token string under the secret it was verified
# with, so a hit proves what the first check proved; ``exp`` is checked on every use, and the
# session (revocation) is read on every request as before (workflow.auth.authentication).
VERIFIED_MAX = 10_000
_verified: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
_verified_lock = threading.Lock()


def _verified_claims(token: str) -> dict[str, Any] | None:
    key = (settings.JWT_SECRET, token)
    with _verified_lock:
        claims = _verified.get(key)
        if claims is None:
            return None
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] + LEEWAY <= time.time():
            del _verified[key]  # expired: the backend's check gives the refusal
            return None
        _verified.move_to_end(key)
        return claims


def _remember(token: str, claims: dict[str, Any]) -> None:
    with _verified_lock:
        _verified[(settings.JWT_SECRET, token)] = claims
        while len(_verified) > VERIFIED_MAX:
            _verified.popitem(last=False)


def decode(token: str, *, refresh: bool = False) -> dict[str, Any]:
    """Verified claims of an access (or refresh) token; ``Unauthenticated`` otherwise.

    The signature must be HS256 with ``JWT_SECRET`` (``alg: none`` and other algorithms are
    refused by the backend), ``exp`` must be in the future, and the claims we rely on present.
    An access token verified before is not verified again while unexpired (``_verified``).
    """
    cached = None if refresh else _verified_claims(token)
    if cached is not None:
        return dict(cached)
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
    if not refresh:
        _remember(token, dict(claims))
    return claims
