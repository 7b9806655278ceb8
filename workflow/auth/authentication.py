"""DRF authentication: ``Authorization: Bearer <JWT>`` backed by a live Redis session."""

from __future__ import annotations

import uuid

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from workflow.actors import Actor
from workflow.auth import sessions, tokens
from workflow.errors import Unauthenticated


def actor_from_token(token: str) -> Actor:
    """The actor behind an access token whose session still exists."""
    claims = tokens.decode(token)
    session, deactivated = sessions.get_session_of_user(
        str(claims["sessionId"]), str(claims["sub"])
    )
    if session is None:
        raise Unauthenticated("The session has ended; log in again.", code="SESSION_REVOKED")
    if str(session.get("userId")) != str(claims["sub"]):
        raise Unauthenticated("The token does not match its session.", code="INVALID_TOKEN")
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise Unauthenticated(
            "Invalid token: sub is not a user id.", code="INVALID_TOKEN"
        ) from None
    if deactivated:
        raise Unauthenticated(
            "The user has been deactivated; the session has ended.", code="SESSION_REVOKED"
        )
    roles = session.get("roles") or claims.get("roles") or []
    return Actor(
        username=str(session.get("username") or claims["username"]),
        user_id=user_id,
        roles=frozenset(str(role).upper() for role in roles),
        permissions=frozenset(str(p) for p in session.get("permissions") or []),
        session_id=str(claims["sessionId"]),
    )


class BearerSessionAuthentication(BaseAuthentication):
    """Authenticates the CRM auth service's bearer tokens; no header means anonymous."""

    def authenticate(self, request: Request) -> tuple[Actor, str] | None:
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != b"bearer" or len(header) != 2:
            raise Unauthenticated(
                "Authorization header must be 'Bearer <token>'.", code="INVALID_TOKEN"
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise Unauthenticated("Invalid token.", code="INVALID_TOKEN") from None
        return actor_from_token(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
