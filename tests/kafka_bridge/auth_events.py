"""Auth service and bank sync events as their producers write them (DESIGN.md §5)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from workflow.outbox import iso_z

T0 = dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)


def at(seconds: float) -> str:
    """An event timestamp ``seconds`` after T0, as the auth service writes it."""
    return iso_z(T0 + dt.timedelta(seconds=seconds))


def user_created(
    user_id: uuid.UUID | str,
    *,
    username: str,
    email: str,
    role: str = "AGENT",
    timestamp: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or str(uuid.uuid4()),
        "timestamp": timestamp or at(0),
        "version": "1.0",
        "userId": str(user_id),
        "username": username,
        "email": email,
        "role": role,
        "createdBy": {"userId": str(uuid.uuid4()), "username": "admin"},
    }


def user_updated(
    user_id: uuid.UUID | str, *, timestamp: str, event_id: str | None = None, **changed: Any
) -> dict[str, Any]:
    """Only the changed keys among username, email, role, isActive (as the auth service)."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "timestamp": timestamp,
        "version": "1.0",
        "userId": str(user_id),
        **changed,
        "updatedBy": {"userId": str(uuid.uuid4()), "username": "admin"},
    }


def user_deactivated(
    user_id: uuid.UUID | str, *, timestamp: str, reason: str | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "timestamp": timestamp,
        "version": "1.0",
        "userId": str(user_id),
        "deactivatedBy": {"userId": str(uuid.uuid4()), "username": "admin"},
    }
    if reason is not None:
        event["reason"] = reason
    return event


def auth_headers(event: dict[str, Any]) -> dict[str, str]:
    """The headers the auth service sends with ``event``."""
    return {
        "content-type": "application/json",
        "event-id": event["id"],
        "timestamp": event["timestamp"],
    }


def bank_event(cif: str | None, *, id_name: str = "eventId", **fields: Any) -> dict[str, Any]:
    """A bank sync event: the event id under ``id_name`` (``eventId`` or ``id``)."""
    event: dict[str, Any] = {id_name: str(uuid.uuid4()), "timestamp": at(0), **fields}
    if cif is not None:
        event["cif"] = cif
    return event
