"""``workflow.api.output.validated``: the lists' query serializers through one shared instance
give exactly what a new serializer's ``is_valid`` gives, values and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from actions.api.serializers import ActionListQuery
from workflow.api.fields import DateRangeInput
from workflow.api.output import validated


def by_is_valid(serializer_class: Any, data: Any) -> tuple[str, Any]:
    serializer = serializer_class(data=data)
    try:
        serializer.is_valid(raise_exception=True)
    except ValidationError as exc:
        return "error", exc.detail
    return "ok", dict(serializer.validated_data)


def by_shared(serializer_class: Any, data: Any) -> tuple[str, Any]:
    try:
        return "ok", validated(serializer_class, data)
    except ValidationError as exc:
        return "error", exc.detail


@pytest.mark.parametrize(
    "query",
    [
        "",
        "type=CALL&actionResult=PROMISE_TO_PAY&startDate=2026-03-01&endDate=2026-03-31",
        "type=call",
        "startDate=2026-13-01",
        "startDate=2026-03-02&endDate=2026-03-01",
        "subtype=CHAT&actionResult=NOPE&type=CALL&type=VISIT",
    ],
)
@pytest.mark.parametrize("serializer_class", [ActionListQuery, DateRangeInput])
def test_the_shared_instance_answers_as_a_new_serializer(serializer_class: Any, query: str) -> None:
    data = QueryDict(query)
    expected = by_is_valid(serializer_class, data)
    # Twice: nothing of the first call stays on the shared instance.
    assert by_shared(serializer_class, data) == expected
    assert by_shared(serializer_class, data) == expected
