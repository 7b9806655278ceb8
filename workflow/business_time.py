"""The bank's business day (``BUSINESS_TIME_ZONE``) against UTC timestamps.

Timestamps are stored and served in UTC; dates a person picks or reads (filters, daily and
weekly trends, assignment dates) are days of the bank's time zone. A date filter
``startDate..endDate`` (inclusive) therefore becomes the UTC half-open range
``[startDate 00:00 local, endDate+1 00:00 local)``, which keeps partition pruning possible.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import overload

from django.conf import settings


@lru_cache(maxsize=8)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def business_zone() -> zoneinfo.ZoneInfo:
    return _zone(settings.BUSINESS_TIME_ZONE)


def business_today() -> dt.date:
    """Today in the bank's time zone."""
    return dt.datetime.now(business_zone()).date()


def business_date(moment: dt.datetime) -> dt.date:
    """The bank's calendar day of an aware instant."""
    return moment.astimezone(business_zone()).date()


def day_start_utc(day: dt.date) -> dt.datetime:
    """The UTC instant at which the bank's ``day`` begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=business_zone()).astimezone(dt.UTC)


def day_range_utc(
    start: dt.date | None, end: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """UTC ``[from, to)`` covering the business days ``start..end`` inclusive (None = open)."""
    lower = day_start_utc(start) if start else None
    upper = day_start_utc(end + dt.timedelta(days=1)) if end else None
    return lower, upper


def iso_utc(moment: dt.datetime | None) -> str | None:
    """ISO-8601 with ``Z``, as the API serves timestamps."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# The ``timestamp without time zone`` columns hold UTC (workflow.fields.UTCDateTimeField): raw
# SQL passes them naive UTC instants and reads them back as aware ones.


@overload
def naive_utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def naive_utc(moment: None) -> None: ...
def naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """An aware instant as the naive UTC a ``timestamp`` column holds (None stays None)."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment is not None else None


@overload
def aware_utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def aware_utc(moment: None) -> None: ...
def aware_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A ``timestamp`` column's value as the models give it: aware, in UTC (None stays None)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
