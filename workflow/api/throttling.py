"""Rate limits of API writes (OWASP API4), DRF throttles counting in the Redis cache.

- ``UserWriteThrottle``: writes (every method but GET, HEAD, OPTIONS) of an authenticated
  caller, counted per CRM user id: ``API_WRITE_RATE_PER_USER`` (default 600 a minute).
- ``AnonymousWriteThrottle``: writes of an unauthenticated caller (login, token refresh),
  counted per client address (``X-Forwarded-For`` only behind a trusted proxy):
  ``API_ANON_RATE_PER_IP`` (default 120 a minute). Failed logins have their own, stricter
  limits (``workflow.auth.throttle``).

Each is a fixed window: one counter per caller and window (``INCR``), so a request costs one
round trip whatever the rate. Over the limit, the answer is 429 ``TOO_MANY_ATTEMPTS`` with
``Retry-After`` (seconds until the window ends). Reads are never throttled here. Without
Redis the limits are not applied (a write needs the Redis session store anyway; its absence is
answered by the authentication as 503).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from workflow.actors import Actor
from workflow.auth.throttle import client_ip

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"600/min"`` → ``(600, 60)``; ``"off"`` → None (no limit)."""
    if rate.strip().lower() == "off":
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class _WindowThrottle(BaseThrottle):
    scope = ""
    setting = ""

    def __init__(self) -> None:
        self.retry_after: float | None = None

    def ident(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        limit = parse_rate(getattr(settings, self.setting))
        ident = self.ident(request)
        if limit is None or ident is None:
            return True
        count, period = limit
        now = time.time()
        window = int(now // period)
        key = f"throttle:{self.scope}:{ident}:{window}"
        try:
            cache.add(key, 0, timeout=period + 1)
            used = cache.incr(key)
        except Exception:
            logger.warning("write throttle unavailable", exc_info=True)
            return True
        if used <= count:
            return True
        self.retry_after = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        return None if self.retry_after is None else max(1, math.ceil(self.retry_after))


class UserWriteThrottle(_WindowThrottle):
    """Writes per authenticated CRM user (``API_WRITE_RATE_PER_USER``)."""

    scope = "write-user"
    setting = "API_WRITE_RATE_PER_USER"

    def ident(self, request: Request) -> str | None:
        actor = request.user
        if isinstance(actor, Actor) and actor.is_authenticated and actor.user_id:
            return str(actor.user_id)
        return None


class AnonymousWriteThrottle(_WindowThrottle):
    """Writes per client address of unauthenticated callers (``API_ANON_RATE_PER_IP``)."""

    scope = "write-ip"
    setting = "API_ANON_RATE_PER_IP"

    def ident(self, request: Request) -> str | None:
        actor = request.user
        if isinstance(actor, Actor) and actor.is_authenticated:
            return None
        return client_ip(request)
