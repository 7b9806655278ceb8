"""Brute-force protection for logins: failure counters per username and per client IP.

Counters live in Redis (``auth:login-failures:<kind>:<key>``) for a window; while either is at
its limit, logins for that username or from that IP are refused with 429 and Retry-After. A
successful login clears the username's counter.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from workflow.errors import Throttled

PREFIX = "auth:login-failures:"

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address; ``X-Forwarded-For`` only behind a trusted proxy."""
    if request is None:
        return "unknown"
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    return [
        (f"{PREFIX}user:{username.strip().lower()}", settings.LOGIN_MAX_FAILURES_PER_USER),
        (f"{PREFIX}ip:{ip}", settings.LOGIN_MAX_FAILURES_PER_IP),
    ]


def _redis() -> Any:
    return get_redis_connection("default")


def check(username: str, ip: str) -> None:
    """Raise ``Throttled`` when the username or the IP has used up its attempts."""
    try:
        redis = _redis()
        for key, limit in _keys(username, ip):
            count = int(redis.get(key) or 0)
            if count >= limit:
                ttl = int(redis.ttl(key))
                raise Throttled(
                    "Too many failed login attempts; try again later.",
                    retry_after=max(ttl, 1),
                )
    except RedisError:
        # Without Redis no session can be created either; the login itself will report it.
        logger.warning("login throttle unavailable", exc_info=True)


def record_failure(username: str, ip: str) -> None:
    try:
        pipe = _redis().pipeline()
        for key, _limit in _keys(username, ip):
            # The window starts at the first failure (SET NX); later failures only count.
            pipe.set(key, 0, ex=settings.LOGIN_FAILURE_WINDOW_SECONDS, nx=True)
            pipe.incr(key)
        pipe.execute()
    except RedisError:
        logger.warning("could not record a failed login", exc_info=True)


def record_success(username: str) -> None:
    try:
        _redis().delete(f"{PREFIX}user:{username.strip().lower()}")
    except RedisError:
        logger.warning("could not reset the login failure counter", exc_info=True)
