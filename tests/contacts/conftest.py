"""Fixtures of the contact-policy tests: the shipped presets, a frozen clock, a customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest

from contacts.presets import install_presets
from tests.factories import LoanFactory
from workflow.models import Loan


@pytest.fixture
def presets(db: None) -> None:
    """The presets and default assignments (the migration installs them; a transactional test
    before this one may have truncated them)."""
    install_presets()


class Clock:
    """``django.utils.timezone.now`` frozen at a settable instant."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment

    def advance(self, **delta: Any) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    frozen = Clock(dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC))  # 10:00 in Vietnam
    with mock.patch("django.utils.timezone.now", lambda: frozen.moment):
        yield frozen


@pytest.fixture
def loan(presets: None) -> Loan:
    return LoanFactory(customer__cif="CIF-CP1", account_number="LN-CP1")


def local(
    year: int, month: int, day: int, hour: int, minute: int = 0, zone: str = "Asia/Ho_Chi_Minh"
) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


Poster = Callable[..., Any]
