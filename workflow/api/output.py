"""Output serialization and query validation without DRF's per-call field copies.

``SomeOutput(obj).data`` builds a new serializer, and a serializer's first use deep-copies every
declared field (``Serializer.get_fields``: ``copy.deepcopy(self._declared_fields)``), nested
serializers included: about a millisecond per response on this API's outputs, more than the
database costs for most reads. An output serializer without context keeps no state between
calls, so one instance per class serves every response: :func:`represent` and
:func:`represent_many` give the same dicts as ``.data`` (the same fields, order and values),
built by that shared instance.

Only for serializers that read nothing from ``self.context`` (this API's outputs read none).

The query-string serializers of the lists are the same: :func:`validated` gives what
``is_valid(raise_exception=True)`` then ``validated_data`` give, raising the same
``ValidationError`` (its detail is what ``is_valid`` raises), through a shared instance whose
validation keeps nothing on the instance (``Serializer.run_validation``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

_shared: dict[type[serializers.Serializer[Any]], serializers.Serializer[Any]] = {}
_lock = threading.Lock()


def _instance(serializer_class: type[serializers.Serializer[Any]]) -> serializers.Serializer[Any]:
    instance = _shared.get(serializer_class)
    if instance is None:
        with _lock:
            instance = _shared.get(serializer_class)
            if instance is None:
                instance = serializer_class()
                instance.fields  # noqa: B018 - binds (deep-copies) the fields once, here
                _shared[serializer_class] = instance
    return instance


def represent(serializer_class: type[serializers.Serializer[Any]], value: Any) -> dict[str, Any]:
    """``serializer_class(value).data``, without building a serializer."""
    return dict(_instance(serializer_class).to_representation(value))


def represent_many(
    serializer_class: type[serializers.Serializer[Any]], values: Iterable[Any] | None
) -> list[dict[str, Any]]:
    """``serializer_class(values, many=True).data``, without building a serializer (``None``,
    what a paginator gives for an unpaged list, is an empty list as there)."""
    to_representation = _instance(serializer_class).to_representation
    return [dict(to_representation(value)) for value in values or ()]


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """``serializer_class(data=data)``'s ``validated_data`` after ``is_valid(raise_exception=
    True)``, without building a serializer."""
    values = _instance(serializer_class).run_validation(data)
    assert isinstance(values, dict)
    return values
