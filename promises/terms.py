"""The rules a promise's terms obey: currency decimals, the horizon, the bank's business days.

- Amounts: more than 0, with no more decimals than the currency has (ISO 4217 minor units:
  VND and JPY none, most others 2; the amount columns hold 2, so currencies with 3 are capped
  at 2). A currency not listed here has 2.
- Promised date: from the bank's today (``BUSINESS_TIME_ZONE``) up to
  ``PROMISE_MAX_DAYS_AHEAD`` days ahead, inclusive.
- Business days: every day except ``BUSINESS_WEEKEND_DAYS`` (ISO weekdays, default Saturday
  and Sunday) and the bank's holidays (``business_holidays``, kept by supervisors in the admin:
  Promises > Business holidays).
- Kept: a promise is KEPT once its paid amount reaches ``amount * (100 - tolerance) / 100``,
  compared exactly (no rounding).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from promises.models import BusinessHoliday

# ISO 4217 currencies without minor units (the others the bank may see have 2).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"VND", "JPY", "KRW", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "KMF", "GNF", "RWF"}
)
AMOUNT_PLACES = 2


def currency_places(currency: str) -> int:
    """How many decimals an amount in ``currency`` may have."""
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else AMOUNT_PLACES


def has_currency_places(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` has no more decimals than ``currency`` allows."""
    if not amount.is_finite():
        return False
    return amount == amount.quantize(Decimal(1).scaleb(-currency_places(currency)))


def kept_threshold(amount: Decimal, tolerance_percent: Decimal) -> Decimal:
    """The paid amount from which a promise of ``amount`` is KEPT (exact, not rounded)."""
    return amount * (Decimal(100) - tolerance_percent) / Decimal(100)


def is_kept(*, paid: Decimal, amount: Decimal, tolerance_percent: Decimal) -> bool:
    return paid >= kept_threshold(amount, tolerance_percent)


def max_days_ahead() -> int:
    return int(settings.PROMISE_MAX_DAYS_AHEAD)


def _weekend_days() -> frozenset[int]:
    days = frozenset(int(day) for day in settings.BUSINESS_WEEKEND_DAYS)
    if not days <= set(range(1, 8)) or len(days) == 7:
        raise ImproperlyConfigured(
            "BUSINESS_WEEKEND_DAYS must list ISO weekdays 1-7 (Monday = 1), not all seven."
        )
    return days


# Holidays read at once after a day: more than any run of holidays and weekends a bank has.
HOLIDAY_LOOKAHEAD_DAYS = 60


def next_business_day(day: dt.date) -> dt.date:
    """The first business day after ``day``: neither a weekend day nor a holiday (one query)."""
    weekend = _weekend_days()
    following = day + dt.timedelta(days=1)
    holidays: set[dt.date] = set()
    horizon = day
    while True:
        if following > horizon:  # read the next window of the calendar
            horizon = following + dt.timedelta(days=HOLIDAY_LOOKAHEAD_DAYS)
            holidays |= set(
                BusinessHoliday.objects.filter(
                    holiday_date__gte=following, holiday_date__lte=horizon
                ).values_list("holiday_date", flat=True)
            )
        if following.isoweekday() not in weekend and following not in holidays:
            return following
        following += dt.timedelta(days=1)
