"""The JSON parser of every API view: strict JSON, one meaning per body.

Python's ``json`` module reads more than JSON: ``NaN``, ``Infinity`` and ``1e309`` (a float
overflow, read as infinity), and an object whose key appears twice (the last one wins, where
other parsers keep the first). A body like that means different things to different readers,
so it is refused with a 400 naming the field instead of being guessed at. A body nested too
deeply for the parser is a 400 too, never a crash.
"""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class _NonFinite:
    """Stands for ``NaN``/``Infinity``/``-Infinity`` until the body has been checked."""


NON_FINITE = _NonFinite()


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _problem(path: list[str], message: str) -> serializers.ValidationError:
    """A validation error on the field at ``path`` (nested: ``visitLocation.latitude``)."""
    detail: Any = [message]
    for name in reversed(path):
        detail = {name: detail}
    if not path:
        detail = {"non_field_errors": detail}
    return serializers.ValidationError(detail)


def check(value: Any) -> None:
    """Raise a validation error for the first duplicated key or non-finite number."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        current, path = stack.pop()
        if isinstance(current, _JsonObject):
            if current.duplicates:
                raise _problem([*path, current.duplicates[0]], "Given more than once.")
            stack.extend((item, [*path, key]) for key, item in current.items())
        elif isinstance(current, list):
            stack.extend((item, path) for item in current)
        elif current is NON_FINITE or (isinstance(current, float) and not math.isfinite(current)):
            raise _problem(path, "Must be a finite number (NaN, Infinity and 1e309 are not JSON).")


class StrictJSONParser(JSONParser):
    """``application/json`` bodies, refusing duplicate keys and non-finite numbers (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream)
            data = json.load(
                decoded, object_pairs_hook=_object, parse_constant=lambda _: NON_FINITE
            )
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        check(data)
        return data
