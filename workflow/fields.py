"""Model fields for the bank's column types that Django has no native field for.

``PgEnumField``
    A ``CharField`` whose database type is a PostgreSQL enum. Declaring the real type matters
    for ``bulk_create``: on PostgreSQL Django inserts many rows through
    ``UNNEST(%s::<db_type>[])``, and a ``varchar[]`` array cannot be stored in an enum column.

``UTCDateTimeField``
    The schema stores instants in ``timestamp without time zone`` columns, and every CRM
    service writes UTC into them. Decision (README, "Time"): Python code only ever sees
    *aware* UTC datetimes. On the way in, an aware value is converted to UTC and stripped of
    its zone; on the way out, the naive value read from the column is marked as UTC. Query
    parameters are therefore plain ``timestamp`` literals, which keeps plan-time partition
    pruning possible (comparing a ``timestamp`` column with a ``timestamptz`` parameter
    would need the session time zone and prune only at execution). A naive datetime given
    by a caller goes through Django's usual handling (``RuntimeWarning``, read as UTC).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from workflow.business_time import aware_utc, naive_utc


class PgEnumField(models.CharField):
    """A text choice stored in a PostgreSQL enum column (``enum_name`` in schema public)."""

    def __init__(self, *args: Any, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        return self.enum_name

    def cast_db_type(self, connection: Any) -> str:
        return self.enum_name

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_name"] = self.enum_name
        return name, path, args, kwargs


class UTCDateTimeField(models.DateTimeField):
    """An aware-UTC datetime in Python stored in a ``timestamp without time zone`` column."""

    def db_type(self, connection: Any) -> str:
        return "timestamp"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = naive_utc(value)
        return value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return aware_utc(value) if isinstance(value, dt.datetime) else value
