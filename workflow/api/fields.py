"""Serializer fields and inputs shared by the apps' APIs."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from workflow.business_time import iso_utc


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


class DateRangeInput(serializers.Serializer):
    """``startDate`` / ``endDate`` query filters: inclusive business days, YYYY-MM-DD."""

    startDate = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    endDate = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("startDate"), attrs.get("endDate")
        if start and end and start > end:
            raise serializers.ValidationError({"endDate": "endDate must not be before startDate."})
        return attrs
