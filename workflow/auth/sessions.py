"""Auth sessions in Redis at ``auth:session:<sessionId>``, shared with the CRM auth service.

A session is JSON ``{userId, username, roles, permissions, ...}``; a token whose session is
gone has been revoked. Keys are written without the cache's key prefix so that the auth
service and this service see the same sessions.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, cast

from django_redis import get_redis_connection
from redis.exceptions import RedisError

from workflow.errors import DomainError

KEY_PREFIX = "auth:session:"


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
