"""Input rules that several services share (each raises ``ValidationFailed`` on its field)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from workflow.errors import ValidationFailed

# Agents' devices may run a little ahead of the server.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
EARLIEST_ACTION_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def check_choice(value: str | None, choices: type[models.TextChoices], *, field: str) -> None:
    """``value`` (when given) must be one of the enum's values."""
    if value is not None and value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationFailed(f"{field} must be one of {allowed}; got {value!r}.", field=field)


def check_action_date(action_date: dt.datetime, *, field: str = "actionDate") -> None:
    """When work was done: an aware instant, not in the future, not before 2000."""
    if action_date.tzinfo is None:
        raise ValidationFailed(f"{field} must carry a time zone.", field=field)
    if action_date > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationFailed(f"{field} must not be in the future.", field=field)
    if action_date < EARLIEST_ACTION_DATE:
        raise ValidationFailed(f"{field} must not be before 2000-01-01.", field=field)
