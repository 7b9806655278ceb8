"""Domain errors raised by services and turned into the API envelope in one place.

Each error carries a stable ``code`` (part of the API contract), an HTTP ``status`` and,
when one input field is at fault, its camelCase API ``field`` name.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "DOMAIN_ERROR"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    """The input breaks a business rule (400)."""

    code = "VALIDATION_ERROR"
    status = 400


class NotFound(DomainError):
    """A referenced row does not exist (404)."""

    code = "NOT_FOUND"
    status = 404


class Conflict(DomainError):
    """The change clashes with stored data: a duplicate, an immutable row (409)."""

    code = "CONFLICT"
    status = 409


class Forbidden(DomainError):
    """The caller may not do this (403)."""

    code = "FORBIDDEN"
    status = 403


class AgentNotFound(Forbidden):
    """The caller has no agent profile, so cannot act as an agent (403 AGENT_NOT_FOUND)."""

    code = "AGENT_NOT_FOUND"


class Unauthenticated(DomainError):
    """Missing, invalid, expired or revoked credentials (401)."""

    code = "AUTH_REQUIRED"
    status = 401


class Throttled(DomainError):
    """Too many attempts (429); ``retry_after`` in seconds."""

    code = "TOO_MANY_ATTEMPTS"
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
