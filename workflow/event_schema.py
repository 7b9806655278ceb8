"""Plain validators for event payloads: required keys, types and formats, with clear errors.

A :class:`Schema` maps each key to a :class:`Field`; ``schema.validate(payload)`` returns a list
of messages such as ``"payment.amount: expected a decimal number, got 'abc'"`` (empty when the
payload is valid). Keys the schema does not name are allowed, so producers can add fields
without breaking us.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal[
    "string", "identifier", "uuid", "datetime", "date", "decimal", "integer", "boolean", "object"
]

KIND_LABELS: dict[str, str] = {
    "string": "a string",
    "identifier": "a string or integer id",
    "uuid": "a UUID string",
    "datetime": "an ISO-8601 date-time string",
    "date": "an ISO-8601 date string (YYYY-MM-DD)",
    "decimal": "a decimal number (JSON number or numeric string)",
    "integer": "an integer",
    "boolean": "true or false",
    "object": "a JSON object",
}


@dataclass(frozen=True)
class Field:
    """One key of a payload. ``max_digits``/``decimal_places`` apply to decimals."""

    kind: Kind
    required: bool = True
    nullable: bool = False
    max_length: int | None = None
    min_length: int = 0
    choices: tuple[str, ...] | None = None
    max_digits: int = 18
    decimal_places: int = 2
    schema: Schema | None = None  # for kind="object"
    description: str = ""


class Schema:
    """The keys a payload (or a nested object) must or may have.

    ``one_of_required`` lists groups of optional keys of which at least one must be present
    and not null, e.g. ``[("id", "eventId")]`` for producers that name the event id either way.
    """

    def __init__(
        self,
        fields: Mapping[str, Field],
        *,
        description: str = "",
        one_of_required: Sequence[tuple[str, ...]] = (),
    ) -> None:
        self.fields = dict(fields)
        self.description = description
        self.one_of_required = tuple(one_of_required)

    def validate(self, payload: Any, *, path: str = "") -> list[str]:
        """Every problem with ``payload``, one message each (empty list: valid)."""
        if not isinstance(payload, dict):
            return [f"{path or 'payload'}: expected {KIND_LABELS['object']}, got {_show(payload)}"]
        errors: list[str] = []
        for name, field in self.fields.items():
            where = f"{path}.{name}" if path else name
            if name not in payload:
                if field.required:
                    errors.append(f"{where}: is required")
                continue
            value = payload[name]
            if value is None:
                if not field.nullable:
                    errors.append(f"{where}: must not be null")
                continue
            problem = _CHECKS[field.kind](value, field)
            if problem:
                errors.append(f"{where}: {problem}")
            elif field.kind == "object" and field.schema is not None:
                errors.extend(field.schema.validate(value, path=where))
        for group in self.one_of_required:
            if all(payload.get(name) is None for name in group):
                names = " or ".join(f"{path}.{name}" if path else name for name in group)
                errors.append(f"{names}: one of them is required")
        return errors


def _show(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if not isinstance(value, str) else text


def _expected(field: Field, value: Any) -> str:
    return f"expected {KIND_LABELS[field.kind]}, got {_show(value)}"


def _check_string(value: Any, field: Field) -> str | None:
    if not isinstance(value, str):
        return _expected(field, value)
    if len(value) < field.min_length:
        return (
            "must not be empty" if field.min_length == 1 else f"is shorter than {field.min_length}"
        )
    if field.max_length is not None and len(value) > field.max_length:
        return f"is longer than {field.max_length} characters"
    if field.choices is not None and value not in field.choices:
        return f"must be one of {', '.join(field.choices)}, got {_show(value)}"
    return None


def _check_identifier(value: Any, field: Field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return _expected(field, value)
    return _check_string(str(value), Field("string", min_length=1, max_length=field.max_length))


def _check_uuid(value: Any, field: Field) -> str | None:
    if not isinstance(value, str):
        return _expected(field, value)
    try:
        uuid.UUID(value)
    except ValueError:
        return _expected(field, value)
    return None


def _check_datetime(value: Any, field: Field) -> str | None:
    if not isinstance(value, str):
        return _expected(field, value)
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return _expected(field, value)
    return None


def _check_date(value: Any, field: Field) -> str | None:
    if not isinstance(value, str):
        return _expected(field, value)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return _expected(field, value)
    return None


def _check_decimal(value: Any, field: Field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return _expected(field, value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return _expected(field, value)
    if not number.is_finite():
        return _expected(field, value)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if -exponent > field.decimal_places and number != number.quantize(
        Decimal(1).scaleb(-field.decimal_places)
    ):
        return f"has more than {field.decimal_places} decimal places"
    if abs(number) >= Decimal(10) ** (field.max_digits - field.decimal_places):
        return f"does not fit {field.max_digits} digits with {field.decimal_places} decimals"
    return None


def _check_integer(value: Any, field: Field) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return _expected(field, value)
    return None


def _check_boolean(value: Any, field: Field) -> str | None:
    return None if isinstance(value, bool) else _expected(field, value)


def _check_object(value: Any, field: Field) -> str | None:
    return None if isinstance(value, dict) else _expected(field, value)


_CHECKS: dict[str, Callable[[Any, Field], str | None]] = {
    "string": _check_string,
    "identifier": _check_identifier,
    "uuid": _check_uuid,
    "datetime": _check_datetime,
    "date": _check_date,
    "decimal": _check_decimal,
    "integer": _check_integer,
    "boolean": _check_boolean,
    "object": _check_object,
}


def parse_datetime_utc(value: str) -> dt.datetime:
    """An ISO-8601 string (already validated) as an aware UTC datetime; naive means UTC."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def parse_decimal(value: str | int | float) -> Decimal:
    """A validated decimal value (number or numeric string) as a Decimal, exactly as written."""
    return Decimal(str(value).strip())


def get_path(payload: Mapping[str, Any], dotted: str) -> Any:
    """``payload["a"]["b"]`` for ``"a.b"``; None when a step is missing or not an object."""
    value: Any = payload
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
