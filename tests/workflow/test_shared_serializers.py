"""``workflow.api.output.validated``: query and body serializers through one shared instance
give exactly what a new serializer's ``is_valid`` gives, values and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from actions.api.serializers import ActionCreateInput, ActionListQuery
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


@pytest.mark.parametrize(
    "body",
    [
        {
            "cif": "C1",
            "loanAccountNumber": "L1",
            "type": "VISIT",
            "subtype": "FIELD_VISIT",
            "actionResult": "PROMISE_TO_PAY",
            "actionDate": "2026-03-01T09:30:00+07:00",
            "visitLocation": {"latitude": 21.0285, "longitude": 105.8542, "address": "Ha Noi"},
            "promiseAmount": 1500000,
            "promiseDate": "2026-03-05",
        },
        {"cif": 5, "type": "CALL", "visitLocation": {"latitude": "north"}},
        {"cif": "C1", "actionDate": "2026-03-01T09:30:00"},
        ["not", "an", "object"],
        {},
    ],
)
def test_a_body_is_validated_by_the_shared_instance_as_by_a_new_serializer(body: Any) -> None:
    expected = by_is_valid(ActionCreateInput, body)
    assert by_shared(ActionCreateInput, body) == expected
    assert by_shared(ActionCreateInput, body) == expected
