"""Auth sessions in Redis at ``auth:session:<sessionId>``, shared with the CRM auth service.

A session is JSON ``{userId, username, roles, permissions, ...}``; a token whose session is
gone has been revoked. Keys are written without the cache's key prefix so that the auth
service and this service see the same sessions.

A user deactivated in the auth service (``auth-service.user.deactivated``, or
``user.updated`` with ``isActive: false``, consumed by ``kafka_bridge.handlers.users``) is
marked at ``workflow:user-deactivated:<userId>`` until an event reactivates them: every token
of theirs is refused, whatever sessions the auth service has not yet removed. The marker is
read with the session, in the same round trip.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, cast

from django_redis import get_redis_connection
from redis.exceptions import RedisError

from workflow.errors import DomainError

KEY_PREFIX = "auth:session:"
DEACTIVATED_PREFIX = "workflow:user-deactivated:"


class SessionStoreUnavailable(DomainError):
    """Redis cannot be reached, so no session can be checked (503)."""

    code = "SERVICE_UNAVAILABLE"
    status = 503


def _redis() -> Any:
    return get_redis_connection("default")


def get_session(session_id: str) -> dict[str, Any] | None:
    """The session's JSON, or None when it does not exist (revoked or expired)."""
    try:
        raw = _redis().get(KEY_PREFIX + session_id)
    except RedisError as exc:
        raise SessionStoreUnavailable("The session store is unavailable; try again.") from exc
    return _decode(raw)


def get_session_of_user(session_id: str, user_id: str) -> tuple[dict[str, Any] | None, bool]:
    """The session's JSON (None when gone) and whether the user is marked deactivated."""
    try:
        raw, deactivated = _redis().mget([KEY_PREFIX + session_id, DEACTIVATED_PREFIX + user_id])
    except RedisError as exc:
        raise SessionStoreUnavailable("The session store is unavailable; try again.") from exc
    return _decode(raw), deactivated is not None


def mark_user_deactivated(user_id: str) -> None:
    """Refuse every token of the user from now on (until :func:`clear_user_deactivated`).

    A Redis failure is raised as is (``RedisError``), not as a domain error: the Kafka handler
    calling this retries the event instead of dead-lettering it."""
    _redis().set(DEACTIVATED_PREFIX + user_id, "1")


def clear_user_deactivated(user_id: str) -> None:
    """Accept the user's tokens again (reactivated in the auth service)."""
    _redis().delete(DEACTIVATED_PREFIX + user_id)


def _decode(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


def create_session(data: dict[str, Any], *, ttl_seconds: int) -> str:
    """Store a new session and return its id."""
    session_id = secrets.token_urlsafe(24)
    save_session(session_id, data, ttl_seconds=ttl_seconds)
    return session_id


def save_session(session_id: str, data: dict[str, Any], *, ttl_seconds: int) -> None:
    try:
        _redis().set(KEY_PREFIX + session_id, json.dumps(data), ex=ttl_seconds)
    except RedisError as exc:
        raise SessionStoreUnavailable("The session store is unavailable; try again.") from exc


def delete_session(session_id: str) -> None:
    try:
        _redis().delete(KEY_PREFIX + session_id)
    except RedisError as exc:
        raise SessionStoreUnavailable("The session store is unavailable; try again.") from exc
