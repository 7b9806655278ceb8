"""Serializer fields and inputs shared by the apps' APIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from workflow.business_time import iso_utc


def _json_type(field: serializers.Field) -> tuple[tuple[type, ...], str] | None:
    """The JSON type a body field must have, as the OpenAPI document says (None: any)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,), "true or false"
    if isinstance(field, serializers.IntegerField):
        return (int,), "a whole number"
    if isinstance(field, serializers.DecimalField):
        return (int, float, str), "a number"  # "10.12345678": exact decimals travel as strings
    if isinstance(field, serializers.FloatField):
        return (int, float), "a number"
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.UUIDField
        | serializers.DateField
        | serializers.DateTimeField,
    ):
        return (str,), "a string"
    if isinstance(field, serializers.Serializer):
        return (dict,), "an object"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return (list,), "a list"
    return None


def _type_message(field: serializers.Field, label: str, value: Any) -> str:
    """DRF's own message for the field when it has a plain one (the contract's wording)."""
    message = str(field.error_messages.get("invalid", ""))
    if message and "{" not in message:
        return message
    return f"Must be {label}, not {JSON_NAMES.get(type(value), 'that')}."


JSON_NAMES = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}
JSON_NAMES |= {dict: "an object", list: "a list"}


# A JSON request body: each field must have its documented JSON type. DRF coerces on input (0
# becomes "0" for a string field, "true" a boolean); a body that the OpenAPI document calls
# invalid is refused instead, with a 400 naming the field. Query-string filters are strings by
# nature and use plain serializers. (No docstring: the schema would show it on every input.)
class JsonInput(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                value = data.get(name)
                expected = _json_type(field)
                if value is None or expected is None or field.read_only:
                    continue
                types, label = expected
                if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                    errors[name] = [_type_message(field, label, value)]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class UTCDateTimeField(serializers.DateTimeField):
    """Serves an aware timestamp as ISO-8601 UTC with ``Z``; accepts any ISO-8601 with a zone."""

    def to_representation(self, value: Any) -> Any:
        return iso_utc(value)

    def enforce_timezone(self, value: Any) -> Any:
        # DRF would read a zone-less input in the default zone; a guess is not good enough.
        if value.tzinfo is None:
            raise serializers.ValidationError(
                "Give a time zone (e.g. 2026-03-01T09:30:00Z or +07:00)."
            )
        return super().enforce_timezone(value)


# Query filters refuse days outside these bounds: nothing of the bank's is dated there, and the
# ends of Python's calendar (years 1 and 9999) overflow when turned into UTC instants.
EARLIEST_QUERY_DAY = dt.date(1900, 1, 1)
LATEST_QUERY_DAY = dt.date(2999, 12, 31)


class QueryDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` query filter from ``EARLIEST_QUERY_DAY`` to ``LATEST_QUERY_DAY``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        day: dt.date = super().to_internal_value(value)
        if not EARLIEST_QUERY_DAY <= day <= LATEST_QUERY_DAY:
            raise serializers.ValidationError(
                f"Give a day from {EARLIEST_QUERY_DAY} to {LATEST_QUERY_DAY}."
            )
        return day


class DateRangeInput(serializers.Serializer):
    """``startDate`` / ``endDate`` query filters: inclusive business days, YYYY-MM-DD."""

    startDate = QueryDateField(required=False)
    endDate = QueryDateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("startDate"), attrs.get("endDate")
        if start and end and start > end:
            raise serializers.ValidationError({"endDate": "endDate must not be before startDate."})
        return attrs
